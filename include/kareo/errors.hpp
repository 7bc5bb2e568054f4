// clang-format off
/// @file
/// @brief Every way a call can fail, as one exception hierarchy under kareo::Error.
///
/// | the service (or network) says                                    | exception             | retry helps         | CLI exit |
/// |-------------------------------------------------------------------|-----------------------|---------------------|----------|
/// | bad argument found before sending                                 | InvalidArgument       | no                  | 2        |
/// | SecurityResponse: Authenticated=false or CustomerKeyValid=false   | AuthenticationFailed  | no                  | 3        |
/// | SecurityResponse: Authorized=false                                | NotAuthorized         | no                  | 4        |
/// | "429: {operation} ... interval N milliseconds", or HTTP 429      | Throttled             | yes, after N ms     | 5        |
/// | ErrorResponse IsError=true, anything else                         | ServiceError          | no                  | 6        |
/// | SOAP Fault (InternalServiceFault, ...)                            | SoapFault             | once, for reads     | 7        |
/// | connection refused/reset, timeout, TLS, HTTP error non-SOAP body  | TransportError family | yes, for reads      | 8        |
/// | not XML, truncated, not the expected element, too large          | MalformedResponse     | no                  | 9        |
/// | a write failed after the request may have reached the server      | AmbiguousOutcome      | never automatically | 10       |
// clang-format on
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kareo/operations.hpp"

namespace kareo {

/// The class of a failure; one value per row of the table above.
enum class ErrorKind {
  InvalidArgument,       ///< Refused before sending.
  AuthenticationFailed,  ///< Bad customer key, user or password.
  NotAuthorized,         ///< Authenticated, but lacking permissions or practice access.
  Throttled,             ///< Over the account's rate limit.
  ServiceError,          ///< ErrorResponse with IsError=true.
  SoapFault,             ///< A SOAP Fault, e.g. InternalServiceFault.
  Transport,             ///< Connection, timeout, TLS or HTTP failure.
  MalformedResponse,     ///< The response could not be understood.
  AmbiguousOutcome,      ///< A write may or may not have been applied.
};

/// The request and response XML of a failed call: what Tebra support asks for. The credentials are always
/// replaced by "***". By default every other text is masked too, except allow-listed elements (IDs, dates other
/// than dates of birth, flags, error texts, SOAP structure), so the capture can be logged without exposing patient
/// data; Options::support_capture(WireTrace::WithPatientData) keeps all other texts.
struct SupportCapture {
  std::string endpoint;      ///< The URL the request was sent to.
  std::string request_xml;   ///< The request as sent, redacted.
  std::string response_xml;  ///< The response as received, redacted (may be empty or partial).
  /// True when the XML keeps patient data (Options::support_capture(WireTrace::WithPatientData)): handle it as
  /// protected health information.
  bool patient_data = false;
  /// True when nothing was captured (e.g. the call failed before sending).
  bool empty() const noexcept { return request_xml.empty() && response_xml.empty(); }
};

/// Base of every exception this library throws.
class Error : public std::runtime_error {
 public:
  /// Details common to every failure.
  struct Details {
    ErrorKind kind = ErrorKind::ServiceError;  ///< The class of failure.
    std::optional<Operation> operation;        ///< The operation that failed, when there was one.
    bool retryable = false;                    ///< Whether trying again later can help.
    std::optional<int> http_status;            ///< The HTTP status, when a response arrived.
    std::string server_message;                ///< The server's own words (fault string, ErrorMessage...).
    SupportCapture capture;                    ///< Redacted request and response, when captured.
  };

  /// Builds an error whose what() is `message`.
  Error(const std::string& message, Details details);

  /// The class of failure.
  ErrorKind kind() const noexcept { return details_.kind; }
  /// The operation that failed, if the failure belongs to one.
  std::optional<Operation> operation() const noexcept { return details_.operation; }
  /// The operation's name, or an empty string.
  std::string operation_name() const;
  /// Whether trying again (later) can help.
  bool retryable() const noexcept { return details_.retryable; }
  /// The HTTP status of the response, if one arrived.
  std::optional<int> http_status() const noexcept { return details_.http_status; }
  /// The server's own message (fault string, ErrorMessage, SecurityResult...), if any.
  const std::string& server_message() const noexcept { return details_.server_message; }
  /// The request and response XML with credentials masked, for a support ticket.
  const SupportCapture& support_capture() const noexcept { return details_.capture; }
  /// The exit code of the `kareo` tool for this class of failure (2..10).
  int exit_code() const noexcept;
  /// A short hint on what to do about this failure.
  std::string hint() const;
  /// All details.
  const Details& details() const noexcept { return details_; }

