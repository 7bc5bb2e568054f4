/// @file
/// @brief Writes that can be repeated safely: creating a patient at most once per external ID.
///
/// The service has no idempotency key: a create resent after a timeout can create a second patient. The
/// library never resends a write by itself (it reports kareo::AmbiguousOutcome instead); the helpers here make a
/// create safe to repeat by looking the record up by its external ID (the ID it has in the caller's own system)
/// before every attempt.
///
/// The write-once guarantee of create_patient_idempotent(): the create is sent at most once per call unless
/// the caller sets IdempotentCreateOptions::create_again_when_not_found. After an ambiguous outcome the patient is
/// looked up again with growing waits for a bounded time (IdempotentCreateOptions::lookup_for); when it is still
/// not found, the call ends with kareo::AmbiguousPatientCreate (an AmbiguousOutcome) saying what was looked up.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kareo/clock.hpp"
#include "kareo/errors.hpp"
#include "kareo/types.hpp"

namespace kareo {

class Client;

/// How create_patient_idempotent() behaves after an ambiguous outcome.
///
/// With the defaults the look-ups after an ambiguous outcome come 2, 6, 14, 30, 60, 90 and 120 s after it
/// (seven GetPatient calls), then the search ends.
struct IdempotentCreateOptions {
  /// The wait after an ambiguous outcome before the first look-up (the service may still be applying the write).
  std::chrono::milliseconds settle{2000};
  /// Each later wait is the one before times this factor (at least 1), up to max_lookup_interval.
  double backoff = 2.0;
  /// The longest wait between two look-ups.
  std::chrono::milliseconds max_lookup_interval{30000};
  /// How long after an ambiguous outcome the patient is looked for: no look-up is made later than this after it
  /// (the last wait is shortened to end there). At least one look-up is always made. Waits are at least 10 ms.
  std::chrono::milliseconds lookup_for{std::chrono::minutes(2)};
  /// Whether the create may be sent again when, after an ambiguous outcome, every look-up answered that no
  /// patient has the external ID. Off by default, and then the create is sent at most once: the first create
  /// may still be running, or the look-up may lag behind it, and a second create would make a duplicate patient.
  /// Turn it on only when a duplicate is easier to repair than a missing patient. Even then nothing is sent again
  /// when a look-up failed (the patient's absence is not known) or when the service accepted the create.
  bool create_again_when_not_found = false;
  /// Create calls at most when create_again_when_not_found is set (ignored otherwise: one call).
  int max_create_calls = 2;
  /// The clock to wait on.
  std::shared_ptr<Clock> clock = SystemClock::instance();
};

/// What create_patient_idempotent() did.
struct IdempotentCreateResult {
  int patient_id = 0;    ///< The service's ID of the patient (found or created).
  bool created = false;  ///< False when the patient existed before the call.
  int create_calls = 0;  ///< Create calls made (0 when the patient already existed).
  int lookups = 0;       ///< GetPatient look-ups by external ID made, the first one included.
};

/// The AmbiguousOutcome of create_patient_idempotent(): a create may or may not have been applied, and the
/// patient could not be found by its external ID within IdempotentCreateOptions::lookup_for. It was not sent again.
/// Look the patient up later (find_patient_by_external_id()) before creating it again; calling
/// create_patient_idempotent() again does exactly that.
class AmbiguousPatientCreate : public AmbiguousOutcome {
 public:
  /// What was looked for and how.
  struct Search {
    std::string external_id;               ///< The PatientExternalID looked up.
    int external_vendor_id = 0;            ///< The ExternalVendorID it belongs to.
    int create_calls = 0;                  ///< Create calls made.
    int lookups = 0;                       ///< Look-ups after the last ambiguous outcome.
    int failed_lookups = 0;                ///< Of those, the look-ups that failed (no answer).
    std::chrono::milliseconds elapsed{0};  ///< From the last ambiguous outcome to the end of the last look-up.
    std::string last_lookup_failure;       ///< What the last failed look-up said (empty when none failed).
  };
  /// `ambiguous` is the create's own AmbiguousOutcome; the message says what was looked up.
  AmbiguousPatientCreate(const AmbiguousOutcome& ambiguous, Search search);
  /// The external ID looked up.
  const std::string& external_id() const noexcept { return search_.external_id; }
  /// The vendor of the external ID.
  int external_vendor_id() const noexcept { return search_.external_vendor_id; }
  /// Create calls made (1 unless IdempotentCreateOptions::create_again_when_not_found was set).
  int create_calls() const noexcept { return search_.create_calls; }
  /// Look-ups made after the last ambiguous outcome.
  int lookups() const noexcept { return search_.lookups; }
  /// Of those, the ones that failed.
  int failed_lookups() const noexcept { return search_.failed_lookups; }
  /// How long the patient was looked for.
  std::chrono::milliseconds elapsed() const noexcept { return search_.elapsed; }
  /// Everything above.
  const Search& search() const noexcept { return search_; }

 private:
  Search search_;
};

/// The ID of the patient whose external ID for vendor `external_vendor_id` is `external_id` (GetPatient with a
/// SinglePatientFilter), or empty when there is none.
std::optional<int> find_patient_by_external_id(Client& client, const std::string& external_id, int external_vendor_id);

/// Creates `patient` unless a patient with its external ID already exists: looks it up by PatientExternalID and
/// ExternalVendorID first and creates it only when absent. The create is sent at most once (see
/// IdempotentCreateOptions::create_again_when_not_found). After an AmbiguousOutcome the patient is looked up again
/// with growing waits for at most IdempotentCreateOptions::lookup_for; found, it is returned (`created` true).
/// A create the service accepted without a PatientID is looked up the same way.
/// @throws kareo::InvalidArgument when PatientExternalID (1..25 characters: the service silently truncates longer
/// ones, which would defeat the look-up) or ExternalVendorID is missing.
/// @throws kareo::AmbiguousPatientCreate when the patient was still not found after an ambiguous outcome (also
/// when the look-ups failed); nothing was sent again.
/// @throws kareo::ServiceError when the service accepted the create but the patient cannot be found by its
/// external ID. Any other failure (of the first look-up, or of the create) as the Client throws it.
IdempotentCreateResult create_patient_idempotent(Client& client, PatientCreate patient,
                                                 const IdempotentCreateOptions& options = {});

}  // namespace kareo
