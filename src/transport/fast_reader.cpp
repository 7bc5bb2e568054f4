#include "transport/fast_reader.hpp"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <atomic>
#include <charconv>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kareo::detail::fast {
namespace {

constexpr std::string_view kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kKareo = "http://www.kareo.com/api/schemas/";
constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";
// The deepest nesting accepted: the limit the transport applies to every other response (gSOAP's SOAP_MAXLEVEL).
constexpr int kMaxDepth = 10000;

std::string_view sv(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

std::string_view trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::optional<bool> to_bool(std::string_view s) {
  s = trimmed(s);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

std::optional<int> to_int(std::string_view s) {
  s = trimmed(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// SAX2 attributes come in fives: local name, prefix, URI, value start, value end.
std::optional<std::string_view> attribute(int count, const xmlChar** attrs, std::string_view local,
                                          std::string_view uri) {
  for (int i = 0; i < count; ++i) {
    const xmlChar** a = attrs + 5 * i;
    if (sv(a[0]) == local && sv(a[2]) == uri) {
      return std::string_view(reinterpret_cast<const char*>(a[3]), static_cast<std::size_t>(a[4] - a[3]));
    }
  }
  return std::nullopt;
}

bool nil(int count, const xmlChar** attrs) {
  const auto v = attribute(count, attrs, "nil", kXsi);
  return v && (trimmed(*v) == "true" || trimmed(*v) == "1");
}

void ignore_error(void*, xmlErrorPtr) {}

}  // namespace

struct Reader::Impl {
  // One open object: the class, the object, and which of its single-valued members were read (the first of
  // repeated elements wins, as in the generated deserializer).
  struct Frame {
    const ClassTable* table;
    void* object;
    int depth;
    std::unordered_map<const xmlChar*, int>* names;
    std::vector<bool> seen;
    const Member* row = nullptr;  // set on a row handed over at its end (see hand_rows)
  };

  Impl(const ClassTable& t, void* r, const char* response, const char* result)
      : table(t), result(r), response_element(response), result_element(result) {}

  const ClassTable& table;
  void* result;
  const std::string response_element;  // copies: the caller's names need not outlive the reader
  const std::string result_element;
  xmlParserCtxtPtr ctx = nullptr;
  Arena arena;

  State state = State::Reading;
  bool aside = false;    // not the expected shape: parse on only to find the document's end
  bool decided = false;  // the response element was found
  bool absent = true;    // no result element, or a nil one
  std::string error;
  int depth = 0;  // open elements
  int skip = 0;   // > 0: inside an ignored element, this many levels deep
  bool in_header = false;
  bool in_body = false;
  std::vector<Frame> frames;
  const Member* leaf = nullptr;
  void* leaf_slot = nullptr;
  std::string text;
  // Rows handed over as they are read: the string buffers of rows the receiver let go, given to the next
  // rows' values instead of new ones (a row of patient data holds about a hundred strings).
  std::vector<std::string> spare;
  // Per class: element name (interned by libxml2's dictionary) to member index, -1 for unknown names.
  std::unordered_map<const ClassTable*, std::unordered_map<const xmlChar*, int>> names;
  // Rows handed over as they are read (Reader::hand_rows).
  std::string row_array;
  std::string row_item;
  std::function<void(std::shared_ptr<void>)> sink;
  std::exception_ptr sink_error;
  const Member* array_member = nullptr;  // the member of the result frames[1] was opened for
  // Namespace URIs seen to be the expected ones (libxml2 interns them too).
  std::unordered_map<const xmlChar*, std::string_view> known_uris;

  bool uri_is(const xmlChar* uri, std::string_view expected) {
    if (!uri) return expected.empty();
    auto it = known_uris.find(uri);
    if (it == known_uris.end()) it = known_uris.emplace(uri, std::string_view(sv(uri))).first;
    return it->second == expected;
  }

  void step_aside() {
    aside = true;
    leaf = nullptr;
    frames.clear();
  }

  void fail(std::string why) {
    if (state != State::Reading) return;
    state = State::Failed;
    error = std::move(why);
    xmlStopParser(ctx);
  }

  int member_index(Frame& f, const xmlChar* local) {
    auto& cache = *f.names;
    const auto it = cache.find(local);
    if (it != cache.end()) return it->second;
    int found = -1;
    const std::string_view name = sv(local);
    for (std::size_t i = 0; i < f.table->count; ++i) {
      if (name == f.table->members[i].name) {
        found = static_cast<int>(i);
        break;
      }
    }
    cache.emplace(local, found);
    return found;
  }

  void push(const ClassTable* t, void* object) {
    frames.push_back(Frame{t, object, depth, &names[t], std::vector<bool>(t->count, false)});
  }

  void start(const xmlChar* local, const xmlChar* uri, int nattrs, const xmlChar** attrs) {
    ++depth;
    if (state != State::Reading) return;
    if (depth > kMaxDepth) return fail("its elements nest deeper than " + std::to_string(kMaxDepth) + " levels");
    if (aside) return;
    if (skip) {
      ++skip;
      return;
    }
    if (leaf) {  // markup inside a value: not part of it
      skip = 1;
      return;
    }
    const std::string_view name = sv(local);
    switch (depth) {
      case 1:
        if (name != "Envelope" || !uri_is(uri, kSoap11)) step_aside();
        return;
      case 2:
        if (name == "Header" && uri_is(uri, kSoap11) && !in_body) {
          in_header = true;
          return;
        }
        if (name == "Body" && uri_is(uri, kSoap11) && !in_body) {
          in_body = true;
          return;
        }
        step_aside();
        return;
      case 3:
        if (in_header) {
          // A header the client must understand: the generated code decides what to do with it.
          const auto must = attribute(nattrs, attrs, "mustUnderstand", kSoap11);
          if (must && (trimmed(*must) == "1" || trimmed(*must) == "true")) step_aside();
          skip = 1;
          return;
        }
        if (!decided && name == response_element && uri_is(uri, kKareo)) {
          decided = true;
          return;
        }
        step_aside();
        return;
      case 4:
        if (name == result_element && uri_is(uri, kKareo) && frames.empty() && absent) {
          if (nil(nattrs, attrs)) {
            skip = 1;
            return;
          }
          absent = false;
          push(&table, result);
          return;
        }
        skip = 1;  // an element the response does not have: ignored
        return;
      default:
        break;
    }
    if (frames.empty()) {
      skip = 1;
      return;
    }
    Frame& f = frames.back();
    const int i = member_index(f, local);
    if (i < 0 || !uri_is(uri, f.table->ns)) {
      skip = 1;
      return;
    }
    const Member& m = f.table->members[static_cast<std::size_t>(i)];
    const bool is_nil = nil(nattrs, attrs);
    switch (m.kind) {
      case Kind::String:
      case Kind::Bool:
      case Kind::Int:
        if (f.seen[static_cast<std::size_t>(i)] || is_nil) {
          f.seen[static_cast<std::size_t>(i)] = true;
          skip = 1;
          return;
        }
        f.seen[static_cast<std::size_t>(i)] = true;
        leaf = &m;
        leaf_slot = m.slot(f.object, arena);
        text.clear();
        return;
      case Kind::StringList:
      case Kind::IntList:
        // A nil item is read as the generated code reads it: a string's text as it is (an empty string when
        // there is none, so the list keeps its length and its positions); an integer cannot be nil, and the
        // generated code refuses the response.
        if (is_nil && m.kind == Kind::IntList) {
          return fail(std::string("an item of ") + m.name + " is nil, not an integer");
        }
        leaf = &m;
        leaf_slot = m.slot(f.object, arena);
        text.clear();
        return;
      case Kind::Object:
        if (f.seen[static_cast<std::size_t>(i)] || is_nil) {
          f.seen[static_cast<std::size_t>(i)] = true;
          skip = 1;
          return;
        }
        f.seen[static_cast<std::size_t>(i)] = true;
        if (frames.size() == 1) array_member = &m;
        push(m.type, m.slot(f.object, arena));
        return;
      case Kind::ObjectList: {
        if (is_nil) {  // an empty element, as the generated code reads it
          m.append_nil(f.object);
          skip = 1;
          return;
        }
        const bool row = sink && frames.size() == 2 && array_member && array_member->name == row_array &&
                         m.name == row_item && m.take_last;
        push(m.type, m.slot(f.object, arena));
        if (row) frames.back().row = &m;
        return;
      }
    }
  }

  void store() {
    const Member& m = *leaf;
    leaf = nullptr;
    switch (m.kind) {
      case Kind::String: {
        auto& value = *static_cast<std::optional<std::string>*>(leaf_slot);
        if (spare.empty()) {
          value = std::move(text);
        } else {
          std::string reused = std::move(spare.back());
          spare.pop_back();
          reused.assign(text);
          value = std::move(reused);
        }
        break;
      }
      case Kind::StringList:
        static_cast<std::vector<std::string>*>(leaf_slot)->push_back(std::move(text));
        break;
      case Kind::Bool: {
        const auto v = to_bool(text);
        if (!v) return fail(std::string("the value of ") + m.name + " is not a boolean");
        *static_cast<std::optional<bool>*>(leaf_slot) = *v;
        break;
      }
      case Kind::Int:
      case Kind::IntList: {
        const auto v = to_int(text);
        if (!v) return fail(std::string("the value of ") + m.name + " is not an integer");
        if (m.kind == Kind::Int) {
          *static_cast<std::optional<int>*>(leaf_slot) = *v;
        } else {
          static_cast<std::vector<int>*>(leaf_slot)->push_back(*v);
        }
        break;
      }
      case Kind::Object:
      case Kind::ObjectList:
        break;
    }
    text.clear();
  }

  void end() {
    const int closing = depth--;
    if (state != State::Reading) return;
    if (closing == 1) {
      // The document is complete.
      state = aside || !decided ? State::Reading : State::Done;
      if (!decided) aside = true;
      xmlStopParser(ctx);
      return;
    }
    if (aside) return;
    if (skip) {
      --skip;
      return;
    }
    if (leaf) {
      store();
      return;
    }
    if (!frames.empty() && frames.back().depth == closing) {
      const Member* row = frames.back().row;
      frames.pop_back();
      if (row) hand_over(*row);
      return;
    }
    if (closing == 2) in_header = false;
  }

  // A row is complete: out of the result, to the sink. An exception from the sink stops the parse (it must not
  // cross libxml2's frames) and is kept for the caller.
  void hand_over(const Member& row) {
    std::shared_ptr<void> object = row.take_last(frames.back().object);
    std::shared_ptr<void> kept = object;
    try {
      sink(std::move(object));
    } catch (...) {
      sink_error = std::current_exception();
      fail("the rows' receiver stopped the reading");
      return;
    }
    // A row the receiver did not keep is ours alone: its strings' buffers serve the next rows.
    if (arena.individual() && kept.use_count() == 1) keep_spare_strings(*row.type, kept.get());
  }

  void keep_spare_strings(const ClassTable& type, void* object) {
    constexpr std::size_t kMostSpare = 1024;
    static const std::size_t kInPlace = std::string().capacity();  // short strings have no buffer to reuse
    for (std::size_t i = 0; i < type.count && spare.size() < kMostSpare; ++i) {
      const Member& m = type.members[i];
      if (m.kind != Kind::String) continue;
      auto& value = *static_cast<std::optional<std::string>*>(m.slot(object, arena));
      if (value && value->capacity() > kInPlace) spare.push_back(std::move(*value));
    }
  }

  void characters(const xmlChar* s, int n) {
    if (leaf && !skip && !aside) text.append(reinterpret_cast<const char*>(s), static_cast<std::size_t>(n));
  }

  static Impl* self(void* ctx) { return static_cast<Impl*>(ctx); }
  static void on_start(void* ctx, const xmlChar* local, const xmlChar*, const xmlChar* uri, int, const xmlChar**,
                       int nattrs, int, const xmlChar** attrs) {
    self(ctx)->start(local, uri, nattrs, attrs);
  }
  static void on_end(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) { self(ctx)->end(); }
  static void on_text(void* ctx, const xmlChar* s, int n) { self(ctx)->characters(s, n); }
  // A document type declaration: SOAP forbids it; the generated code and the transport's markup check decide.
  static void on_dtd(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) { self(ctx)->step_aside(); }

  // The outcome once parsing stopped, for better or worse.
  State settle(int rc) {
    if (state == State::Failed) return state;
    if (state == State::Done) return state;
    if (aside && (rc != 0 || depth == 0)) return state = State::Aside;
    if (rc != 0) {
      if (!decided) return state = State::Aside;
      const xmlError* e = xmlCtxtGetLastError(ctx);
      std::string why = e && e->message ? e->message : "malformed XML";
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      state = State::Failed;
      error = "malformed XML: " + why;
    }
    return state;
  }
};

Reader::Reader(const ClassTable& table, void* result, const char* response_element, const char* result_element)
    : impl_(std::make_unique<Impl>(table, result, response_element, result_element)) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = &Impl::on_start;
  sax.endElementNs = &Impl::on_end;
  sax.characters = &Impl::on_text;
  sax.cdataBlock = &Impl::on_text;
  sax.internalSubset = &Impl::on_dtd;
  sax.serror = &ignore_error;  // reported through the state, never printed
  impl_->ctx = xmlCreatePushParserCtxt(&sax, impl_.get(), nullptr, 0, nullptr);
  if (!impl_->ctx) throw std::bad_alloc();
  // No network, no entity substitution, no DTD loading; libxml2's default limits (nesting, text size) stay on.
  xmlCtxtUseOptions(impl_->ctx, XML_PARSE_NONET);
}

Reader::~Reader() {
  if (impl_ && impl_->ctx) {
    if (impl_->ctx->myDoc) xmlFreeDoc(impl_->ctx->myDoc);
    xmlFreeParserCtxt(impl_->ctx);
  }
}

Reader::State Reader::feed(const char* data, std::size_t size) {
  Impl& i = *impl_;
  while (size > 0 && i.state == State::Reading) {
    const int n = static_cast<int>(std::min<std::size_t>(size, 1 << 20));
    const int rc = xmlParseChunk(i.ctx, data, n, 0);
    data += n;
    size -= static_cast<std::size_t>(n);
    i.settle(rc);
    if (rc != 0) break;
  }
  return i.state;
}

Reader::State Reader::finish() {
  Impl& i = *impl_;
  if (i.state != State::Reading) return i.state;
  const int rc = xmlParseChunk(i.ctx, nullptr, 0, 1);
  i.settle(rc);
  if (i.state == State::Reading) {
    if (!i.decided || i.aside) {
      i.state = State::Aside;
    } else {
      i.state = State::Failed;
      i.error = "the response ended before it was complete";
    }
  }
  return i.state;
}

namespace {
std::atomic<std::size_t> g_read{0}, g_aside{0}, g_failed{0};
}  // namespace

Stats stats() noexcept {
  return Stats{g_read.load(std::memory_order_relaxed), g_aside.load(std::memory_order_relaxed),
               g_failed.load(std::memory_order_relaxed)};
}

void count(int outcome) noexcept {
  switch (static_cast<Reader::State>(outcome)) {
    case Reader::State::Done:
      g_read.fetch_add(1, std::memory_order_relaxed);
      break;
    case Reader::State::Aside:
      g_aside.fetch_add(1, std::memory_order_relaxed);
      break;
    case Reader::State::Failed:
      g_failed.fetch_add(1, std::memory_order_relaxed);
      break;
    case Reader::State::Reading:
      break;
  }
}

Reader::State Reader::state() const noexcept { return impl_->state; }
bool Reader::aside() const noexcept { return impl_->aside || impl_->state == State::Aside; }
const std::string& Reader::error() const noexcept { return impl_->error; }
bool Reader::result_absent() const noexcept { return impl_->absent; }

void Reader::hand_rows(const char* array, const char* item, std::function<void(std::shared_ptr<void>)> sink) {
  impl_->row_array = array;
  impl_->row_item = item;
  impl_->sink = std::move(sink);
  impl_->arena.make_individually();
}

std::exception_ptr Reader::sink_error() const noexcept { return impl_->sink_error; }

}  // namespace kareo::detail::fast
