// The floor: the same requests as the clients send, over one kept-alive connection, with the response
// bytes only streamed through a parser that counts the records and reads the paging key: expat (SAX),
// libxml2's xmlTextReader (pull), or libxml2's SAX2 push parser. No objects are built; nothing is kept.
//
//   kareo_bench_floor --parser expat|reader|libxml2 --endpoint URL [--ca-file PEM] --scenario ... (see harness.hpp)
#include <expat.h>
#include <libxml/xmlreader.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "harness.hpp"
#include "http_stream.hpp"

namespace {

using kareo_bench::Workload;

const char kNs[] = "http://www.kareo.com/api/schemas/";

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string envelope(const std::string& op, const Workload& w, const std::string& payload) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
         "<s:Body><" +
         op + " xmlns=\"" + kNs +
         "\"><request><RequestHeader><ClientVersion>kareo-bench-floor"
         "</ClientVersion><CustomerKey>" +
         escape(w.customer_key) + "</CustomerKey><Password>" + escape(w.password) + "</Password><User>" +
         escape(w.user) + "</User></RequestHeader>" + payload + "</request></" + op + "></s:Body></s:Envelope>";
}

std::string practice_filter(const Workload& w) {
  return w.practice_name.empty() ? "<PracticeID>" + std::to_string(w.practice_id) + "</PracticeID>"
                                 : "<PracticeName>" + escape(w.practice_name) + "</PracticeName>";
}

// What a pass over one response learns.
struct Tally {
  long records = 0;
  long next_key = -1;
  unsigned long long bytes = 0;
};

const char* local_name(const char* name) {
  const char* sep = std::strrchr(name, ':');
  return sep ? sep + 1 : name;
}

// Expat, fed the body pieces as they arrive. Counts end tags of `record` directly under their list.
class ExpatPass {
 public:
  ExpatPass(const char* record, Tally& tally) : record_(record), tally_(tally) {
    parser_ = XML_ParserCreate(nullptr);
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &ExpatPass::start, &ExpatPass::end);
    XML_SetCharacterDataHandler(parser_, &ExpatPass::text);
  }
  ~ExpatPass() { XML_ParserFree(parser_); }
  void feed(const char* data, std::size_t n) {
    tally_.bytes += n;
    if (XML_Parse(parser_, data, static_cast<int>(n), 0) == XML_STATUS_ERROR) fail();
  }
  void finish() {
    if (XML_Parse(parser_, nullptr, 0, 1) == XML_STATUS_ERROR) fail();
    if (!key_text_.empty()) tally_.next_key = std::stol(key_text_);
  }

 private:
  [[noreturn]] void fail() {
    throw std::runtime_error(std::string("expat: ") + XML_ErrorString(XML_GetErrorCode(parser_)));
  }
  static void start(void* self, const XML_Char* name, const XML_Char**) {
    auto* p = static_cast<ExpatPass*>(self);
    p->in_key_ = std::strcmp(local_name(name), "nextStartKey") == 0;
  }
  static void end(void* self, const XML_Char* name) {
    auto* p = static_cast<ExpatPass*>(self);
    p->in_key_ = false;
    if (std::strcmp(local_name(name), p->record_) == 0) ++p->tally_.records;
  }
  static void text(void* self, const XML_Char* s, int len) {
    auto* p = static_cast<ExpatPass*>(self);
    if (p->in_key_) p->key_text_.append(s, static_cast<std::size_t>(len));
  }
  XML_Parser parser_;
  const char* record_;
  Tally& tally_;
  bool in_key_ = false;
  std::string key_text_;
};

// libxml2's push parser with SAX2 callbacks (the streaming core that xmlTextReader is built on), fed the
// body pieces as they arrive.
class Libxml2Pass {
 public:
  Libxml2Pass(const char* record, Tally& tally) : record_(record), tally_(tally) {
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = &Libxml2Pass::start;
    sax.endElementNs = &Libxml2Pass::end;
    sax.characters = &Libxml2Pass::text;
    ctx_ = xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr);
    xmlCtxtUseOptions(ctx_, XML_PARSE_NONET | XML_PARSE_HUGE);
  }
  ~Libxml2Pass() { xmlFreeParserCtxt(ctx_); }
  void feed(const char* data, std::size_t n) {
    tally_.bytes += n;
    if (xmlParseChunk(ctx_, data, static_cast<int>(n), 0) != 0) fail();
  }
  void finish() {
    if (xmlParseChunk(ctx_, nullptr, 0, 1) != 0) fail();
    if (!key_text_.empty()) tally_.next_key = std::stol(key_text_);
  }

 private:
  [[noreturn]] void fail() { throw std::runtime_error("libxml2: parse error"); }
  static void start(void* self, const xmlChar* local, const xmlChar*, const xmlChar*, int, const xmlChar**, int, int,
                    const xmlChar**) {
    auto* p = static_cast<Libxml2Pass*>(self);
    p->in_key_ = std::strcmp(reinterpret_cast<const char*>(local), "nextStartKey") == 0;
  }
  static void end(void* self, const xmlChar* local, const xmlChar*, const xmlChar*) {
    auto* p = static_cast<Libxml2Pass*>(self);
    p->in_key_ = false;
    if (std::strcmp(reinterpret_cast<const char*>(local), p->record_) == 0) ++p->tally_.records;
  }
  static void text(void* self, const xmlChar* s, int len) {
    auto* p = static_cast<Libxml2Pass*>(self);
    if (p->in_key_) p->key_text_.append(reinterpret_cast<const char*>(s), static_cast<std::size_t>(len));
  }
  xmlParserCtxtPtr ctx_;
  const char* record_;
  Tally& tally_;
  bool in_key_ = false;
  std::string key_text_;
};

