// The fault-to-exception mapping of the built-in transport, as pure functions: the facts of a failed attempt
// (or of a response the service filled with its own failure report) in, a description of the kareo::Error to
// throw out. No sockets, no gSOAP context: the transport gathers the facts, these functions decide, raise()
// throws. Tested table by table in tests/transport/fault_mapping/.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kareo/errors.hpp"
#include "kareo/operations.hpp"
#include "values/secrets.hpp"

namespace kareo::detail {

/// The exception a Failure describes.
enum class FailureClass {
  MalformedResponse,
  TimeoutError,
  TlsError,
  SoapFault,
  Throttled,
  HttpError,
  ConnectionError,
  AuthenticationFailed,
  NotAuthorized,
  ServiceError,
};

/// The kareo::Error to throw: its class, what(), details and the members particular to its class.
struct Failure {
  FailureClass what_class = FailureClass::MalformedResponse;
  std::string message;                           ///< what()
  Error::Details details;                        ///< operation, retryable, HTTP status, server message, support capture
  std::string fault_code;                        ///< SoapFault: the faultcode as written on the wire
  std::chrono::milliseconds interval{0};         ///< Throttled: how long to wait
  std::string throttled_endpoint;                ///< Throttled: the operation the server named
  std::string body_excerpt;                      ///< HttpError: the start of the body
  std::string stack_trace;                       ///< ServiceError: the service's StackTrace (scrubbed)
  bool customer_key_valid = true;                ///< AuthenticationFailed
  bool authenticated = true;                     ///< AuthenticationFailed
  std::vector<std::string> permissions_missing;  ///< NotAuthorized
  std::vector<std::string> practices_authorized;  ///< NotAuthorized
};

/// Throws the kareo::Error `failure` describes.
[[noreturn]] void raise(const Failure& failure);

/// How the transport's attempt ended, in gSOAP's terms but without gSOAP's numbers.
enum class TransportOutcome {
  Tls,        ///< SOAP_SSL_ERROR
  SoapFault,  ///< SOAP_FAULT: a fault was parsed
  Tcp,        ///< SOAP_TCP_ERROR: connecting, sending or receiving failed
  Eof,        ///< SOAP_EOF: the input ended
  Http,       ///< SOAP_HTTP_ERROR
  Other,      ///< anything else (a syntax error, a missing element...)
};

/// Everything the mapping of a failed attempt looks at.
struct FailedAttempt {
  Operation operation{};
  bool write = false;  ///< The operation changes data (is_write): never resent once its request went out.
  TransportOutcome outcome = TransportOutcome::Other;
  std::string framing_error;        ///< What is wrong with the response's HTTP framing; empty when sound.
  bool timed_out = false;           ///< A wait for data expired.
  bool deadline_hit = false;        ///< ... and it was the whole-call deadline that ended it.
  bool deadline_is_budget = false;  ///< The deadline is the retry layer's budget, not Options::call_timeout.
  bool deadline_passed = false;     ///< The deadline had (all but) passed when the attempt ended.
  bool too_large = false;           ///< The response exceeded Options::max_response_bytes.
  std::uint64_t max_response_bytes = 0;
  std::string ssl_setup_error;  ///< Why the TLS context could not be made (CA store), if it could not.
  std::string tls_reason;       ///< Why OpenSSL refused the peer's certificate, if it did.
  std::string fault_code;       ///< The faultcode gSOAP parsed (it rewrites unknown prefixes).
  std::string fault_string;     ///< gSOAP's fault string (the SOAP faultstring, or its own error text).
  std::string fault_detail;     ///< gSOAP's fault detail.
  int errnum = 0;               ///< errno of the failed socket call.
  std::optional<int> http_status;
  std::string retry_after;  ///< The Retry-After header's value.
  std::string body;         ///< The response body (de-chunked, decompressed).
  std::chrono::milliseconds elapsed{0};
  bool sent_anything = false;                    ///< Any byte of the request went out.
  std::chrono::milliseconds connect_timeout{0};  ///< Options::connect_timeout (0: none).
};

/// The error a failed attempt ends with. `base` supplies the support capture and endpoint; `scrub` removes the
/// call's secrets from every text the server sent.
Failure map_failed_attempt(const FailedAttempt& attempt, const Error::Details& base, const Scrub& scrub);

/// The error of an attempt that never began: the deadline had passed before anything was sent (pacing, earlier
/// attempts). `budget`: the deadline is the retry layer's (Exchange::deadline), not Options::call_timeout.
Failure expired_before_send(Operation op, bool budget, const Error::Details& base);

/// The service's own failure report in a response that arrived (HTTP 200 with a result element, or without).
struct ServiceReport {
  bool result_present = true;  ///< The response has its <Operation>Result element.
  // ErrorResponse
  bool is_error = false;
  std::string error_message;
  std::string stack_trace;
  // SecurityResponse (the flags are absent when the element is, or when the service left them out)
  std::optional<bool> customer_key_valid;
  std::optional<bool> authenticated;
  std::optional<bool> authorized;
  std::optional<bool> security_result_success;
  std::string security_result;
  std::vector<std::string> permissions_missing;
  std::vector<std::string> practices_authorized;
  // An operation whose credentials go inline in the request (the table's credentials = "inline"): its result has
  // no SecurityResponse; IsAuthorized and CustomerId tell.
  bool customer_id_result = false;
  std::optional<bool> is_authorized;
  std::optional<int> customer_id;
};

/// The error the service's report describes, or nothing when the call succeeded.
std::optional<Failure> map_service_report(Operation op, const ServiceReport& report, const Error::Details& base,
                                          const Scrub& scrub);

/// The faultcode as written on the wire ("a:InternalServiceFault"); empty when `xml` has none.
std::string wire_fault_code(const std::string& xml);
/// Whether `body` looks like a SOAP envelope.
bool looks_like_soap(const std::string& body);
/// The first 512 bytes of `body` on one line.
std::string excerpt(const std::string& body);
/// How a deadline is named in messages: the attempt's own limit or the whole call's.
std::string deadline_name(bool budget);

}  // namespace kareo::detail
