// The built-in transport: SOAP 1.1 over HTTPS with gSOAP. A pool of contexts (each used by one thread at a
// time) keeps connections alive between calls. Every response is checked for the service's own failure
// reports, and every failure becomes a kareo::Error carrying a support capture with the credentials masked.
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/facade_internal.hpp"
#include "transport/fast_reader.hpp"
#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"
#include "wire_helpers.hpp"

namespace kareo::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How much of each message is kept for support captures and traces.
constexpr std::size_t kCaptureLimit = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// The HTTP framing of a response, followed as its bytes arrive, so that reading ends where the message ends:
// after Content-Length bytes of body, or after the last chunk and its trailer. gSOAP itself reads on after the
// end of a body whose XML is incomplete, and so waited for bytes a server that keeps the connection open never
// sends; it also skips what is not a hexadecimal digit where a chunk size belongs.

class Framing {
 public:
  void reset() { *this = Framing(); }

  /// Follows `n` more bytes of the response; returns how many of them belong to it (the rest lie past its end).
  std::size_t take(const char* data, std::size_t n) {
    std::size_t i = 0;
    while (i < n && state_ != State::Done && state_ != State::Broken && state_ != State::UntilClose) {
      switch (state_) {
        case State::Head:
          i += head(data + i, n - i);
          break;
        case State::Length: {
          const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left_, n - i));
          left_ -= k;
          i += k;
          if (left_ == 0) state_ = State::Done;
          break;
        }
        case State::ChunkData: {
          const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left_, n - i));
          left_ -= k;
          i += k;
          if (left_ == 0) state_ = State::ChunkDataEnd;
          break;
        }
        default:
          chunk_byte(data[i++]);
          break;
      }
    }
    if (state_ == State::UntilClose) return n;
    return i;
  }

  /// The most bytes the next read may ask for without reading past the end of the message.
  std::size_t limit(std::size_t n) const {
    if (state_ == State::Length) return static_cast<std::size_t>(std::min<std::uint64_t>(left_, n));
    return n;
  }
  /// The whole message arrived.
  bool ended() const noexcept { return state_ == State::Done; }
  /// What is wrong with the framing; empty while it is sound.
  const std::string& error() const noexcept { return error_; }

 private:
  enum class State {
    Head,          // status line and headers
    Length,        // a body of Content-Length bytes
    UntilClose,    // a body that ends when the connection closes (HTTP/1.0 style)
    ChunkSize,     // the hexadecimal size of a chunk
    ChunkSizeEnd,  // blanks after the size, before an extension or the line end
    ChunkExt,      // a chunk extension, up to the line end
    ChunkSizeLf,   // the line feed after the size line's carriage return
    ChunkData,     // a chunk's data
    ChunkDataEnd,  // the CRLF after a chunk's data
    ChunkDataLf,
    Trailer,  // trailer lines after the last chunk, up to an empty line
    Done,
    Broken,
  };

  void broken(std::string why) {
    state_ = State::Broken;
    error_ = std::move(why);
  }

  // Reads header bytes up to the empty line that ends them; returns how many it used.
  std::size_t head(const char* data, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
      const char c = data[i++];
      if (c != '\n') {
        if (line_.size() < 65536) line_ += c;
        continue;
      }
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (line_.empty()) {
        if (lines_ == 0) continue;  // blank lines before a status line
        end_of_head();
        return i;
      }
      header_line(line_);
      ++lines_;
      line_.clear();
    }
    return i;
  }

  void header_line(const std::string& line) {
    if (lines_ == 0) {  // the status line
      status_ = 0;
      const auto sp = line.find(' ');
      if (line.rfind("HTTP/", 0) == 0 && sp != std::string::npos) status_ = std::atoi(line.c_str() + sp + 1);
      return;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) return;
    std::string name = line.substr(0, colon);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    if (name == "transfer-encoding") {
      for (char& ch : value) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (value.find("chunked") != std::string::npos) chunked_ = true;
    } else if (name == "content-length") {
      std::uint64_t v = 0;
      bool ok = !value.empty() && value.size() <= 19;
      for (char ch : value) {
        if (ch < '0' || ch > '9') ok = false;
        v = v * 10 + static_cast<std::uint64_t>(ch - '0');
      }
      if (!ok || (length_ && *length_ != v)) {
        bad_length_ = true;
      } else {
        length_ = v;
      }
    }
  }

  void end_of_head() {
    const bool interim = status_ >= 100 && status_ < 200;
    const bool chunked = chunked_;
    const bool bad_length = bad_length_;
    const std::optional<std::uint64_t> length = length_;
    line_.clear();
    lines_ = 0;
    chunked_ = bad_length_ = false;
    length_.reset();
    if (interim) return;  // another status line and headers follow
    if (chunked) {
      state_ = State::ChunkSize;
    } else if (bad_length) {
      broken("its Content-Length is not a number");
    } else if (length) {
      left_ = *length;
      state_ = left_ == 0 ? State::Done : State::Length;
    } else {
      state_ = State::UntilClose;
    }
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  void chunk_byte(char c) {
    switch (state_) {
      case State::ChunkSize: {
        const int d = hex(c);
        if (d >= 0) {
          if (digits_ == 15) return broken("a chunk size is too large");
          left_ = left_ * 16 + static_cast<std::uint64_t>(d);
          ++digits_;
          return;
        }
        if (digits_ == 0) return broken("a chunk size is not a hexadecimal number");
        state_ = State::ChunkSizeEnd;
        return chunk_byte(c);
      }
      case State::ChunkSizeEnd:
        if (c == ' ' || c == '\t') return;
        if (c == ';') {
          state_ = State::ChunkExt;
          return;
        }
        if (c == '\r') {
          state_ = State::ChunkSizeLf;
          return;
        }
        if (c == '\n') return end_of_size_line();
        return broken("a chunk size is not a hexadecimal number");
      case State::ChunkExt:
        if (c == '\n') return end_of_size_line();
        return;
      case State::ChunkSizeLf:
        if (c != '\n') return broken("a chunk size line does not end with CRLF");
        return end_of_size_line();
      case State::ChunkDataEnd:
        if (c == '\r') {
          state_ = State::ChunkDataLf;
          return;
        }
        if (c == '\n') {
          state_ = State::ChunkSize;
          return;
        }
        return broken("a chunk is longer than its size");
      case State::ChunkDataLf:
        if (c != '\n') return broken("a chunk is longer than its size");
        state_ = State::ChunkSize;
        return;
      case State::Trailer:
        if (c == '\n') {
          if (trailer_line_ == 0) {
            state_ = State::Done;
            return;
          }
          trailer_line_ = 0;
          return;
        }
        if (c != '\r') ++trailer_line_;
        return;
      default:
        return;
    }
  }

  void end_of_size_line() {
    digits_ = 0;
    if (left_ == 0) {
      state_ = State::Trailer;
      trailer_line_ = 0;
    } else {
      state_ = State::ChunkData;
    }
  }

  State state_ = State::Head;
  std::string error_;
  std::string line_;
  int lines_ = 0;
  int status_ = 0;
  bool chunked_ = false;
  bool bad_length_ = false;
  std::optional<std::uint64_t> length_;
  std::uint64_t left_ = 0;
  int digits_ = 0;
  std::size_t trailer_line_ = 0;
};

