/// @file
/// @brief The fake Tebra server's in-memory data: what it holds, how tests look into it, and its JSON form.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kareo::testing {

/// The kinds of records the fake server keeps. The operation table's `store_entity` column names the list
/// operation that reads each (src/operations/operations.toml).
enum class Entity {
  Practice,         ///< PracticeData.
  Provider,         ///< ProviderData.
  ServiceLocation,  ///< ServiceLocationData.
  ProcedureCode,    ///< ProcedureCodeData.
  Patient,          ///< PatientData (PatientBatchData in the cursor's batches).
  Appointment,      ///< AppointmentData.
  Encounter,        ///< EncounterDetailsData.
  Charge,           ///< ChargeData.
  Payment,          ///< PaymentData.
  Transaction,      ///< TransactionData.
  ExternalVendor,   ///< ExternalVendorData.
  Document,         ///< Documents: created and deleted, never read.
};

/// Every entity, in declaration order.
const std::vector<Entity>& all_entities();
/// The entity's name, e.g. "Patient".
std::string_view entity_name(Entity entity) noexcept;
/// The key of the entity's list in the JSON data file, e.g. "patients", "service_locations".
std::string_view entity_json_key(Entity entity) noexcept;

/// One record: member name → text, exactly as the service writes the row member (the names of the
/// contract's row type: PatientData, AppointmentData, ChargeData, ...; booleans "True"/"False", money
/// "0.00", dates "M/d/yyyy h:mm:ss AM"). A member that is absent is null on the wire.
using Record = std::map<std::string, std::string>;

/// A query by filter member name, as in the wire's filter types (PatientFilter, ChargeFilter, ...),
/// e.g. `{{"PracticeName", "Testpractice Alpha"}, {"FromLastModifiedDate", "1/1/2025"}, {"ToLastModifiedDate",
/// "2/1/2025"}}`.
using Filter = std::map<std::string, std::string>;

/// Raised by Store::ids(Entity, const Filter&) for a filter the service would refuse; what() is the text
/// the service puts in ErrorResponse/ErrorMessage (or the fault string when it faults).
class FilterError : public std::invalid_argument {
 public:
  /// `fault` is true when the service answers a SOAP Fault rather than an ErrorResponse.
  FilterError(const std::string& message, bool fault) : std::invalid_argument(message), fault_(fault) {}
  /// True when the service answers this filter with an InternalServiceFault.
  bool fault() const noexcept { return fault_; }

 private:
  bool fault_;
};

/// The record store behind a FakeServer. Thread-safe: tests may read and change it while the server runs.
///
/// ## Filter rules (the same code answers the Get operations)
/// - Date pairs `From<X>`/`To<X>` (and the appointments' `StartDate`/`EndDate`) select From <= value <= To;
///   the patients' `ToDateOfBirth` is exclusive. With only one end given, the other is 7 days away, as the
///   vendor's guide documents. Accepted forms: `M/d/yyyy`, `MM/dd/yyyy h:mm:ss tt`, `yyyy-MM-dd`,
///   `yyyy-MM-ddTHH:mm:ss`; anything else is refused with .NET's "String was not recognized as a valid DateTime.".
/// - Text filters (names, statuses, ...) match the row member of the same meaning exactly, ignoring case;
///   `PracticeID`/`ID`/`PatientID` match numerically.
/// - Patients need PracticeName or PracticeID; charges, payments and transactions need at least one filter
///   member (ErrorResponse otherwise). Members the filter type does not have are ignored.
/// - The reads the operation table gives a window limit (max_window_days: 60 days for the posting dates of charges
///   and the StartDate/EndDate of appointments) refuse wider windows of those dates with an InternalServiceFault
///   (see FakeServerOptions::window_limit_days). Charges are those of approved encounters only, unless
///   IncludeUnapprovedCharges is "T" (the vendor's guide's value; any other value, "true" included, leaves them
///   out).
/// - The appointments' StartDate/EndDate select appointments that start in the window.
/// - Appointments without any date pair: StartDate from 3 days before today for 7 days (guide).
class Store {
 public:
  /// Number of records of an entity.
  std::size_t count(Entity entity) const;
  /// Every ID of an entity, ascending.
  std::vector<std::int64_t> ids(Entity entity) const;
  /// The IDs the corresponding Get operation answers for this filter, ascending: "exactly the server's set".
  /// Throws FilterError when the service would refuse the filter.
  std::vector<std::int64_t> ids(Entity entity, const Filter& filter) const;
  /// A record with every member the list operation returns (synthesized members included), if it exists.
  std::optional<Record> get(Entity entity, std::int64_t id) const;
  /// The record whose external ID (for the vendor, or for any vendor) is `external_id`. Patients keep their
  /// external IDs per external vendor (set when a patient is created or its external IDs are updated); encounters
  /// their EncounterExternalID.
  std::optional<std::int64_t> find_by_external_id(Entity entity, std::string_view external_id,
                                                  std::optional<int> vendor_id = std::nullopt) const;
  /// The external IDs of a record by vendor ID.
  std::map<int, std::string> external_ids(Entity entity, std::int64_t id) const;

  /// Adds a record (assigning "ID" unless given; CreatedDate and LastModifiedDate default to now) and
  /// returns its ID.
  std::int64_t insert(Entity entity, Record record);
  /// Changes members of a record (LastModifiedDate becomes now unless given). False when it does not exist.
  bool update(Entity entity, std::int64_t id, const Record& changes);
  /// Removes a record. False when it does not exist.
  bool remove(Entity entity, std::int64_t id);

  /// The whole store as JSON (the `--data` format, see below).
  std::string to_json() const;
  /// Writes to_json() to a file, readable by its owner only (created with mode 0600; an existing file that others
  /// may read is restricted first). Throws std::runtime_error when it cannot.
  void save_json(const std::string& path) const;

  /// ## JSON data format (`--data FILE`, `--dump-data FILE`)
  /// ```json
  /// {
  ///   "format": "kareo-fake-data/1",
  ///   "customer_id": 31337,
  ///   "practices":      [ { "ID": "1", "PracticeName": "Testpractice Alpha", "Active": "True", ... } ],
  ///   "providers":      [ ... ], "service_locations": [ ... ], "procedure_codes": [ ... ],
  ///   "patients":       [ { "ID": "1", "PracticeId": "1", "FirstName": "Alpha", "LastName": "Testpatient1",
  ///                         "LastModifiedDate": "3/4/2025 10:15:00 AM", ..., "@external_ids": { "1": "EXT-P-1" } } ],
  ///   "appointments": [ ... ], "encounters": [ ... ], "charges": [ ... ], "payments": [ ... ],
  ///   "transactions": [ ... ], "external_vendors": [ ... ], "documents": [ ... ]
  /// }
  /// ```
  /// Every list is optional. A record is an object of row members (the member names of the entity's row
  /// type, values as strings in the service's text forms); members it leaves out are null. Keys starting with
  /// "@" carry what rows do not show: "@external_ids" (vendor ID → external ID). The IDs must be unique
  /// numbers per entity.
  static constexpr const char* kJsonFormat = "kareo-fake-data/1";

  /// @cond INTERNAL
  struct Impl;
  explicit Store(std::shared_ptr<Impl> impl);
  Impl& impl() const { return *impl_; }
  /// @endcond

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kareo::testing
