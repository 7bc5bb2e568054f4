#include "kareo/errors.hpp"

#include <utility>

namespace kareo {
namespace {

Error::Details with_kind(Error::Details details, ErrorKind kind) {
  details.kind = kind;
  return details;
}

}  // namespace

Error::Error(const std::string& message, Details details) : std::runtime_error(message), details_(std::move(details)) {}

std::string Error::operation_name() const {
  return details_.operation ? std::string(kareo::operation_name(*details_.operation)) : std::string();
}

int Error::exit_code() const noexcept {
  switch (details_.kind) {
    case ErrorKind::InvalidArgument:
      return 2;
    case ErrorKind::AuthenticationFailed:
      return 3;
    case ErrorKind::NotAuthorized:
      return 4;
    case ErrorKind::Throttled:
      return 5;
    case ErrorKind::ServiceError:
      return 6;
    case ErrorKind::SoapFault:
      return 7;
    case ErrorKind::Transport:
      return 8;
    case ErrorKind::MalformedResponse:
      return 9;
    case ErrorKind::AmbiguousOutcome:
      return 10;
  }
  return 1;
}

std::string Error::hint() const {
  switch (details_.kind) {
    case ErrorKind::InvalidArgument:
      return "Correct the argument named in the message; nothing was sent.";
    case ErrorKind::AuthenticationFailed:
      return "Check the customer key, user name and password (KAREO_CUSTOMER_KEY, KAREO_USER, KAREO_PASSWORD).";
    case ErrorKind::NotAuthorized:
      return "Ask the Tebra account administrator to grant the missing permissions or practice access to the API "
             "user.";
    case ErrorKind::Throttled:
      return "The account's rate limit was exceeded; wait the named interval before calling again.";
    case ErrorKind::ServiceError:
      return "The service refused the request; check the request's values against the message.";
    case ErrorKind::SoapFault:
      return "The service failed to process the request (often a malformed filter or a too-wide date range); "
             "narrow the request or contact Tebra support with the support capture.";
    case ErrorKind::Transport:
      return "The network or the service's front door failed; try again later and check connectivity, proxies "
             "and certificates.";
    case ErrorKind::MalformedResponse:
      return "The response could not be understood; contact Tebra support with the support capture.";
    case ErrorKind::AmbiguousOutcome:
      return "The write may or may not have been applied; look the record up (e.g. by its ExternalID) before "
             "sending it again.";
  }
  return {};
}

InvalidArgument::InvalidArgument(const std::string& message, std::optional<Operation> op)
    : Error(message, [&] {
        Details d;
        d.kind = ErrorKind::InvalidArgument;
        d.operation = op;
        return d;
      }()) {}

AuthenticationFailed::AuthenticationFailed(const std::string& message, Details details, bool customer_key_valid,
                                           bool authenticated)
    : Error(message, with_kind(std::move(details), ErrorKind::AuthenticationFailed)),
      customer_key_valid_(customer_key_valid),
      authenticated_(authenticated) {}

NotAuthorized::NotAuthorized(const std::string& message, Details details, std::vector<std::string> permissions_missing,
                             std::vector<std::string> practices_authorized)
    : Error(message, with_kind(std::move(details), ErrorKind::NotAuthorized)),
      permissions_missing_(std::move(permissions_missing)),
      practices_authorized_(std::move(practices_authorized)) {}

Throttled::Throttled(const std::string& message, Details details, std::chrono::milliseconds interval,
                     std::string endpoint)
    : Error(message,
            [&] {
              Details d = with_kind(std::move(details), ErrorKind::Throttled);
              d.retryable = true;
              return d;
            }()),
      interval_(interval),
      endpoint_(std::move(endpoint)) {}

ServiceError::ServiceError(const std::string& message, Details details, std::string stack_trace)
    : Error(message, with_kind(std::move(details), ErrorKind::ServiceError)), stack_trace_(std::move(stack_trace)) {}

SoapFault::SoapFault(const std::string& message, Details details, std::string fault_code, std::string fault_string)
    : Error(message, with_kind(std::move(details), ErrorKind::SoapFault)),
      fault_code_(std::move(fault_code)),
      fault_string_(std::move(fault_string)) {}

bool SoapFault::internal_service_fault() const noexcept {
  const std::string_view code = fault_code_;
  const auto colon = code.rfind(':');
  return (colon == std::string_view::npos ? code : code.substr(colon + 1)) == "InternalServiceFault";
}

TransportError::TransportError(const std::string& message, Details details)
    : Error(message, with_kind(std::move(details), ErrorKind::Transport)) {}

HttpError::HttpError(const std::string& message, Details details, std::string body_excerpt)
    : TransportError(message, std::move(details)), body_excerpt_(std::move(body_excerpt)) {}

MalformedResponse::MalformedResponse(const std::string& message, Details details)
    : Error(message, with_kind(std::move(details), ErrorKind::MalformedResponse)) {}

AmbiguousOutcome::AmbiguousOutcome(const std::string& message, Details details, ErrorKind cause_kind, std::string cause)
    : Error(message,
            [&] {
              Details d = with_kind(std::move(details), ErrorKind::AmbiguousOutcome);
              d.retryable = false;
              return d;
            }()),
      cause_kind_(cause_kind),
      cause_(std::move(cause)) {}

std::string_view error_kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::InvalidArgument:
      return "invalid argument";
    case ErrorKind::AuthenticationFailed:
      return "authentication failed";
    case ErrorKind::NotAuthorized:
      return "not authorized";
    case ErrorKind::Throttled:
      return "throttled";
    case ErrorKind::ServiceError:
      return "service error";
    case ErrorKind::SoapFault:
      return "SOAP fault";
    case ErrorKind::Transport:
      return "transport error";
    case ErrorKind::MalformedResponse:
      return "malformed response";
    case ErrorKind::AmbiguousOutcome:
      return "ambiguous outcome";
  }
  return "error";
}

}  // namespace kareo
