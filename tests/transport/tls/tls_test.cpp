// The built-in transport's TLS: the server certificate is verified (against a CA file or directory, or the
// system store), its host name checked, and nothing older than TLS 1.2 accepted. The test CA and server
// certificate are made with the openssl command line when the tests start.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

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

// A TLS peer that goes away right after the handshake, while the request is being written: the writes after it
// left fail with EPIPE, which would raise SIGPIPE and end the program. The call fails with an error instead,
// with SIGPIPE at its default disposition, and leaves no SIGPIPE pending.
TEST_F(Tls, APeerThatLeavesWhileTheRequestIsWrittenDoesNotEndTheProgram) {
  struct sigaction dfl {
  }, before{};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ASSERT_EQ(sigaction(SIGPIPE, &dfl, &before), 0);

  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(SSL_CTX_use_certificate_chain_file(ctx, pki_.server_cert.c_str()), 1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey_file(ctx, pki_.server_key.c_str(), SSL_FILETYPE_PEM), 1);
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::atomic<int> handshakes{0};
  std::thread peer([&] {
    // The server's own writes are not under test: SIGPIPE stays blocked on its thread.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    pollfd waiting{listener, POLLIN, 0};
    if (::poll(&waiting, 1, 10000) != 1) return;  // the client never came
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) return;
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) ++handshakes;
    ERR_clear_error();
    SSL_free(ssl);
    ::close(fd);  // without reading the request
  });

  Client client(options("https://localhost:" + std::to_string(ntohs(addr.sin_port)) + "/KareoServices.svc")
                    .ca_file(pki_.ca_cert));
  PatientFilter filter;
  filter.PracticeID = "1";
  filter.FirstName = std::string(std::size_t{8} << 20, 'x');  // 8 MiB: many writes after the peer has gone
  try {
    client.patients(PatientQuery(filter)).collect();
    ADD_FAILURE() << "the call succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GetPatients"), std::string::npos) << e.what();
  }
  peer.join();
  EXPECT_EQ(handshakes.load(), 1);

  sigset_t pending;
  sigemptyset(&pending);
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);
  ::close(listener);
  SSL_CTX_free(ctx);
  sigaction(SIGPIPE, &before, nullptr);
}

// GetPractices answering `n` practices, each with a name long enough to make the response span records.
test::HttpReply practices_reply(int n) {
  std::string rows = "<Practices>";
  for (int i = 1; i <= n; ++i) {
    rows += "<PracticeData><ID>" + std::to_string(i) + "</ID><PracticeName>Practice " + std::to_string(i) +
            std::string(40, 'x') + "</PracticeName></PracticeData>";
  }
  rows += "</Practices>";
  return test::xml_reply(test::ok_envelope("GetPractices", rows));
}

// The client reads ahead: one read takes every TLS record that has arrived. A response in many small records,
// sent at once, is read to its end without waiting for the socket, where its records already are not.
TEST_F(Tls, AResponseInManyRecordsSentAtOnceIsReadWithoutWaiting) {
  ScriptedServer server(
      [](const test::HttpRequest&) {
        auto reply = practices_reply(40);
        reply.record_size = 64;
        return reply;
      },
      {pki_.server_cert, pki_.server_key, 0});
  Client client(options(server.url("localhost")).ca_file(pki_.ca_cert).receive_timeout(std::chrono::seconds(3)));
  // Records left unread would stall the call until the receive timeout (a TimeoutError).
  for (int call = 0; call < 3; ++call) EXPECT_EQ(client.practices().collect().size(), 40u);
  EXPECT_EQ(server.connections(), 1);
}

// A TLS record that arrives in two parts, the second later: the client waits for the rest of it.
TEST_F(Tls, ARecordThatArrivesInTwoPartsIsWaitedFor) {
  ScriptedServer server(
      [](const test::HttpRequest&) {
        auto reply = practices_reply(3);
        reply.cut = 20;
        reply.pause = std::chrono::milliseconds(300);
        return reply;
      },
      {pki_.server_cert, pki_.server_key, 0});
  Client client(options(server.url("localhost")).ca_file(pki_.ca_cert));
  EXPECT_EQ(client.practices().collect().size(), 3u);
  EXPECT_EQ(client.practices().collect().size(), 3u);
  EXPECT_EQ(server.connections(), 1);
}

// Part of a record, then nothing: the call ends when the receive timeout has passed, with a timeout.
TEST_F(Tls, ARecordThatStopsPartWayEndsInATimeout) {
  ScriptedServer server(
      [](const test::HttpRequest&) {
        auto reply = practices_reply(3);
        reply.cut = 20;
        reply.pause = reply.stall = std::chrono::milliseconds(10000);
        return reply;
      },
      {pki_.server_cert, pki_.server_key, 0});
  Client client(options(server.url("localhost")).ca_file(pki_.ca_cert).receive_timeout(std::chrono::seconds(1)));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(client.practices().collect(), TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

// Bytes the server sends after a response, unasked for, arrive with it and are held by OpenSSL, not the
// socket: the kept-alive connection is not used again (they would be read as the next response), and the
// next call opens a new one.
TEST_F(Tls, BytesAfterAResponseRetireTheConnection) {
  ScriptedServer server(
      [](const test::HttpRequest&) {
        auto reply = practices_reply(2);
        reply.trailing = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        return reply;
      },
      {pki_.server_cert, pki_.server_key, 0});
  Client client(options(server.url("localhost")).ca_file(pki_.ca_cert));
  EXPECT_EQ(client.practices().collect().size(), 2u);
  EXPECT_EQ(client.practices().collect().size(), 2u);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.connections(), 2);
}

}  // namespace
}  // namespace kareo
