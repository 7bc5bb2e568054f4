/// @file
/// @brief Keeping a local copy of a practice's patients, appointments, charges, payments or transactions in
/// sync: incremental reads by last-modified time with a durable checkpoint.
///
/// Each poll reads the records modified since the checkpoint (Client::patients(), appointments(), charges(),
/// payments() or transactions() with a FromLastModifiedDate/ToLastModifiedDate pair, in date windows) and hands each
/// one to the caller's callback, a window's records in (LastModifiedDate, ID) order, oldest first. Guarantees:
/// - **Nothing is lost.** Every poll re-reads an overlap (default five minutes) before the checkpoint, so a
///   record whose change was committed while the previous poll ran is still seen. The checkpoint is the latest
///   LastModifiedDate actually received, never this machine's clock, so a service clock in another time zone
///   cannot make the feed skip changes.
/// - **At-least-once delivery: the checkpoint moves past a record only once the consumer has made it
///   durable.** The checkpoint is saved after every ChangeFeedOptions::checkpoint_every deliveries and at the
///   end of each window, and only after the callback returned for every record it covers and then
///   ChangeFeedOptions::commit returned. A consumer that buffers what it receives (a file, a pipe, a database
///   transaction) flushes or commits in `commit`; when that fails (it throws), the poll ends with its exception
///   and the checkpoint stays as last saved, so the next poll delivers those records again. Likewise when the
///   callback throws, or the process stops.
/// - **Duplicates only after a failure.** The (ID, LastModifiedDate) pairs delivered within the overlap of the
///   cursor are remembered in the checkpoint, so re-read records are not delivered twice; a record is delivered
///   again only when it changed again, or when the poll stopped (a crash, an exception from the callback or from
///   `commit`) after delivering it and before the next checkpoint was saved: at most
///   ChangeFeedOptions::checkpoint_every records. Make the callback idempotent (an upsert by ID).
/// - **A small checkpoint.** Within a window the cursor advances with the deliveries (to the LastModifiedDate
///   of the last record handed over in that order), so the checkpoint holds only the records modified within
///   the overlap before its cursor (and any whose date could not be read): its size does not grow with the
///   window, and a first sync of a year writes it in time proportional to the records delivered.
/// - **Crash safety.** The checkpoint file is replaced atomically (written to a temporary file, flushed with
///   fsync, renamed over the old one, directory flushed): after a crash at any point it is either the old or the
///   new checkpoint, never a mix.
/// - **A cursor in the future is not trusted silently.** A checkpoint whose cursor lies more than 14 hours (the
///   widest time-zone offset) ahead of this machine's UTC clock was written by a machine whose clock was wrong,
///   or belongs elsewhere: polling from it skips every change made until then. The feed reports it through
///   ChangeFeedOptions::on_warning, and refuses to poll (kareo::InvalidArgument) when the cursor lies beyond
///   what a poll reads, ChangeFeedOptions::lookahead (36 hours) ahead of the clock, unless
///   ChangeFeedOptions::accept_future_cursor is set. The same holds for ChangeFeedOptions::start.
///
/// The vendor asks integrations to poll as rarely as they can ("every 2 hours instead of every 5 minutes"):
/// ChangeFeedOptions::poll_interval defaults to two hours.
/// @code
/// kareo::ChangeFeedOptions options;
/// options.entity = kareo::FeedEntity::Patients;
/// options.patient_filter.PracticeName = "Main Street Clinic";
/// options.checkpoint_path = "/var/lib/clinic-sync/patients.checkpoint";
/// kareo::ChangeFeed feed(client, options);
/// feed.run([&](const kareo::Change& change) { local_store.upsert(*change.patient); }, stop_token);
/// @endcode
/// A consumer that writes records to a file makes them durable before the checkpoint moves:
/// @code
/// options.commit = [&] {
///   out.flush();
///   if (!out || ::fsync(fd) != 0) throw std::runtime_error("cannot write the records");
/// };
/// @endcode
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include "kareo/cancellation.hpp"
#include "kareo/clock.hpp"
#include "kareo/datetime.hpp"
#include "kareo/paging.hpp"
#include "kareo/types.hpp"

