/// @file
/// @brief The seam between the typed Client and the network: one call in, one response or typed error out.
///
/// kareo::Client builds the generated request body (credentials included) and hands it to a Connection.
/// The production connection speaks SOAP over HTTPS with gSOAP; decorators add pacing, retries and
/// observability around any Connection; tests substitute their own (see kareo/testing/).
#pragma once

#include <memory>

#include "kareo/operations.hpp"

namespace kareo {

/// One call on its way through the connection stack.
struct Exchange {
  /// The operation being called.
  Operation operation;
  /// The generated body element to send: a `const kareo_wire::_kareo__<Operation>*` (for example
  /// `_kareo__GetPatients`), complete with its RequestHeader.
  const void* request = nullptr;
  /// The generated response element to fill: a `kareo_wire::_kareo__<Operation>Response*`.
  void* response = nullptr;
  /// 1 for the first attempt, incremented by the retry layer.
  int attempt = 1;
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
