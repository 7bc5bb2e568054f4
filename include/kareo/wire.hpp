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

#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/operations.hpp"
#include "kareo/options.hpp"
#include "kareo/types.hpp"

namespace kareo::wire {

/// The generated types of one operation: kareo::OperationTraits (`Body`/`Request` the request body element,
/// `Response` the response body element, `Payload` and `Result` their single children, reached with payload()
/// and result()).
template <Operation Op>
using Traits = OperationTraits<Op>;

/// What a throttling message names: "429: {operation} endpoint requested more than allowed over time interval
/// 1000 milliseconds. Please wait to try again."
struct ThrottleNotice {
  std::string endpoint;                ///< The operation the server named.
  std::chrono::milliseconds interval;  ///< The interval the server named.
};

/// Parses the service's throttling text; empty when `message` is not one.
std::optional<ThrottleNotice> parse_throttle_message(std::string_view message);

/// Checks a filled response body element (`response` points at the `Traits<op>::Response` object) the way the
/// built-in transport does, and throws the matching kareo::Error: MalformedResponse when the result element is
/// missing; AuthenticationFailed, NotAuthorized from the SecurityResponse; Throttled, ServiceError from the
/// ErrorResponse; AuthenticationFailed when IsAuthorized is false (an operation with inline credentials, whose
/// result has no SecurityResponse). `details` supplies the HTTP status and the support capture for the exception.
void check_response(Operation op, const void* response, const Error::Details& details = {});

/// A request as a canned transport sees it.
struct CannedRequest {
  Operation operation{};    ///< The operation called.
  std::string soap_action;  ///< The SOAPAction header value (unquoted).
  std::string xml;          ///< The SOAP envelope as it would be sent (credentials included).
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
