#pragma once

#include <boost/asio/ssl/context.hpp>

#include "http/server.h"

namespace rapid::http {

// A server context offering TLS 1.2 and 1.3 with Mozilla's "intermediate"
// cipher list, key and certificate from PEM files (one file may hold both,
// as Ganeti's rapi.pem does). Throws std::runtime_error with a readable
// message when the files are unusable or do not match.
boost::asio::ssl::context make_tls_context(const TlsConfig& config);

}  // namespace rapid::http