// Not a floor but a measure of what remains: libxml2's SAX2 push parser building owned values, every leaf
// element's text moved into a std::string slot of its row (slots found by the interned element name), every
// row kept to the end as a caller would keep its results. It shows what a SAX-driven deserializer could
// cost; the generated gSOAP one is measured by kareo_bench_wire.
class OwnedPass {
 public:
  OwnedPass(const char* record, Tally& tally) : record_(record), tally_(tally), first_row_(rows().size()) {
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = &OwnedPass::start;
    sax.endElementNs = &OwnedPass::end;
    sax.characters = &OwnedPass::text;
    ctx_ = xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr);
    xmlCtxtUseOptions(ctx_, XML_PARSE_NONET | XML_PARSE_HUGE);
  }
  ~OwnedPass() { xmlFreeParserCtxt(ctx_); }
  void feed(const char* data, std::size_t n) {
    tally_.bytes += n;
    if (xmlParseChunk(ctx_, data, static_cast<int>(n), 0) != 0) throw std::runtime_error("libxml2: parse error");
  }
  void finish() {
    if (xmlParseChunk(ctx_, nullptr, 0, 1) != 0) throw std::runtime_error("libxml2: parse error");
    if (!key_text_.empty()) tally_.next_key = std::stol(key_text_);
    tally_.records = static_cast<long>(rows().size() - first_row_);
  }
  // Rows of every call, kept for the life of the process like a caller's results.
  static std::vector<std::vector<std::optional<std::string>>>& rows() {
    static std::vector<std::vector<std::optional<std::string>>> all;
    return all;
  }

 private:
  using Row = std::vector<std::optional<std::string>>;
  int slot(const xmlChar* interned) {
    auto it = slots_.find(interned);
    if (it == slots_.end()) it = slots_.emplace(interned, static_cast<int>(slots_.size())).first;
    return it->second;
  }
  static void start(void* self, const xmlChar* local, const xmlChar*, const xmlChar*, int, const xmlChar**, int, int,
                    const xmlChar**) {
    auto* p = static_cast<OwnedPass*>(self);
    ++p->depth_;
    p->leaf_ = true;
    p->text_.clear();
    p->in_key_ = std::strcmp(reinterpret_cast<const char*>(local), "nextStartKey") == 0;
    if (p->row_depth_ == 0 && std::strcmp(reinterpret_cast<const char*>(local), p->record_) == 0) {
      p->row_depth_ = p->depth_;
      rows().emplace_back();
      rows().back().reserve(256);
    }
  }
  static void end(void* self, const xmlChar* local, const xmlChar*, const xmlChar*) {
    auto* p = static_cast<OwnedPass*>(self);
    if (p->in_key_) p->key_text_ = p->text_;
    p->in_key_ = false;
    if (p->row_depth_ && p->depth_ == p->row_depth_) {
      p->row_depth_ = 0;
    } else if (p->row_depth_ && p->leaf_) {
      Row& row = rows().back();
      const auto at = static_cast<std::size_t>(p->slot(local));
      if (row.size() <= at) row.resize(at + 1);
      row[at] = std::move(p->text_);
      p->text_ = std::string();
    }
    p->leaf_ = false;
    --p->depth_;
  }
  static void text(void* self, const xmlChar* s, int len) {
    auto* p = static_cast<OwnedPass*>(self);
    if (p->row_depth_ || p->in_key_) p->text_.append(reinterpret_cast<const char*>(s), static_cast<std::size_t>(len));
  }
  xmlParserCtxtPtr ctx_;
  const char* record_;
  Tally& tally_;
  std::size_t first_row_;
  std::unordered_map<const xmlChar*, int> slots_;
  int depth_ = 0, row_depth_ = 0;
  bool leaf_ = false, in_key_ = false;
  std::string text_, key_text_;
};

