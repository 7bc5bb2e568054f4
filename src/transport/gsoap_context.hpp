// Part of the built-in transport: a pooled gSOAP context and the per-call state its callbacks reach through
// soap->user. The callbacks capture the bytes of each attempt, follow the response's HTTP framing and enforce
// the timeouts; gsoap_connection.cpp drives a call, gsoap_dispatch.cpp sends and receives its operation,
// canned_connection.cpp stands in for the socket of wire::make_canned_connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"
#include "transport/http_framing.hpp"
#include "values/secrets.hpp"

namespace kareo::detail {

using SteadyClock = std::chrono::steady_clock;

// Per-call state, reached from the gSOAP callbacks through soap->user.
struct CallState {
  int (*fsend)(struct soap*, const char*, size_t) = nullptr;
  size_t (*frecv)(struct soap*, char*, size_t) = nullptr;
  int (*fposthdr)(struct soap*, const char*, const char*) = nullptr;
  SOAP_SOCKET (*fopen)(struct soap*, const char*, const char*, int) = nullptr;
  int (*fclose)(struct soap*) = nullptr;

  bool gzip = true;
  int recv_timeout_ms = 0;
  int send_timeout_ms = 0;
  std::optional<SteadyClock::time_point> deadline;
  bool deadline_is_budget = false;  // the deadline is the retry layer's (Exchange::deadline), not call_timeout

  Framing framing;       // where the response ends
  bool overrun = false;  // bytes arrived past the end of the response: the connection is not reused

  std::string sent;      // raw bytes sent (capped)
  std::string received;  // raw bytes received (capped)
  std::size_t bytes_sent = 0;
  std::size_t bytes_received = 0;
  bool timed_out = false;
  bool deadline_hit = false;
  // The call's cancellation token (Exchange::cancel): the wait for the response ends when it is cancelled.
  std::optional<CancellationToken> cancel;
  bool cancelled = false;  // the wait for the response ended because `cancel` was cancelled

  // Canned transport (wire::make_canned_connection): no socket; requests (read from `sent`, kept whole) go
  // to `responder`.
  const wire::CannedResponder* responder = nullptr;
  Operation operation{};
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
  // What Exchange::row_sink threw: the attempt ends and the exception comes out of Connection::call.
  std::exception_ptr row_error;

  void reset() {
    cancel.reset();
    cancelled = false;
    canned_head.clear();
    canned_body = std::string();  // a pooled context does not keep a large response's memory
    canned_at = 0;
    canned_answered = false;
    replay.clear();
    replay_at = 0;
    streamed = false;
    keep_whole_response = false;
    row_error = nullptr;
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

// What a connection is built from (Options, or the canned transport's fixed values).
struct Settings {
  std::string endpoint;
  std::chrono::milliseconds connect_timeout, send_timeout, receive_timeout, call_timeout;
  std::string ca_file, ca_directory;
  bool keep_alive, gzip;
  std::uint64_t max_response_bytes;
  std::size_t max_idle;
  std::shared_ptr<const wire::CannedResponder> responder;  // set: the canned transport
  bool capture_patient_data = false;                       // support captures keep every text but credentials
};

// One gSOAP context of the pool, used by one thread at a time, with its callbacks installed.
class Context {
 public:
  explicit Context(const Settings& s);

  kareo_wire::KareoServicesProxy& proxy() noexcept { return proxy_; }
  soap* ctx() noexcept { return proxy_.soap; }
  CallState& state() noexcept { return state_; }
  bool ssl_ok() const noexcept { return ssl_ok_; }
  const std::string& ssl_error() const noexcept { return ssl_error_; }

 private:
  // Declared first, destroyed last: gSOAP closes the connection (through the callbacks, which read the state)
  // when the proxy is destroyed.
  CallState state_;
  kareo_wire::KareoServicesProxy proxy_;
  std::shared_ptr<const wire::CannedResponder> responder_;
  bool ssl_ok_ = false;
  std::string ssl_error_;
};

/// gSOAP's encoding of a timeout (positive: seconds, negative: microseconds).
int gsoap_timeout(std::chrono::milliseconds t);

/// The time left before the call's deadline, at least 1 ms; nullopt without a deadline.
std::optional<std::chrono::milliseconds> time_left(const CallState& st);

/// Ends a decompression gSOAP began and did not finish (a response abandoned part way).
void end_inflate(soap* soap) noexcept;

/// Closes a connection after a failure without the TLS close_notify exchange.
void close_abruptly(soap* soap);

/// Reads gSOAP's input from CallState::replay: the captured response, read again by the generated code.
size_t replay_recv(struct soap* soap, char* data, size_t n);

/// The reason OpenSSL refused the peer's certificate in the current call on this thread; cleared by the caller
/// before the call.
std::string& verify_error() noexcept;

/// Replaces the socket of `soap` by the canned transport's stand-ins (canned_connection.cpp).
void use_canned_transport(soap* soap, CallState& state);

/// The built-in connection over `settings` (gsoap_connection.cpp).
std::shared_ptr<Connection> make_gsoap_connection(Settings settings);

/// Sends the exchange's request and receives into its response on `proxy` (gsoap_dispatch.cpp): with the streaming
/// reader for the streamed list operations, with the generated code for the others. Returns the gSOAP error code.
int dispatch(kareo_wire::KareoServicesProxy& proxy, const char* endpoint, const std::string& action, Exchange& ex);

/// Whether the streaming reader reads the operation's response (the operation table's `streamed` column).
bool streamed(Operation op) noexcept;

/// Takes the response's objects out of gSOAP's memory, so that they outlive the context's next call.
void detach_response(Exchange& ex);

}  // namespace kareo::detail
