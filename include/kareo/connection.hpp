/// @file
/// @brief The seam between the typed Client and the network: one call in, one response or typed error out.
///
/// kareo::Client builds the generated request body (credentials included) and hands it to a Connection in an
/// Exchange. The production connection speaks SOAP over HTTPS with gSOAP; decorators add pacing, retries and
/// observability around any Connection; tests substitute their own (see kareo/testing/).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "kareo/cancellation.hpp"
#include "kareo/errors.hpp"
#include "kareo/operations.hpp"
#include "kareo/types.hpp"

namespace kareo {

/// The generated types of one operation: `Request` is the request body element (for example
/// `kareo_wire::_kareo__GetPatients`), `Response` the response body element (`_kareo__GetPatientsResponse`),
/// `Payload` and `Result` their single children, reached with payload() and result(). Specialized for every
/// operation of the operation table.
template <Operation Op>
struct OperationTraits;

/// The operation whose request body element is `Request` (`value`); undefined for other types.
template <typename Request>
struct OperationOf;

/// @cond KAREO_SPECIALIZATIONS
#define KAREO_OPERATION_TRAITS_(Name, PayloadMember, PayloadType, ResultType)                                         \
  template <>                                                                                                         \
  struct OperationTraits<Operation::Name> {                                                                           \
    using Request = kareo_wire::_kareo__##Name;                                                                       \
    using Body = Request;                                                                                             \
    using Response = kareo_wire::_kareo__##Name##Response;                                                            \
    using Payload = kareo_wire::PayloadType;                                                                          \
    using Result = kareo_wire::ResultType;                                                                            \
    static std::shared_ptr<Payload>& payload(Request& body) noexcept { return body.PayloadMember; }                   \
    static const std::shared_ptr<Payload>& payload(const Request& body) noexcept { return body.PayloadMember; }       \
    static std::shared_ptr<Result>& result(Response& response) noexcept { return response.Name##Result; }             \
    static const std::shared_ptr<Result>& result(const Response& response) noexcept { return response.Name##Result; } \
  };                                                                                                                  \
  template <>                                                                                                         \
  struct OperationOf<kareo_wire::_kareo__##Name> {                                                                    \
    static constexpr Operation value = Operation::Name;                                                               \
  };
KAREO_OPERATION_LIST(KAREO_OPERATION_TRAITS_)
#undef KAREO_OPERATION_TRAITS_
/// @endcond

/// What a transport saw of one attempt: the bytes it sent and received and how long it took. A Connection fills
/// it (Exchange::wire()) as far as it can; the observability layer reports it in each CallEvent, whatever the
/// Connection. Every member may stay at its default: a Connection that knows nothing of the wire reports nothing.
struct WireRecord {
  /// Set by the caller (the observability layer, when a wire trace is on) before the attempt: fill request_xml
  /// and response_xml. Otherwise a transport need not build them.
  bool want_xml = false;
  std::string endpoint;                 ///< The URL the request went to.
  std::size_t bytes_sent = 0;           ///< Bytes written to the connection (headers included).
  std::size_t bytes_received = 0;       ///< Bytes read from the connection (headers included).
  std::optional<int> http_status;       ///< The response's HTTP status, when one arrived.
  std::chrono::nanoseconds elapsed{0};  ///< How long the attempt took in the transport (0: not measured).
  std::string request_xml;              ///< The request body as sent (only with want_xml).
  std::string response_xml;             ///< The response body as received, decompressed (only with want_xml).
};

/// One call on its way through the connection stack: the operation, its generated request and response, the
/// attempt number and deadline, and the wire record of the current attempt.
///
/// Access to the request and response is typed and checked:
/// @code
/// void call(kareo::Exchange& exchange) override {
///   if (exchange.operation == kareo::Operation::DeleteDocument) {
///     const auto& body = exchange.request<kareo::Operation::DeleteDocument>();   // _kareo__DeleteDocument
///     auto& response = exchange.response<kareo::Operation::DeleteDocument>();  // _kareo__DeleteDocumentResponse
///     ...
///   }
/// }
/// @endcode
class Exchange {
 public:
  /// A call of the operation whose request body element is `Request`, sending `request` and filling `response`
  /// (both must outlive the Exchange).
  template <typename Request, typename Response,
            typename = std::enable_if_t<std::is_same_v<
                Response, typename OperationTraits<OperationOf<std::remove_cv_t<Request>>::value>::Response>>>
  Exchange(const Request& request, Response& response, int attempt = 1) noexcept
      : operation(OperationOf<std::remove_cv_t<Request>>::value),
        attempt(attempt),
        request_(&request),
        response_(&response) {}