// ---------------------------------------------------------------------------------------------------------
// Per-call state, reached from the gSOAP callbacks through soap->user.

struct CallState {
  int (*fsend)(struct soap*, const char*, size_t) = nullptr;
  size_t (*frecv)(struct soap*, char*, size_t) = nullptr;
  int (*fposthdr)(struct soap*, const char*, const char*) = nullptr;

  bool gzip = true;
  int recv_timeout_ms = 0;
  int send_timeout_ms = 0;
  std::optional<Clock::time_point> deadline;
  bool deadline_is_budget = false;  // the deadline is the retry layer's (Exchange::deadline), not call_timeout

  Framing framing;       // where the response ends
  bool overrun = false;  // bytes arrived past the end of the response: the connection is not reused

  std::string sent;      // raw bytes sent (capped)
  std::string received;  // raw bytes received (capped)
  std::size_t bytes_sent = 0;
  std::size_t bytes_received = 0;
  bool timed_out = false;
  bool deadline_hit = false;

  // Canned transport (wire::make_canned_connection): no socket; requests go to `responder`.
  const wire::CannedResponder* responder = nullptr;
  Operation operation = Operation::GetPatients;
  std::string canned_out;     // request bytes written so far
  std::string canned_head;    // the canned response's status line and headers
  std::string canned_body;    // the canned response's body
  std::size_t canned_at = 0;  // bytes of head and body read so far
  bool canned_answered = false;

  // A response read a second time by the generated code (see streamed_recv).
  std::string replay;
  std::size_t replay_at = 0;
  bool streamed = false;  // the streaming reader read the response
  // The streaming reader stepped aside: the whole response is kept (within Options::max_response_bytes) for
  // the generated code to read.
  bool keep_whole_response = false;

  void reset() {
    canned_out.clear();
    canned_head.clear();
    canned_body = std::string();  // a pooled context does not keep a large response's memory
    canned_at = 0;
    canned_answered = false;
    replay.clear();
    replay_at = 0;
    streamed = false;
    keep_whole_response = false;
    sent.clear();
    received.clear();
    bytes_sent = bytes_received = 0;
    timed_out = deadline_hit = false;
    deadline.reset();
    deadline_is_budget = false;
    framing.reset();
    overrun = false;
  }
};

void append_capped(std::string& to, const char* data, std::size_t n, bool whole = false) {
  if (whole) return (void)to.append(data, n);
  if (to.size() >= kCaptureLimit) return;
  to.append(data, std::min(n, kCaptureLimit - to.size()));
}

int gsoap_timeout(milliseconds t);

// The time left before the call's deadline, at least 1 ms; nullopt without a deadline.
std::optional<milliseconds> time_left(const CallState& st) {
  if (!st.deadline) return std::nullopt;
  return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(*st.deadline - Clock::now()));
}

int capture_send(struct soap* soap, const char* data, size_t n) {
  auto* st = static_cast<CallState*>(soap->user);
  if (st->deadline && Clock::now() >= *st->deadline) {
    st->timed_out = st->deadline_hit = true;
    return SOAP_EOF;
  }
  append_capped(st->sent, data, n);
  st->bytes_sent += n;
  // A send that blocks may not outlast the deadline either.
  const int saved = soap->send_timeout;
  if (const auto left = time_left(*st); left && (st->send_timeout_ms <= 0 || left->count() < st->send_timeout_ms)) {
    soap->send_timeout = gsoap_timeout(*left);
  }
  const int rc = st->fsend(soap, data, n);
  soap->send_timeout = saved;
  return rc;
}