namespace kareo {

class Client;

/// What a ChangeFeed follows.
enum class FeedEntity {
  Patients,      ///< Client::patients() by FromLastModifiedDate/ToLastModifiedDate.
  Appointments,  ///< Client::appointments() by FromLastModifiedDate/ToLastModifiedDate.
  Charges,       ///< Client::charges() by FromLastModifiedDate/ToLastModifiedDate.
  Payments,      ///< Client::payments() by FromLastModifiedDate/ToLastModifiedDate.
  Transactions,  ///< Client::transactions() by FromLastModifiedDate/ToLastModifiedDate.
};

/// The entity's name as a checkpoint writes it: "Patients", "Appointments", "Charges", "Payments",
/// "Transactions".
const char* feed_entity_name(FeedEntity entity) noexcept;

/// One changed record, as handed to the callback.
struct Change {
  FeedEntity entity = FeedEntity::Patients;            ///< Which kind of record.
  std::string id;                                      ///< The record's ID.
  std::string last_modified;                           ///< Its LastModifiedDate as the service wrote it.
  std::optional<DateTime> last_modified_time;          ///< The same, parsed (empty when it could not be parsed).
  std::shared_ptr<const PatientData> patient;          ///< The patient (FeedEntity::Patients), otherwise null.
  std::shared_ptr<const AppointmentData> appointment;  ///< The appointment (FeedEntity::Appointments), otherwise null.
  std::shared_ptr<const ChargeData> charge;            ///< The charge (FeedEntity::Charges), otherwise null.
  std::shared_ptr<const PaymentData> payment;          ///< The payment (FeedEntity::Payments), otherwise null.
  std::shared_ptr<const TransactionData> transaction;  ///< The transaction (FeedEntity::Transactions), otherwise null.
};

/// Where a feed stands: the state a checkpoint file holds.
struct Checkpoint {
  /// The feed the checkpoint belongs to.
  FeedEntity entity = FeedEntity::Patients;
  /// The latest LastModifiedDate received and fully processed; empty before the first record. The next poll
  /// starts at cursor - overlap.
  std::optional<DateTime> cursor;
  /// (ID, LastModifiedDate) of the records delivered with a LastModifiedDate from cursor - overlap on (and of
  /// those whose date could not be parsed): re-read, they are not delivered again. LastModifiedDate is in ISO
  /// form when it could be parsed, as sent otherwise.
  std::set<std::pair<std::string, std::string>> delivered;

  /// Checkpoints are equal when all their members are.
  friend bool operator==(const Checkpoint& a, const Checkpoint& b) {
    return a.entity == b.entity && a.cursor == b.cursor && a.delivered == b.delivered;
  }
};

/// A checkpoint in the text form FileCheckpointStore writes (for a CheckpointStore that keeps it elsewhere, e.g. in a
/// database row).
std::string checkpoint_to_text(const Checkpoint& checkpoint);
/// Reads checkpoint_to_text()'s form back; `where` names its origin in the error message.
/// @throws kareo::InvalidArgument when the text is damaged or not a checkpoint.
Checkpoint checkpoint_from_text(const std::string& text, const std::string& where);

/// Keeps a Checkpoint between runs. Implement it to keep checkpoints in a database.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  /// The last checkpoint saved, or empty when there is none yet.
  virtual std::optional<Checkpoint> load() = 0;
  /// Replaces the checkpoint, atomically: after a crash, load() returns either the old or the new one.
  virtual void save(const Checkpoint& checkpoint) = 0;
};

