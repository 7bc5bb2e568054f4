/// @file
/// @brief The seam between the typed Client and the network: one call in, one response or typed error out.
///
/// kareo::Client builds the generated request body (credentials included) and hands it to a Connection.
/// The production connection speaks SOAP over HTTPS with gSOAP; decorators add pacing, retries and
/// observability around any Connection; tests substitute their own (see kareo/testing/).
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "kareo/operations.hpp"

namespace kareo {

/// One call on its way through the connection stack.
struct Exchange {
  /// A call of `operation` sending `request` and filling `response` (see the members).
  Exchange(Operation operation, const void* request = nullptr, void* response = nullptr, int attempt = 1) noexcept
      : operation(operation), request(request), response(response), attempt(attempt) {}

  /// The operation being called.
  Operation operation;
  /// The generated body element to send: a `const kareo_wire::_kareo__<Operation>*` (for example
  /// `_kareo__GetPatients`), complete with its RequestHeader.
  const void* request = nullptr;
  /// The generated response element to fill: a `kareo_wire::_kareo__<Operation>Response*`.
  void* response = nullptr;
  /// 1 for the first attempt, incremented by the retry layer.
  int attempt = 1;
  /// When set, the whole call (every attempt) must end by this time. The retry layer sets it from
  /// RetryPolicy::max_elapsed; the built-in transport ends an attempt still running then with kareo::TimeoutError,
  /// and starts none after it. Other transports may ignore it.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

/// Sends calls. Implementations are safe to use from several threads at once.
class Connection {
 public:
  virtual ~Connection() = default;
  /// Sends `exchange.request` and fills `exchange.response`. Throws a kareo::Error subclass on every
  /// failure, including the service's own (SecurityResponse, ErrorResponse, SOAP Fault).
  virtual void call(Exchange& exchange) = 0;
};

}  // namespace kareo
