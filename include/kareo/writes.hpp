/// @file
/// @brief Writes that can be repeated safely: creating a patient at most once per external ID.
///
/// The service has no idempotency key: a CreatePatient resent after a timeout can create a second patient. The
/// library never resends a write by itself (it reports kareo::AmbiguousOutcome instead); the helpers here make a
/// create safe to repeat by looking the record up by its external ID (the ID it has in the caller's own system)
/// before every attempt.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kareo/clock.hpp"
#include "kareo/types.hpp"

namespace kareo {

class Client;

/// How create_patient_idempotent() behaves after an ambiguous outcome.
struct IdempotentCreateOptions {
  /// CreatePatient calls at most. After an ambiguous outcome the patient is looked up again and, when it is
  /// still absent, created again, until this many calls were made; then the last AmbiguousOutcome is thrown.
  int max_create_calls = 2;
  /// The wait after an ambiguous outcome before looking again (the service may still be applying the write).
  std::chrono::milliseconds settle{2000};
  /// The clock to wait on.
  std::shared_ptr<Clock> clock = SystemClock::instance();
};

/// What create_patient_idempotent() did.
struct IdempotentCreateResult {
  int patient_id = 0;    ///< The service's ID of the patient (found or created).
  bool created = false;  ///< False when the patient existed before the call.
  int create_calls = 0;  ///< CreatePatient calls made (0 when the patient already existed).
};

/// The ID of the patient whose external ID for vendor `external_vendor_id` is `external_id` (GetPatient with a
/// SinglePatientFilter), or empty when there is none.
std::optional<int> find_patient_by_external_id(Client& client, const std::string& external_id, int external_vendor_id);

/// Creates `patient` unless a patient with its external ID already exists: looks it up by
/// PatientExternalID and ExternalVendorID first, creates it only when absent, and after an AmbiguousOutcome
/// looks again instead of creating a second copy.
/// @throws kareo::InvalidArgument when PatientExternalID (1..25 characters: the service silently truncates longer
/// ones, which would defeat the look-up) or ExternalVendorID is missing.
/// @throws kareo::AmbiguousOutcome when the outcome stayed unknown after IdempotentCreateOptions::max_create_calls
/// calls; any other failure as the Client throws it.
IdempotentCreateResult create_patient_idempotent(Client& client, PatientCreate patient,
                                                 const IdempotentCreateOptions& options = {});

}  // namespace kareo
