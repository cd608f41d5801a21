// TLS session resumption on a real http::Server: by ticket (TLS 1.2 and
// 1.3), from the session cache for clients that refuse tickets, the ticket
// keys' rotation, the cache's bound, a reload of the TLS files, and an
// ECDSA P-256 certificate.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/tls_context.h"
#include "support/http_client.h"
#include "support/test_pki.h"

namespace rapid::http {
namespace {

using namespace std::chrono_literals;

class OkHandler final : public Handler {
 public:
  boost::asio::awaitable<Response> handle(Request) override {
    Response response;
    response.body = "ok";
    co_return response;
  }
  Response protocol_error(int status, std::string_view) override {
    Response response;
    response.status = status;
    return response;
  }
};

// The server's clock for the ticket keys: the real one plus what a test adds.
struct FakeClock {
  std::shared_ptr<std::atomic<std::int64_t>> ahead_ms =
      std::make_shared<std::atomic<std::int64_t>>(0);
  TicketKeys::Clock clock() const {
    return [ahead = ahead_ms] {
      return std::chrono::steady_clock::now() + std::chrono::milliseconds(ahead->load());
    };
  }
  void advance(std::chrono::milliseconds by) { *ahead_ms += by.count(); }
};

class TlsServer {
 public:
  explicit TlsServer(TlsConfig tls) {
    ServerConfig config;
    config.bind_address = "127.0.0.1";
    config.port = 0;
    config.tls = std::move(tls);
    server_ = std::make_unique<Server>(io_.get_executor(), config, handler_, nullptr);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }

