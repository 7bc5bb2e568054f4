#include "kareo/writes.hpp"

#include <cctype>
#include <cstdlib>

#include "kareo/client.hpp"
#include "kareo/errors.hpp"

namespace kareo {

namespace {

// The numeric ID in `text`, or empty.
std::optional<int> parse_id(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  const long v = std::strtol(text->c_str(), &end, 10);
  if (end == text->c_str() || *end != '\0' || v <= 0 || v > 2147483647L) return std::nullopt;
  return static_cast<int>(v);
}

}  // namespace

std::optional<int> find_patient_by_external_id(Client& client, const std::string& external_id, int external_vendor_id) {
  SinglePatientFilter filter;
  filter.ExternalID = external_id;
  filter.ExternalVendorID = external_vendor_id;
  const std::optional<PatientData> found = client.get_patient(std::move(filter));
  if (!found) return std::nullopt;
  return parse_id(found->ID);
}

IdempotentCreateResult create_patient_idempotent(Client& client, PatientCreate patient,
                                                 const IdempotentCreateOptions& options) {
  const auto op = Operation::CreatePatient;
  if (!patient.PatientExternalID || patient.PatientExternalID->empty()) {
    throw InvalidArgument("CreatePatient: an idempotent create needs the patient's PatientExternalID", op);
  }
  if (patient.PatientExternalID->size() > 25) {
    throw InvalidArgument(
        "CreatePatient: PatientExternalID is longer than 25 characters; the service would "
        "truncate it and the patient could not be found by it again",
        op);
  }
  if (!patient.ExternalVendorID) {
    throw InvalidArgument("CreatePatient: an idempotent create needs the ExternalVendorID the external ID belongs to",
                          op);
  }
  const std::string external_id = *patient.PatientExternalID;
  const int vendor = *patient.ExternalVendorID;
  const auto clock = options.clock ? options.clock : SystemClock::instance();

  IdempotentCreateResult result;
  std::optional<AmbiguousOutcome> last_ambiguous;
  for (;;) {
    if (auto id = find_patient_by_external_id(client, external_id, vendor)) {
      result.patient_id = *id;
      result.created = result.create_calls > 0;
      return result;
    }
    if (result.create_calls >= options.max_create_calls) {
      if (last_ambiguous) throw *last_ambiguous;
      throw ServiceError("CreatePatient: the service accepted the patient with external ID " + external_id +
                             " but it cannot be found by that ID",
                         Error::Details{ErrorKind::ServiceError, op, false, std::nullopt, {}, {}});
    }
    ++result.create_calls;
    try {
      const ModifyPatientResp created = client.create_patient(patient);
      if (auto id = created.PatientID; id && *id > 0) {
        result.patient_id = *id;
        result.created = true;
        return result;
      }
      // No ID in the answer: look the patient up.
    } catch (const AmbiguousOutcome& e) {
      last_ambiguous = e;
      clock->sleep_for(options.settle);
    }
  }
}

}  // namespace kareo
