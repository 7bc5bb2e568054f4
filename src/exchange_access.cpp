#include "exchange_access.hpp"

#include <cstdint>
#include <cstdio>

#include "kareo_wireH.h"

namespace kareo::detail {
namespace {

using namespace kareo_wire;

// Every operation whose body wrapper holds its request in a member named `request`, except GetCustomerIdFromKey
// (credentials directly in the request) and UpdatePatient (member named `UpdatePatientReq`).
#define KAREO_DETAIL_STANDARD_OPERATIONS(X) \
  X(CreateAppointment)                      \
  X(CreateDocument)                         \
  X(CreateEncounter)                        \
  X(CreatePatient)                          \
  X(CreatePayment)                          \
  X(DeleteAppointment)                      \
  X(DeleteDocument)                         \
  X(GetAllPatients)                         \
  X(GetAppointment)                         \
  X(GetAppointments)                        \
  X(GetCharges)                             \
  X(GetEncounterDetails)                    \
  X(GetExternalVendors)                     \
  X(GetPatient)                             \
  X(GetPatients)                            \
  X(GetPayments)                            \
  X(GetPractices)                           \
  X(GetProcedureCodes)                      \
  X(GetProviders)                           \
  X(GetServiceLocations)                    \
  X(GetThrottles)                           \
  X(GetTransactions)                        \
  X(RegisterExternalVendor)                 \
  X(UpdateAppointment)                      \
  X(UpdateEncounterStatus)                  \
  X(UpdatePatientsExternalID)

std::string key_of_header(const kareo__RequestHeader* header) {
  if (header == nullptr || !header->CustomerKey) return {};
  return *header->CustomerKey;
}

}  // namespace

std::string customer_key_of(const Exchange& exchange) {
  if (exchange.request == nullptr) return {};
  switch (exchange.operation) {
#define KAREO_DETAIL_CASE(Op)                                                                 \
  case Operation::Op: {                                                                       \
    const auto* body = static_cast<const _kareo__##Op*>(exchange.request);                    \
    return body->request ? key_of_header(body->request->RequestHeader.get()) : std::string(); \
  }
    KAREO_DETAIL_STANDARD_OPERATIONS(KAREO_DETAIL_CASE)
#undef KAREO_DETAIL_CASE
    case Operation::UpdatePatient: {
      const auto* body = static_cast<const _kareo__UpdatePatient*>(exchange.request);
      return body->UpdatePatientReq ? key_of_header(body->UpdatePatientReq->RequestHeader.get()) : std::string();
    }
    case Operation::GetCustomerIdFromKey: {
      const auto* body = static_cast<const _kareo__GetCustomerIdFromKey*>(exchange.request);
      return body->request && body->request->CustomerKey ? *body->request->CustomerKey : std::string();
    }
  }
  return {};
}

void reset_response(Exchange& exchange) {
  if (exchange.response == nullptr) return;
  switch (exchange.operation) {
#define KAREO_DETAIL_CASE(Op)                                                    \
  case Operation::Op:                                                            \
    static_cast<_kareo__##Op##Response*>(exchange.response)->Op##Result.reset(); \
    return;
    KAREO_DETAIL_STANDARD_OPERATIONS(KAREO_DETAIL_CASE)
    KAREO_DETAIL_CASE(UpdatePatient)
    KAREO_DETAIL_CASE(GetCustomerIdFromKey)
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
