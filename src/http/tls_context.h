#pragma once

#include <boost/asio/ssl/context.hpp>

#include "http/server.h"

namespace rapid::http {

// A server context offering TLS 1.2 and 1.3 with Mozilla's "intermediate"
// cipher list, key and certificate from PEM files (one file may hold both,
// as Ganeti's rapi.pem does). Throws std::runtime_error with a readable
// message when the files are unusable or do not match.
// A chain file may hold the intermediates alone or the full chain
// (certificate first, as Let's Encrypt's fullchain.pem): a copy of the
// certificate in it is skipped.
boost::asio::ssl::context make_tls_context(const TlsConfig& config);

// The contents of the key, certificate and chain files, to tell whether a
// reload would change anything ("" for a file that cannot be read).
std::string tls_files_contents(const TlsConfig& config);

}  // namespace rapid::http