size_t capture_recv(struct soap* soap, char* data, size_t n) {
  auto* st = static_cast<CallState*>(soap->user);
  // Past the end of the response, or after a timeout or broken framing, there is nothing more to read: gSOAP
  // asks again after an end of input, and each wait would last the whole receive timeout again.
  if (st->timed_out || st->framing.ended() || !st->framing.error().empty()) return 0;
  n = st->framing.limit(n);
  // Wait for data ourselves so that a stall is known to be a timeout (gSOAP reports it like a closed
  // connection) and the whole-call deadline is enforced.
  const bool buffered = st->responder || (soap->ssl && SSL_pending(soap->ssl) > 0);
  const auto waiting_since = Clock::now();
  if (!buffered && soap_valid_socket(soap->socket)) {
    int wait_ms = st->recv_timeout_ms > 0 ? st->recv_timeout_ms : -1;
    bool deadline_bound = false;
    if (st->deadline) {
      const auto left = std::chrono::duration_cast<milliseconds>(*st->deadline - Clock::now()).count();
      if (left <= 0) {
        st->timed_out = st->deadline_hit = true;
        return 0;
      }
      if (wait_ms < 0 || left < wait_ms) {
        wait_ms = static_cast<int>(std::min<long long>(left, std::numeric_limits<int>::max()));
        deadline_bound = true;
      }
    }
    pollfd p{};
    p.fd = soap->socket;
    p.events = POLLIN;
    int r;
    do {
      r = ::poll(&p, 1, wait_ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
      st->timed_out = true;
      st->deadline_hit = deadline_bound;
      return 0;
    }
  }
  // gSOAP's own read may wait again (a TLS record that arrives in pieces): only for what is left of this wait.
  const int saved = soap->recv_timeout;
  std::optional<milliseconds> left;
  if (!st->responder) {
    if (st->recv_timeout_ms > 0) {
      left = milliseconds(st->recv_timeout_ms) - std::chrono::duration_cast<milliseconds>(Clock::now() - waiting_since);
    }
    if (const auto budget = time_left(*st); budget && (!left || *budget < *left)) left = budget;
    if (left) {
      left = std::max(*left, milliseconds(1));
      soap->recv_timeout = gsoap_timeout(*left);
    }
  }
  const auto read_from = Clock::now();
  size_t got = st->frecv(soap, data, n);
  soap->recv_timeout = saved;
  if (got == 0 && left && soap->errnum == 0 && Clock::now() - read_from >= *left - milliseconds(5)) {
    // Nothing within what was left of the wait: a stall, as if the poll above had timed out.
    st->timed_out = true;
    st->deadline_hit = st->deadline && Clock::now() >= *st->deadline - milliseconds(5);
  }
  const std::size_t part = st->framing.take(data, got);
  if (part < got) {
    // Bytes past the end of the message (or past broken framing): never handed to gSOAP.
    if (st->framing.error().empty()) st->overrun = true;
    got = part;
  }
  append_capped(st->received, data, got, st->keep_whole_response);
  st->bytes_received += got;
  return got;
}

// The canned transport's socket stand-ins.
SOAP_SOCKET canned_open(struct soap*, const char*, const char*, int) { return 0; }
int canned_close(struct soap*) { return SOAP_OK; }

int canned_send(struct soap* soap, const char* data, size_t n) {
  static_cast<CallState*>(soap->user)->canned_out.append(data, n);
  return SOAP_OK;
}

size_t canned_recv(struct soap* soap, char* data, size_t n) {
  auto* st = static_cast<CallState*>(soap->user);
  if (!st->canned_answered) {
    st->canned_answered = true;
    const std::string& raw = st->canned_out;
    const auto head_end = raw.find("\r\n\r\n");
    wire::CannedRequest request;
    request.operation = st->operation;
    request.soap_action = soap_action(st->operation);
    request.xml = head_end == std::string::npos ? raw : raw.substr(head_end + 4);
    wire::CannedResponse reply;
    try {
      reply = (*st->responder)(request);
    } catch (...) {
      return 0;  // the responder failed: like a connection closed without an answer
    }
    st->canned_head = "HTTP/1.1 " + std::to_string(reply.status) + " Canned\r\nContent-Type: " + reply.content_type +
                      "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n";
    st->canned_body = std::move(reply.body);
    st->canned_at = 0;
  }
  // Read from an offset: the body may be hundreds of megabytes, read a buffer at a time.
  size_t got = 0;
  while (got < n) {
    const bool in_head = st->canned_at < st->canned_head.size();
    const std::string& part = in_head ? st->canned_head : st->canned_body;
    const std::size_t at = in_head ? st->canned_at : st->canned_at - st->canned_head.size();
    if (at >= part.size()) break;  // all read
    const std::size_t k = std::min(n - got, part.size() - at);
    std::memcpy(data + got, part.data() + at, k);
    got += k;
    st->canned_at += k;
  }
  return got;
}

int filter_headers(struct soap* soap, const char* key, const char* value) {
  auto* st = static_cast<CallState*>(soap->user);
  if (!st->gzip && key && strcasecmp(key, "Accept-Encoding") == 0) return SOAP_OK;
  return st->fposthdr(soap, key, value);
}

// ---------------------------------------------------------------------------------------------------------
// Reading captured HTTP messages back: headers, body (de-chunked, decompressed).

struct HttpMessage {
  std::optional<int> status;
  std::string headers;  // lower-cased header block
  std::string body;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string header_value(const std::string& lowered_headers, const std::string& name) {
  const std::string key = "\n" + name + ":";
  auto at = lowered_headers.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  const auto end = lowered_headers.find('\n', at);
  std::string v = lowered_headers.substr(at, end == std::string::npos ? std::string::npos : end - at);
  while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  return v;
}

std::string dechunk(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto eol = in.find("\r\n", i);
    if (eol == std::string::npos) break;
    std::size_t size = 0;
    try {
      size = std::stoul(in.substr(i, eol - i), nullptr, 16);
    } catch (...) {
      break;
    }
    if (size == 0) break;
    i = eol + 2;
    if (size >= in.size() - i) {  // the last chunk, possibly cut short (and i + size + 2 could wrap around)
      out.append(in, i, std::string::npos);
      break;
    }
    out.append(in, i, size);
    i += size + 2;
  }
  return out;
}

std::string inflate_body(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return in;
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int r = Z_OK;
  while (r == Z_OK && out.size() < kCaptureLimit) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (r == Z_BUF_ERROR) break;
  }
  inflateEnd(&z);
  return out;
}

// Splits the raw bytes of one HTTP message. Interim 1xx responses are skipped.
HttpMessage parse_http(const std::string& raw) {
  HttpMessage m;
  std::size_t start = 0;
  for (;;) {
    const auto end = raw.find("\r\n\r\n", start);
    if (end == std::string::npos) {
      m.body = raw.substr(start);
      return m;
    }
    m.headers = lower("\n" + raw.substr(start, end - start));
    const std::string first = raw.substr(start, raw.find("\r\n", start) - start);
    if (first.rfind("HTTP/", 0) == 0) {
      const auto sp = first.find(' ');
      if (sp != std::string::npos) {
        try {
          m.status = std::stoi(first.substr(sp + 1, 3));
        } catch (...) {
          m.status.reset();
        }
      }
    }
    start = end + 4;
    if (m.status && *m.status >= 100 && *m.status < 200) continue;
    break;
  }
  std::string body = raw.substr(start);
  if (header_value(m.headers, "transfer-encoding").find("chunked") != std::string::npos) body = dechunk(body);
  const std::string encoding = header_value(m.headers, "content-encoding");
  if (encoding.find("gzip") != std::string::npos || encoding.find("deflate") != std::string::npos) {
    body = inflate_body(body);
  }
  m.body = std::move(body);
  return m;
}

std::string request_body(const std::string& raw) {
  const auto end = raw.find("\r\n\r\n");
  return end == std::string::npos ? raw : raw.substr(end + 4);
}

// ---------------------------------------------------------------------------------------------------------
// Secrets of the call, to keep them out of messages and captures whatever the server echoes.

template <typename Payload>
void add_header_secrets(Secrets& s, const Payload& p) {
  if constexpr (std::is_base_of_v<kareo_wire::kareo__RequestBase, Payload>) {
    if (p.RequestHeader) {
      s.add(p.RequestHeader->CustomerKey);
      s.add(p.RequestHeader->User);
      s.add(p.RequestHeader->Password);
    }
  } else {
    s.add(p.CustomerKey);
    s.add(p.User);
    s.add(p.Password);
  }
}