// libxml2's xmlTextReader, pulling the body from the connection as it parses.
struct ReaderPass {
  static Tally call(kareo_bench::HttpStream& http, const std::string& action, const std::string& body,
                    const char* record, int& status) {
    Tally tally;
    status = http.begin_post(action, body);
    struct Input {
      kareo_bench::HttpStream* http;
      Tally* tally;
    } input{&http, &tally};
    auto read = [](void* ctx, char* buf, int len) -> int {
      auto* in = static_cast<Input*>(ctx);
      const std::size_t n = in->http->read_body(buf, static_cast<std::size_t>(len));
      in->tally->bytes += n;
      return static_cast<int>(n);
    };
    auto close = [](void*) -> int { return 0; };
    xmlTextReaderPtr reader = xmlReaderForIO(read, close, &input, nullptr, nullptr, XML_PARSE_NONET | XML_PARSE_HUGE);
    if (!reader) throw std::runtime_error("libxml2: cannot create a reader");
    bool in_key = false;
    std::string key_text;
    int ret;
    while ((ret = xmlTextReaderRead(reader)) == 1) {
      switch (xmlTextReaderNodeType(reader)) {
        case XML_READER_TYPE_ELEMENT: {
          const char* name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(reader));
          in_key = std::strcmp(name, "nextStartKey") == 0;
          if (std::strcmp(name, record) == 0) ++tally.records;
          break;
        }
        case XML_READER_TYPE_TEXT:
          if (in_key) key_text = reinterpret_cast<const char*>(xmlTextReaderConstValue(reader));
          break;
        case XML_READER_TYPE_END_ELEMENT:
          in_key = false;
          break;
        default:
          break;
      }
    }
    xmlFreeTextReader(reader);
    if (ret != 0) throw std::runtime_error("libxml2 reader: parse error");
    char rest[4096];
    while (http.read_body(rest, sizeof rest) > 0) {
    }
    if (!key_text.empty()) tally.next_key = std::stol(key_text);
    return tally;
  }
};

template <class Pass>
Tally call(kareo_bench::HttpStream& http, const std::string& op, const std::string& body, const char* record) {
  const std::string action = std::string(kNs) + "KareoServices/" + op;
  int status = 0;
  Tally tally;
  if constexpr (std::is_same_v<Pass, ReaderPass>) {
    tally = ReaderPass::call(http, action, body, record, status);
  } else {
    Pass pass(record, tally);
    status = http.post(action, body, [&](const char* data, std::size_t n) { pass.feed(data, n); });
    pass.finish();
  }
  if (status != 200) throw std::runtime_error(op + ": HTTP " + std::to_string(status));
  return tally;
}
template <class Pass>
int run(const char* program, const Workload& w) {
  kareo_bench::HttpStream http(w.endpoint, w.ca_file);
  kareo_bench::Stopwatch clock;
  long records = 0, calls = 0;
  unsigned long long bytes = 0;
  if (w.scenario == "patients") {
    const Tally t =
        call<Pass>(http, "GetPatients",
                   envelope("GetPatients", w, "<Fields/><Filter>" + practice_filter(w) + "</Filter>"), "PatientData");
    records = t.records;
    bytes = t.bytes;
    calls = 1;
  } else if (w.scenario == "allpatients") {
    long key = 0;
    while (records < w.total) {
      const std::string filter = "<Filter><BatchSize>" + std::to_string(w.batch_size) + "</BatchSize><PracticeID>" +
                                 std::to_string(w.practice_id) + "</PracticeID><StartKey>" + std::to_string(key) +
                                 "</StartKey></Filter>";
      const Tally t =
          call<Pass>(http, "GetAllPatients", envelope("GetAllPatients", w, "<Fields/>" + filter), "PatientBatchData");
      records += t.records;
      bytes += t.bytes;
      ++calls;
      if (t.records == 0 || t.next_key < 0 || t.next_key == key) break;
      key = t.next_key;
    }
  } else {
    const std::string body = envelope("GetPractices", w, "<Fields/><Filter/>");
    for (long i = 0; i < w.calls; ++i) {
      const Tally t = call<Pass>(http, "GetPractices", body, "PracticeData");
      records += t.records;
      bytes += t.bytes;
      ++calls;
    }
  }
  return kareo_bench::report(
      program, w, records, calls, clock,
      "\"response_bytes\":" + std::to_string(bytes) + ",\"connects\":" + std::to_string(http.connects()));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const kareo_bench::Args args(argc, argv);
    const Workload w(args);
    const std::string parser = args.get("parser", "expat");
    if (parser == "expat") return run<ExpatPass>("floor-expat", w);
    if (parser == "libxml2") return run<Libxml2Pass>("floor-libxml2", w);
    if (parser == "reader") return run<ReaderPass>("floor-reader", w);
    if (parser == "owned") return run<OwnedPass>("sax-owned", w);
    throw std::invalid_argument("--parser expat|reader|libxml2|owned");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kareo_bench_floor: %s\n", e.what());
    return 2;
  }
}
