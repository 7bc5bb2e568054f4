/// @file
/// @brief Keeping a practice's records in your own database: kareo::Mirror over a small store interface, with
/// SQLite and PostgreSQL stores (library Kareo::mirror; the `kareo mirror` command is built on it).
///
/// One table per kind of record (patients, appointments, charges, payments, transactions, practices, providers,
/// service_locations), keyed by (practice_id, id), with the whole record as JSON in `record` (nothing the service
/// sent is lost), `last_modified`, `mirrored_at`, `deleted_at` and typed columns for what people query (names,
/// dates of birth as dates, appointment start and end as UTC timestamps, statuses, amounts as numbers, booleans).
/// docs/mirror.md describes the schema and has example queries.
///
/// Guarantees:
/// - **Nothing lost, nothing duplicated, also after kill -9.** Patients, appointments, charges, payments and
///   transactions are read incrementally by LastModifiedDate through kareo::ChangeFeed; the rows of a window and
///   the feed's checkpoint are written in one database transaction, so after a crash at any point the database
///   holds either both or neither. Rows are upserted by key: a record read again is updated, never added twice.
/// - **Reference data is refreshed on every run** (the practice, its providers and service locations).
/// - **Charges are complete**: they are read with IncludeUnapprovedCharges, and keep their EncounterStatus.
/// - **History is never deleted.** Deletions do not show in a last-modified feed; MirrorOptions::reconcile_days
///   re-reads appointments by service date and sets `deleted_at` on rows the service no longer returns. A row
///   that comes back is un-deleted.
/// @code
/// auto store = kareo::open_mirror_store("sqlite:/var/lib/clinic/mirror.db");
/// kareo::MirrorOptions options;
/// options.practice = "Main Street Clinic";
/// kareo::Mirror mirror(client, store, options);
/// kareo::MirrorSummary summary = mirror.run_once();
/// @endcode
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kareo/cancellation.hpp"
#include "kareo/change_feed.hpp"
#include "kareo/clock.hpp"
#include "kareo/datetime.hpp"
#include "kareo/paging.hpp"
#include "kareo/values.hpp"

