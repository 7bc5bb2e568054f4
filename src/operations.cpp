#include "kareo/operations.hpp"

namespace kareo {
namespace {

using std::chrono::milliseconds;

struct Info {
  Operation op;
  std::string_view name;
  bool write;
  milliseconds interval;
};

// The rate limits are those of the vendor's guide (April 2025); GetThrottles reports the live values.
constexpr std::array<Info, kOperationCount> kInfo{{
    {Operation::CreateAppointment, "CreateAppointment", true, milliseconds(500)},
    {Operation::CreateDocument, "CreateDocument", true, milliseconds(1000)},
    {Operation::CreateEncounter, "CreateEncounter", true, milliseconds(500)},
    {Operation::CreatePatient, "CreatePatient", true, milliseconds(500)},
    {Operation::CreatePayment, "CreatePayment", true, milliseconds(500)},
    {Operation::DeleteAppointment, "DeleteAppointment", true, milliseconds(500)},
    {Operation::DeleteDocument, "DeleteDocument", true, milliseconds(1000)},
    {Operation::GetAllPatients, "GetAllPatients", false, milliseconds(5000)},
    {Operation::GetAppointment, "GetAppointment", false, milliseconds(500)},
    {Operation::GetAppointments, "GetAppointments", false, milliseconds(1000)},
    {Operation::GetCharges, "GetCharges", false, milliseconds(1000)},
    {Operation::GetCustomerIdFromKey, "GetCustomerIdFromKey", false, milliseconds(1000)},
    {Operation::GetEncounterDetails, "GetEncounterDetails", false, milliseconds(500)},
    {Operation::GetExternalVendors, "GetExternalVendors", false, milliseconds(1000)},
    {Operation::GetPatient, "GetPatient", false, milliseconds(250)},
    {Operation::GetPatients, "GetPatients", false, milliseconds(1000)},
    {Operation::GetPayments, "GetPayments", false, milliseconds(1000)},
    {Operation::GetPractices, "GetPractices", false, milliseconds(500)},
    {Operation::GetProcedureCodes, "GetProcedureCodes", false, milliseconds(500)},
    {Operation::GetProviders, "GetProviders", false, milliseconds(500)},
    {Operation::GetServiceLocations, "GetServiceLocations", false, milliseconds(500)},
    {Operation::GetThrottles, "GetThrottles", false, milliseconds(5000)},
    {Operation::GetTransactions, "GetTransactions", false, milliseconds(1000)},
    {Operation::RegisterExternalVendor, "RegisterExternalVendor", true, milliseconds(1000)},
    {Operation::UpdateAppointment, "UpdateAppointment", true, milliseconds(500)},
    {Operation::UpdateEncounterStatus, "UpdateEncounterStatus", true, milliseconds(500)},
    {Operation::UpdatePatient, "UpdatePatient", true, milliseconds(1000)},
    {Operation::UpdatePatientsExternalID, "UpdatePatientsExternalID", true, milliseconds(1000)},
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kInfo.size(); ++i) {
    if (static_cast<std::size_t>(kInfo[i].op) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kInfo must list the operations in enumeration order");

const Info& info(Operation op) noexcept { return kInfo[static_cast<std::size_t>(op)]; }

}  // namespace

const std::array<Operation, kOperationCount>& all_operations() noexcept {
  static const std::array<Operation, kOperationCount> ops = [] {
    std::array<Operation, kOperationCount> a{};
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = kInfo[i].op;
    return a;
  }();
  return ops;
}

std::string_view operation_name(Operation op) noexcept { return info(op).name; }

std::optional<Operation> operation_from_name(std::string_view name) noexcept {
  for (const auto& i : kInfo) {
    if (i.name == name) return i.op;
  }
  return std::nullopt;
}

std::string soap_action(Operation op) {
  return "http://www.kareo.com/api/schemas/KareoServices/" + std::string(operation_name(op));
}

bool is_write(Operation op) noexcept { return info(op).write; }

std::chrono::milliseconds published_interval(Operation op) noexcept { return info(op).interval; }

}  // namespace kareo
