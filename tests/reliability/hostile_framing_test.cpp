// Hostile responses through a real socket, the end of a response and the time bounds: a message that is complete
// but whose XML or gzip stream stops half way, or whose chunk sizes are not numbers, on a connection the server
// keeps open, fails at once and is not retried; stalls and slow drips end at the receive timeout, the whole-call
// timeout or the retry budget given.
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "hostile_support.hpp"
#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "raw_server.hpp"

namespace kareo::hostile_test {
namespace {

// ---- A response that ends early, on a connection the server keeps open ----------------------------------

// The status line and headers of a 200 response that keeps the connection open (no "Connection: close").
std::string kept_open_head(const std::string& framing, bool gzip) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n" +
         std::string(gzip ? "Content-Encoding: gzip\r\n" : "") + framing + "Connection: keep-alive\r\n\r\n";
}

std::string gzipped(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(&out[0]);
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

// `body` as a complete HTTP message (Content-Length or chunked in pieces of 100 bytes, with the last chunk).
std::string framed(const std::string& body, bool chunked, bool gzip) {
  if (!chunked) return kept_open_head("Content-Length: " + std::to_string(body.size()) + "\r\n", gzip) + body;
  std::string out = kept_open_head("Transfer-Encoding: chunked\r\n", gzip);
  for (std::size_t at = 0; at < body.size(); at += 100) {
    out += chunk(body.substr(at, 100));
  }
  return out + "0\r\n\r\n";
}

// Sends `bytes` and keeps the connection open (until the server stops).
RawServer answering_and_staying(std::string bytes) {
  return RawServer([bytes = std::move(bytes)](RawConnection& c) {
    if (c.send(bytes)) c.pause(std::chrono::seconds(60));
  });
}

const std::string kPatientRows =
    "<Patients><PatientData><FirstName>Testpatient</FirstName><ID>1</ID><LastName>Alpha</LastName></PatientData>"
    "<PatientData><FirstName>Testpatient</FirstName><ID>2</ID><LastName>Beta</LastName></PatientData></Patients>";
const std::string kPracticeRows =
    "<Practices><PracticeData><ID>1</ID><PracticeName>Testpractice Alpha</PracticeName></PracticeData>"
    "<PracticeData><ID>2</ID><PracticeName>Testpractice Beta</PracticeName></PracticeData></Practices>";

// The two ways a response is read: GetPractices by gSOAP's generated deserializer, GetPatients by the streaming
// reader of the list operations.
struct Reading {
  const char* name;
  std::string full_body;
  std::function<void(Client&)> call;
};

std::vector<Reading> both_readers() {
  return {{"GetPractices (generated deserializer)", reliability::empty_result("GetPractices", kPracticeRows),
           [](Client& c) { c.practices().collect(); }},
          {"GetPatients (streaming reader)", reliability::empty_result("GetPatients", kPatientRows), [](Client& c) {
             PatientFilter f;
             f.PracticeName = "Testpractice Alpha";
             c.patients({f}).collect();
           }}};
}

// Retries on (no pacing): a malformed response must not be retried as if it were a transient failure.
Options retrying_options_for(const std::string& url) {
  CallPolicies policies;
  policies.pace = false;
  return options_for(url).receive_timeout(std::chrono::seconds(10)).policies(policies);
}

// Runs `check` for both readers, each framing (Content-Length, chunked) and each encoding (plain, gzip), under a
// trace that names them.
void for_each_framing(const std::function<void(const Reading&, bool chunked, bool gzip)>& check) {
  for (const Reading& r : both_readers()) {
    for (bool chunked : {false, true}) {
      for (bool gzip : {false, true}) {
        SCOPED_TRACE(std::string(r.name) + (chunked ? ", chunked" : ", Content-Length") + (gzip ? ", gzip" : ""));
        check(r, chunked, gzip);
      }
    }
  }
}

TEST(Hostile, CutXmlOnAConnectionKeptOpenFailsAtOnce) {
  // A complete HTTP message (right Content-Length, or every chunk and the last one) whose XML stops half way, and
  // a server that keeps the connection open: the message's end is the end of the response. Waiting for more
  // bytes would wait for the receive timeout (10 s here), then retry.
  for_each_framing([](const Reading& r, bool chunked, bool gzip) {
    const std::string cut = r.full_body.substr(0, r.full_body.size() / 2);
    auto server = answering_and_staying(framed(gzip ? gzipped(cut) : cut, chunked, gzip));
    Client client(retrying_options_for(server.url()));
    const Outcome o = run([&] { r.call(client); });
    expect_kind(o, ErrorKind::MalformedResponse, Ms(2000));
    EXPECT_EQ(server.requests().size(), 1u) << "a malformed response was retried";
  });
}

TEST(Hostile, FakeServerTruncateKeepOpenFailsAtOnce) {
  // The fake server's truncate fault with the connection kept open, through both readers, retries on.
  testing::FakeServerOptions fake;
  fake.throttle = false;
  fake.sizes.patients = 20;
  testing::FakeServer server(fake);
  server.start();
  const auto& c = server.options().credentials;
  CallPolicies policies;
  policies.pace = false;
  Client client(Options{}
                    .endpoint(server.endpoint())
                    .credentials(Credentials(c.customer_key, c.user, c.password))
                    .receive_timeout(std::chrono::seconds(10))
                    .policies(policies));
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"GetPractices", [&] { client.practices().collect(); }}, {"GetPatients", [&] {
                                                                  PatientFilter f;
                                                                  f.PracticeID = "1";
                                                                  client.patients({f}).collect();
                                                                }}};
  for (const auto& [op, call] : calls) {
    SCOPED_TRACE(op);
    server.add_fault("truncate:keep-open:count=1:op=" + op);
    const Outcome o = run(call);
    expect_kind(o, ErrorKind::MalformedResponse, Ms(2000));
    EXPECT_EQ(server.call_count(op), 1u) << "a malformed response was retried";
    const Outcome again = run(call);  // the next call, on a new connection, is answered
    EXPECT_FALSE(again.threw) << again.message;
  }
}

