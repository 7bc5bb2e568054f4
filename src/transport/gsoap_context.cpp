#include "transport/gsoap_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "transport/http_message.hpp"
#include "transport/no_sigpipe.hpp"
#include "transport/send_at_once.hpp"

namespace kareo::detail {

using std::chrono::milliseconds;

namespace {

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

// How often a cancellable wait for the response looks at its token.
constexpr milliseconds kCancelSlice{20};

// How many bytes OpenSSL reads from a TLS socket at once (it reads ahead: every record that has arrived, up to
// this much, in one system call, where it would otherwise read each record's header and body apart).
constexpr long kTlsReadBuffer = 64 * 1024;

// Whether the TLS connection has response bytes to hand over without waiting for the socket. Reading ahead,
// OpenSSL may hold records it has read but not yet decrypted, which a wait for the socket would never see: a
// whole one is decrypted here (no system call). A partial one leaves the wait for the rest to the socket. An
// alert (the peer closing, an error) counts as something to read, so that the read reports it at once.
bool tls_buffered(SSL* ssl) {
  if (SSL_pending(ssl) > 0) return true;
  if (!SSL_has_pending(ssl)) return false;
  char first;
  const int r = SSL_peek(ssl, &first, 1);
  return r > 0 || SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ;
}

// gSOAP closes a connection the call gave up on (a timeout, a cancellation, broken framing) with the TLS
// goodbye, and waits up to five seconds for a stalled peer's answer: such a connection is closed without it.
int close_connection(struct soap* soap) {
  auto* st = static_cast<CallState*>(soap->user);
  if (soap->ssl && (st->timed_out || st->cancelled || !st->framing.error().empty())) {
    SSL_set_quiet_shutdown(soap->ssl, 1);
  }
  return st->fclose(soap);
}

int capture_send(struct soap* soap, const char* data, size_t n) {
  auto* st = static_cast<CallState*>(soap->user);
  if (st->deadline && SteadyClock::now() >= *st->deadline) {
    st->timed_out = st->deadline_hit = true;
    return SOAP_EOF;
  }
  append_captured(st->sent, data, n, st->responder != nullptr);
  st->bytes_sent += n;
  // A socket with room in its send buffer takes the bytes at once; gSOAP's send takes what is left.
  if (!st->responder && send_at_once(soap, data, n)) return SOAP_OK;
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
  if (st->timed_out || st->cancelled || st->framing.ended() || !st->framing.error().empty()) return 0;
  n = st->framing.limit(n);
  // Wait for data ourselves so that a stall is known to be a timeout (gSOAP reports it like a closed
  // connection) and the whole-call deadline is enforced.
  const bool buffered = st->responder || (soap->ssl && tls_buffered(soap->ssl));
  const auto waiting_since = SteadyClock::now();
  bool ready = false;
  if (!buffered && soap_valid_socket(soap->socket)) {
    int wait_ms = st->recv_timeout_ms > 0 ? st->recv_timeout_ms : -1;
    bool deadline_bound = false;
    if (st->deadline) {
      const auto left = std::chrono::duration_cast<milliseconds>(*st->deadline - SteadyClock::now()).count();
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
    if (st->cancel) {
      // Cancellable: wait in slices, and end the wait (as if the connection had closed) once cancelled.
      const auto until = wait_ms < 0 ? SteadyClock::time_point::max() : waiting_since + milliseconds(wait_ms);
      for (;;) {
        if (st->cancel->cancelled()) {
          st->cancelled = true;
          return 0;
        }
        const auto now = SteadyClock::now();
        const int slice =
            now >= until
                ? 0
                : static_cast<int>(std::min<long long>(
                      kCancelSlice.count(), std::chrono::duration_cast<milliseconds>(until - now).count() + 1));
        do {
          r = ::poll(&p, 1, slice);
        } while (r < 0 && errno == EINTR);
        if (r != 0 || SteadyClock::now() >= until) break;
      }
    } else {
      do {
        r = ::poll(&p, 1, wait_ms);
      } while (r < 0 && errno == EINTR);
    }
    if (r == 0) {
      st->timed_out = true;
      st->deadline_hit = deadline_bound;
      return 0;
    }
    // A plain socket found readable (data, its end, or an error) does not block: gSOAP's read need not wait
    // for it again.
    ready = !soap->ssl;
  }
  // gSOAP's own read may wait again (a TLS record that arrives in pieces): only for what is left of this wait.
  const int saved = soap->recv_timeout;
  std::optional<milliseconds> left;
  if (ready) {
    soap->recv_timeout = 0;
  } else if (!st->responder) {
    if (st->recv_timeout_ms > 0) {
      left = milliseconds(st->recv_timeout_ms) -
             std::chrono::duration_cast<milliseconds>(SteadyClock::now() - waiting_since);
    }
    if (const auto budget = time_left(*st); budget && (!left || *budget < *left)) left = budget;
    if (left) {
      left = std::max(*left, milliseconds(1));
      soap->recv_timeout = gsoap_timeout(*left);
    }
  }
  const auto read_from = SteadyClock::now();
  size_t got = st->frecv(soap, data, n);
  soap->recv_timeout = saved;
  if (got == 0 && left && soap->errnum == 0 && SteadyClock::now() - read_from >= *left - milliseconds(5)) {
    // Nothing within what was left of the wait: a stall, as if the poll above had timed out.
    st->timed_out = true;
    st->deadline_hit = st->deadline && SteadyClock::now() >= *st->deadline - milliseconds(5);
  }
  const std::size_t part = st->framing.take(data, got);
  if (part < got) {
    // Bytes past the end of the message (or past broken framing): never handed to gSOAP.
    if (st->framing.error().empty()) st->overrun = true;
    got = part;
  }
  append_captured(st->received, data, got, st->keep_whole_response);
  st->bytes_received += got;
  return got;
}

// Whether a kept-alive connection can carry the next request (gSOAP asks before reusing it). A connection the
// server has closed meanwhile (idle timeout) reads as end-of-file, and data nobody asked for makes it unusable
// too: either way it is closed here, without a TLS goodbye the peer may never answer, and gSOAP opens a new one.
int keep_alive_usable(struct soap* soap) {
  if (!soap_valid_socket(soap->socket)) return SOAP_EOF;
  if (soap->ssl && SSL_has_pending(soap->ssl)) {  // read ahead: bytes past the last response
    close_abruptly(soap);
    return SOAP_EOF;
  }
  pollfd p{};
  p.fd = soap->socket;
  p.events = POLLIN;
  int r;
  do {
    r = ::poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return SOAP_OK;
  close_abruptly(soap);
  return SOAP_EOF;
}

// Opens the connection (and makes the TLS handshake) with SIGPIPE blocked: OpenSSL writes the handshake
// itself. A TLS connection's later writes go through a socket BIO that sends with MSG_NOSIGNAL (no_sigpipe.hpp).
SOAP_SOCKET connect_quietly(struct soap* soap, const char* endpoint, const char* host, int port) {
  auto* st = static_cast<CallState*>(soap->user);
  SOAP_SOCKET sk;
  {
    SigpipeGuard guard;
    sk = st->fopen(soap, endpoint, host, port);
  }
  if (soap_valid_socket(sk) && soap->ssl && !write_without_sigpipe(soap->ssl, static_cast<int>(sk))) {
    soap_set_receiver_error(soap, "TLS error", "the TLS connection's socket could not be set up (out of memory)",
                            SOAP_SSL_ERROR);
    soap->fclosesocket(soap, sk);
    return SOAP_INVALID_SOCKET;
  }
  return sk;
}

int filter_headers(struct soap* soap, const char* key, const char* value) {
  auto* st = static_cast<CallState*>(soap->user);
  if (!st->gzip && key && strcasecmp(key, "Accept-Encoding") == 0) return SOAP_OK;
  return st->fposthdr(soap, key, value);
}

}  // namespace

std::string& verify_error() noexcept { return t_verify_error; }

int gsoap_timeout(milliseconds t) {
  // gSOAP: positive values are seconds, negative values microseconds.
  if (t.count() <= 0) return 0;
  if (t.count() < 2'000'000) return -static_cast<int>(t.count() * 1000);
  return static_cast<int>(std::min<long long>(t.count() / 1000, std::numeric_limits<int>::max()));
}

// The time left before the call's deadline, at least 1 ms; nullopt without a deadline.
std::optional<milliseconds> time_left(const CallState& st) {
  if (!st.deadline) return std::nullopt;
  return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(*st.deadline - SteadyClock::now()));
}

Context::Context(const Settings& s) {
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
    if (ssl_ok_ && soap->ctx) {
      SSL_CTX_set_read_ahead(soap->ctx, 1);
      SSL_CTX_set_default_read_buffer_len(soap->ctx, kTlsReadBuffer);
    }
  }
  state_.gzip = s.gzip;
  state_.recv_timeout_ms =
      static_cast<int>(std::min<long long>(s.receive_timeout.count(), std::numeric_limits<int>::max()));
  state_.send_timeout_ms =
      static_cast<int>(std::min<long long>(s.send_timeout.count(), std::numeric_limits<int>::max()));
  state_.fsend = soap->fsend;
  state_.frecv = soap->frecv;
  state_.fposthdr = soap->fposthdr;
  state_.fopen = soap->fopen;
  state_.fclose = soap->fclose;
  if (s.responder) {
    responder_ = s.responder;
    state_.responder = responder_.get();
    use_canned_transport(soap, state_);
  }
  soap->fsend = capture_send;
  soap->frecv = capture_recv;
  soap->fposthdr = filter_headers;
  soap->fpoll = keep_alive_usable;
  if (!s.responder) {
    soap->fopen = connect_quietly;
    soap->fclose = close_connection;
  }
  soap->user = &state_;
}

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

// Closes a connection after a failure without the TLS close_notify exchange: the peer may be stalled, gone or
// not speaking TLS at all, and waiting for its close_notify could take many seconds.
void close_abruptly(soap* soap) {
  if (soap->ssl) SSL_set_quiet_shutdown(soap->ssl, 1);
  soap_force_closesock(soap);
  end_inflate(soap);
}

// Reads gSOAP's input from CallState::replay: the captured response, read again by the generated code.
size_t replay_recv(struct soap* soap, char* data, size_t n) {
  auto* st = static_cast<CallState*>(soap->user);
  const std::size_t got = std::min(n, st->replay.size() - st->replay_at);
  std::memcpy(data, st->replay.data() + st->replay_at, got);
  st->replay_at += got;
  return got;
}

}  // namespace kareo::detail
