// Hostile responses through a real socket: whatever a broken or malicious server sends, the client ends the
// call quickly with a typed kareo::Error (and never crashes, hangs, balloons in memory, reads a local file or
// follows a redirect with the credentials). Here: bodies that are cut, malformed, endless, bombs or not SOAP at all,
// and redirects; responses that end early on a connection kept open, stalls and slow drips are in
// hostile_framing_test.cpp, text that XML does not allow in hostile_text_test.cpp.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <string>
#include <vector>

#include "hostile_support.hpp"
#include "kareo/client.hpp"
#include "proc_status.hpp"
#include "raw_server.hpp"

namespace kareo::hostile_test {
namespace {

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
}  // namespace kareo::hostile_test