Secrets secrets_of(const Exchange& ex) {
  Secrets s;
  switch (ex.operation) {
#define KAREO_SECRETS_(Name, M, P, R)                                                       \
  case Operation::Name: {                                                                   \
    const auto* body = static_cast<const wire::Traits<Operation::Name>::Body*>(ex.request); \
    if (body && wire::Traits<Operation::Name>::payload(*body)) {                            \
      add_header_secrets(s, *wire::Traits<Operation::Name>::payload(*body));                \
    }                                                                                       \
    break;                                                                                  \
  }
    KAREO_OPERATION_LIST(KAREO_SECRETS_)
#undef KAREO_SECRETS_
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------

// The reason OpenSSL refused the peer's certificate in the current call on this thread (verification runs on
// the calling thread, inside the handshake).
thread_local std::string t_verify_error;

int record_verify_result(int ok, X509_STORE_CTX* store) {
  if (!ok && t_verify_error.empty()) {
    t_verify_error = std::string("certificate verification failed: ") +
                     X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  }
  return ok;
}

// Writing to a connection the peer closed raises SIGPIPE, which would end the program. Plain sends use
// MSG_NOSIGNAL; TLS writes go through OpenSSL, so SIGPIPE is blocked on the calling thread for the duration of
// the call and a pending one consumed afterwards. The process's signal disposition is left alone.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
  }
  ~SigpipeGuard() {
    if (!blocked_) return;
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
  bool blocked_ = false;
};

int gsoap_timeout(milliseconds t) {
  // gSOAP: positive values are seconds, negative values microseconds.
  if (t.count() <= 0) return 0;
  if (t.count() < 2'000'000) return -static_cast<int>(t.count() * 1000);
  return static_cast<int>(std::min<long long>(t.count() / 1000, std::numeric_limits<int>::max()));
}

std::once_flag g_ssl_init;

struct Settings {
  std::string endpoint;
  milliseconds connect_timeout, send_timeout, receive_timeout, call_timeout;
  std::string ca_file, ca_directory;
  bool keep_alive, gzip;
  std::uint64_t max_response_bytes;
  std::size_t max_idle;
  std::shared_ptr<const wire::CannedResponder> responder;  // set: the canned transport
  bool capture_patient_data = false;                       // support captures keep every text but credentials
};

class Context {
 public:
  explicit Context(const Settings& s) {
    soap* soap = proxy_.soap;
    soap_set_imode(soap, SOAP_C_UTFSTRING | (s.keep_alive ? SOAP_IO_KEEPALIVE : 0));
    soap_set_omode(soap, SOAP_C_UTFSTRING | (s.keep_alive ? SOAP_IO_KEEPALIVE : 0));
    soap->connect_timeout = gsoap_timeout(s.connect_timeout);
    soap->send_timeout = gsoap_timeout(s.send_timeout);
    soap->recv_timeout = gsoap_timeout(s.receive_timeout);
    soap->transfer_timeout = gsoap_timeout(s.call_timeout);
    soap->recv_maxlength = s.max_response_bytes;
    soap->socket_flags = MSG_NOSIGNAL;
    soap->maxlength = 0;  // no limit per string beyond the message limit
    if (s.keep_alive) soap->tcp_keep_alive = 1;
    if (s.responder) {
      ssl_ok_ = true;
    } else {
      soap->fsslverify = record_verify_result;  // must be set before the TLS context is made
      unsigned short flags = SOAP_SSL_DEFAULT | SOAP_TLSv1_2 | SOAP_TLSv1_3;
      if (!s.ca_file.empty() || !s.ca_directory.empty()) flags |= SOAP_SSL_NO_DEFAULT_CA_PATH;
      ssl_ok_ = s.endpoint.rfind("https:", 0) != 0 ||  // plain HTTP (local test servers): no CA store to load
                soap_ssl_client_context(soap, flags, nullptr, nullptr, s.ca_file.empty() ? nullptr : s.ca_file.c_str(),
                                        s.ca_directory.empty() ? nullptr : s.ca_directory.c_str(), nullptr) == SOAP_OK;
      if (!ssl_ok_) ssl_error_ = soap_fault_string(soap) ? soap_fault_string(soap) : "TLS setup failed";
    }
    state_.gzip = s.gzip;
    state_.recv_timeout_ms =
        static_cast<int>(std::min<long long>(s.receive_timeout.count(), std::numeric_limits<int>::max()));
    state_.send_timeout_ms =
        static_cast<int>(std::min<long long>(s.send_timeout.count(), std::numeric_limits<int>::max()));
    state_.fsend = soap->fsend;
    state_.frecv = soap->frecv;
    state_.fposthdr = soap->fposthdr;
    if (s.responder) {
      responder_ = s.responder;
      state_.responder = responder_.get();
      state_.fsend = canned_send;
      state_.frecv = canned_recv;
      soap->fopen = canned_open;
      soap->fclose = canned_close;
    }
    soap->fsend = capture_send;
    soap->frecv = capture_recv;
    soap->fposthdr = filter_headers;
    soap->user = &state_;
  }

  kareo_wire::KareoServicesProxy& proxy() noexcept { return proxy_; }
  soap* ctx() noexcept { return proxy_.soap; }
  CallState& state() noexcept { return state_; }
  bool ssl_ok() const noexcept { return ssl_ok_; }
  const std::string& ssl_error() const noexcept { return ssl_error_; }

 private:
  kareo_wire::KareoServicesProxy proxy_;
  CallState state_;
  std::shared_ptr<const wire::CannedResponder> responder_;
  bool ssl_ok_ = false;
  std::string ssl_error_;
};

// Ends a decompression gSOAP began and did not finish. gSOAP starts one for every compressed response and ends
// it only when the response is read to its end (soap_end_recv); a response abandoned part way (refused by the
// streaming reader, read a second time, or cut off) would otherwise leave its zlib state allocated, and the
// next compressed response on the context would start another over it.
void end_inflate(soap* soap) noexcept {
#ifdef WITH_ZLIB
  if (soap->zlib_state == SOAP_ZLIB_INFLATE && soap->d_stream) inflateEnd(soap->d_stream);
  soap->zlib_state = SOAP_ZLIB_NONE;
#else
  (void)soap;
#endif
}

// Reads gSOAP's input from CallState::replay: the captured response, read again by the generated code.
size_t replay_recv(struct soap* soap, char* data, size_t n) {
  auto* st = static_cast<CallState*>(soap->user);
  const std::size_t got = std::min(n, st->replay.size() - st->replay_at);
  std::memcpy(data, st->replay.data() + st->replay_at, got);
  st->replay_at += got;
  return got;
}

// The list operations whose responses the streaming reader reads (src/transport/fast_reader.hpp).
bool streamed(Operation op) noexcept {
  switch (op) {
    case Operation::GetAllPatients:
    case Operation::GetAppointments:
    case Operation::GetCharges:
    case Operation::GetPatients:
    case Operation::GetPayments:
    case Operation::GetTransactions:
      return true;
    default:
      return false;
  }
}

// Receives a list operation's response with the streaming reader: the rows are built as the body arrives, and
// the body is never held. A response of another shape (a fault, a page, a document type declaration...) is
// read to its end and then given to the generated deserializer, from the bytes the transport captured, so it
// is reported exactly as the generated code reports it.
template <typename Response, typename Result>
int streamed_recv(kareo_wire::KareoServicesProxy& proxy, Response& response, std::shared_ptr<Result>& result_slot,
                  const char* response_element, const char* result_element,
                  int (kareo_wire::KareoServicesProxy::*generated_recv)(Response&)) {
  soap* soap = proxy.soap;
  auto* st = static_cast<CallState*>(soap->user);
  response.soap_default(soap);
  if (soap_begin_recv(soap)) return soap_closesock(soap);
  auto result = std::make_shared<Result>();
  fast::Reader reader(*fast::table_of<Result>(), result.get(), response_element, result_element);
  fast::Reader::State state = fast::Reader::State::Reading;
  if (soap->ahead > 0 && soap->ahead < 0x80) {  // a character gSOAP looked ahead at
    const char c = static_cast<char>(soap->ahead);
    state = reader.feed(&c, 1);
  } else if (soap->ahead != 0) {
    return soap->error = SOAP_SYNTAX_ERROR;
  }
  soap->ahead = 0;
  while (state == fast::Reader::State::Reading) {
    if (soap->bufidx < soap->buflen) {
      state = reader.feed(soap->buf + soap->bufidx, soap->buflen - soap->bufidx);
      soap->bufidx = soap->buflen;
      if (reader.aside()) st->keep_whole_response = true;
      continue;
    }
    if (soap_recv(soap)) {
      // The body ended, or reading failed (a timeout, a reset, the size limit): the reader's verdict on what
      // arrived, unless the failure is the transport's.
      const int err = soap->error;
      state = reader.finish();
      if (state == fast::Reader::State::Done) break;
      if (err != SOAP_OK && err != SOAP_EOF) return soap_closesock(soap);
      if (st->timed_out || (soap->recv_maxlength && soap->count > soap->recv_maxlength)) {
        soap->error = SOAP_EOF;
        return soap_closesock(soap);
      }
      break;
    }
  }
  fast::count(static_cast<int>(state));
  if (state == fast::Reader::State::Done) {
    st->streamed = true;
    if (!reader.result_absent()) result_slot = std::move(result);
    if (soap_end_recv(soap)) return soap_closesock(soap);
    return soap_closesock(soap);
  }
  if (state == fast::Reader::State::Failed) {
    // gSOAP keeps the pointer: the text must live in the context, not in the reader that is about to go.
    soap_set_receiver_error(soap, soap_strdup(soap, reader.error().c_str()), nullptr, SOAP_SYNTAX_ERROR);
    return soap->error = SOAP_SYNTAX_ERROR;
  }
  // Aside: the generated deserializer reads the captured response.
  if (st->received.size() < st->bytes_received) {
    soap_set_receiver_error(soap, "an unexpected response too large to read a second time", nullptr, SOAP_SYNTAX_ERROR);
    return soap->error = SOAP_SYNTAX_ERROR;
  }
  st->replay = st->received;
  st->replay_at = 0;
  end_inflate(soap);  // the replay starts the response over, decompression included
  const auto saved = soap->frecv;
  soap->frecv = replay_recv;
  soap->error = SOAP_OK;
  soap->bufidx = soap->buflen = 0;
  soap->ahead = 0;
  const int rc = (proxy.*generated_recv)(response);
  soap->frecv = saved;
  // The connection's state is unknown after a response the reader could not follow: never reuse it.
  const int error = soap->error;
  soap_force_closesock(soap);
  soap->error = error;
  return rc;
}

int dispatch(kareo_wire::KareoServicesProxy& proxy, const char* endpoint, const std::string& action,
             const Exchange& ex) {
  if (streamed(ex.operation)) {
    switch (ex.operation) {
#define KAREO_STREAMED_(Name)                                                                    \
  case Operation::Name: {                                                                        \
    using T = wire::Traits<Operation::Name>;                                                     \
    auto* body = const_cast<T::Body*>(static_cast<const T::Body*>(ex.request));                  \
    auto& response = *static_cast<T::Response*>(ex.response);                                    \
    if (proxy.send_##Name(endpoint, action.c_str(), body)) return proxy.soap->error;             \
    return streamed_recv(proxy, response, T::result(response), #Name "Response", #Name "Result", \
                         &kareo_wire::KareoServicesProxy::recv_##Name);                          \
  }
      KAREO_STREAMED_(GetAllPatients)
      KAREO_STREAMED_(GetAppointments)
      KAREO_STREAMED_(GetCharges)
      KAREO_STREAMED_(GetPatients)
      KAREO_STREAMED_(GetPayments)
      KAREO_STREAMED_(GetTransactions)
#undef KAREO_STREAMED_
      default:
        break;
    }
  }
  switch (ex.operation) {
#define KAREO_DISPATCH_(Name, M, P, R)                                                                       \
  case Operation::Name:                                                                                      \
    return proxy.Name(                                                                                       \
        endpoint, action.c_str(),                                                                            \
        const_cast<kareo_wire::_kareo__##Name*>(static_cast<const kareo_wire::_kareo__##Name*>(ex.request)), \
        *static_cast<kareo_wire::_kareo__##Name##Response*>(ex.response));
    KAREO_OPERATION_LIST(KAREO_DISPATCH_)
#undef KAREO_DISPATCH_
  }
  return SOAP_ERR;
}

void detach_response(const Exchange& ex) {
  switch (ex.operation) {
#define KAREO_DETACH_(Name, M, P, R)                                          \
  case Operation::Name:                                                       \
    detach(*static_cast<kareo_wire::_kareo__##Name##Response*>(ex.response)); \
    break;
    KAREO_OPERATION_LIST(KAREO_DETACH_)
#undef KAREO_DETACH_
  }
}

// The faultcode as written on the wire ("a:InternalServiceFault"); gSOAP rewrites unknown prefixes.
std::string wire_fault_code(const std::string& xml) {
  const auto at = xml.find("faultcode");
  if (at == std::string::npos) return {};
  const auto gt = xml.find('>', at);
  if (gt == std::string::npos || xml[gt - 1] == '/') return {};
  const auto lt = xml.find('<', gt);
  if (lt == std::string::npos) return {};
  std::string code = xml.substr(gt + 1, lt - gt - 1);
  code.erase(0, code.find_first_not_of(" \t\r\n"));
  code.erase(code.find_last_not_of(" \t\r\n") + 1);
  return code;
}

bool looks_like_soap(const std::string& body) {
  return body.find("Envelope") != std::string::npos && body.find('<') != std::string::npos;
}

// What gSOAP passes over silently but no WCF response contains: a document type declaration (SOAP forbids
// them; gSOAP skips them without expanding entities) and nesting deeper than gSOAP's own limit for the
// elements it knows (it skips unknown subtrees at any depth). Empty when the body is acceptable.
std::string hostile_markup(const std::string& body) {
  constexpr unsigned kMaxDepth = SOAP_MAXLEVEL;
  unsigned depth = 0;
  bool prolog = true;
  for (std::size_t i = body.find('<'); i != std::string::npos && i + 1 < body.size(); i = body.find('<', i + 1)) {
    const char c = body[i + 1];
    if (c == '/') {
      if (depth > 0) --depth;
    } else if (c == '!') {
      if (prolog && body.compare(i, 9, "<!DOCTYPE") == 0) return "it has a document type declaration";
    } else if (c != '?') {
      prolog = false;
      const auto gt = body.find('>', i);
      if (gt == std::string::npos) break;
      if (body[gt - 1] != '/' && ++depth > kMaxDepth) {
        return "its elements nest deeper than " + std::to_string(kMaxDepth) + " levels";
      }
      i = gt - 1;
    }
  }
  return {};
}

// Whether `c` is a character XML 1.0 allows.
bool xml_char(unsigned long c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string code_point(unsigned long c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04lX", c);
  return buf;
}

// What is wrong with the text of a response the generated deserializer read; empty when nothing is. gSOAP reads
// bytes that are not UTF-8 as Latin-1 and ends a value at a NUL byte (or at a reference to one), so corrupted
// text came back as a success; the streaming reader (libxml2) refuses the same bytes. A document that declares
// ISO-8859-1 is read as Latin-1 by both.
std::string invalid_text(const std::string& body) {
  const auto* b = reinterpret_cast<const unsigned char*>(body.data());
  const std::size_t n = body.size();
  bool latin1 = false;
  {
    std::size_t at = body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    if (body.compare(at, 5, "<?xml") == 0) {
      const auto end = body.find("?>", at);
      const std::string decl = lower(body.substr(at, end == std::string::npos ? 200 : end - at));
      const auto enc = decl.find("encoding");
      if (enc != std::string::npos) {
        const auto q = decl.find_first_of("\"'", enc);
        const auto q2 = q == std::string::npos ? q : decl.find(decl[q], q + 1);
        const std::string name = q2 == std::string::npos ? std::string() : decl.substr(q + 1, q2 - q - 1);
        if (name == "iso-8859-1" || name == "latin1" || name == "iso_8859-1" || name == "latin-1") {
          latin1 = true;
        } else if (name != "utf-8" && name != "utf8" && name != "us-ascii") {
          return "it declares an encoding the client does not read (" + name + ")";
        }
      }
    }
  }
  bool in_cdata = false, in_comment = false;
  for (std::size_t i = 0; i < n;) {
    unsigned long c = b[i];
    std::size_t len = 1;
    if (!latin1 && c >= 0x80) {
      // One UTF-8 sequence, strictly: no overlong forms, no surrogates, nothing above U+10FFFF.
      unsigned long min = 0;
      if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, c &= 0x0F, min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
      } else {
        return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
      }
      if (i + len > n) return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
      for (std::size_t k = 1; k < len; ++k) {
        if ((b[i + k] & 0xC0) != 0x80) return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
        c = (c << 6) | (b[i + k] & 0x3F);
      }
      if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
        return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
      }
    }
    if (!xml_char(c)) {
      return "it holds a character XML does not allow (" + code_point(c) + " at byte " + std::to_string(i) + ")";
    }
    // Character references (not inside CDATA sections or comments, where they are plain text).
    if (c == '<' && !in_cdata && !in_comment) {
      if (body.compare(i, 9, "<![CDATA[") == 0) in_cdata = true;
      if (body.compare(i, 4, "<!--") == 0) in_comment = true;
    } else if (in_cdata && c == ']' && body.compare(i, 3, "]]>") == 0) {
      in_cdata = false;
    } else if (in_comment && c == '-' && body.compare(i, 3, "-->") == 0) {
      in_comment = false;
    } else if (c == '&' && !in_cdata && !in_comment && i + 1 < n && b[i + 1] == '#') {
      std::size_t k = i + 2;
      const bool hex = k < n && b[k] == 'x';
      if (hex) ++k;
      unsigned long v = 0;
      std::size_t digits = 0;
      for (; k < n && digits <= 8; ++k, ++digits) {
        const int d = std::isdigit(b[k])                ? b[k] - '0'
                      : hex && std::isxdigit(b[k]) != 0 ? (std::tolower(b[k]) - 'a' + 10)
                                                        : -1;
        if (d < 0) break;
        v = v * (hex ? 16 : 10) + static_cast<unsigned long>(d);
      }
      if (digits == 0 || digits > 8 || k >= n || b[k] != ';') {
        return "it holds a malformed character reference (at byte " + std::to_string(i) + ")";
      }
      if (!xml_char(v)) {
        return "it holds a reference to a character XML does not allow (" + code_point(v) + " at byte " +
               std::to_string(i) + ")";
      }
      // gSOAP reads at most 7 characters after '&': a longer reference (&#x1F600;) would come out with its ';'.
      if (k - i > 7) {
        return "it holds a character reference longer than the generated deserializer reads correctly (" +
               code_point(v) + " at byte " + std::to_string(i) + ")";
      }
    }
    i += len;
  }
  return {};
}

std::string excerpt(const std::string& body) {
  std::string e = body.substr(0, 512);
  for (char& c : e) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return e;
}

// Closes a connection after a failure without the TLS close_notify exchange: the peer may be stalled, gone or
// not speaking TLS at all, and waiting for its close_notify could take many seconds.
void close_abruptly(soap* soap) {
  if (soap->ssl) SSL_set_quiet_shutdown(soap->ssl, 1);
  soap_force_closesock(soap);
  end_inflate(soap);
}

// How a deadline is named in messages: the attempt's own limit or the whole call's.
std::string deadline_name(bool budget) {
  return budget ? "the whole-call timeout (the call's time budget, RetryPolicy::max_elapsed)"
                : "the whole-call timeout (Options::call_timeout)";
}

class GsoapConnection final : public RecordingConnection {
 public:
  explicit GsoapConnection(Settings s) : settings_(std::move(s)) {
    std::call_once(g_ssl_init, [] { soap_ssl_init(); });
  }

  using RecordingConnection::call;

  void call(Exchange& ex, WireRecord& record) override {
    if (!ex.request || !ex.response) throw InvalidArgument("Exchange without request or response", ex.operation);
    record.endpoint = settings_.endpoint;
    std::unique_ptr<Context> context = acquire();
    CallState& st = context->state();
    st.reset();
    st.operation = ex.operation;
    // The response of an operation the streaming reader does not read is kept whole for the checks of its text.
    st.keep_whole_response = !streamed(ex.operation);
    // The attempt's own limit (Options::call_timeout), or the whole call's (Exchange::deadline), if sooner.
    if (settings_.call_timeout.count() > 0) st.deadline = Clock::now() + settings_.call_timeout;
    if (ex.deadline && (!st.deadline || *ex.deadline < *st.deadline)) {
      st.deadline = *ex.deadline;
      st.deadline_is_budget = true;
    }
    soap* soap = context->ctx();
    soap->connect_timeout = gsoap_timeout(settings_.connect_timeout);
    if (const auto left = time_left(st)) {
      if (st.deadline && Clock::now() >= *st.deadline) {
        // Nothing was sent: the time ran out before this attempt could begin (pacing, earlier attempts).
        Error::Details details;
        details.operation = ex.operation;
        details.retryable = false;
        details.capture.endpoint = settings_.endpoint;
        const std::string what = std::string(operation_name(ex.operation)) + ": " +
                                 deadline_name(st.deadline_is_budget) + " expired before the request was sent";
        finish(std::move(context), true);  // the context goes back to the pool: `st` is not read after this
        throw TimeoutError(what, details);
      }
      if (settings_.connect_timeout.count() <= 0 || *left < settings_.connect_timeout) {
        soap->connect_timeout = gsoap_timeout(*left);
      }
    }
    // A kept-alive connection the server has closed meanwhile (idle timeout) reads as end-of-file; data
    // nobody asked for makes it unusable too. Either way, start over with a new connection.
    if (!st.responder && soap_valid_socket(soap->socket)) {
      pollfd p{};
      p.fd = soap->socket;
      p.events = POLLIN;
      if (::poll(&p, 1, 0) != 0) close_abruptly(soap);
    }
    const std::string action = soap_action(ex.operation);
    const auto started = Clock::now();

    int rc = SOAP_SSL_ERROR;
    std::string tls_reason;
    if (context->ssl_ok() || settings_.endpoint.rfind("https:", 0) != 0) {
      SigpipeGuard no_sigpipe;
      t_verify_error.clear();
      rc = dispatch(context->proxy(), settings_.endpoint.c_str(), action, ex);
      if (rc == SOAP_SSL_ERROR) tls_reason = t_verify_error;
      if (rc != SOAP_OK) close_abruptly(soap);
    }
    const Secrets secrets = secrets_of(ex);
    // A response the streaming reader read needs no second look at its bytes (it checked the markup itself)
    // unless it is traced or turns out to report a failure: the copy of up to 16 MiB is made only then.
    const bool streamed = rc == SOAP_OK && st.streamed;
    HttpMessage response;
    if (streamed && !record.want_xml) {
      response.status = soap->status;
    } else {
      response = parse_http(st.received);
    }
    record.bytes_sent = st.bytes_sent;
    record.bytes_received = st.bytes_received;
    record.http_status = response.status;
    if (record.want_xml) {
      record.request_xml = secrets.scrub(mask_credentials(request_body(st.sent)));
      record.response_xml = secrets.scrub(mask_credentials(response.body));
    }

    Error::Details details;
    details.operation = ex.operation;
    details.http_status = response.status;
    details.capture.endpoint = settings_.endpoint;
    // The support capture (masked and scrubbed copies of up to 16 MiB of traffic) is only built for a call
    // that fails: building it on every call cost more than a third of a large response's parse.
    const auto capture = [&] {
      const bool full = settings_.capture_patient_data;
      details.capture.request_xml = secrets.scrub(redact_xml(request_body(st.sent), full));
      details.capture.response_xml = secrets.scrub(redact_xml(response.body, full));
      details.capture.patient_data = full;
    };

    if (rc == SOAP_OK) {
      detach_response(ex);
      std::string why =
          st.framing.error().empty() ? std::string() : "its HTTP framing is broken: " + st.framing.error();
      if (why.empty() && !streamed) why = hostile_markup(response.body);
      if (why.empty() && !streamed) why = invalid_text(response.body);
      if (!why.empty()) {
        capture();
        finish(std::move(context), true);
        throw MalformedResponse(std::string(operation_name(ex.operation)) + ": response refused: " + why, details);
      }
      try {
        check_response(ex.operation, ex.response, details, secrets.scrubber());
      } catch (const Error&) {
        if (streamed && response.body.empty()) response = parse_http(st.received);
        capture();
        finish(std::move(context), true);
        check_response(ex.operation, ex.response, details, secrets.scrubber());  // the same error, captured
        throw;
      }
      finish(std::move(context), true);
      return;
    }
    capture();

    // Failure: classify while the context still holds the fault.
    const bool read = !is_write(ex.operation);
    const std::string op = std::string(operation_name(ex.operation));
    std::string fault_code = soap->fault && soap_faultcode(soap) && *soap_faultcode(soap) ? *soap_faultcode(soap) : "";
    std::string fault_string = soap_fault_string(soap) ? soap_fault_string(soap) : "";
    const std::string fault_detail = soap->fault && soap_fault_detail(soap) ? soap_fault_detail(soap) : "";
    const int err = soap->error;
    const int errnum = soap->errnum;
    const bool too_large = soap->recv_maxlength && soap->count > soap->recv_maxlength;
    const bool timed_out = st.timed_out;
    const bool deadline_hit = st.deadline_hit;
    const bool deadline_is_budget = st.deadline_is_budget;
    const bool deadline_passed = st.deadline && Clock::now() >= *st.deadline - milliseconds(50);
    const std::string framing_error = st.framing.error();
    const auto elapsed = Clock::now() - started;
    const bool sent_anything = st.bytes_sent > 0;
    const std::string ssl_setup_error = context->ssl_ok() ? std::string() : context->ssl_error();
    detach_response(ex);
    // The context goes back to the pool here and another thread may take it at once: nothing below reads it.
    finish(std::move(context), false);
    soap = nullptr;

    if (!framing_error.empty()) {
      details.retryable = false;
      throw MalformedResponse(op + ": response refused: its HTTP framing is broken: " + framing_error, details);
    }
    if (timed_out) {
      details.retryable = read;
      details.server_message.clear();
      throw TimeoutError(op + ": " +
                             (deadline_hit ? deadline_name(deadline_is_budget) + " expired"
                                           : std::string("no data received within the receive timeout")) +
                             " after " + std::to_string(std::chrono::duration_cast<milliseconds>(elapsed).count()) +
                             " ms",
                         details);
    }
    if (too_large) {
      details.retryable = false;
      throw MalformedResponse(op + ": response larger than the limit of " +
                                  std::to_string(settings_.max_response_bytes) + " bytes (Options::max_response_bytes)",
                              details);
    }
    if (err == SOAP_SSL_ERROR) {
      details.retryable = false;
      std::string why = !ssl_setup_error.empty() ? ssl_setup_error : fault_string;
      if (!fault_detail.empty()) why += (why.empty() ? "" : ": ") + fault_detail;
      if (!tls_reason.empty() && why.find(tls_reason) == std::string::npos) why += "; " + tls_reason;
      for (char& c : why) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      throw TlsError(op + ": TLS failed: " + secrets.scrub(why.empty() ? "handshake refused" : why), details);
    }
    if (err == SOAP_FAULT) {
      const std::string code = [&] {
        const std::string w = wire_fault_code(response.body);
        return w.empty() ? fault_code : w;
      }();
      details.server_message = secrets.scrub(fault_string);
      details.retryable = read;
      throw SoapFault(op + ": SOAP fault " + code + ": " + details.server_message, details, code,
                      details.server_message);
    }
    if (response.status && *response.status >= 300 && !looks_like_soap(response.body)) {
      const int status = *response.status;
      if (status == 429) {
        const std::string retry_after = header_value(response.headers, "retry-after");
        milliseconds interval = published_interval(ex.operation);
        try {
          if (!retry_after.empty()) interval = std::chrono::seconds(std::stoi(retry_after));
        } catch (...) {
        }
        details.server_message = secrets.scrub(excerpt(response.body));
        throw Throttled(op + ": HTTP 429 Too Many Requests; wait " + std::to_string(interval.count()) + " ms", details,
                        interval, op);
      }
      details.retryable = read && (status >= 500 || status == 408);
      details.server_message = secrets.scrub(excerpt(response.body));
      throw HttpError(op + ": HTTP " + std::to_string(status) + " with a non-SOAP body", details,
                      details.server_message);
    }
    if (err == SOAP_TCP_ERROR || (!response.status && (err == SOAP_EOF || err == SOAP_HTTP_ERROR))) {
      const auto ms = std::chrono::duration_cast<milliseconds>(elapsed);
      if (!sent_anything && deadline_passed) {
        details.retryable = read;
        throw TimeoutError(op + ": connecting timed out after " + std::to_string(ms.count()) + " ms (" +
                               deadline_name(deadline_is_budget) + " expired)",
                           details);
      }
      if (!sent_anything && settings_.connect_timeout.count() > 0 &&
          ms >= settings_.connect_timeout - milliseconds(50)) {
        details.retryable = read;
        throw TimeoutError(op + ": connecting timed out after " + std::to_string(ms.count()) + " ms", details);
      }
      // A write whose request went out may have been applied: the retry layer must not resend it.
      details.retryable = read || !sent_anything;
      std::string what = fault_string.empty() ? "connection failed" : fault_string;
      if (errnum) what += std::string(" (") + std::strerror(errnum) + ")";
      throw ConnectionError(
          op + ": " + secrets.scrub(what) +
              (sent_anything ? (response.status ? "" : "; the connection closed before a response arrived") : ""),
          details);
    }
    details.retryable = false;
    details.server_message = secrets.scrub(fault_string);
    std::string what;
    if (response.body.empty()) {
      what = "empty response";
    } else if (response.body.find('<') == std::string::npos) {
      what = "response is not XML";
    } else if (!looks_like_soap(response.body)) {
      what = "response is not a SOAP envelope";
    } else {
      what = "response could not be parsed (truncated, or not the expected " + op + "Response element)";
    }
    throw MalformedResponse(op + ": " + what + (fault_string.empty() ? "" : ": " + details.server_message), details);
  }

 private:
  std::unique_ptr<Context> acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return std::make_unique<Context>(settings_);
  }

  // Frees the call's temporary memory and returns the context to the pool (keeping its connection open when
  // the call succeeded).
  void finish(std::unique_ptr<Context> c, bool ok) {
    soap* soap = c->ctx();
    // A connection that delivered bytes past the end of the response is out of step: never reused.
    if (!ok || c->state().overrun || !c->state().framing.error().empty()) close_abruptly(soap);
    soap_destroy(soap);
    soap_end(soap);
    soap->error = SOAP_OK;
    c->state().reset();
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < settings_.max_idle) idle_.push_back(std::move(c));
  }

  Settings settings_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Context>> idle_;
};

}  // namespace

std::shared_ptr<RecordingConnection> make_gsoap_connection(const Options& o) {
  // Also an endpoint that came from KAREO_ENDPOINT: refused before any connection is made.
  check_endpoint(o.endpoint());
  Settings s{o.endpoint(),
             o.connect_timeout(),
             o.send_timeout(),
             o.receive_timeout(),
             o.call_timeout(),
             o.ca_file(),
             o.ca_directory(),
             o.keep_alive(),
             o.gzip(),
             o.max_response_bytes(),
             o.max_idle_connections(),
             nullptr,
             o.support_capture() == WireTrace::WithPatientData};
  return std::make_shared<GsoapConnection>(std::move(s));
}

}  // namespace kareo::detail

namespace kareo::wire {

std::shared_ptr<Connection> make_canned_connection(CannedResponder responder, const Options& o) {
  if (!responder) throw InvalidArgument("make_canned_connection: no responder");
  detail::Settings s{"http://canned.invalid/services/soap/2.1/KareoServices.svc",
                     o.connect_timeout(),
                     o.send_timeout(),
                     o.receive_timeout(),
                     o.call_timeout(),
                     {},
                     {},
                     false,
                     false,
                     o.max_response_bytes(),
                     o.max_idle_connections(),
                     std::make_shared<const CannedResponder>(std::move(responder)),
                     o.support_capture() == WireTrace::WithPatientData};
  return std::make_shared<detail::GsoapConnection>(std::move(s));
}

}  // namespace kareo::wire
