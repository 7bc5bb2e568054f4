// TLS servers the client must refuse: an expired certificate, a self-signed one, one for another host, and a
// server that speaks only TLS 1.0 or 1.1. Each refusal is a TlsError raised before any request (and so any
// credential) is sent. Controls show that each server is otherwise usable: the valid certificate is accepted,
// and a client that allows the old protocols does complete a TLS 1.0/1.1 handshake with the legacy servers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "raw_server.hpp"
#include "test_pki.hpp"

namespace kareo {
namespace {

using reliability::CertFiles;
using reliability::RawConnection;
using reliability::RawServer;
using reliability::RawTls;

void answer(RawConnection& c) {
  c.send(reliability::http_response(200, "OK", "text/xml; charset=utf-8", reliability::empty_result("GetPractices")));
}

class TlsRefusal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<reliability::TempDir>();
    ca_ = std::make_unique<reliability::TestCa>(dir_->path());
    valid_ = ca_->issue("valid", "localhost");
    expired_ = ca_->issue("expired", "localhost", -2 * 86400, -86400);
    not_yet_ = ca_->issue("not-yet-valid", "localhost", 86400, 2 * 86400);
    other_host_ = ca_->issue("other-host", "other.example.test");
    self_signed_ = reliability::self_signed(dir_->path(), "self-signed", "localhost");
  }
  static void TearDownTestSuite() {
    ca_.reset();
    dir_.reset();
  }

  static Options options(const RawServer& server) {
    return Options{}
        .endpoint(server.url("localhost"))
        .credentials(Credentials("test-customer-key", "test-user@example.test", "test-password"))
        .ca_file(ca_->ca_file())
        .connect_timeout(std::chrono::seconds(5))
        .receive_timeout(std::chrono::seconds(5))
        .policies(CallPolicies::none());
  }

  // The call must fail with TlsError, quickly, before a request was sent.
  static void expect_refused(const CertFiles& cert, int min_version = 0, int max_version = 0, bool legacy = false) {
    RawServer server(answer, RawTls{cert.cert, cert.key, min_version, max_version, legacy});
    Client client(options(server));
    const auto start = std::chrono::steady_clock::now();
    try {
      client.practices().collect();
      ADD_FAILURE() << "the TLS connection was accepted";
    } catch (const TlsError& e) {
      EXPECT_FALSE(e.retryable());
      EXPECT_EQ(e.exit_code(), 8);
      EXPECT_EQ(std::string(e.what()).find("test-password"), std::string::npos);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "expected TlsError, got " << typeid(e).name() << ": " << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    server.stop();
    EXPECT_TRUE(server.requests().empty()) << "a request (with the credentials) went to a refused server";
    EXPECT_GE(server.connections(), 1);
  }

  static std::unique_ptr<reliability::TempDir> dir_;
  static std::unique_ptr<reliability::TestCa> ca_;
  static CertFiles valid_, expired_, not_yet_, other_host_, self_signed_;
};

std::unique_ptr<reliability::TempDir> TlsRefusal::dir_;
std::unique_ptr<reliability::TestCa> TlsRefusal::ca_;
CertFiles TlsRefusal::valid_, TlsRefusal::expired_, TlsRefusal::not_yet_, TlsRefusal::other_host_,
    TlsRefusal::self_signed_;

// A handshake with a client that allows exactly `version` (security level 0, no verification): the protocol the
// server really negotiates, or 0 when the handshake fails.
int legacy_handshake(int port, int version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int negotiated = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      negotiated = SSL_version(ssl);
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return negotiated;
}

TEST_F(TlsRefusal, ControlTheValidCertificateIsAccepted) {
  RawServer server(answer, RawTls{valid_.cert, valid_.key});
  Client client(options(server));
  EXPECT_NO_THROW(client.practices().collect());
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(TlsRefusal, ExpiredCertificate) { expect_refused(expired_); }

TEST_F(TlsRefusal, NotYetValidCertificate) { expect_refused(not_yet_); }

TEST_F(TlsRefusal, SelfSignedCertificate) { expect_refused(self_signed_); }

TEST_F(TlsRefusal, CertificateForAnotherHost) { expect_refused(other_host_); }

TEST_F(TlsRefusal, Tls11Only) {
  RawServer probe(answer, RawTls{valid_.cert, valid_.key, TLS1_1_VERSION, TLS1_1_VERSION, true});
  ASSERT_EQ(legacy_handshake(probe.port(), TLS1_1_VERSION), TLS1_1_VERSION)
      << "control: the test server does not really speak TLS 1.1";
  probe.stop();
  expect_refused(valid_, TLS1_1_VERSION, TLS1_1_VERSION, true);
}

TEST_F(TlsRefusal, Tls10Only) {
  RawServer probe(answer, RawTls{valid_.cert, valid_.key, TLS1_VERSION, TLS1_VERSION, true});
  ASSERT_EQ(legacy_handshake(probe.port(), TLS1_VERSION), TLS1_VERSION)
      << "control: the test server does not really speak TLS 1.0";
  probe.stop();
  expect_refused(valid_, TLS1_VERSION, TLS1_VERSION, true);
}

TEST_F(TlsRefusal, ControlTls12IsAcceptedFromTheLegacyConfiguredServer) {
  // The same legacy server settings with TLS 1.2 allowed: accepted, so the refusals above are about the version.
  RawServer server(answer, RawTls{valid_.cert, valid_.key, TLS1_VERSION, TLS1_2_VERSION, true});
  Client client(options(server));
  EXPECT_NO_THROW(client.practices().collect());
}

}  // namespace
}  // namespace kareo
