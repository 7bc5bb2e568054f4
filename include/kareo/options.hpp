/// @file
/// @brief Everything a kareo::Client is configured with: endpoint, credentials, timeouts, TLS, transport and
/// observability.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kareo/connection.hpp"
#include "kareo/credentials.hpp"
#include "kareo/observability.hpp"
#include "kareo/policy_options.hpp"

namespace kareo {

/// The production endpoint of KareoServices 2.1.
inline constexpr const char* kProductionEndpoint = "https://webservice.kareo.com/services/soap/2.1/KareoServices.svc";

/// Throws kareo::InvalidArgument unless `url` is an endpoint the built-in transport may send credentials to:
/// an https:// URL, or a plain http:// URL whose host is this machine's loopback interface (an IPv4 address in
/// 127.0.0.0/8, `[::1]`, or `localhost`), for local test servers. The customer key, user and password travel in
/// every request body, so anything else needs TLS. Options::endpoint() and kareo::Client (for an endpoint taken
/// from KAREO_ENDPOINT) apply it before any connection is made.
void check_endpoint(const std::string& url);

/// Settings of a kareo::Client. Setters return `*this`, so they chain:
/// @code
/// kareo::Client client{kareo::Options{}
///                          .credentials(kareo::Credentials::from_environment())
///                          .receive_timeout(std::chrono::minutes(5))};
/// @endcode
class Options {
 public:
  /// Wraps a connection in another (pacing, retries, logging, ...); see add_decorator().
  using Decorator = std::function<std::shared_ptr<Connection>(std::shared_ptr<Connection>)>;

  /// Defaults: the production endpoint, or the value of the environment variable KAREO_ENDPOINT when it is
  /// set and non-empty; no credentials; connect 30 s, send 60 s, receive 120 s, one attempt 10 min (the whole
  /// call, retries included, is bounded by RetryPolicy::max_elapsed, 15 min); TLS 1.2 or newer verified against
  /// the system CA store; keep-alive and gzip on; responses up to 512 MiB. An endpoint from KAREO_ENDPOINT is
  /// checked like one given to endpoint() when a kareo::Client is made with these options.
  Options();

  /// Sets the service URL: https://..., or http:// only to this machine's loopback interface (see
  /// kareo::check_endpoint()). Throws kareo::InvalidArgument for anything else.
  Options& endpoint(std::string url);
  /// The service URL.
  const std::string& endpoint() const noexcept { return endpoint_; }

  /// Sets the credentials sent with every call.
  Options& credentials(Credentials credentials);
  /// The credentials sent with every call.
  const Credentials& credentials() const noexcept { return credentials_; }

  /// Sets the time allowed to establish the TCP (and TLS) connection.
  Options& connect_timeout(std::chrono::milliseconds timeout);
  /// The time allowed to establish the connection.
  std::chrono::milliseconds connect_timeout() const noexcept { return connect_timeout_; }
  /// Sets the longest time sending may stall.
  Options& send_timeout(std::chrono::milliseconds timeout);
  /// The longest time sending may stall.
  std::chrono::milliseconds send_timeout() const noexcept { return send_timeout_; }
  /// Sets the longest time receiving may stall (no byte arriving).
  Options& receive_timeout(std::chrono::milliseconds timeout);
  /// The longest time receiving may stall.
  std::chrono::milliseconds receive_timeout() const noexcept { return receive_timeout_; }
  /// Sets the longest time one attempt of a call may take from connecting to the last byte of the response;
  /// zero means no limit beyond the other timeouts. The whole call, retries and the waits between them included,
  /// is bounded by RetryPolicy::max_elapsed (when retries are on).
  Options& call_timeout(std::chrono::milliseconds timeout);
  /// The longest time one attempt may take (zero: unlimited).
  std::chrono::milliseconds call_timeout() const noexcept { return call_timeout_; }

  /// Trusts the CA certificates in this PEM file (a private CA, a test CA) instead of the system store.
  Options& ca_file(std::string path);
  /// The PEM file of trusted CA certificates; empty for the system store.
  const std::string& ca_file() const noexcept { return ca_file_; }
  /// Trusts the CA certificates of this directory (OpenSSL hashed-name layout) instead of the system store.
  Options& ca_directory(std::string path);
  /// The directory of trusted CA certificates; empty for the system store.
  const std::string& ca_directory() const noexcept { return ca_directory_; }