/// The steps of FileCheckpointStore::save(), in order (for fault-injection tests).
enum class CheckpointStep {
  TempWritten,      ///< The new checkpoint is written to `<path>.tmp` (not yet flushed).
  TempSynced,       ///< `<path>.tmp` is flushed to disk (fsync).
  Renamed,          ///< `<path>.tmp` was renamed over `<path>`.
  DirectorySynced,  ///< The directory entry is flushed (fsync of the directory).
};

/// A checkpoint in a small text file, replaced atomically (temporary file, fsync, rename, directory fsync).
///
/// The store holds an exclusive lock on `<path>.lock` while it exists, so two feeds cannot share a checkpoint
/// file by mistake.
class FileCheckpointStore final : public CheckpointStore {
 public:
  /// Keeps the checkpoint in `path`. `after_step`, if given, is called after each step of save() (tests throw
  /// from it to simulate a crash at that point).
  /// @throws kareo::InvalidArgument when `path` is empty or another store holds its lock.
  explicit FileCheckpointStore(std::string path, std::function<void(CheckpointStep)> after_step = {});
  ~FileCheckpointStore() override;
  FileCheckpointStore(const FileCheckpointStore&) = delete;
  FileCheckpointStore& operator=(const FileCheckpointStore&) = delete;

  /// Reads the file; empty when it does not exist.
  /// @throws kareo::InvalidArgument when the file is damaged or not a checkpoint.
  std::optional<Checkpoint> load() override;
  /// Replaces the file atomically.
  /// @throws kareo::InvalidArgument when it cannot be written.
  void save(const Checkpoint& checkpoint) override;

  /// The checkpoint file.
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  std::function<void(CheckpointStep)> after_step_;
  int lock_fd_ = -1;
};

/// How a ChangeFeed reads and where it keeps its checkpoint.
struct ChangeFeedOptions {
  /// What to follow.
  FeedEntity entity = FeedEntity::Patients;
  /// For FeedEntity::Patients: the filter every Client::patients() call starts from. Name the practice (PracticeName
  /// or PracticeID); the last-modified pair is set by the feed.
  PatientFilter patient_filter;
  /// For FeedEntity::Appointments: the filter every Client::appointments() call starts from (e.g. PracticeName).
  AppointmentFilter appointment_filter;
  /// For FeedEntity::Charges: the filter every Client::charges() call starts from (e.g. PracticeName). Set
  /// IncludeUnapprovedCharges (kareo::include_unapproved_charges()) to follow the charges of unapproved
  /// encounters too.
  ChargeFilter charge_filter;
  /// For FeedEntity::Payments: the filter every Client::payments() call starts from (e.g. PracticeName).
  PaymentFilter payment_filter;
  /// For FeedEntity::Transactions: the filter every Client::transactions() call starts from (e.g. PracticeName).
  TransactionFilter transaction_filter;
  /// The checkpoint file (a FileCheckpointStore); ignored when checkpoint_store is set.
  std::string checkpoint_path;
  /// Where the checkpoint is kept, instead of checkpoint_path.
  std::shared_ptr<CheckpointStore> checkpoint_store;
  /// Where the first poll starts (without a checkpoint): records last modified before it are not delivered.
  DateTime start{Date(2000, 1, 1)};
  /// How far before the checkpoint every poll starts reading again.
  std::chrono::seconds overlap = std::chrono::minutes(5);
  /// How far past this machine's current UTC time a poll reads (covers a service clock in any time zone).
  std::chrono::seconds lookahead = std::chrono::hours(36);
  /// The pause between two polls of run(). The vendor asks for polls as rare as possible (every two hours
  /// rather than every five minutes).
  std::chrono::seconds poll_interval = std::chrono::hours(2);
  /// How the period is cut into windows: the adaptive windows of a ranged read (kareo/paging.hpp), starting
  /// with the whole period (the LastModified pair has no window limit) unless `window` caps it, narrowing on a
  /// fault or a window over the row or byte budget, widening after small ones. Also the progress reports. Its
  /// cancel token is used by poll_once(); run() uses its own. Its clock defaults to `clock`.
  PagingOptions paging;
  /// Within a window, a checkpoint is written after this many deliveries (and always when a window is done):
  /// the most records a crash can cause to be delivered again.
  std::size_t checkpoint_every = 100;
  /// Called before every checkpoint is saved, once the callback returned for every record the checkpoint
  /// covers: make those records durable here (flush and fsync a file, commit a database transaction). If it
  /// throws, the poll ends with that exception without saving, and the next poll delivers those records
  /// again. Empty: the callback's return is enough.
  std::function<void()> commit;
  /// Receives warnings meant for a person: a checkpoint cursor (or `start`) ahead of this machine's clock.
  /// Called on the polling thread; must not throw. Empty: warnings are dropped.
  std::function<void(const std::string&)> on_warning;
  /// Poll even from a cursor (or `start`) further ahead of this machine's UTC clock than `lookahead`, which a
  /// poll could not read past: normally refused with kareo::InvalidArgument, since every change made until
  /// then would be skipped (see the file description).
  bool accept_future_cursor = false;
  /// Called by run() when a poll fails; return true to wait for the next poll, false (or throw) to stop run()
  /// with the failure. Empty: run() stops at the first failure.
  std::function<bool(const std::exception&)> on_error;
  /// The clock of poll_interval and lookahead.
  std::shared_ptr<Clock> clock = SystemClock::instance();
};