  /// The operation being called.
  Operation operation;
  /// 1 for the first attempt, incremented by the retry layer.
  int attempt = 1;
  /// When set, the whole call (every attempt) must end by this time. The retry layer sets it from
  /// RetryPolicy::max_elapsed; the built-in transport ends an attempt still running then with kareo::TimeoutError,
  /// and starts none after it. Other transports may ignore it.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// The call's cancellation token (CallOptions::cancel), when it has one. The pacing layer ends its wait for the
  /// account's turn with kareo::Cancelled when it is cancelled; other layers and transports may ignore it.
  std::optional<CancellationToken> cancel;
  /// Rows as they arrive (optional; list operations). When set, a Connection that reads a response as it
  /// arrives may pass each row of the result's row array (the operation table's `rows`, e.g. the PatientData
  /// items of the patients read's `Patients`) to it as soon as the row is read, as a `std::shared_ptr` to the row's
  /// generated class (kareo::PatientData...), and leave it out of the response; rows it did not pass stay in
  /// the response. An exception it throws ends the attempt and comes out of Connection::call unchanged. Every
  /// attempt passes its own rows: an attempt resent by the retry layer passes them again. The built-in
  /// transport passes the rows of the table's streamed operations when the response has the expected shape;
  /// kareo::Client sets it for PagedRange::for_each_row().
  std::function<void(std::shared_ptr<void> row)> row_sink;

  /// The request body element to send, complete with its RequestHeader. Throws kareo::InvalidArgument when the
  /// exchange is a call of another operation than `Op`.
  template <Operation Op>
  const typename OperationTraits<Op>::Request& request() const {
    check(Op);
    return *static_cast<const typename OperationTraits<Op>::Request*>(request_);
  }
  /// The response body element to fill. Throws kareo::InvalidArgument when the exchange is a call of another
  /// operation than `Op`.
  template <Operation Op>
  typename OperationTraits<Op>::Response& response() {
    check(Op);
    return *static_cast<typename OperationTraits<Op>::Response*>(response_);
  }
  /// The response body element (read only). Throws kareo::InvalidArgument on another operation than `Op`.
  template <Operation Op>
  const typename OperationTraits<Op>::Response& response() const {
    check(Op);
    return *static_cast<const typename OperationTraits<Op>::Response*>(response_);
  }

  /// What the transport saw of the current attempt. The observability layer clears it before each attempt and
  /// reads it afterwards, also when the attempt threw.
  WireRecord& wire() noexcept { return wire_; }
  /// What the transport saw of the current attempt (read only).
  const WireRecord& wire() const noexcept { return wire_; }

 private:
  void check(Operation op) const {
    if (op != operation) {
      throw InvalidArgument("an Exchange of " + std::string(operation_name(operation)) + " was asked for the " +
                                std::string(operation_name(op)) + " types",
                            operation);
    }
  }

  const void* request_;
  void* response_;
  WireRecord wire_;
};

/// Sends calls. Implementations are safe to use from several threads at once.
class Connection {
 public:
  virtual ~Connection() = default;
  /// Sends `exchange.request<Op>()` and fills `exchange.response<Op>()` (see Exchange). Throws a kareo::Error
  /// subclass on every failure, including the service's own (SecurityResponse, ErrorResponse, SOAP Fault).
  /// May fill `exchange.wire()` with what it saw of the attempt, for the observability layer.
  virtual void call(Exchange& exchange) = 0;
};

}  // namespace kareo