TEST(Hostile, CutCompressedStreamOnAConnectionKeptOpenFailsAtOnce) {
  // The gzip stream itself stops half way, within a complete HTTP message.
  for (const Reading& r : both_readers()) {
    for (bool chunked : {false, true}) {
      SCOPED_TRACE(std::string(r.name) + (chunked ? ", chunked" : ", Content-Length"));
      const std::string gz = gzipped(r.full_body);
      auto server = answering_and_staying(framed(gz.substr(0, gz.size() / 2), chunked, true));
      Client client(retrying_options_for(server.url()));
      const Outcome o = run([&] { r.call(client); });
      expect_kind(o, ErrorKind::MalformedResponse, Ms(2000));
      EXPECT_EQ(server.requests().size(), 1u);
    }
  }
}

TEST(Hostile, InvalidChunkSizesFailAtOnce) {
  // Chunk sizes that are not hexadecimal numbers, on a connection kept open.
  for (const Reading& r : both_readers()) {
    for (const char* size : {"zz", "-10", "", " ", "0x10", "1 0", "+5"}) {
      SCOPED_TRACE(std::string(r.name) + ", chunk size \"" + size + "\"");
      auto server = answering_and_staying(kept_open_head("Transfer-Encoding: chunked\r\n", false) + size + "\r\n" +
                                          r.full_body + "\r\n0\r\n\r\n");
      Client client(retrying_options_for(server.url()));
      const Outcome o = run([&] { r.call(client); });
      expect_kind(o, ErrorKind::MalformedResponse, Ms(2000));
      EXPECT_NE(o.message.find("chunk"), std::string::npos) << o.message;
      EXPECT_EQ(server.requests().size(), 1u);
    }
  }
}

TEST(Hostile, CompleteResponsesOnAConnectionKeptOpenAreRead) {
  // The control: the same framings whole, on a connection kept open, are read and the connection reused.
  for_each_framing([](const Reading& r, bool chunked, bool gzip) {
    const std::string message = framed(gzip ? gzipped(r.full_body) : r.full_body, chunked, gzip);
    auto server = answering_and_staying(message);
    Client client(retrying_options_for(server.url()));
    const Outcome o = run([&] { r.call(client); });
    EXPECT_FALSE(o.threw) << o.message;
    EXPECT_LT(o.elapsed, Ms(2000));
  });
}

// ---- Stalls and slow drips: every bound is the one given --------------------------------------------------

