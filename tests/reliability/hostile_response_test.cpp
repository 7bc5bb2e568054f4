// Hostile responses through a real socket: whatever a broken or malicious server sends, the client ends the
// call quickly with a typed kareo::Error (and never crashes, hangs, balloons in memory, reads a local file or
// follows a redirect with the credentials).
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <tuple>
#include <typeinfo>

#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "proc_status.hpp"
#include "raw_server.hpp"
#include "secret_capture.hpp"

namespace kareo {
namespace {

using reliability::http_response;
using reliability::RawConnection;
using reliability::RawServer;
using reliability::soap_envelope;
using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

Options options_for(const std::string& url) {
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

Outcome get_practices(Options options) {
  Client client(std::move(options));
  return run([&] { client.practices().collect(); });
}

Outcome get_practices(const RawServer& server) { return get_practices(options_for(server.url())); }

// Sends `bytes` and closes.
RawServer answering(std::string bytes) {
  return RawServer([bytes = std::move(bytes)](RawConnection& c) { c.send(bytes); });
}

std::string xml_reply(const std::string& xml, const std::string& content_type = "text/xml; charset=utf-8") {
  return http_response(200, "OK", content_type, xml);
}

void expect_kind(const Outcome& o, ErrorKind kind, Ms within = Ms(3000)) {
  ASSERT_TRUE(o.threw) << "the call succeeded";
  ASSERT_TRUE(o.typed) << "untyped exception " << o.type << ": " << o.message;
  EXPECT_EQ(o.kind, kind) << o.type << ": " << o.message;
  EXPECT_LT(o.elapsed, within) << o.message;
}

TEST(Hostile, ControlAWellFormedResponseSucceeds) {
  auto server = answering(xml_reply(reliability::empty_result("GetPractices")));
  const Outcome o = get_practices(server);
  EXPECT_FALSE(o.threw) << o.message;
}

TEST(Hostile, TruncatedBodyWithMatchingLength) {
  const std::string full =
      reliability::empty_result("GetPractices",
                                "<Practices><PracticeData><ID>1</ID><PracticeName>Testpractice Alpha</PracticeName>"
                                "</PracticeData></Practices>");
  for (std::size_t cut : {full.size() / 2, full.size() - 1, std::size_t{40}, std::size_t{1}}) {
    SCOPED_TRACE(cut);
    auto server = answering(xml_reply(full.substr(0, cut)));
    expect_kind(get_practices(server), ErrorKind::MalformedResponse);
  }
}

TEST(Hostile, ConnectionClosedBeforeTheAnnouncedLength) {
  const std::string full = xml_reply(reliability::empty_result("GetPractices"));
  RawServer server([&](RawConnection& c) { c.send(full.substr(0, full.size() - 100)); });
  const Outcome o = get_practices(server);
  ASSERT_TRUE(o.typed) << o.message;
  EXPECT_TRUE(o.kind == ErrorKind::MalformedResponse || o.kind == ErrorKind::Transport) << o.message;
  EXPECT_LT(o.elapsed, Ms(3000));
}

TEST(Hostile, MalformedXml) {
  const std::string ok = reliability::empty_result("GetPractices");
  const std::vector<std::string> bodies = {
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetPracticesResponse>"
      "</s:Body></GetPracticesResponse></s:Envelope>",  // crossed tags
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><<<>>></s:Body></s:Envelope>",
      "<?xml version=\"1.0\"?>\x01\x02\x03\xff\xfe garbage",        // binary
      ok.substr(0, 60) + std::string("\0\0\0", 3) + ok.substr(60),  // NUL bytes inside markup
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetPracticesResponse "
      "xmlns=\"http://www.kareo.com/api/schemas/\"><GetPracticesResult><ErrorResponse><IsError>maybe"
      "</IsError></ErrorResponse></GetPracticesResult></GetPracticesResponse></s:Body></s:Envelope>",  // bad bool
      "{\"d\": {\"Practices\": []}}",                                                                  // JSON
  };
  for (const auto& body : bodies) {
    SCOPED_TRACE(body.substr(0, 80));
    auto server = answering(xml_reply(body));
    expect_kind(get_practices(server), ErrorKind::MalformedResponse);
  }
}

TEST(Hostile, EntityExpansionIsRefused) {
  // "Billion laughs": ten levels of ten references expand to 10^9 copies if a parser expands entities.
  std::string dtd = "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY lol0 \"lol\">";
  for (int i = 1; i <= 9; ++i) {
    dtd += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) dtd += "&lol" + std::to_string(i - 1) + ";";
    dtd += "\">";
  }
  dtd += "]>";
  std::string body = reliability::empty_result("GetPractices");
  body.replace(body.find("Success"), 7, "&lol9;");
  auto server = answering(xml_reply(dtd + body));
  const long hwm_before = reliability::proc_status_kb("VmHWM:");
  const Outcome o = get_practices(server);
  const long hwm_after = reliability::proc_status_kb("VmHWM:");
  expect_kind(o, ErrorKind::MalformedResponse);
  if (!reliability::kSanitized) {
    EXPECT_LT(hwm_after - hwm_before, 64 * 1024) << "peak memory grew by kB";
  }
}

TEST(Hostile, ExternalEntitiesAreNeverRead) {
  const std::string dtd = "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>";
  std::string body = reliability::empty_result("GetPractices");
  body.replace(body.find("Success"), 7, "&xxe;");
  auto server = answering(xml_reply(dtd + body));
  Client client(options_for(server.url()));
  try {
    const auto result = client.call<kareo::Operation::GetPractices>({});
    const std::string said = result.SecurityResponse && result.SecurityResponse->SecurityResult
                                 ? *result.SecurityResponse->SecurityResult
                                 : std::string();
    EXPECT_EQ(said.find("root:"), std::string::npos) << "an external entity was resolved";
  } catch (const MalformedResponse&) {
    // Refusing the DTD is the expected answer.
  }
}

TEST(Hostile, EndlessBodyStopsAtTheConfiguredMaximum) {
  // A chunked body that never ends: the client must give up at its limit, not read on.
  RawServer server([](RawConnection& c) {
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"))
      return;
    const std::string head = soap_envelope(
        "<GetPracticesResponse xmlns=\"http://www.kareo.com/api/schemas/\">"
        "<GetPracticesResult><Practices>");
    auto chunk = [](const std::string& data) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", data.size());
      return size + data + "\r\n";
    };
    c.send(chunk(head.substr(0, head.find("</s:Body>"))));
    std::string rows;
    for (int i = 0; i < 200; ++i) rows += "<PracticeData><ID>1</ID></PracticeData>";
    const std::string piece = chunk(rows);
    for (int i = 0; i < 100000; ++i) {  // at most ~800 MB, stopped by the client long before
      if (!c.send(piece)) return;
    }
  });
  const Outcome o = get_practices(options_for(server.url()).max_response_bytes(1 << 20));
  expect_kind(o, ErrorKind::MalformedResponse, Ms(5000));
  EXPECT_NE(o.message.find("larger than"), std::string::npos) << o.message;
  server.stop();
  EXPECT_LT(server.bytes_sent(), std::size_t{32} << 20) << "the client kept reading past its limit";
}

TEST(Hostile, CompressionBombStopsAtTheConfiguredMaximum) {
  // 256 MiB of zeros in about 256 KiB of gzip.
  std::string gz;
  {
    z_stream z{};
    ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    const std::string prefix = soap_envelope(
        "<GetPracticesResponse xmlns=\"http://www.kareo.com/api/schemas/\">"
        "<GetPracticesResult><SecurityResponse><SecurityResult>");
    std::string zeros(1 << 20, '0');
    char out[1 << 16];
    auto pump = [&](const std::string& in, int flush) {
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      do {
        z.next_out = reinterpret_cast<Bytef*>(out);
        z.avail_out = sizeof out;
        deflate(&z, flush);
        gz.append(out, sizeof out - z.avail_out);
      } while (z.avail_out == 0);
    };
    pump(prefix.substr(0, prefix.find("</s:Body>")), Z_NO_FLUSH);
    for (int i = 0; i < 256; ++i) pump(zeros, i == 255 ? Z_FINISH : Z_NO_FLUSH);
    deflateEnd(&z);
  }
  ASSERT_LT(gz.size(), std::size_t{1} << 20);
  auto server = answering(http_response(200, "OK", "text/xml; charset=utf-8", gz, "Content-Encoding: gzip\r\n"));
  const long hwm_before = reliability::proc_status_kb("VmHWM:");
  const Outcome o = get_practices(options_for(server.url()).max_response_bytes(8 << 20));
  const long hwm_after = reliability::proc_status_kb("VmHWM:");
  expect_kind(o, ErrorKind::MalformedResponse, Ms(5000));
  if (!reliability::kSanitized) {
    EXPECT_LT(hwm_after - hwm_before, 128 * 1024) << "peak memory grew by kB";
  }
}

TEST(Hostile, ChunkSizesThatOverflow) {
  // Chunk sizes near 2^64: a size + 2 that wraps around must not send a chunk decoder back to where it started.
  for (const char* size :
       {"ffffffffffffffec", "fffffffffffffffe", "ffffffffffffffff", "10000000000000000", "7fffffffffffffff"}) {
    SCOPED_TRACE(size);
    auto server =
        answering(std::string("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n") +
                  size + "\r\n<s:Envelope>" + std::string(64, 'x') + "\r\n0\r\n\r\n");
    const Outcome o = get_practices(server);
    ASSERT_TRUE(o.typed) << o.message;
    EXPECT_LT(o.elapsed, Ms(3000));
  }
}

TEST(Hostile, AbsurdNesting) {
  std::string deep;
  const int depth = 200000;
  deep.reserve(depth * 7);
  for (int i = 0; i < depth; ++i) deep += "<x>";
  for (int i = 0; i < depth; ++i) deep += "</x>";
  for (const std::string& where : {std::string("<Practices>") + deep + "</Practices>", deep}) {
    auto server = answering(xml_reply(reliability::empty_result("GetPractices", where)));
    const Outcome o = get_practices(server);
    ASSERT_TRUE(o.threw) << "a 200000-deep document was accepted";
    expect_kind(o, ErrorKind::MalformedResponse);
  }
}

TEST(Hostile, OneByteASecondHitsTheWholeCallTimeout) {
  // Each byte arrives well within the receive (stall) timeout; only the whole-call limit can end this.
  const std::string reply = xml_reply(reliability::empty_result("GetPractices"));
  RawServer server([&](RawConnection& c) {
    for (char ch : reply) {
      if (!c.send(std::string(1, ch)) || !c.pause(Ms(1000))) return;
    }
  });
  const Outcome o =
      get_practices(options_for(server.url()).receive_timeout(std::chrono::seconds(10)).call_timeout(Ms(2500)));
  expect_kind(o, ErrorKind::Transport, Ms(4500));
  EXPECT_GE(o.elapsed, Ms(2400));
  EXPECT_NE(o.message.find("whole-call"), std::string::npos) << o.message;
}

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
    const std::string piece = body.substr(at, 100);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    out += size + piece + "\r\n";
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

TEST(Hostile, CutXmlOnAConnectionKeptOpenFailsAtOnce) {
  // A complete HTTP message (right Content-Length, or every chunk and the last one) whose XML stops half way, and
  // a server that keeps the connection open: the message's end is the end of the response. Waiting for more
  // bytes would wait for the receive timeout (10 s here), then retry.
  for (const Reading& r : both_readers()) {
    for (bool chunked : {false, true}) {
      for (bool gzip : {false, true}) {
        SCOPED_TRACE(std::string(r.name) + (chunked ? ", chunked" : ", Content-Length") + (gzip ? ", gzip" : ""));
        const std::string cut = r.full_body.substr(0, r.full_body.size() / 2);
        auto server = answering_and_staying(framed(gzip ? gzipped(cut) : cut, chunked, gzip));
        Client client(retrying_options_for(server.url()));
        const Outcome o = run([&] { r.call(client); });
        expect_kind(o, ErrorKind::MalformedResponse, Ms(2000));
        EXPECT_EQ(server.requests().size(), 1u) << "a malformed response was retried";
      }
    }
  }
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
  for (const Reading& r : both_readers()) {
    for (bool chunked : {false, true}) {
      for (bool gzip : {false, true}) {
        SCOPED_TRACE(std::string(r.name) + (chunked ? ", chunked" : ", Content-Length") + (gzip ? ", gzip" : ""));
        const std::string message = framed(gzip ? gzipped(r.full_body) : r.full_body, chunked, gzip);
        auto server = answering_and_staying(message);
        Client client(retrying_options_for(server.url()));
        const Outcome o = run([&] { r.call(client); });
        EXPECT_FALSE(o.threw) << o.message;
        EXPECT_LT(o.elapsed, Ms(2000));
      }
    }
  }
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

// ---- Text that is not what XML allows --------------------------------------------------------------------

// A response of `op` whose one text value (a practice's name, a patient's last name) is `value`, as raw bytes.
std::string with_value(const std::string& op, const std::string& value) {
  if (op == "GetPractices") {
    return reliability::empty_result(
        op, "<Practices><PracticeData><ID>1</ID><PracticeName>" + value + "</PracticeName></PracticeData></Practices>");
  }
  return reliability::empty_result(
      op, "<Patients><PatientData><ID>1</ID><LastName>" + value + "</LastName></PatientData></Patients>");
}

// The value read back through a Client (practice name or last name), or the failure.
Outcome read_value(const std::string& op, const std::string& body, std::string& value) {
  auto server = answering(xml_reply(body));
  Client client(options_for(server.url()));
  return run([&] {
    if (op == "GetPractices") {
      value = client.practices().collect().at(0).PracticeName.value_or("");
    } else {
      PatientFilter f;
      f.PracticeName = "Testpractice Alpha";
      value = client.patients({f}).collect().at(0).LastName.value_or("");
    }
  });
}

TEST(Hostile, CorruptedTextIsRefusedByBothReaders) {
  // gSOAP's generated deserializer used to read invalid UTF-8 as Latin-1 and to end a value at a NUL byte, and
  // the call succeeded; the streaming reader (libxml2) refuses the same bytes. Both must refuse them.
  const std::vector<std::pair<const char*, std::string>> corrupt = {
      {"Latin-1 byte in a UTF-8 document", "M\xfcller"},
      {"invalid continuation byte", "Te\xc3\x28st"},
      {"lone continuation byte", "Test\x80"},
      {"byte 0xFF", "Test\xff"},
      {"overlong encoding of '/'", "Test\xc0\xaf"},
      {"UTF-16 surrogate", "Test\xed\xa0\x80"},
      {"beyond U+10FFFF", "Test\xf4\x90\x80\x80"},
      {"sequence cut short", "Test\xe2\x82"},
      {"NUL byte", std::string("Test\0patient", 12)},
      {"control character U+0001", "Test\x01patient"},
      {"escape character U+001B", "Test\x1bpatient"},
      {"character reference to U+0000", "Test&#0;patient"},
      {"character reference to U+0001", "Test&#x1;patient"},
      {"character reference to a surrogate", "Test&#xD800;patient"},
      {"character reference beyond U+10FFFF", "Test&#x110000;patient"},
      {"U+FFFE", "Test\xef\xbf\xbe"},
  };
  for (const std::string op : {"GetPractices", "GetPatients"}) {
    for (const auto& [name, value] : corrupt) {
      SCOPED_TRACE(op + ": " + name);
      std::string read;
      const Outcome o = read_value(op, with_value(op, value), read);
      expect_kind(o, ErrorKind::MalformedResponse);
    }
  }
}

TEST(Hostile, ValidTextIsReadAlikeByBothReaders) {
  // The control: what XML allows, read to the same value by both readers.
  const std::vector<std::tuple<const char*, std::string, std::string>> fine = {
      {"two-byte UTF-8", "M\xc3\xbcller", "M\xc3\xbcller"},
      {"three-byte UTF-8", "\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87"},
      {"four-byte UTF-8", "Test\xf0\x9f\x98\x80", "Test\xf0\x9f\x98\x80"},
      {"tab and line feed", "Test\tone\ntwo", "Test\tone\ntwo"},
      {"character references", "M&#252;ller &#xE9; &#x4E2D; &#65536;",
       "M\xc3\xbcller \xc3\xa9 \xe4\xb8\xad \xf0\x90\x80\x80"},
      {"U+FFFD", "Test\xef\xbf\xbd", "Test\xef\xbf\xbd"},
  };
  for (const std::string op : {"GetPractices", "GetPatients"}) {
    for (const auto& [name, value, expected] : fine) {
      SCOPED_TRACE(op + ": " + name);
      std::string read;
      const Outcome o = read_value(op, with_value(op, value), read);
      EXPECT_FALSE(o.threw) << o.message;
      EXPECT_EQ(read, expected);
    }
    // gSOAP reads at most six characters of a reference (&#x1F600; would come out with its ';'): the generated
    // deserializer refuses such a reference rather than misread it; the streaming reader reads it.
    {
      SCOPED_TRACE(op + ": a character reference of seven characters");
      std::string read;
      const Outcome o = read_value(op, with_value(op, "Test&#x1F600;"), read);
      if (op == "GetPractices") {
        expect_kind(o, ErrorKind::MalformedResponse);
      } else {
        EXPECT_FALSE(o.threw) << o.message;
        EXPECT_EQ(read, "Test\xf0\x9f\x98\x80");
      }
    }
    // A document that declares ISO-8859-1 may use its bytes.
    SCOPED_TRACE(op + ": a document declared ISO-8859-1");
    std::string read;
    const Outcome o =
        read_value(op, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + with_value(op, "M\xfcller"), read);
    EXPECT_FALSE(o.threw) << o.message;
    EXPECT_EQ(read, "M\xc3\xbcller");
  }
}

TEST(Hostile, ResetMidBody) {
  const std::string reply = xml_reply(reliability::empty_result(
      "GetPractices",
      "<Practices><PracticeData><ID>1</ID></PracticeData><PracticeData><ID>2</ID></PracticeData>"
      "</Practices>"));
  RawServer server([&](RawConnection& c) {
    c.send(reply.substr(0, reply.size() / 2));
    c.pause(Ms(50));
    c.reset();
  });
  const Outcome o = get_practices(server);
  ASSERT_TRUE(o.typed) << o.message;
  EXPECT_TRUE(o.kind == ErrorKind::Transport || o.kind == ErrorKind::MalformedResponse) << o.message;
  EXPECT_LT(o.elapsed, Ms(3000));
}

TEST(Hostile, HtmlPageWithStatus200) {
  auto server = answering(http_response(200, "OK", "text/html; charset=utf-8",
                                        "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>"
                                        "Please sign in to continue</form></body></html>"));
  const Outcome o = get_practices(server);
  expect_kind(o, ErrorKind::MalformedResponse);
}

TEST(Hostile, WrongContentType) {
  // JSON from a gateway that answers in its own format.
  {
    auto server = answering(http_response(200, "OK", "application/json", "{\"error\":\"gateway\"}"));
    expect_kind(get_practices(server), ErrorKind::MalformedResponse);
  }
  // A plain-text error with a success status.
  {
    auto server = answering(http_response(200, "OK", "text/plain", "Service temporarily unavailable"));
    expect_kind(get_practices(server), ErrorKind::MalformedResponse);
  }
  // An image.
  {
    auto server = answering(http_response(200, "OK", "image/png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)));
    expect_kind(get_practices(server), ErrorKind::MalformedResponse);
  }
}

TEST(Hostile, RedirectsAreNotFollowed) {
  // The second server stands for another host: it must never see a connection (the request body carries the
  // credentials).
  RawServer elsewhere([](RawConnection& c) { c.send(xml_reply(reliability::empty_result("GetPractices"))); },
                      "127.0.0.2");
  for (int status : {301, 302, 303, 307, 308}) {
    SCOPED_TRACE(status);
    RawServer server([&](RawConnection& c) {
      c.send(http_response(status, "Moved", "text/html", "<html><body>Moved</body></html>",
                           "Location: " + elsewhere.url() + "\r\n"));
    });
    Client client(options_for(server.url()));
    const Outcome read = run([&] { client.practices().collect(); });
    ASSERT_TRUE(read.typed) << read.message;
    EXPECT_EQ(read.kind, ErrorKind::Transport) << read.message;
    EXPECT_EQ(read.http_status, status);
    PatientCreate patient;
    patient.FirstName = "Testpatient";
    patient.LastName = "Alpha";
    const Outcome write = run([&] { client.create_patient(patient); });
    ASSERT_TRUE(write.typed) << write.message;
    EXPECT_EQ(server.requests().size(), 2u);
  }
  EXPECT_EQ(elsewhere.connections(), 0) << "a redirect was followed to another host";
}

}  // namespace
}  // namespace kareo
