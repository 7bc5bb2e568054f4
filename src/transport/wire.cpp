#include "kareo/wire.hpp"

#include <cctype>
#include <type_traits>

#include "transport/fault_mapping.hpp"
#include "transport/response_checks.hpp"

namespace kareo::wire {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

using Scrub = detail::Scrub;

// The facts of the service's own failure report in a filled response body element.
template <Operation Op>
detail::ServiceReport report_of(const void* response) {
  using T = Traits<Op>;
  auto* r = static_cast<typename T::Response*>(const_cast<void*>(response));
  const auto& result = T::result(*r);
  detail::ServiceReport report;
  if (!result) {
    report.result_present = false;
    return report;
  }
  if constexpr (std::is_base_of_v<kareo_wire::kareo__ResponseBase, typename T::Result>) {
    if (const auto& e = result->ErrorResponse) {
      report.is_error = e->IsError.value_or(false);
      report.error_message = e->ErrorMessage.value_or("");
      report.stack_trace = e->StackTrace.value_or("");
    }
    if (const auto& s = result->SecurityResponse) {
      report.customer_key_valid = s->CustomerKeyValid;
      report.authenticated = s->Authenticated;
      report.authorized = s->Authorized;
      report.security_result_success = s->SecurityResultSuccess;
      report.security_result = s->SecurityResult.value_or("");
      if (s->PermissionsMissing && s->PermissionsMissing->Permission) {
        report.permissions_missing = s->PermissionsMissing->Permission->string;
      }
      if (s->PracticesAuthorized && s->PracticesAuthorized->PracticeID) {
        for (int id : s->PracticesAuthorized->PracticeID->int_)
          report.practices_authorized.push_back(std::to_string(id));
      }
    }
  } else {
    report.customer_id_result = true;
    report.is_authorized = result->IsAuthorized;
    report.customer_id = result->CustomerId;
  }
  return report;
}

template <Operation Op>
void check(const void* response, const Error::Details& base, const Scrub& scrub) {
  if (auto failure = detail::map_service_report(Op, report_of<Op>(response), base, scrub)) detail::raise(*failure);
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

void check_response(const Exchange& exchange, const Error::Details& details, const Scrub& scrub) {
  switch (exchange.operation) {
#define KAREO_CHECK_EXCHANGE_(Name, M, P, R)                                             \
  case Operation::Name:                                                                  \
    wire::check<Operation::Name>(&exchange.response<Operation::Name>(), details, scrub); \
    return;
    KAREO_OPERATION_LIST(KAREO_CHECK_EXCHANGE_)
#undef KAREO_CHECK_EXCHANGE_
  }
}

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