TEST(Hostile, AStallIsBoundedByTheReceiveTimeout) {
  // Nothing after the request; and the headers and part of the body, then nothing. Each call must end after
  // the receive timeout (1 s), not twice that.
  for (const Reading& r : both_readers()) {
    const std::string whole = xml_reply(r.full_body);
    const std::size_t head = whole.size() - r.full_body.size();
    for (std::size_t sent : {std::size_t{0}, head + r.full_body.size() / 2, head + 40}) {
      SCOPED_TRACE(std::string(r.name) + ", stalled after " + std::to_string(sent) + " bytes");
      auto server = answering_and_staying(whole.substr(0, sent));
      Client client(options_for(server.url()).receive_timeout(Ms(1000)));
      const Outcome o = run([&] { r.call(client); });
      expect_kind(o, ErrorKind::Transport, Ms(1600));
      EXPECT_GE(o.elapsed, Ms(950));
      EXPECT_NE(o.message.find("receive timeout"), std::string::npos) << o.message;
    }
  }
}

// A server that sends `reply` one byte every `every`, never stalling long enough for a receive timeout.
RawServer dripping(std::string reply, Ms every) {
  return RawServer([reply = std::move(reply), every](RawConnection& c) {
    for (char ch : reply) {
      if (!c.send(std::string(1, ch)) || !c.pause(every)) return;
    }
  });
}

TEST(Hostile, OneByteASecondHitsTheWholeCallTimeout) {
  // Each byte arrives well within the receive (stall) timeout; only the whole-call limit can end this.
  auto server = dripping(xml_reply(reliability::empty_result("GetPractices")), Ms(1000));
  const Outcome o =
      get_practices(options_for(server.url()).receive_timeout(std::chrono::seconds(10)).call_timeout(Ms(2500)));
  expect_kind(o, ErrorKind::Transport, Ms(4500));
  EXPECT_GE(o.elapsed, Ms(2400));
  EXPECT_NE(o.message.find("whole-call"), std::string::npos) << o.message;
}

TEST(Hostile, RetriesStayWithinTheRetryBudget) {
  // A slow drip on every attempt: with retries on, the call as a whole ends at RetryPolicy::max_elapsed (2 s),
  // although each attempt alone may take 20 s (call_timeout) and every byte beats the receive timeout.
  for (const Reading& r : both_readers()) {
    SCOPED_TRACE(r.name);
    auto server = dripping(xml_reply(r.full_body), Ms(100));
    CallPolicies policies;
    policies.pace = false;
    policies.retry_policy.max_elapsed = Ms(2000);
    policies.retry_policy.initial_backoff = Ms(10);
    Client client(
        options_for(server.url()).receive_timeout(Ms(1000)).call_timeout(std::chrono::seconds(20)).policies(policies));
    const Outcome o = run([&] { r.call(client); });
    expect_kind(o, ErrorKind::Transport, Ms(2600));
    EXPECT_GE(o.elapsed, Ms(1900));
    EXPECT_NE(o.message.find("whole-call"), std::string::npos) << o.message;
  }
}

TEST(Hostile, AStalledReadIsRetriedWithTheDefaultBudget) {
  // The first connection stalls, the second answers. With the library's default retry budget and timeouts
  // (scaled down here by the same factor), a stall leaves time for another attempt.
  const RetryPolicy defaults;
  const Options default_options;
  const auto scale = [](std::chrono::milliseconds d) { return d / 120; };  // 120 s -> 1 s
  ASSERT_GE(defaults.max_elapsed, 3 * default_options.receive_timeout())
      << "the default retry budget leaves no room for retrying a stalled read";
  for (const Reading& r : both_readers()) {
    SCOPED_TRACE(r.name);
    std::atomic<int> served{0};
    RawServer server([&](RawConnection& c) {
      if (served++ == 0) {
        c.pause(std::chrono::seconds(60));
        return;
      }
      c.send(xml_reply(r.full_body));
    });
    CallPolicies policies;
    policies.pace = false;
    policies.retry_policy.max_elapsed = scale(defaults.max_elapsed);
    Client client(options_for(server.url())
                      .receive_timeout(scale(default_options.receive_timeout()))
                      .call_timeout(scale(default_options.call_timeout()))
                      .policies(policies));
    const Outcome o = run([&] { r.call(client); });
    EXPECT_FALSE(o.threw) << o.message;
    EXPECT_EQ(server.requests().size(), 2u);
  }
}

}  // namespace
}  // namespace kareo::hostile_test
