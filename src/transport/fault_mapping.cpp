#include "transport/fault_mapping.hpp"

#include <cctype>
#include <cstring>
#include <string_view>
#include <utility>

#include "kareo/wire.hpp"

namespace kareo::detail {
namespace {

using std::chrono::milliseconds;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Failure make(FailureClass c, std::string message, Error::Details details) {
  Failure f;
  f.what_class = c;
  f.message = std::move(message);
  f.details = std::move(details);
  return f;
}

// The part of a failed attempt's mapping that decides; map_failed_attempt fills in the common details first.
Failure classify(const FailedAttempt& a, Error::Details details, const Scrub& scrub) {
  const bool read = !a.write;
  const std::string op(operation_name(a.operation));
  if (!a.framing_error.empty()) {
    details.retryable = false;
    return make(FailureClass::MalformedResponse,
                op + ": response refused: its HTTP framing is broken: " + a.framing_error, details);
  }
  if (a.timed_out) {
    details.retryable = read;
    details.server_message.clear();
    return make(FailureClass::TimeoutError,
                op + ": " +
                    (a.deadline_hit ? deadline_name(a.deadline_is_budget) + " expired"
                                    : std::string("no data received within the receive timeout")) +
                    " after " + std::to_string(a.elapsed.count()) + " ms",
                details);
  }
  if (a.too_large) {
    details.retryable = false;
    return make(FailureClass::MalformedResponse,
                op + ": response larger than the limit of " + std::to_string(a.max_response_bytes) +
                    " bytes (Options::max_response_bytes)",
                details);
  }
  if (a.outcome == TransportOutcome::Tls) {
    details.retryable = false;
    std::string why = !a.ssl_setup_error.empty() ? a.ssl_setup_error : a.fault_string;
    if (!a.fault_detail.empty()) why += (why.empty() ? "" : ": ") + a.fault_detail;
    if (!a.tls_reason.empty() && why.find(a.tls_reason) == std::string::npos) why += "; " + a.tls_reason;
    for (char& c : why) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return make(FailureClass::TlsError, op + ": TLS failed: " + scrub(why.empty() ? "handshake refused" : why),
                details);
  }
  if (a.outcome == TransportOutcome::SoapFault) {
    const std::string written = wire_fault_code(a.body);
    const std::string code = written.empty() ? a.fault_code : written;
    details.server_message = scrub(a.fault_string);
    details.retryable = read;
    Failure f = make(FailureClass::SoapFault, op + ": SOAP fault " + code + ": " + details.server_message, details);
    f.fault_code = code;
    return f;
  }
  if (a.http_status && *a.http_status >= 300 && !looks_like_soap(a.body)) {
    const int status = *a.http_status;
    if (status == 429) {
      milliseconds interval = published_interval(a.operation);
      try {
        if (!a.retry_after.empty()) interval = std::chrono::seconds(std::stoi(a.retry_after));
      } catch (...) {
      }
      details.server_message = scrub(excerpt(a.body));
      Failure f = make(FailureClass::Throttled,
                       op + ": HTTP 429 Too Many Requests; wait " + std::to_string(interval.count()) + " ms", details);
      f.interval = interval;
      f.throttled_endpoint = op;
      return f;
    }
    details.retryable = read && (status >= 500 || status == 408);
    details.server_message = scrub(excerpt(a.body));
    Failure f =
        make(FailureClass::HttpError, op + ": HTTP " + std::to_string(status) + " with a non-SOAP body", details);
    f.body_excerpt = details.server_message;
    return f;
  }
  if (a.outcome == TransportOutcome::Tcp ||
      (!a.http_status && (a.outcome == TransportOutcome::Eof || a.outcome == TransportOutcome::Http))) {
    const auto ms = a.elapsed;
    if (!a.sent_anything && a.deadline_passed) {
      details.retryable = read;
      return make(FailureClass::TimeoutError,
                  op + ": connecting timed out after " + std::to_string(ms.count()) + " ms (" +
                      deadline_name(a.deadline_is_budget) + " expired)",
                  details);
    }
    if (!a.sent_anything && a.connect_timeout.count() > 0 && ms >= a.connect_timeout - milliseconds(50)) {
      details.retryable = read;
      return make(FailureClass::TimeoutError, op + ": connecting timed out after " + std::to_string(ms.count()) + " ms",
                  details);
    }
    // A write whose request went out may have been applied: the retry layer must not resend it.
    details.retryable = read || !a.sent_anything;
    std::string what = a.fault_string.empty() ? "connection failed" : a.fault_string;
    if (a.errnum) what += std::string(" (") + std::strerror(a.errnum) + ")";
    return make(FailureClass::ConnectionError,
                op + ": " + scrub(what) +
                    (a.sent_anything ? (a.http_status ? "" : "; the connection closed before a response arrived") : ""),
                details);
  }
  details.retryable = false;
  details.server_message = scrub(a.fault_string);
  std::string what;
  if (a.body.empty()) {
    what = "empty response";
  } else if (a.body.find('<') == std::string::npos) {
    what = "response is not XML";
  } else if (!looks_like_soap(a.body)) {
    what = "response is not a SOAP envelope";
  } else {
    what = "response could not be parsed (truncated, or not the expected " + op + "Response element)";
  }
  return make(FailureClass::MalformedResponse,
              op + ": " + what + (a.fault_string.empty() ? "" : ": " + details.server_message), details);
}

Failure security_failure(Operation op, const ServiceReport& r, const Error::Details& base, const Scrub& scrub) {
  const std::string name(operation_name(op));
  Error::Details d = base;
  d.operation = op;
  d.retryable = false;
  d.server_message = scrub(r.security_result);
  const bool key_valid = r.customer_key_valid.value_or(true);
  const bool authenticated = r.authenticated.value_or(true);
  const std::string said = d.server_message.empty() ? std::string() : " (" + d.server_message + ")";
  if (!key_valid || !authenticated) {
    const std::string what =
        !key_valid ? "the customer key was not accepted" : "the user name or password was not accepted";
    Failure f = make(FailureClass::AuthenticationFailed, name + ": authentication failed: " + what + said, d);
    f.customer_key_valid = key_valid;
    f.authenticated = authenticated;
    return f;
  }
  std::string what = name + ": not authorized" + said;
  if (!r.permissions_missing.empty()) {
    what += "; permissions missing:";
    for (const auto& m : r.permissions_missing) what += " " + m;
  }
  Failure f = make(FailureClass::NotAuthorized, what, d);
  f.permissions_missing = r.permissions_missing;
  f.practices_authorized = r.practices_authorized;
  return f;
}

}  // namespace

[[noreturn]] void raise(const Failure& f) {
  switch (f.what_class) {
    case FailureClass::MalformedResponse:
      throw MalformedResponse(f.message, f.details);
    case FailureClass::TimeoutError:
      throw TimeoutError(f.message, f.details);
    case FailureClass::TlsError:
      throw TlsError(f.message, f.details);
    case FailureClass::SoapFault:
      throw SoapFault(f.message, f.details, f.fault_code, f.details.server_message);
    case FailureClass::Throttled:
      throw Throttled(f.message, f.details, f.interval, f.throttled_endpoint);
    case FailureClass::HttpError:
      throw HttpError(f.message, f.details, f.body_excerpt);
    case FailureClass::ConnectionError:
      throw ConnectionError(f.message, f.details);
    case FailureClass::AuthenticationFailed:
      throw AuthenticationFailed(f.message, f.details, f.customer_key_valid, f.authenticated);
    case FailureClass::NotAuthorized:
      throw NotAuthorized(f.message, f.details, f.permissions_missing, f.practices_authorized);
    case FailureClass::ServiceError:
      throw ServiceError(f.message, f.details, f.stack_trace);
  }
  throw MalformedResponse(f.message, f.details);
}

Failure map_failed_attempt(const FailedAttempt& attempt, const Error::Details& base, const Scrub& scrub) {
  Error::Details details = base;
  details.operation = attempt.operation;
  details.http_status = attempt.http_status;
  return classify(attempt, std::move(details), scrub);
}

Failure expired_before_send(Operation op, bool budget, const Error::Details& base) {
  Error::Details details = base;
  details.operation = op;
  details.retryable = false;
  return make(FailureClass::TimeoutError,
              std::string(operation_name(op)) + ": " + deadline_name(budget) + " expired before the request was sent",
              details);
}

std::optional<Failure> map_service_report(Operation op, const ServiceReport& r, const Error::Details& base,
                                          const Scrub& scrub) {
  const std::string name(operation_name(op));
  if (!r.result_present) {
    Error::Details d = base;
    d.operation = op;
    return make(FailureClass::MalformedResponse, name + ": the response has no " + name + "Result element", d);
  }
  if (r.customer_id_result) {
    if (r.is_authorized == std::optional<bool>(false) || r.customer_id.value_or(0) < 0) {
      Error::Details d = base;
      d.operation = op;
      d.retryable = false;
      Failure f = make(FailureClass::AuthenticationFailed,
                       name + ": the service did not authorize the customer key, user and password", d);
      f.customer_key_valid = r.customer_id.value_or(-1) >= 0;
      f.authenticated = false;
      return f;
    }
    return std::nullopt;
  }
  // A throttled call comes first: the service refuses it before looking at the credentials, and may send a
  // SecurityResponse of default (false) values along with the "429: ..." error.
  if (r.is_error) {
    Error::Details d = base;
    d.operation = op;
    d.server_message = scrub(r.error_message);
    if (auto notice = wire::parse_throttle_message(d.server_message)) {
      Failure f = make(FailureClass::Throttled, name + ": throttled: " + d.server_message, d);
      f.interval = notice->interval;
      f.throttled_endpoint = notice->endpoint;
      return f;
    }
    if (trim(d.server_message).rfind("429", 0) == 0) {
      Failure f = make(FailureClass::Throttled, name + ": throttled: " + d.server_message, d);
      f.interval = published_interval(op);
      f.throttled_endpoint = name;
      return f;
    }
  }
  const bool security_failed =
      r.customer_key_valid == std::optional<bool>(false) || r.authenticated == std::optional<bool>(false) ||
      r.authorized == std::optional<bool>(false) || r.security_result_success == std::optional<bool>(false);
  if (security_failed) return security_failure(op, r, base, scrub);
  if (r.is_error) {
    Error::Details d = base;
    d.operation = op;
    d.server_message = scrub(r.error_message);
    d.retryable = false;
    Failure f = make(FailureClass::ServiceError,
                     name + ": the service reported an error: " +
                         (d.server_message.empty() ? std::string("(no message)") : d.server_message),
                     d);
    f.stack_trace = scrub(r.stack_trace);
    return f;
  }
  return std::nullopt;
}

std::string wire_fault_code(const std::string& xml) {
  const auto at = xml.find("faultcode");
  if (at == std::string::npos) return {};
  const auto gt = xml.find('>', at);
  if (gt == std::string::npos || xml[gt - 1] == '/') return {};
  const auto lt = xml.find('<', gt);
  if (lt == std::string::npos) return {};
  std::string code = xml.substr(gt + 1, lt - gt - 1);
  code.erase(0, code.find_first_not_of(" \t\r\n"));
  code.erase(code.find_last_not_of(" \t\r\n") + 1);
  return code;
}

bool looks_like_soap(const std::string& body) {
  return body.find("Envelope") != std::string::npos && body.find('<') != std::string::npos;
}

std::string excerpt(const std::string& body) {
  std::string e = body.substr(0, 512);
  for (char& c : e) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return e;
}

std::string deadline_name(bool budget) {
  return budget ? "the whole-call timeout (the call's time budget, RetryPolicy::max_elapsed)"
                : "the whole-call timeout (Options::call_timeout)";
}

}  // namespace kareo::detail
