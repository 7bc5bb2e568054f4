// The built-in transport's TLS: the server certificate is verified (against a CA file or directory, or the
// system store), its host name checked, and nothing older than TLS 1.2 accepted. The test CA and server
// certificate are made with the openssl command line when the tests start.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "kareo/client.hpp"
#include "scripted_server.hpp"
#include "wcf.hpp"

namespace kareo {
namespace {

using test::ScriptedServer;

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    pki_ = test::make_test_pki(dir_->path(), "localhost");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static Options options(const std::string& url) {
    return Options{}
        .policies(CallPolicies::none())
        .endpoint(url)
        .credentials(Credentials("test-customer-key", "test-user@example.com", "test-password"))
        .connect_timeout(std::chrono::seconds(5))
        .receive_timeout(std::chrono::seconds(5));
  }

  static test::TempDir* dir_;
  static test::TestPki pki_;
};

test::TempDir* Tls::dir_ = nullptr;
test::TestPki Tls::pki_;

TEST_F(Tls, AcceptedWithTheCaFile) {
  ScriptedServer server(test::empty_success, {pki_.server_cert, pki_.server_key, 0});
  Client client(options(server.url("localhost")).ca_file(pki_.ca_cert));
  EXPECT_NO_THROW(client.practices().collect());
  EXPECT_NO_THROW(client.practices().collect());
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.connections(), 1);  // the TLS connection is kept alive and reused
}

TEST_F(Tls, AcceptedWithTheCaDirectory) {
  ScriptedServer server(test::empty_success, {pki_.server_cert, pki_.server_key, 0});
  Client client(options(server.url("localhost")).ca_directory(pki_.ca_dir));
  EXPECT_NO_THROW(client.practices().collect());
}

TEST_F(Tls, RefusedWithoutTheCa) {
  ScriptedServer server(test::empty_success, {pki_.server_cert, pki_.server_key, 0});
  Client client(options(server.url("localhost")));  // the system store does not know the test CA
  try {
    client.practices().collect();
    FAIL() << "expected TlsError";
  } catch (const TlsError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Transport);
    EXPECT_EQ(e.exit_code(), 8);
    EXPECT_EQ(e.operation(), Operation::GetPractices);
    EXPECT_NE(std::string(e.what()).find("certificate"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(Tls, RefusedOnHostNameMismatch) {
  ScriptedServer server(test::empty_success, {pki_.server_cert, pki_.server_key, 0});
  // The certificate names "localhost"; the client connects to "127.0.0.1".
  Client client(options(server.url("127.0.0.1")).ca_file(pki_.ca_cert));
  try {
    client.practices().collect();
    FAIL() << "expected TlsError";
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("host name"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(Tls, RefusedBelowTls12) {
  ScriptedServer server(test::empty_success, {pki_.server_cert, pki_.server_key, TLS1_1_VERSION});
  Client client(options(server.url("localhost")).ca_file(pki_.ca_cert));
  try {
    client.practices().collect();
    FAIL() << "expected TlsError";
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("protocol version"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(server.requests().empty());
  EXPECT_TRUE(test::wait_until([&] { return server.failed_handshakes() >= 1; }));
}

TEST_F(Tls, PlainHttpServerBehindAnHttpsUrl) {
  ScriptedServer server(test::empty_success);
  Client client(
      options("https://localhost:" + std::to_string(server.port()) + "/KareoServices.svc").ca_file(pki_.ca_cert));
  EXPECT_THROW(client.practices().collect(), TransportError);
}

}  // namespace
}  // namespace kareo
