#pragma once
// A deliberately simple blocking HTTP/1.x client over TCP or TLS (OpenSSL),
// for tests that need control over the exact bytes: raw requests, several
// requests on one connection, slow or malformed clients.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rapid::testing {

struct HttpResponse {
  std::string status_line;  // "HTTP/1.1 200 OK"
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // in order
  std::string body;

  std::optional<std::string> header(const std::string& name) const;
  std::vector<std::string> header_names() const;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port, bool tls);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Connects (and handshakes); false on failure.
  bool connect();
  bool send(const std::string& bytes);
  // Reads one response (headers + Content-Length body). nullopt when the
  // connection closed or nothing complete arrived within `timeout`.
  std::optional<HttpResponse> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the server closed the connection (EOF) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void close();

  // One request on a new connection: "GET /path" with Host, optional Basic
  // credentials "user:password", optional JSON body.
  static std::optional<HttpResponse> request(std::uint16_t port, bool tls,
                                             const std::string& method, const std::string& target,
                                             const std::string& credentials = {},
                                             const std::string& body = {},
                                             const std::string& content_type = "application/json",
                                             const std::vector<std::string>& extra_headers = {});

  static std::string build_request(const std::string& method, const std::string& target,
                                   const std::string& credentials = {},
                                   const std::string& body = {},
                                   const std::string& content_type = "application/json",
                                   const std::vector<std::string>& extra_headers = {});

 private:
  int read_some(char* buffer, int size, std::chrono::milliseconds timeout);

  std::string host_;
  std::uint16_t port_;
  bool tls_;
  int fd_ = -1;
  void* ssl_ctx_ = nullptr;
  void* ssl_ = nullptr;
  std::string pending_;
};

std::string base64(const std::string& text);

// A blocking TCP connection to 127.0.0.1:port, for tests that drive OpenSSL
// themselves; its descriptor, or -1.
int connect_loopback(std::uint16_t port);

// A self-signed RSA certificate and its key in one PEM file (as Ganeti's
// rapi.pem), created in `directory`; returns its path.
std::string make_test_certificate(const std::string& directory);

// A fresh temporary directory (removed by the caller or left in /tmp).
std::string make_temp_dir();

}  // namespace rapid::testing
