#include "kareo/wire.hpp"

#include <cctype>
#include <type_traits>

#include "client/facade_internal.hpp"

namespace kareo::wire {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string op_name(Operation op) { return std::string(operation_name(op)); }

using Scrub = detail::Scrub;

[[noreturn]] void throw_security(Operation op, const kareo_wire::kareo__SecurityResponse& s, const Error::Details& base,
                                 const Scrub& scrub) {
  Error::Details d = base;
  d.operation = op;
  d.retryable = false;
  d.server_message = scrub(s.SecurityResult.value_or(""));
  const bool key_valid = s.CustomerKeyValid.value_or(true);
  const bool authenticated = s.Authenticated.value_or(true);
  const std::string said = d.server_message.empty() ? std::string() : " (" + d.server_message + ")";
  if (!key_valid || !authenticated) {
    const std::string what =
        !key_valid ? "the customer key was not accepted" : "the user name or password was not accepted";
    throw AuthenticationFailed(op_name(op) + ": authentication failed: " + what + said, d, key_valid, authenticated);
  }
  std::vector<std::string> missing;
  if (s.PermissionsMissing && s.PermissionsMissing->Permission) missing = s.PermissionsMissing->Permission->string;
  std::vector<std::string> practices;
  if (s.PracticesAuthorized && s.PracticesAuthorized->PracticeID) {
    for (int id : s.PracticesAuthorized->PracticeID->int_) practices.push_back(std::to_string(id));
  }
  std::string what = op_name(op) + ": not authorized" + said;
  if (!missing.empty()) {
    what += "; permissions missing:";
    for (const auto& m : missing) what += " " + m;
  }
  throw NotAuthorized(what, d, std::move(missing), std::move(practices));
}

void check_base(Operation op, const kareo_wire::kareo__ResponseBase& r, const Error::Details& base,
                const Scrub& scrub) {
  // A throttled call comes first: the service refuses it before looking at the credentials, and may send a
  // SecurityResponse of default (false) values along with the "429: ..." error.
  if (const auto& e = r.ErrorResponse; e && e->IsError.value_or(false)) {
    Error::Details d = base;
    d.operation = op;
    d.server_message = scrub(e->ErrorMessage.value_or(""));
    if (auto notice = parse_throttle_message(d.server_message)) {
      throw Throttled(op_name(op) + ": throttled: " + d.server_message, d, notice->interval, notice->endpoint);
    }
    if (trim(d.server_message).rfind("429", 0) == 0) {
      throw Throttled(op_name(op) + ": throttled: " + d.server_message, d, published_interval(op), op_name(op));
    }
  }
  if (const auto& s = r.SecurityResponse) {
    const bool failed = s->CustomerKeyValid == std::optional<bool>(false) ||
                        s->Authenticated == std::optional<bool>(false) || s->Authorized == std::optional<bool>(false) ||
                        s->SecurityResultSuccess == std::optional<bool>(false);
    if (failed) throw_security(op, *s, base, scrub);
  }
  if (const auto& e = r.ErrorResponse) {
    if (e->IsError.value_or(false)) {
      Error::Details d = base;
      d.operation = op;
      d.server_message = scrub(e->ErrorMessage.value_or(""));
      d.retryable = false;
      throw ServiceError(op_name(op) + ": the service reported an error: " +
                             (d.server_message.empty() ? std::string("(no message)") : d.server_message),
                         d, scrub(e->StackTrace.value_or("")));
    }
  }
}

template <Operation Op>
void check(const void* response, const Error::Details& base, const Scrub& scrub) {
  using T = Traits<Op>;
  auto* r = static_cast<typename T::Response*>(const_cast<void*>(response));
  const auto& result = T::result(*r);
  if (!result) {
    Error::Details d = base;
    d.operation = Op;
    throw MalformedResponse(op_name(Op) + ": the response has no " + op_name(Op) + "Result element", d);
  }
  if constexpr (std::is_base_of_v<kareo_wire::kareo__ResponseBase, typename T::Result>) {
    check_base(Op, *result, base, scrub);
  } else {
    // GetCustomerIdFromKey has no SecurityResponse: IsAuthorized and CustomerId tell.
    if (result->IsAuthorized == std::optional<bool>(false) || result->CustomerId.value_or(0) < 0) {
      Error::Details d = base;
      d.operation = Op;
      d.retryable = false;
      throw AuthenticationFailed(op_name(Op) + ": the service did not authorize the customer key, user and password", d,
                                 result->CustomerId.value_or(-1) >= 0, false);
    }
  }
}

}  // namespace

std::optional<ThrottleNotice> parse_throttle_message(std::string_view message) {
  message = trim(message);
  const auto marker = message.find(" endpoint requested more than allowed");
  if (marker == std::string_view::npos) return std::nullopt;
  std::string_view head = trim(message.substr(0, marker));
  if (head.rfind("429", 0) == 0) {
    head.remove_prefix(3);
    while (!head.empty() && (head.front() == ':' || std::isspace(static_cast<unsigned char>(head.front())))) {
      head.remove_prefix(1);
    }
  }
  const auto space = head.find_last_of(" \t");
  if (space != std::string_view::npos) head = head.substr(space + 1);
  const auto interval_at = message.find("interval", marker);
  if (interval_at == std::string_view::npos) return std::nullopt;
  std::size_t i = interval_at + 8;
  while (i < message.size() && std::isspace(static_cast<unsigned char>(message[i]))) ++i;
  long long value = 0;
  std::size_t digits = 0;
  while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i])) && digits < 12) {
    value = value * 10 + (message[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  std::string_view unit = trim(message.substr(i));
  std::chrono::milliseconds interval{value};
  if (unit.rfind("second", 0) == 0) interval = std::chrono::seconds(value);
  return ThrottleNotice{std::string(head), interval};
}

void check_response(Operation op, const void* response, const Error::Details& details) {
  detail::check_response(op, response, details, [](std::string s) { return s; });
}

}  // namespace kareo::wire

namespace kareo::detail {

void check_response(Operation op, const void* response, const Error::Details& details, const Scrub& scrub) {
  if (!response) throw InvalidArgument("check_response: no response", op);
  switch (op) {
#define KAREO_CHECK_(Name, M, P, R)                         \
  case Operation::Name:                                     \
    wire::check<Operation::Name>(response, details, scrub); \
    return;
    KAREO_OPERATION_LIST(KAREO_CHECK_)
#undef KAREO_CHECK_
  }
}

}  // namespace kareo::detail