 private:
  Details details_;
};

/// A caller's argument was refused before anything was sent.
class InvalidArgument : public Error {
 public:
  /// `message` says which argument and why.
  InvalidArgument(const std::string& message, std::optional<Operation> op = std::nullopt);
};

/// The service did not accept the customer key, user or password.
class AuthenticationFailed : public Error {
 public:
  /// Built from the SecurityResponse.
  AuthenticationFailed(const std::string& message, Details details, bool customer_key_valid, bool authenticated);
  /// False when the customer key itself was refused.
  bool customer_key_valid() const noexcept { return customer_key_valid_; }
  /// False when the user name or password was refused.
  bool authenticated() const noexcept { return authenticated_; }

 private:
  bool customer_key_valid_;
  bool authenticated_;
};

/// The user is authenticated but may not do this.
class NotAuthorized : public Error {
 public:
  /// Built from the SecurityResponse.
  NotAuthorized(const std::string& message, Details details, std::vector<std::string> permissions_missing,
                std::vector<std::string> practices_authorized);
  /// The permissions the user lacks for this operation.
  const std::vector<std::string>& permissions_missing() const noexcept { return permissions_missing_; }
  /// The practices the user may access.
  const std::vector<std::string>& practices_authorized() const noexcept { return practices_authorized_; }

 private:
  std::vector<std::string> permissions_missing_;
  std::vector<std::string> practices_authorized_;
};

/// The account went over its rate limit for an operation.
class Throttled : public Error {
 public:
  /// `interval` is the server's named interval; `endpoint` the operation it named.
  Throttled(const std::string& message, Details details, std::chrono::milliseconds interval, std::string endpoint);
  /// How long the server asked to wait.
  std::chrono::milliseconds interval() const noexcept { return interval_; }
  /// The endpoint (operation) name the server reported.
  const std::string& endpoint() const noexcept { return endpoint_; }

 private:
  std::chrono::milliseconds interval_;
  std::string endpoint_;
};

/// ErrorResponse with IsError=true that is not throttling.
class ServiceError : public Error {
 public:
  /// `stack_trace` is the server's StackTrace member when it sent one.
  ServiceError(const std::string& message, Details details, std::string stack_trace = {});
  /// The server's StackTrace text, if any.
  const std::string& stack_trace() const noexcept { return stack_trace_; }

 private:
  std::string stack_trace_;
};

/// A SOAP Fault (for example a:InternalServiceFault).
class SoapFault : public Error {
 public:
  /// `fault_code` and `fault_string` as sent.
  SoapFault(const std::string& message, Details details, std::string fault_code, std::string fault_string);
  /// The faultcode, e.g. "a:InternalServiceFault".
  const std::string& fault_code() const noexcept { return fault_code_; }
  /// The faultstring.
  const std::string& fault_string() const noexcept { return fault_string_; }
  /// True for WCF's InternalServiceFault.
  bool internal_service_fault() const noexcept;

 private:
  std::string fault_code_;
  std::string fault_string_;
};

/// The network, TLS or HTTP layer failed.
class TransportError : public Error {
 public:
  /// See Error::Error.
  TransportError(const std::string& message, Details details);
};

/// The connection could not be made, or was reset or closed early.
class ConnectionError : public TransportError {
 public:
  using TransportError::TransportError;
};

/// A connect, send, receive or whole-call timeout expired.
class TimeoutError : public TransportError {
 public:
  using TransportError::TransportError;
};

/// TLS failed: certificate not trusted, expired, wrong host name, or protocol below TLS 1.2.
class TlsError : public TransportError {
 public:
  using TransportError::TransportError;
};

/// An HTTP error status with a body that is not a SOAP envelope (an HTML error page, say).
class HttpError : public TransportError {
 public:
  /// `body_excerpt` is the start of the body, for diagnosis.
  HttpError(const std::string& message, Details details, std::string body_excerpt);
  /// The first bytes of the body.
  const std::string& body_excerpt() const noexcept { return body_excerpt_; }

 private:
  std::string body_excerpt_;
};

/// The response was not XML, was truncated, too large, or not the element expected.
class MalformedResponse : public Error {
 public:
  /// See Error::Error.
  MalformedResponse(const std::string& message, Details details);
};

/// A write failed after its request may have reached the server: it may or may not have been applied.
/// The library never resends it; look the record up (e.g. by ExternalID) before trying again.
class AmbiguousOutcome : public Error {
 public:
  /// `cause` describes the underlying failure (its what()).
  AmbiguousOutcome(const std::string& message, Details details, ErrorKind cause_kind, std::string cause);
  /// The class of the underlying failure (Transport, SoapFault...).
  ErrorKind cause_kind() const noexcept { return cause_kind_; }
  /// What the underlying failure said.
  const std::string& cause() const noexcept { return cause_; }

 private:
  ErrorKind cause_kind_;
  std::string cause_;
};

/// A short lower-case name of the kind for messages, e.g. "not authorized".
std::string_view error_kind_name(ErrorKind kind) noexcept;

}  // namespace kareo