 private:
  boost::asio::io_context io_;
  OkHandler handler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

using Session = std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)>;

struct Visit {
  bool answered = false;
  bool reused = false;
  int key_type = 0;  // EVP_PKEY_RSA, EVP_PKEY_EC of the server's certificate
  Session session{nullptr, &SSL_SESSION_free};
};

// One connection, one request read to the end (TLS 1.3's ticket comes after
// the handshake), offering `resume` if given.
Visit visit(std::uint16_t port, int version, SSL_SESSION* resume = nullptr,
            bool no_ticket = false) {
  Visit result;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  if (no_ticket) SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL* ssl = SSL_new(ctx);
  const int fd = testing::connect_loopback(port);
  SSL_set_fd(ssl, fd);
  if (resume) SSL_set_session(ssl, resume);
  if (SSL_connect(ssl) == 1) {
    const std::string request = "GET /version HTTP/1.1\r\nHost: rapid\r\nConnection: close\r\n\r\n";
    SSL_write(ssl, request.data(), static_cast<int>(request.size()));
    std::string answer;
    char buffer[4096];
    for (int n; (n = SSL_read(ssl, buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
    result.answered = answer.rfind("HTTP/1.1 200", 0) == 0;
    result.reused = SSL_session_reused(ssl) == 1;
    if (X509* cert = SSL_get1_peer_certificate(ssl)) {
      result.key_type = EVP_PKEY_get_base_id(X509_get0_pubkey(cert));
      X509_free(cert);
    }
    result.session.reset(SSL_get1_session(ssl));
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return result;
}

TlsConfig tls_files(const std::string& pem) {
  TlsConfig tls;
  tls.key_file = pem;
  tls.cert_file = pem;
  return tls;
}

// The test certificate of the other tests: RSA-2048, self-signed.
TlsConfig rsa_config() {
  return tls_files(testing::make_test_certificate(testing::make_temp_dir()));
}

TEST(TlsSession, ATicketResumesTls12AndTls13) {
  TlsServer server(rsa_config());
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SCOPED_TRACE(version);
    const Visit first = visit(server.port(), version);
    ASSERT_TRUE(first.answered);
    EXPECT_FALSE(first.reused);
    ASSERT_TRUE(first.session);
    EXPECT_TRUE(SSL_SESSION_has_ticket(first.session.get()));
    const Visit second = visit(server.port(), version, first.session.get());
    EXPECT_TRUE(second.answered);
    EXPECT_TRUE(second.reused);
  }
}

// OpenSSL's client (wrk's, curl's) offers a TLS 1.3 ticket once: a client
// that keeps only its last session resumes every time only if each
// resumption brings a new ticket. Without one, every other connection was a
// full handshake.
TEST(TlsSession, EveryTls13ResumptionBringsANewTicket) {
  TlsServer server(rsa_config());
  Visit last = visit(server.port(), TLS1_3_VERSION);
  ASSERT_TRUE(last.answered);
  ASSERT_TRUE(last.session);
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    Visit next = visit(server.port(), TLS1_3_VERSION, last.session.get());
    ASSERT_TRUE(next.answered);
    EXPECT_TRUE(next.reused);
    ASSERT_TRUE(next.session);
    EXPECT_TRUE(SSL_SESSION_is_resumable(next.session.get()));
    const unsigned char* old_ticket = nullptr;
    const unsigned char* new_ticket = nullptr;
    std::size_t old_size = 0;
    std::size_t new_size = 0;
    SSL_SESSION_get0_ticket(last.session.get(), &old_ticket, &old_size);
    SSL_SESSION_get0_ticket(next.session.get(), &new_ticket, &new_size);
    ASSERT_GT(new_size, 0u);
    EXPECT_NE(std::string(reinterpret_cast<const char*>(old_ticket), old_size),
              std::string(reinterpret_cast<const char*>(new_ticket), new_size));
    last = std::move(next);
  }
}

TEST(TlsSession, TheCacheResumesAClientThatRefusesTickets) {
  TlsServer server(rsa_config());
  const Visit first = visit(server.port(), TLS1_2_VERSION, nullptr, true);
  ASSERT_TRUE(first.answered);
  ASSERT_TRUE(first.session);
  EXPECT_FALSE(SSL_SESSION_has_ticket(first.session.get()));
  const Visit second = visit(server.port(), TLS1_2_VERSION, first.session.get(), true);
  EXPECT_TRUE(second.answered);
  EXPECT_TRUE(second.reused);
}

TEST(TlsSession, TheCacheKeepsAtMostItsSizeDroppingTheOldest) {
  TlsConfig tls = rsa_config();
  tls.session_cache_size = 4;
  TlsServer server(tls);
  std::vector<Visit> visits;
  for (int i = 0; i < 6; ++i) visits.push_back(visit(server.port(), TLS1_2_VERSION, nullptr, true));
  for (const Visit& v : visits) ASSERT_TRUE(v.session);
  // (OpenSSL 3.0 makes room before it counts the new session: 3 are kept.)
  EXPECT_TRUE(visit(server.port(), TLS1_2_VERSION, visits[5].session.get(), true).reused);
  EXPECT_TRUE(visit(server.port(), TLS1_2_VERSION, visits[4].session.get(), true).reused);
  EXPECT_FALSE(visit(server.port(), TLS1_2_VERSION, visits[1].session.get(), true).reused);
  EXPECT_FALSE(visit(server.port(), TLS1_2_VERSION, visits[0].session.get(), true).reused);
}

TEST(TlsSession, ATicketOutlivesOneKeyRotationButNotTwo) {
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SCOPED_TRACE(version);
    FakeClock clock;
    TlsConfig tls = rsa_config();
    tls.ticket_key_period = std::chrono::hours(12);
    tls.ticket_clock = clock.clock();
    TlsServer server(tls);
    const Visit first = visit(server.port(), version);
    ASSERT_TRUE(first.session);
    // One rotation: the previous key still decrypts (and the ticket is renewed).
    clock.advance(13h);
    const Visit after_one = visit(server.port(), version, first.session.get());
    EXPECT_TRUE(after_one.reused);
    // The renewed ticket is made with the current key.
    ASSERT_TRUE(after_one.session);
    // A second rotation: the first ticket's key is gone, a full handshake.
    clock.advance(12h);
    const Visit after_two = visit(server.port(), version, first.session.get());
    EXPECT_TRUE(after_two.answered);
    EXPECT_FALSE(after_two.reused);
    // The ticket renewed after the first rotation is one period old: still good.
    EXPECT_TRUE(visit(server.port(), version, after_one.session.get()).reused);
  }
}

TEST(TlsSession, AnIdleServerKeepsNoOlderKey) {
  FakeClock clock;
  TlsConfig tls = rsa_config();
  tls.ticket_clock = clock.clock();
  TlsServer server(tls);
  const Visit first = visit(server.port(), TLS1_3_VERSION);
  ASSERT_TRUE(first.session);
  // No handshake for more than two periods: both keys replaced at once.
  clock.advance(tls.ticket_key_period * 2 + 1s);
  EXPECT_FALSE(visit(server.port(), TLS1_3_VERSION, first.session.get()).reused);
}

TEST(TlsSession, TicketsResumeAfterAReloadTheCacheStartsEmpty) {
  const std::string dir = testing::make_temp_dir();
  testing::TestPki pki(dir);
  const std::string pem = dir + "/rapi.pem";
  pki.issue(pem, "rapid-server");
  TlsServer server(tls_files(pem));
  const Visit ticket12 = visit(server.port(), TLS1_2_VERSION);
  const Visit ticket13 = visit(server.port(), TLS1_3_VERSION);
  const Visit cached = visit(server.port(), TLS1_2_VERSION, nullptr, true);
  ASSERT_TRUE(ticket12.session && ticket13.session && cached.session);
  pki.issue(pem, "rapid-server-renewed");
  ASSERT_EQ(server.server().reload_tls().outcome, TlsReload::Outcome::reloaded);
  EXPECT_TRUE(visit(server.port(), TLS1_2_VERSION, ticket12.session.get()).reused);
  EXPECT_TRUE(visit(server.port(), TLS1_3_VERSION, ticket13.session.get()).reused);
  // The cache belongs to the context a reload replaces: one full handshake.
  const Visit after = visit(server.port(), TLS1_2_VERSION, cached.session.get(), true);
  EXPECT_TRUE(after.answered);
  EXPECT_FALSE(after.reused);
}

TEST(TlsSession, AnEcdsaP256CertificateServesAndResumes) {
  const std::string dir = testing::make_temp_dir();
  testing::TestPki pki(dir);  // its keys are P-256
  const std::string pem = dir + "/rapi.pem";
  pki.issue(pem, "rapid-server");
  TlsServer server(tls_files(pem));
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SCOPED_TRACE(version);
    const Visit first = visit(server.port(), version);
    ASSERT_TRUE(first.answered);
    EXPECT_EQ(first.key_type, EVP_PKEY_EC);
    ASSERT_TRUE(first.session);
    const Visit second = visit(server.port(), version, first.session.get());
    EXPECT_TRUE(second.reused);
  }
}

}  // namespace
}  // namespace rapid::http