namespace kareo {

class Client;

/// A table of the mirror.
enum class MirrorTable {
  Patients,          ///< `patients` (Client::patients()).
  Appointments,      ///< `appointments` (Client::appointments()).
  Charges,           ///< `charges` (Client::charges(), unapproved encounters included).
  Payments,          ///< `payments` (Client::payments()).
  Transactions,      ///< `transactions` (Client::transactions()).
  Practices,         ///< `practices` (Client::practices(); reference data).
  Providers,         ///< `providers` (Client::providers(); reference data).
  ServiceLocations,  ///< `service_locations` (Client::service_locations(); reference data).
};

/// Every table, in the order a run fills them (reference data first).
const std::vector<MirrorTable>& mirror_tables();
/// The table's SQL name: "patients", ..., "service_locations".
const char* mirror_table_name(MirrorTable table) noexcept;

/// One typed column of a table, filled from one member of the record. Its kind is the member's kind in the
/// contract (kareo/values.hpp), and its SQL type follows from that kind: Date a date ('YYYY-MM-DD' text in
/// SQLite), DateTime a timestamp without zone (the practice's clock), UtcDateTime a UTC timestamp (timestamptz in
/// PostgreSQL), Boolean a boolean (0 or 1 in SQLite), Money a numeric, Text the service's text.
struct MirrorColumn {
  const char* name;    ///< The column, e.g. "last_name".
  const char* member;  ///< The record's member it is read from, e.g. "LastName".
  values::Kind kind;   ///< What the member holds, from the contract (values::row_kinds()).
};

/// The row type whose records `table` holds, e.g. "PatientData" for MirrorTable::Patients.
const char* mirror_row_type(MirrorTable table) noexcept;

/// The typed columns of a table, in schema order (besides practice_id, id, record, last_modified, mirrored_at and
/// deleted_at, which every table has).
const std::vector<MirrorColumn>& mirror_columns(MirrorTable table);

/// One record as a store writes it.
struct MirrorRow {
  MirrorTable table = MirrorTable::Patients;  ///< Its table.
  std::string practice_id;                    ///< The practice (for `practices`: the practice's own ID).
  std::string id;                             ///< The record's Tebra ID.
  std::string record;                         ///< The whole record as JSON text (kareo/json.hpp mapping).
  /// LastModifiedDate as 'YYYY-MM-DD HH:MM:SS' (the service's clock, as sent); empty when absent or unreadable.
  std::optional<std::string> last_modified;
  /// The typed columns' values in mirror_columns() order, as SQL text (see MirrorColumn); empty: NULL.
  std::vector<std::optional<std::string>> values;
};

/// What an upsert did.
enum class UpsertOutcome {
  Inserted,   ///< The row was new.
  Updated,    ///< The row existed with another record (or was marked deleted).
  Unchanged,  ///< The row existed with the same record: nothing was written.
};

/// A database operation of a store failed (cannot open, create the schema, write or commit). The `kareo` tool
/// exits with code 12.
class MirrorDatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where a Mirror writes. Implement it to mirror into another database; open_mirror_store() gives the two
/// built-in ones. Every method throws MirrorDatabaseError on failure. Used from one thread at a time.
class MirrorStore {
 public:
  virtual ~MirrorStore() = default;
  /// Creates the tables, or migrates them to the current schema version (recorded in `kareo_mirror_schema`).
  /// @throws MirrorDatabaseError also when the database's schema is newer than this library's.
  virtual void ensure_schema() = 0;
  /// The database's schema version (0 before ensure_schema()).
  virtual int schema_version() = 0;
  /// Starts a transaction.
  virtual void begin() = 0;
  /// Commits the transaction: durable when it returns.
  virtual void commit() = 0;
  /// Abandons the transaction (never throws).
  virtual void rollback() noexcept = 0;
  /// Inserts or updates `row` (clearing `deleted_at`), setting `mirrored_at` to `mirrored_at` ('YYYY-MM-DD
  /// HH:MM:SS' UTC) when it writes.
  virtual UpsertOutcome upsert(const MirrorRow& row, const std::string& mirrored_at) = 0;
  /// The checkpoint text saved under `feed`, if any.
  virtual std::optional<std::string> load_checkpoint(const std::string& feed) = 0;
  /// Replaces the checkpoint of `feed` (within the current transaction).
  virtual void save_checkpoint(const std::string& feed, const std::string& state) = 0;
  /// The IDs of the rows of `table` of the practice not marked deleted whose Timestamp column `column` lies in
  /// [from, to] (both 'YYYY-MM-DD HH:MM:SS' UTC).
  virtual std::vector<std::string> live_ids(MirrorTable table, const std::string& practice_id,
                                            const std::string& column, const std::string& from,
                                            const std::string& to) = 0;
  /// Sets `deleted_at` of a row to `when` (unless already set); true when it did.
  virtual bool mark_deleted(MirrorTable table, const std::string& practice_id, const std::string& id,
                            const std::string& when) = 0;
};

/// Opens the store named by `url`: `sqlite:PATH` (the file is created when absent) or a libpq connection URI
/// (`postgresql://user@host:port/dbname`, also `postgres://`). Does not create the schema (Mirror does).
/// @throws kareo::InvalidArgument for another URL; MirrorDatabaseError when the database cannot be opened.
std::shared_ptr<MirrorStore> open_mirror_store(const std::string& url);

/// What a Mirror copies.
enum class MirrorEntity {
  Patients,      ///< Patients, by last-modified time.
  Appointments,  ///< Appointments, by last-modified time (and --reconcile by service date).
  Charges,       ///< Charges, by last-modified time, unapproved encounters included.
  Payments,      ///< Payments, by last-modified time.
  Transactions,  ///< Transactions, by last-modified time.
  Reference,     ///< The practice, its providers and service locations, read whole every run.
};

/// What one table got in a run.
struct MirrorCounts {
  std::size_t inserted = 0;   ///< New rows.
  std::size_t updated = 0;    ///< Rows whose record changed (or came back after being marked deleted).
  std::size_t unchanged = 0;  ///< Records read again as they were.
  std::size_t deleted = 0;    ///< Rows marked deleted (`deleted_at` set) by the reconciliation.
};

/// What a run did, per table (only committed work is counted).
struct MirrorSummary {
  /// The tables a run touched, in mirror_tables() order, with their counts.
  std::vector<std::pair<MirrorTable, MirrorCounts>> tables;
  /// The counts of `table` (zeros when the run did not touch it).
  MirrorCounts counts(MirrorTable table) const;
};

/// What a Mirror copies and how.
struct MirrorOptions {
  /// The practice, by name exactly as Tebra spells it (required).
  std::string practice;
  /// What to copy; default everything.
  std::vector<MirrorEntity> entities{MirrorEntity::Reference, MirrorEntity::Patients, MirrorEntity::Appointments,
                                     MirrorEntity::Charges,   MirrorEntity::Payments, MirrorEntity::Transactions};
  /// Without a checkpoint, start from records modified at this time.
  DateTime since{Date(2000, 1, 1)};
  /// When set, re-read the appointments whose service date lies within this many days before or after today
  /// and mark the rows the service no longer returns (`deleted_at`).
  std::optional<int> reconcile_days;
  /// How the change feeds cut their period into windows, and their progress reports (its cancel token is
  /// replaced by the one given to Mirror::run_once()).
  PagingOptions paging;
  /// A checkpoint is committed (with its rows) after this many records, and at the end of every window.
  std::size_t commit_every = 500;
  /// Progress lines meant for a person (e.g. "patients: 120 records"). Empty: none.
  std::function<void(const std::string&)> on_progress;
  /// Warnings meant for a person (a checkpoint ahead of the clock). Empty: dropped.
  std::function<void(const std::string&)> on_warning;
  /// The clock of `mirrored_at`, `deleted_at` and "today".
  std::shared_ptr<Clock> clock = SystemClock::instance();
};

/// Copies a practice's records into a MirrorStore; see the file description. Not safe to use from several
/// threads at once; one Mirror per practice and database at a time.
class Mirror {
 public:
  /// Mirrors through `client` into `store`, creating or migrating its schema.
  /// @throws kareo::InvalidArgument when no practice is named; MirrorDatabaseError when the schema cannot be made.
  Mirror(Client& client, std::shared_ptr<MirrorStore> store, MirrorOptions options);

  /// One run: the reference data, then each entity's changes since its checkpoint, then the reconciliation.
  /// Stops between transactions when `stop` is cancelled, throwing kareo::Cancelled; what was committed stays.
  /// @throws kareo::InvalidArgument when the practice does not exist; the client's errors; MirrorDatabaseError.
  MirrorSummary run_once(const CancellationToken& stop = {});

 private:
  std::shared_ptr<Client> client_;
  std::shared_ptr<MirrorStore> store_;
  MirrorOptions options_;
};

}  // namespace kareo
