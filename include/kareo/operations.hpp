/// @file
/// @brief The 28 operations of KareoServices 2.1 and what is known about each (name, SOAPAction, write or
/// read, published rate limit).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kareo {

/// One operation of the KareoServices 2.1 contract.
enum class Operation {
  CreateAppointment,         ///< Creates an appointment.
  CreateDocument,            ///< Uploads a document to a patient's chart.
  CreateEncounter,           ///< Creates an encounter (superbill) with its service lines.
  CreatePatient,             ///< Creates a patient.
  CreatePayment,             ///< Posts a payment (the vendor's guide calls it "CreatePayments").
  DeleteAppointment,         ///< Deletes an appointment.
  DeleteDocument,            ///< Deletes a document.
  GetAllPatients,            ///< Reads every patient of a practice in batches (StartKey cursor).
  GetAppointment,            ///< Reads one appointment.
  GetAppointments,           ///< Reads appointments by filter (service dates and more).
  GetCharges,                ///< Reads charges by filter (posting or service dates and more).
  GetCustomerIdFromKey,      ///< Resolves the customer key to the customer's numeric ID.
  GetEncounterDetails,       ///< Reads one encounter with its service lines.
  GetExternalVendors,        ///< Lists the external vendors registered for the customer.
  GetPatient,                ///< Reads one patient.
  GetPatients,               ///< Reads patients by filter (practice, dates, names and more).
  GetPayments,               ///< Reads payments by filter.
  GetPractices,              ///< Lists practices.
  GetProcedureCodes,         ///< Lists procedure codes.
  GetProviders,              ///< Lists providers.
  GetServiceLocations,       ///< Lists service locations.
  GetThrottles,              ///< Reads the live rate limits of the account.
  GetTransactions,           ///< Reads transactions by filter.
  RegisterExternalVendor,    ///< Registers an external vendor.
  UpdateAppointment,         ///< Changes an appointment.
  UpdateEncounterStatus,     ///< Changes an encounter's status.
  UpdatePatient,             ///< Changes a patient.
  UpdatePatientsExternalID,  ///< Sets the external IDs of patients.
};

/// How many operations the contract has.
inline constexpr std::size_t kOperationCount = 28;

/// Every operation, in the order of the enumeration.
const std::array<Operation, kOperationCount>& all_operations() noexcept;

/// The operation's name as the contract spells it, e.g. "GetPatients".
std::string_view operation_name(Operation op) noexcept;

/// The operation named `name` (exact, case-sensitive contract spelling), if there is one.
std::optional<Operation> operation_from_name(std::string_view name) noexcept;

/// The SOAPAction header value, "http://www.kareo.com/api/schemas/KareoServices/<Operation>".
std::string soap_action(Operation op);

/// True for operations that change data on the server (Create*, Update*, Delete*, RegisterExternalVendor,
/// UpdatePatientsExternalID). They are never resent automatically once the request may have reached the server.
bool is_write(Operation op) noexcept;

/// The rate limit the vendor's guide publishes for the operation (April 2025): at most one call per this
/// interval, counted per account. Operations the guide does not list get one second.
std::chrono::milliseconds published_interval(Operation op) noexcept;

}  // namespace kareo
