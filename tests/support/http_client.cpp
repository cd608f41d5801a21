#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace rapid::testing {

namespace {

SSL* as_ssl(void* p) { return static_cast<SSL*>(p); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (lower(key) == lower(name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::header_names() const {
  std::vector<std::string> names;
  for (const auto& [key, value] : headers) names.push_back(key);
  return names;
}

HttpClient::HttpClient(std::string host, std::uint16_t port, bool tls)
    : host_(std::move(host)), port_(port), tls_(tls) {}

HttpClient::~HttpClient() { close(); }

bool HttpClient::connect() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!tls_) return true;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ssl_ctx_ = ctx;
  SSL* ssl = SSL_new(ctx);
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  return SSL_connect(ssl) == 1;
}

bool HttpClient::send(const std::string& bytes) {
  if (tls_) return SSL_write(as_ssl(ssl_), bytes.data(), static_cast<int>(bytes.size())) > 0;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

int HttpClient::read_some(char* buffer, int size, std::chrono::milliseconds timeout) {
  if (tls_ && SSL_pending(as_ssl(ssl_)) > 0) return SSL_read(as_ssl(ssl_), buffer, size);
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return -2;  // timeout
  if (tls_) {
    const int n = SSL_read(as_ssl(ssl_), buffer, size);
    if (n <= 0) {
      const int err = SSL_get_error(as_ssl(ssl_), n);
      if (err == SSL_ERROR_WANT_READ) return -3;
      return 0;
    }
    return n;
  }
  return static_cast<int>(::recv(fd_, buffer, static_cast<std::size_t>(size), 0));
}

std::optional<HttpResponse> HttpClient::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[16384];
  HttpResponse response;
  std::size_t header_end;
  while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    const int n = read_some(buffer, sizeof buffer, left);
    if (n == -3) continue;
    if (n <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
  const std::string head = pending_.substr(0, header_end);
  pending_.erase(0, header_end + 4);
  std::size_t pos = head.find("\r\n");
  response.status_line = head.substr(0, pos);
  const auto space = response.status_line.find(' ');
  response.status = std::atoi(response.status_line.c_str() + space + 1);
  while (pos != std::string::npos) {
    const std::size_t next = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers.emplace_back(line.substr(0, colon), value);
    }
    pos = next;
  }
  const std::size_t length = std::stoul(response.header("Content-Length").value_or("0"));
  while (pending_.size() < length) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    const int n = read_some(buffer, sizeof buffer, left);
    if (n == -3) continue;
    if (n <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
  response.body = pending_.substr(0, length);
  pending_.erase(0, length);
  return response;
}

bool HttpClient::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int n = read_some(buffer, sizeof buffer, left);
    if (n == -2) return false;
    if (n == -3) continue;
    if (n <= 0) return true;
  }
}

void HttpClient::close() {
  if (ssl_) {
    SSL_free(as_ssl(ssl_));
    ssl_ = nullptr;
  }
  if (ssl_ctx_) {
    SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
    ssl_ctx_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

std::string HttpClient::build_request(const std::string& method, const std::string& target,
                                      const std::string& credentials, const std::string& body,
                                      const std::string& content_type,
                                      const std::vector<std::string>& extra_headers) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!credentials.empty()) request += "Authorization: Basic " + base64(credentials) + "\r\n";
  for (const auto& header : extra_headers) request += header + "\r\n";
  if (!body.empty()) {
    if (!content_type.empty()) request += "Content-Type: " + content_type + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  return request;
}

std::optional<HttpResponse> HttpClient::request(
    std::uint16_t port, bool tls, const std::string& method, const std::string& target,
    const std::string& credentials, const std::string& body, const std::string& content_type,
    const std::vector<std::string>& extra_headers) {
  HttpClient client("127.0.0.1", port, tls);
  if (!client.connect()) return std::nullopt;
  std::vector<std::string> headers = extra_headers;
  headers.push_back("Connection: close");
  if (!client.send(build_request(method, target, credentials, body, content_type, headers))) {
    return std::nullopt;
  }
  return client.read_response();
}

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string make_test_certificate(const std::string& directory) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("rapid-test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  const std::string path = directory + "/rapi.pem";
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) throw std::runtime_error("cannot write " + path);
  PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_X509(file, cert);
  std::fclose(file);
  X509_free(cert);
  EVP_PKEY_free(key);
  return path;
}

std::string make_temp_dir() {
  char pattern[] = "/tmp/rapid-test-XXXXXX";
  const char* dir = mkdtemp(pattern);
  if (!dir) throw std::runtime_error("mkdtemp failed");
  return dir;
}

}  // namespace rapid::testing
