#include "operations/exchange_access.hpp"

#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "kareo/wire.hpp"
#include "kareo_wireH.h"

namespace kareo::detail {
namespace {

using namespace kareo_wire;

std::string key_of_header(const kareo__RequestHeader* header) {
  if (header == nullptr || !header->CustomerKey) return {};
  return *header->CustomerKey;
}

template <Operation Op>
std::string key_of(const Exchange& exchange) {
  using T = wire::Traits<Op>;
  const auto& payload = T::payload(exchange.request<Op>());
  if (!payload) return {};
  if constexpr (std::is_base_of_v<kareo__RequestBase, typename T::Payload>) {
    return key_of_header(payload->RequestHeader.get());
  } else {
    return payload->CustomerKey.value_or(std::string());  // credentials directly in the request
  }
}

}  // namespace

std::string customer_key_of(const Exchange& exchange) {
  switch (exchange.operation) {
#define KAREO_DETAIL_CASE(Name, M, P, R) \
  case Operation::Name:                  \
    return key_of<Operation::Name>(exchange);
    KAREO_OPERATION_LIST(KAREO_DETAIL_CASE)
#undef KAREO_DETAIL_CASE
  }
  return {};
}

void reset_response(Exchange& exchange) {
  switch (exchange.operation) {
#define KAREO_DETAIL_CASE(Name, M, P, R)                                                 \
  case Operation::Name:                                                                  \
    wire::Traits<Operation::Name>::result(exchange.response<Operation::Name>()).reset(); \
    return;
    KAREO_OPERATION_LIST(KAREO_DETAIL_CASE)
#undef KAREO_DETAIL_CASE
  }
}

std::string account_id(const std::string& customer_key) {
  // FNV-1a, 64 bits: stable across processes, builds and platforms (std::hash is not).
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : customer_key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "acct-%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace kareo::detail