/// What one poll did.
struct PollResult {
  std::size_t delivered = 0;       ///< Records handed to the callback.
  std::size_t skipped = 0;         ///< Records re-read in the overlap and not delivered again.
  std::size_t windows = 0;         ///< Date windows read.
  std::optional<DateTime> cursor;  ///< The checkpoint's cursor after the poll.
};

/// Follows the changes of one practice's records of one FeedEntity; see the file description.
///
/// A ChangeFeed shares its Client's state (options and connections): it keeps working after the Client object it
/// was made from is moved from or destroyed. Not safe to use from several threads at once.
class ChangeFeed {
 public:
  /// Receives each changed record. An exception from it stops the poll; the record is delivered again next
  /// time.
  using Callback = std::function<void(const Change&)>;

  /// Follows `options.entity` through `client`.
  /// @throws kareo::InvalidArgument when neither checkpoint_path nor checkpoint_store is given, the checkpoint
  /// belongs to another entity, or `client` was moved from.
  ChangeFeed(Client& client, ChangeFeedOptions options);

  /// Reads the records modified since the checkpoint and delivers them, advancing the checkpoint as it goes.
  /// Failures are thrown (kareo::Cancelled when the paging cancel token was cancelled; the exception of the
  /// callback or of ChangeFeedOptions::commit as it was); the checkpoint then holds what was delivered and
  /// committed until its last save, and the next poll goes on from there.
  /// @throws kareo::InvalidArgument when the checkpoint's cursor is too far in the future (see the file
  /// description); nothing is read then.
  PollResult poll_once(const Callback& callback);

  /// Polls, then waits poll_interval, again and again until `stop` is cancelled (also during a wait or a poll).
  /// Failures stop it unless ChangeFeedOptions::on_error says otherwise.
  void run(const Callback& callback, const CancellationToken& stop);

  /// The checkpoint as it stands (as last saved).
  const Checkpoint& checkpoint() const noexcept { return checkpoint_; }

 private:
  PollResult poll(const Callback& callback, const CancellationToken& cancel);
  PollResult read(const Callback& callback, const CancellationToken& cancel, Checkpoint& last_saved);
  void check_start(const DateTime& position, long long now_utc);
  std::shared_ptr<Client> client_;  // shares the client's state (kareo::detail::share_client)
  ChangeFeedOptions options_;
  std::shared_ptr<CheckpointStore> store_;
  Checkpoint checkpoint_;
};

}  // namespace kareo
