// --ssl-chain (Ganeti 3.1's option) and the TLS files reloaded while rapid
// runs: on a change of a file (the watcher) and on SIGHUP (Rapid::reload()).
// New connections get the new certificate, established ones keep theirs, and
// unusable new files leave the current certificate in use.
#include <gtest/gtest.h>

#include <thread>

#include "support/process.h"
#include "support/rapid_server.h"
#include "support/test_pki.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Waits until a new connection is served `fingerprint` (true) or `within`
// passed (false).
bool presents_within(RapidServer& rapid, const std::string& root, const std::string& fingerprint,
                     std::chrono::milliseconds within) {
  const auto deadline = Clock::now() + within;
  while (true) {
    if (presented_chain(rapid.port(), root).leaf_sha256 == fingerprint) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

struct TlsFiles {
  std::string dir = make_temp_dir();
  TestPki pki{dir};
  std::string cert = dir + "/rapi.pem";
  std::string fingerprint = pki.issue(cert, "rapid-server");
};

RapidServerOptions with_tls(const TlsFiles& files, const std::string& chain) {
  RapidServerOptions options;
  options.tls = true;
  options.tls_cert_file = files.cert;
  options.tls_chain_file = chain;
  return options;
}

TEST(TlsChain, IntermediatesAreSentAfterTheCertificate) {
  TlsFiles files;
  RapidServer rapid(with_tls(files, files.pki.intermediate_file()));
  const PresentedChain chain = presented_chain(rapid.port(), files.pki.root_file());
  ASSERT_TRUE(chain.handshake);
  EXPECT_TRUE(chain.verified) << chain.verify_error;
  EXPECT_EQ(chain.chain_length, 2);
  EXPECT_EQ(chain.leaf_sha256, files.fingerprint);
  EXPECT_EQ(rapid.request("GET", "/version")->body, "2\n");
}

TEST(TlsChain, AFullChainFileSendsTheCertificateOnce) {
  TlsFiles files;
  const std::string full_chain = files.dir + "/fullchain.pem";
  files.pki.write_full_chain(full_chain);
  RapidServer rapid(with_tls(files, full_chain));
  const PresentedChain chain = presented_chain(rapid.port(), files.pki.root_file());
  EXPECT_TRUE(chain.verified) << chain.verify_error;
  EXPECT_EQ(chain.chain_length, 2);
}

TEST(TlsChain, WithoutTheChainAClientCannotVerify) {
  TlsFiles files;
  RapidServer rapid(with_tls(files, ""));
  const PresentedChain chain = presented_chain(rapid.port(), files.pki.root_file());
  ASSERT_TRUE(chain.handshake);
  EXPECT_FALSE(chain.verified);
  EXPECT_EQ(chain.chain_length, 1);
}

TEST(TlsChain, AChainFileWithoutCertificatesIsRefusedAtStartUp) {
  TlsFiles files;
  const std::string empty = files.dir + "/empty.pem";
  write_file(empty, "not a certificate\n");
  EXPECT_THROW(RapidServer(with_tls(files, empty)), std::runtime_error);
}

TEST(TlsReload, ANewCertificateIsServedWithinASecondAndOpenConnectionsKeepWorking) {
  TlsFiles files;
  RapidServer rapid(with_tls(files, files.pki.intermediate_file()));
  HttpClient kept("127.0.0.1", rapid.port(), true);
  ASSERT_TRUE(kept.connect());
  ASSERT_TRUE(kept.send(HttpClient::build_request("GET", "/version")));
  ASSERT_EQ(kept.read_response()->status, 200);

  const std::string renewed = files.pki.issue(files.cert, "rapid-server-renewed");
  EXPECT_TRUE(presents_within(rapid, files.pki.root_file(), renewed, 1s));
  EXPECT_TRUE(presented_chain(rapid.port(), files.pki.root_file()).verified);
  // The connection made before the change is still served, on its old context.
  ASSERT_TRUE(kept.send(HttpClient::build_request("GET", "/version")));
  const auto answer = kept.read_response();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body, "2\n");
  // The watcher has loaded these files already: nothing to do again.
  EXPECT_EQ(rapid.server().reload_tls().outcome, http::TlsReload::Outcome::unchanged);
}

TEST(TlsReload, AnUnusableNewFileKeepsTheCurrentCertificate) {
  TlsFiles files;
  RapidServer rapid(with_tls(files, ""));
  write_file(files.cert, "-----BEGIN CERTIFICATE-----\ngarbage\n");
  std::this_thread::sleep_for(500ms);  // the watcher tried (and failed) by now
  EXPECT_EQ(presented_chain(rapid.port(), files.pki.root_file()).leaf_sha256, files.fingerprint);
  const http::TlsReload again = rapid.server().reload_tls();
  EXPECT_EQ(again.outcome, http::TlsReload::Outcome::failed);
  EXPECT_NE(again.error.find(files.cert), std::string::npos) << again.error;
  EXPECT_EQ(rapid.request("GET", "/version")->status, 200);

  // A key that does not match its certificate is refused as well.
  TlsFiles other;
  const std::string pem = read_file(other.cert);
  const std::string key = pem.substr(0, pem.find("-----BEGIN CERTIFICATE-----"));
  // Any certificate but the key's: the intermediate's.
  write_file(files.cert, key + read_file(files.pki.intermediate_file()));
  rapid.reload();
  EXPECT_EQ(presented_chain(rapid.port(), files.pki.root_file()).leaf_sha256, files.fingerprint);

  // Once the file is right again, it is picked up.
  const std::string renewed = files.pki.issue(files.cert, "rapid-server-fixed");
  EXPECT_TRUE(presents_within(rapid, files.pki.root_file(), renewed, 1s));
}

TEST(TlsReload, AReloadServesTheNewFilesAtOnce) {
  TlsFiles files;
  RapidServer rapid(with_tls(files, ""));
  const std::string renewed = files.pki.issue(files.cert, "rapid-server-renewed");
  rapid.reload();  // what SIGHUP calls: synchronous, before the watcher's 200 ms
  EXPECT_EQ(presented_chain(rapid.port(), files.pki.root_file()).leaf_sha256, renewed);
}

}  // namespace
}  // namespace rapid::testing
