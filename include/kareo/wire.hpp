/// @file
/// @brief The generated body elements behind each Operation, and the service-level checks every response
/// gets; for writers of kareo::Connection implementations and decorators.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kareo/errors.hpp"
#include "kareo/operations.hpp"
#include "kareo/options.hpp"
#include "kareo/types.hpp"

namespace kareo::wire {

/// The generated types of one operation: `Body` is the request body element (what Exchange::request points
/// at), `Response` the response body element (what Exchange::response points at), `Payload` and `Result`
/// their single children, reached with payload() and result().
template <Operation Op>
struct Traits;

/// @cond KAREO_SPECIALIZATIONS
#define KAREO_WIRE_TRAITS_(Name, PayloadMember, PayloadType, ResultType)                                     \
  template <>                                                                                                \
  struct Traits<Operation::Name> {                                                                           \
    using Body = kareo_wire::_kareo__##Name;                                                                 \
    using Response = kareo_wire::_kareo__##Name##Response;                                                   \
    using Payload = kareo_wire::PayloadType;                                                                 \
    using Result = kareo_wire::ResultType;                                                                   \
    static std::shared_ptr<Payload>& payload(Body& body) noexcept { return body.PayloadMember; }             \
    static const std::shared_ptr<Payload>& payload(const Body& body) noexcept { return body.PayloadMember; } \
    static std::shared_ptr<Result>& result(Response& response) noexcept { return response.Name##Result; }    \
  };
KAREO_OPERATION_LIST(KAREO_WIRE_TRAITS_)
#undef KAREO_WIRE_TRAITS_
/// @endcond

/// What a throttling message names: "429: GetPatients endpoint requested more than allowed over time interval
/// 1000 milliseconds. Please wait to try again."
struct ThrottleNotice {
  std::string endpoint;                ///< The operation the server named, e.g. "GetPatients".
  std::chrono::milliseconds interval;  ///< The interval the server named.
};

/// Parses the service's throttling text; empty when `message` is not one.
std::optional<ThrottleNotice> parse_throttle_message(std::string_view message);

/// Checks a filled response body element (`response` points at the `Traits<op>::Response` object) the way the
/// built-in transport does, and throws the matching kareo::Error: MalformedResponse when the result element is
/// missing; AuthenticationFailed, NotAuthorized from the SecurityResponse; Throttled, ServiceError from the
/// ErrorResponse; AuthenticationFailed for GetCustomerIdFromKey when IsAuthorized is false. `details` supplies
/// the HTTP status and the support capture for the exception.
void check_response(Operation op, const void* response, const Error::Details& details = {});

/// A request as a canned transport sees it.
struct CannedRequest {
  Operation operation = Operation::GetPatients;  ///< The operation called.
  std::string soap_action;                       ///< The SOAPAction header value (unquoted).
  std::string xml;                               ///< The SOAP envelope as it would be sent (credentials included).
};

/// The canned answer to a request: an HTTP status and a body.
struct CannedResponse {
  int status = 200;                                      ///< The HTTP status (500 for a SOAP fault, say).
  std::string body;                                      ///< The response body, normally a SOAP envelope.
  std::string content_type = "text/xml; charset=utf-8";  ///< The Content-Type header.
};

/// Answers one request with canned bytes.
using CannedResponder = std::function<CannedResponse(const CannedRequest&)>;

/// A transport without a network: each request's XML goes to `responder`, and its answer is parsed and checked
/// exactly as the built-in HTTPS transport would (same element checks, same exceptions, same support capture).
/// For tests and demos written against recorded responses:
/// @code
/// kareo::Client client{kareo::Options{}
///                          .credentials(kareo::Credentials("test-customer-key", "test-user", "test-password"))
///                          .connection(kareo::wire::make_canned_connection([](const kareo::wire::CannedRequest&) {
///                            return kareo::wire::CannedResponse{200, read_file("GetPatientsResponse.xml")};
///                          }))};
/// @endcode
/// Of `options` only the size limit and the timeouts apply. If `responder` throws, the call fails with
/// ConnectionError.
std::shared_ptr<Connection> make_canned_connection(CannedResponder responder, const Options& options = Options{});

}  // namespace kareo::wire
