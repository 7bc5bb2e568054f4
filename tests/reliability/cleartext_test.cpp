// Credentials never travel in clear text to another host: plain http:// is accepted only for this machine's
// loopback interface, from Options::endpoint() and from KAREO_ENDPOINT alike, and is refused before any
// connection is made.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <functional>
#include <string>

#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "raw_server.hpp"

namespace kareo {
namespace {

using reliability::RawConnection;
using reliability::RawServer;

const Credentials kCredentials("test-customer-key", "test-user@example.test", "test-password");

// Sets an environment variable for the scope of one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

// A server that would answer any call, so that a connection reaching it would show.
RawServer answering_server(const std::string& host) {
  return RawServer(
      [](RawConnection& c) {
        c.send(reliability::http_response(200, "OK", "text/xml; charset=utf-8",
                                          reliability::empty_result("GetPractices")));
      },
      host);
}

void expect_refusal(const std::function<void()>& make_and_call, const std::string& what) {
  try {
    make_and_call();
    ADD_FAILURE() << what << ": accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("https://"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), 2);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": " << e.what();
  }
}

TEST(Cleartext, PlainHttpToAnotherHostIsRefusedBeforeAnyConnection) {
  const std::string address = reliability::non_loopback_address();
  if (address.empty()) GTEST_SKIP() << "this machine has no address other than loopback to listen on";
  auto elsewhere = answering_server(address);
  const std::string url = elsewhere.url();
  ASSERT_EQ(url.rfind("http://", 0), 0u);

  // Given to Options::endpoint().
  expect_refusal([&] { Options{}.endpoint(url); }, "Options::endpoint");
  // From the environment: the Client refuses it when it is made.
  {
    ScopedEnv env("KAREO_ENDPOINT", url);
    ASSERT_EQ(Options{}.endpoint(), url);
    expect_refusal(
        [&] {
          Client client(Options{}.credentials(kCredentials).policies(CallPolicies::none()));
          client.practices().collect();
        },
        "KAREO_ENDPOINT");
    // With the default policies (retries, pacing) as well.
    expect_refusal(
        [&] {
          Client client(Options{}.credentials(kCredentials));
          client.practices().collect();
        },
        "KAREO_ENDPOINT, default policies");
  }
  // Over https:// the same host is fine (TLS protects the credentials).
  EXPECT_NO_THROW(Client(Options{}.endpoint("https://" + address + "/svc").credentials(kCredentials)));
  elsewhere.stop();
  EXPECT_EQ(elsewhere.connections(), 0) << "a connection reached another host for a clear-text endpoint";
}

TEST(Cleartext, LoopbackMayUsePlainHttp) {
  for (const std::string host : {"127.0.0.1", "127.0.0.2"}) {
    SCOPED_TRACE(host);
    auto server = answering_server(host);
    Client client(Options{}.endpoint(server.url()).credentials(kCredentials).policies(CallPolicies::none()));
    EXPECT_NO_THROW(client.practices().collect());
    EXPECT_EQ(server.requests().size(), 1u);
  }
  auto server = answering_server("127.0.0.1");
  {
    ScopedEnv env("KAREO_ENDPOINT", server.url("localhost"));
    Client client(Options{}.credentials(kCredentials).policies(CallPolicies::none()));
    EXPECT_NO_THROW(client.practices().collect());
  }
}

TEST(Cleartext, WhatCountsAsLoopback) {
  for (const char* ok : {"http://127.0.0.1:8080/services/soap/2.1/KareoServices.svc", "http://127.255.10.2/",
                         "http://localhost:1/x", "http://LocalHost/", "http://[::1]:8080/",
                         "http://[::ffff:127.0.0.1]/", "http://127.0.0.1", "http://localhost?x=1",
                         "https://webservice.kareo.com/x", "https://10.0.0.1/", "https://example.test:8443/svc"}) {
    EXPECT_NO_THROW(check_endpoint(ok)) << ok;
    EXPECT_NO_THROW(Options{}.endpoint(ok)) << ok;
  }
  for (const char* refused :
       {"http://webservice.kareo.com/services/soap/2.1/KareoServices.svc",  // the real service, in clear
        "http://10.0.0.1/",
        "http://192.0.2.1:8080/",
        "http://[::2]/",
        "http://[::ffff:10.0.0.1]/",
        "http://127.0.0.1.example.test/",  // a name, not an address
        "http://localhost.example.test/",
        "http://127.0.0.1@example.test/",  // user information hides the host
        "http://example.test#@127.0.0.1/",
        "http://example.test\\@127.0.0.1/",
        "http://127.1/",
        "http://0x7f.0.0.1/",
        "http://2130706433/",
        "http://127.0.0.1:80x/",
        "http://",
        "http:///x",
        "http://:8080/",
        "ftp://127.0.0.1/",
        "webservice.kareo.com",
        "https://",
        "HTTP://127.0.0.1/"}) {
    EXPECT_THROW(check_endpoint(refused), InvalidArgument) << refused;
    EXPECT_THROW(Options{}.endpoint(refused), InvalidArgument) << refused;
  }
}

}  // namespace
}  // namespace kareo