  /// Keeps connections open between calls and reuses them (default on).
  Options& keep_alive(bool on);
  /// Whether connections are kept open and reused.
  bool keep_alive() const noexcept { return keep_alive_; }
  /// Asks for gzip-compressed responses (default on). Requests are sent uncompressed.
  Options& gzip(bool on);
  /// Whether gzip responses are accepted.
  bool gzip() const noexcept { return gzip_; }
  /// Sets the largest response accepted, in bytes (after decompression); larger ones fail with
  /// MalformedResponse.
  Options& max_response_bytes(std::uint64_t bytes);
  /// The largest response accepted, in bytes.
  std::uint64_t max_response_bytes() const noexcept { return max_response_bytes_; }
  /// Sets how many idle connections (gSOAP contexts) the client keeps for reuse; concurrent calls beyond this
  /// open extra connections that are closed afterwards.
  Options& max_idle_connections(std::size_t count);
  /// How many idle connections are kept.
  std::size_t max_idle_connections() const noexcept { return max_idle_connections_; }

  /// Sets the RequestHeader's ClientVersion. The default, "kareo-cpp/<kareo::version()>", names this library;
  /// an application may prepend its own name, e.g. "clinic-sync/2.3 kareo-cpp/0.1.0".
  Options& client_version(std::string text);
  /// The RequestHeader's ClientVersion.
  const std::string& client_version() const noexcept { return client_version_; }

  /// Replaces the network transport with `connection` (tests, canned responses, another SOAP stack). The
  /// endpoint, TLS and timeout settings are then not used; decorators and observability still apply.
  Options& connection(std::shared_ptr<Connection> connection);
  /// The user-supplied transport, or null for the built-in gSOAP one.
  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

  /// Adds a decorator. The Client builds its connection stack as
  /// `decorator_n( ... decorator_1(retries(pacing(observability(transport)))))` (see kareo/policies.hpp):
  /// decorators added first sit closest to the policies, and every attempt the retry layer makes is observed
  /// separately.
  Options& add_decorator(Decorator decorator);
  /// The decorators, in the order they were added.
  const std::vector<Decorator>& decorators() const noexcept { return decorators_; }

  /// Sets how calls are paced under the account's rate limits and retried (see kareo/policies.hpp). By default
  /// (`kareo::CallPolicies{}`) every call waits its turn under Tebra's published limits, with a margin (one budget
  /// per account in this process), and reads are retried on transient failures; writes are never resent once
  /// they may have reached the server. CallPolicies::none() sends every call once, at once: for tests, or when the
  /// caller stacks its own layers with add_decorator(). A write that fails after it may have reached the server
  /// is reported as kareo::AmbiguousOutcome either way.
  Options& policies(CallPolicies policies);
  /// How calls are paced and retried.
  const CallPolicies& policies() const noexcept { return policies_; }

  /// Receives one CallEvent per attempt (see kareo/observability.hpp).
  Options& event_sink(EventSink sink);
  /// The event sink, or an empty function.
  const EventSink& event_sink() const noexcept { return event_sink_; }
  /// Includes the (redacted) request and response XML in the events.
  Options& wire_trace(WireTrace mode);
  /// How much XML the events carry.
  WireTrace wire_trace() const noexcept { return wire_trace_; }

  /// How much of a failed call's XML its exception keeps (Error::support_capture()). WireTrace::Redacted, the
  /// default, masks every text except allow-listed elements (IDs, dates, flags, error texts), so captures may be
  /// logged; WireTrace::WithPatientData keeps every text but the credentials (the whole exchange, as Tebra
  /// support may ask for it: handle such errors as patient data). WireTrace::Off is refused: whether a response
  /// arrived at all is part of the capture, and it decides whether a failed write may be sent again.
  Options& support_capture(WireTrace mode);
  /// How much XML support captures keep.
  WireTrace support_capture() const noexcept { return support_capture_; }

 private:
  std::string endpoint_;
  Credentials credentials_;
  std::chrono::milliseconds connect_timeout_{std::chrono::seconds(30)};
  std::chrono::milliseconds send_timeout_{std::chrono::seconds(60)};
  std::chrono::milliseconds receive_timeout_{std::chrono::seconds(120)};
  std::chrono::milliseconds call_timeout_{std::chrono::minutes(10)};
  std::string ca_file_;
  std::string ca_directory_;
  bool keep_alive_ = true;
  bool gzip_ = true;
  std::uint64_t max_response_bytes_ = std::uint64_t{512} * 1024 * 1024;
  std::size_t max_idle_connections_ = 8;
  std::string client_version_;
  std::shared_ptr<Connection> connection_;
  std::vector<Decorator> decorators_;
  EventSink event_sink_;
  WireTrace wire_trace_ = WireTrace::Off;
  WireTrace support_capture_ = WireTrace::Redacted;
  CallPolicies policies_;
};

}  // namespace kareo
