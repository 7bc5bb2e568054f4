/// @file
/// @brief A practice's records as FHIR R4 resources, and an exporter writing the FHIR Bulk Data layout
/// (library Kareo::fhir).
///
/// The mapping is table-driven and documented member by member in docs/fhir.md:
/// PracticeData becomes an Organization, ProviderData a Practitioner, ServiceLocationData a Location,
/// PatientData a Patient and AppointmentData an Appointment. Nothing a record lacks is made up: an absent or empty
/// member leaves its FHIR element out; a code Tebra sends that has no FHIR equivalent becomes the value set's
/// `unknown` where the value set has one (gender), and otherwise the record is not exported and reported
/// (an appointment status is required and has no `unknown`).
///
/// ```cpp
/// kareo::fhir::Exporter exporter("out");               // files are created 0600
/// for (const auto& practice : client.get_practices(filter)) exporter.add(practice);
/// for (const auto& provider : client.get_providers(provider_filter)) exporter.add(provider);
/// for (const auto& patient : kareo::patients_by_date(client, patient_filter, field, range)) exporter.add(patient);
/// auto manifest = exporter.finish("kareo export fhir --practice \"Example Practice\"");
/// ```
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kareo/types.hpp"

namespace kareo::fhir {

/// The default base of the identifier system URIs of Tebra's IDs (docs/fhir.md lists every system).
inline constexpr const char* kDefaultSystemBase = "urn:kareo-cpp:tebra:";
/// The system of National Provider Identifiers (HL7's).
inline constexpr const char* kNpiSystem = "http://hl7.org/fhir/sid/us-npi";
/// The system of US employer identification (tax ID) numbers (HL7's OID).
inline constexpr const char* kTaxIdSystem = "urn:oid:2.16.840.1.113883.4.4";

/// How the mapping names identifier systems.
struct MapOptions {
  /// The prefix of every identifier system of ours: `<base>patient`, `<base>practitioner`, `<base>location`,
  /// `<base>organization`, `<base>appointment`, `<base>appointment-reason`, `<base>practice/<ID>/mrn`.
  /// Tebra's IDs are unique within one Tebra customer: a user exporting several customers into one place
  /// gives each its own base (for example `urn:kareo-cpp:tebra:customer-31337:`).
  std::string system_base = kDefaultSystemBase;
};

/// The FHIR date (`YYYY-MM-DD`) of a date Tebra sent as text ("5/1/1980 12:00:00 AM", "1980-05-01T00:00:00");
/// the time part is ignored, never converted. Empty when absent, empty or not a date.
std::optional<std::string> to_date(const std::optional<std::string>& text);
/// The FHIR instant (`YYYY-MM-DDThh:mm:ss` and a zone) of a time Tebra documents as UTC: a zone in the text is
/// kept, text without a zone is UTC ("Z"). Empty when absent, empty or not a time.
std::optional<std::string> to_utc_instant(const std::optional<std::string>& text);
/// The AdministrativeGender code of Tebra's gender text: "male", "female", or "unknown" for any other text.
/// Empty when absent or empty.
std::optional<std::string> to_gender(const std::optional<std::string>& text);
/// The AppointmentStatus code of Tebra's ConfirmationStatus text (docs/fhir.md has the table; case, spaces and
/// hyphens do not matter). Empty when absent, empty or a status without a FHIR equivalent.
std::optional<std::string> to_appointment_status(const std::optional<std::string>& text);

/// The resource a record maps to, or why it does not map to a valid one.
struct Mapped {
  /// The FHIR R4 resource (JSON object); null when the record cannot be mapped.
  nlohmann::json resource;
  /// Why it cannot be mapped (empty when it can).
  std::string problem;
  /// Whether the record mapped to a resource.
  explicit operator bool() const noexcept { return problem.empty(); }
};

/// An Organization from a practice.
Mapped to_organization(const PracticeData& practice, const MapOptions& options = {});
/// A Practitioner from a provider.
Mapped to_practitioner(const ProviderData& provider, const MapOptions& options = {});
/// A Location from a service location (managingOrganization: the practice).
Mapped to_location(const ServiceLocationData& location, const MapOptions& options = {});
/// A Patient from a patient (managingOrganization: the practice; generalPractitioner: the primary care
/// physician).
Mapped to_patient(const PatientData& patient, const MapOptions& options = {});
/// An Appointment from an appointment (participants: the patient, the providers among its resources, the
/// service location). Does not map without a status that has a FHIR equivalent, or without any participant:
/// both are required by FHIR and neither can be made up.
Mapped to_appointment(const AppointmentData& appointment, const MapOptions& options = {});

/// Something the exporter left out, and why.
struct Issue {
  std::string resource_type;  ///< "Patient", "Appointment", ...
  std::string id;             ///< The record's Tebra ID (empty when it has none).
  std::string message;        ///< What was left out and why.
};

/// What an export wrote, per resource type.
struct Manifest {
  std::string transaction_time;               ///< When the export started (instant, UTC).
  std::string request;                        ///< What was asked for (the command line).
  std::map<std::string, std::size_t> counts;  ///< Resources written, per resource type.
  std::size_t skipped = 0;                    ///< Records not written (see issues).
  std::size_t dropped_references = 0;         ///< References left out because their target is not exported.
  std::vector<Issue> issues;                  ///< Everything left out, in order.
  nlohmann::json json;                        ///< The text of manifest.json.
};

/// Writes the FHIR Bulk Data layout into a directory: `<Type>.ndjson` (one resource per line) per resource type
/// written, `OperationOutcome.ndjson` when something was left out, and `manifest.json` last.
///
/// Files are created with mode 0600 (they hold patient data), the directory with 0700 when it is created.
/// References always resolve inside the export: a reference is kept only when its target was added before
/// (add the practice, providers and locations before patients, and patients before appointments); any other is
/// left out and counted. A record without a usable ID (FHIR ids are 1 to 64 of A-Z, a-z, 0-9, '-', '.') or
/// one already written is skipped and reported. Not thread-safe.
class Exporter {
 public:
  /// Creates `directory` if needed; throws std::filesystem::filesystem_error (a std::system_error) when it
  /// cannot.
  explicit Exporter(std::filesystem::path directory, MapOptions options = {});
  /// Closes the files (without a manifest when finish() was not called).
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  /// Maps and writes one record; returns whether a resource was written. Throws std::system_error when a
  /// file cannot be created or written.
  bool add(const PracticeData& practice);
  /// See add(const PracticeData&).
  bool add(const ProviderData& provider);
  /// See add(const PracticeData&).
  bool add(const ServiceLocationData& location);
  /// See add(const PracticeData&).
  bool add(const PatientData& patient);
  /// See add(const PracticeData&).
  bool add(const AppointmentData& appointment);

  /// Whether the resource `type`/`id` has been written ("Patient", "123").
  bool contains(std::string_view type, std::string_view id) const;
  /// Resources written so far of `type`.
  std::size_t count(std::string_view type) const;
  /// What was left out so far.
  const std::vector<Issue>& issues() const noexcept { return issues_; }

  /// Writes OperationOutcome.ndjson (when there are issues), flushes every file to disk and writes
  /// manifest.json; `request` is recorded as what was asked for. Throws std::system_error on a write error.
  Manifest finish(const std::string& request);

 private:
  class File;
  bool write(const std::string& type, Mapped mapped, const std::optional<std::string>& id);
  void resolve_references(const std::string& type, nlohmann::json& resource, const std::string& id);
  void report(const std::string& type, const std::string& id, std::string message);

  std::filesystem::path directory_;
  MapOptions options_;
  std::string transaction_time_;
  std::map<std::string, std::unique_ptr<File>, std::less<>> files_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> written_;
  std::vector<Issue> issues_;
  std::size_t skipped_ = 0;
  std::size_t dropped_references_ = 0;
  bool finished_ = false;
};

}  // namespace kareo::fhir
