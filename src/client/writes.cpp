#include "kareo/writes.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "kareo/client.hpp"
#include "kareo/errors.hpp"

namespace kareo {

namespace {

using std::chrono::milliseconds;

// The numeric ID in `text`, or empty.
std::optional<int> parse_id(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  const long v = std::strtol(text->c_str(), &end, 10);
  if (end == text->c_str() || *end != '\0' || v <= 0 || v > 2147483647L) return std::nullopt;
  return static_cast<int>(v);
}

// "2 look-ups over 6.0 s".
std::string lookups_text(int lookups, milliseconds elapsed) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(elapsed.count()) / 1000.0);
  return std::to_string(lookups) + (lookups == 1 ? " look-up" : " look-ups") + " over " + seconds + " s";
}

std::string search_message(const AmbiguousOutcome& ambiguous, const AmbiguousPatientCreate::Search& s) {
  const std::string create(operation_name(Operation::CreatePatient));
  std::string m = create + " may or may not have been applied for the patient with external ID " + s.external_id +
                  " (vendor " + std::to_string(s.external_vendor_id) + "): " + lookups_text(s.lookups, s.elapsed) +
                  " by that ID did not find it";
  if (s.failed_lookups > 0) {
    m += " (" + std::to_string(s.failed_lookups) + " of them failed, the last with " + s.last_lookup_failure + ")";
  }
  m += "; the create may still be running, or the look-up may lag behind it. " + create + " was sent " +
       std::to_string(s.create_calls) + (s.create_calls == 1 ? " time" : " times") +
       " and not again. Look the patient up by its external ID later before creating it again. The create failed "
       "with " +
       std::string(error_kind_name(ambiguous.cause_kind())) + ": " + ambiguous.cause();
  return m;
}

// How one search by external ID went.
struct SearchOutcome {
  std::optional<int> id;
  int lookups = 0;
  int failed = 0;
  std::string last_failure;
  milliseconds elapsed{0};
};

// Looks the patient up after a create whose outcome is not known: waits `settle`, looks, and waits longer each
// time (times `backoff`, at most `max_lookup_interval`) until found or `lookup_for` has passed. A failed look-up
// counts and the search goes on, unless retrying cannot help (authentication, authorization...).
SearchOutcome search(Client& client, const std::string& external_id, int vendor, const IdempotentCreateOptions& o,
                     Clock& clock) {
  constexpr milliseconds kShortest{10};
  SearchOutcome out;
  const auto start = clock.now();
  const auto deadline = start + std::max(o.lookup_for, milliseconds(0));
  const double factor = std::max(1.0, o.backoff);
  const milliseconds longest = std::max(o.max_lookup_interval, kShortest);
  milliseconds wait = std::clamp(o.settle, kShortest, longest);
  for (;;) {
    clock.sleep_until(std::min(clock.now() + wait, std::max(deadline, clock.now())));
    ++out.lookups;
    bool keep_looking = true;
    try {
      out.id = find_patient_by_external_id(client, external_id, vendor);
    } catch (const Error& e) {
      ++out.failed;
      out.last_failure = std::string(error_kind_name(e.kind())) + ": " + e.what();
      keep_looking = e.retryable();
    }
    if (out.id || !keep_looking || clock.now() >= deadline) break;
    const double next = static_cast<double>(wait.count()) * factor;
    wait = next >= static_cast<double>(longest.count())
               ? longest
               : std::max(kShortest, milliseconds(static_cast<long long>(next)));
  }
  out.elapsed = std::chrono::duration_cast<milliseconds>(clock.now() - start);
  return out;
}

}  // namespace

AmbiguousPatientCreate::AmbiguousPatientCreate(const AmbiguousOutcome& ambiguous, Search search)
    : AmbiguousOutcome(search_message(ambiguous, search), ambiguous.details(), ambiguous.cause_kind(),
                       ambiguous.cause()),
      search_(std::move(search)) {}

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
  const std::string name(operation_name(op));
  if (!patient.PatientExternalID || patient.PatientExternalID->empty()) {
    throw InvalidArgument(name + ": an idempotent create needs the patient's PatientExternalID", op);
  }
  if (patient.PatientExternalID->size() > 25) {
    throw InvalidArgument(
        name +
            ": PatientExternalID is longer than 25 characters; the service would truncate it and the patient "
            "could not be found by it again",
        op);
  }
  if (!patient.ExternalVendorID) {
    throw InvalidArgument(name + ": an idempotent create needs the ExternalVendorID the external ID belongs to", op);
  }
  const std::string external_id = *patient.PatientExternalID;
  const int vendor = *patient.ExternalVendorID;
  const auto clock = options.clock ? options.clock : SystemClock::instance();
  const int max_create_calls = options.create_again_when_not_found ? std::max(1, options.max_create_calls) : 1;

  IdempotentCreateResult result;
  // The first look-up: a failure here is reported as it is (nothing was sent).
  ++result.lookups;
  if (auto id = find_patient_by_external_id(client, external_id, vendor)) {
    result.patient_id = *id;
    return result;
  }
  for (;;) {
    ++result.create_calls;
    std::optional<AmbiguousOutcome> ambiguous;
    try {
      const ModifyPatientResp created = client.create_patient(patient);
      if (auto id = created.PatientID; id && *id > 0) {
        result.patient_id = *id;
        result.created = true;
        return result;
      }
    } catch (const AmbiguousOutcome& e) {
      ambiguous = e;
    }
    const SearchOutcome found = search(client, external_id, vendor, options, *clock);
    result.lookups += found.lookups;
    if (found.id) {
      result.patient_id = *found.id;
      result.created = true;
      return result;
    }
    if (!ambiguous) {
      // The service accepted the patient (and answered without its ID): it is never created again.
      throw ServiceError(name + ": the service accepted the patient with external ID " + external_id + " (vendor " +
                             std::to_string(vendor) + ") but " + lookups_text(found.lookups, found.elapsed) +
                             " by that ID did not find it" +
                             (found.failed > 0 ? " (the last failed look-up: " + found.last_failure + ")" : ""),
                         Error::Details{ErrorKind::ServiceError, op, false, std::nullopt, {}, {}});
    }
    // Absent for sure only when every look-up answered; a second create only when the caller asked for it.
    if (options.create_again_when_not_found && found.failed == 0 && result.create_calls < max_create_calls) continue;
    AmbiguousPatientCreate::Search s;
    s.external_id = external_id;
    s.external_vendor_id = vendor;
    s.create_calls = result.create_calls;
    s.lookups = found.lookups;
    s.failed_lookups = found.failed;
    s.elapsed = found.elapsed;
    s.last_lookup_failure = found.last_failure;
    throw AmbiguousPatientCreate(*ambiguous, std::move(s));
  }
}

}  // namespace kareo
