// What the hostile-response tests share: a client's options for a raw server, what a call ended with (Outcome,
// checked for the credentials), a raw server that answers with given bytes, and HTTP chunks.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <typeinfo>

#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "raw_server.hpp"
#include "secret_capture.hpp"

namespace kareo::hostile_test {

using reliability::http_response;
using reliability::RawConnection;
using reliability::RawServer;
using reliability::soap_envelope;
using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// A client of `url` without policies, with short connect and receive timeouts.
inline Options options_for(const std::string& url) {
  return Options{}
      .endpoint(url)
      .credentials(Credentials("test-customer-key", "test-user@example.test", "test-password"))
      .connect_timeout(std::chrono::seconds(5))
      .receive_timeout(std::chrono::seconds(5))
      .policies(CallPolicies::none())
      .call_timeout(std::chrono::seconds(20));
}

// What a call ended with.
struct Outcome {
  bool threw = false;
  bool typed = false;  // a kareo::Error
  std::string type;
  std::string message;
  std::optional<ErrorKind> kind;
  std::optional<int> http_status;
  Ms elapsed{0};
};

// Runs `call`: how it ended, and how long it took.
template <typename Call>
Outcome run(Call call) {
  Outcome o;
  const auto start = SteadyClock::now();
  try {
    call();
  } catch (const Error& e) {
    o.threw = o.typed = true;
    o.type = typeid(e).name();
    o.message = e.what();
    o.kind = e.kind();
    o.http_status = e.http_status();
  } catch (const std::exception& e) {
    o.threw = true;
    o.type = typeid(e).name();
    o.message = e.what();
  }
  o.elapsed = std::chrono::duration_cast<Ms>(SteadyClock::now() - start);
  // Nothing the client says may carry the credentials.
  EXPECT_TRUE(secret_scan::scan_text(o.message).empty()) << o.message;
  return o;
}

// A GetPractices call with `options`, or to `server`.
inline Outcome get_practices(Options options) {
  Client client(std::move(options));
  return run([&] { client.practices().collect(); });
}

inline Outcome get_practices(const RawServer& server) { return get_practices(options_for(server.url())); }

// Sends `bytes` and closes.
inline RawServer answering(std::string bytes) {
  return RawServer([bytes = std::move(bytes)](RawConnection& c) { c.send(bytes); });
}

// A 200 response with `xml` as its body.
inline std::string xml_reply(const std::string& xml, const std::string& content_type = "text/xml; charset=utf-8") {
  return http_response(200, "OK", content_type, xml);
}

// The call failed with a kareo::Error of `kind`, within `within`.
inline void expect_kind(const Outcome& o, ErrorKind kind, Ms within = Ms(3000)) {
  ASSERT_TRUE(o.threw) << "the call succeeded";
  ASSERT_TRUE(o.typed) << "untyped exception " << o.type << ": " << o.message;
  EXPECT_EQ(o.kind, kind) << o.type << ": " << o.message;
  EXPECT_LT(o.elapsed, within) << o.message;
}

// `data` as one chunk of a chunked body: its size in hexadecimal, then the data.
inline std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

}  // namespace kareo::hostile_test
