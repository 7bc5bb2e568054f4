// kareo::Mirror: the reference data, the change feeds of the five incremental entities (rows and checkpoint in one
// transaction), and the reconciliation of appointments by service date.
#include "kareo/mirror.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "kareo/client.hpp"
#include "kareo/errors.hpp"
#include "kareo/json.hpp"
#include "mirror/schema.hpp"
#include "mirror/stores.hpp"

namespace kareo {

MirrorCounts MirrorSummary::counts(MirrorTable table) const {
  for (const auto& [t, c] : tables)
    if (t == table) return c;
  return {};
}

std::shared_ptr<MirrorStore> open_mirror_store(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    const std::string path = url.substr(7);
    if (path.empty()) throw InvalidArgument("the database URL sqlite: names no file (sqlite:PATH)");
    return mirror::open_sqlite_store(path);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return mirror::open_postgres_store(url);
  throw InvalidArgument("unknown database URL " + url + " (sqlite:PATH or postgresql://...)");
}

namespace {

std::string now_utc(Clock& clock) {
  const long long seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock.wall_now().time_since_epoch()).count();
  return mirror::sql_timestamp(detail::from_seconds(seconds));
}

bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The open transaction of a run and the counts it will add once committed.
class Transaction {
 public:
  Transaction(MirrorStore& store, MirrorSummary& summary) : store_(store), summary_(summary) {}
  ~Transaction() { rollback(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void upsert(const MirrorRow& row, const std::string& mirrored_at) {
    open();
    count(row.table, store_.upsert(row, mirrored_at));
  }
  void deleted(MirrorTable table) { ++pending_[table].deleted; }
  void open() {
    if (!open_) {
      store_.begin();
      open_ = true;
    }
  }
  void commit() {
    if (open_) {
      store_.commit();
      open_ = false;
    }
    for (const auto& [table, c] : pending_) {
      MirrorCounts& total = totals(table);
      total.inserted += c.inserted;
      total.updated += c.updated;
      total.unchanged += c.unchanged;
      total.deleted += c.deleted;
    }
    pending_.clear();
  }
  void rollback() noexcept {
    if (open_) store_.rollback();
    open_ = false;
    pending_.clear();
  }
  MirrorStore& store() { return store_; }

 private:
  void count(MirrorTable table, UpsertOutcome outcome) {
    MirrorCounts& c = pending_[table];
    if (outcome == UpsertOutcome::Inserted) ++c.inserted;
    if (outcome == UpsertOutcome::Updated) ++c.updated;
    if (outcome == UpsertOutcome::Unchanged) ++c.unchanged;
  }
  MirrorCounts& totals(MirrorTable table) {
    for (auto& [t, c] : summary_.tables)
      if (t == table) return c;
    summary_.tables.emplace_back(table, MirrorCounts{});
    return summary_.tables.back().second;
  }

  MirrorStore& store_;
  MirrorSummary& summary_;
  bool open_ = false;
  std::map<MirrorTable, MirrorCounts> pending_;
};

// A feed's checkpoint in the database: saved in the transaction of the rows it covers, which it commits.
class DatabaseCheckpoints final : public CheckpointStore {
 public:
  DatabaseCheckpoints(Transaction& transaction, std::string feed) : transaction_(transaction), feed_(std::move(feed)) {}
  std::optional<Checkpoint> load() override {
    const auto text = transaction_.store().load_checkpoint(feed_);
    if (!text) return std::nullopt;
    return checkpoint_from_text(*text, "of " + feed_ + " in the mirror database");
  }
  void save(const Checkpoint& checkpoint) override {
    transaction_.open();
    transaction_.store().save_checkpoint(feed_, checkpoint_to_text(checkpoint));
    transaction_.commit();
  }

 private:
  Transaction& transaction_;
  std::string feed_;
};

struct FeedPlan {
  MirrorEntity entity;
  FeedEntity feed;
  MirrorTable table;
};

constexpr FeedPlan kFeeds[] = {
    {MirrorEntity::Patients, FeedEntity::Patients, MirrorTable::Patients},
    {MirrorEntity::Appointments, FeedEntity::Appointments, MirrorTable::Appointments},
    {MirrorEntity::Charges, FeedEntity::Charges, MirrorTable::Charges},
    {MirrorEntity::Payments, FeedEntity::Payments, MirrorTable::Payments},
    {MirrorEntity::Transactions, FeedEntity::Transactions, MirrorTable::Transactions},
};

nlohmann::json record_of(const Change& change) {
  if (change.patient) return to_json(*change.patient);
  if (change.appointment) return to_json(*change.appointment);
  if (change.charge) return to_json(*change.charge);
  if (change.payment) return to_json(*change.payment);
  if (change.transaction) return to_json(*change.transaction);
  return nlohmann::json::object();
}

}  // namespace

Mirror::Mirror(Client& client, std::shared_ptr<MirrorStore> store, MirrorOptions options)
    : client_(detail::share_client(client)), store_(std::move(store)), options_(std::move(options)) {
  if (options_.practice.empty()) throw InvalidArgument("a mirror needs the practice's name");
  if (!store_) throw InvalidArgument("a mirror needs a store");
  if (!options_.clock) options_.clock = SystemClock::instance();
  store_->ensure_schema();
}

MirrorSummary Mirror::run_once(const CancellationToken& stop) {
  MirrorSummary summary;
  Transaction transaction(*store_, summary);
  auto wants = [&](MirrorEntity e) {
    return std::find(options_.entities.begin(), options_.entities.end(), e) != options_.entities.end();
  };
  auto progress = [&](const std::string& line) {
    if (options_.on_progress) options_.on_progress(line);
  };
  auto check_stop = [&] {
    if (stop.cancelled()) throw Cancelled("the mirror was stopped");
  };
  // Every table the run covers is in the summary, in mirror_tables() order, even when nothing changed in it.
  for (MirrorTable table : mirror_tables()) {
    const bool reference =
        table == MirrorTable::Practices || table == MirrorTable::Providers || table == MirrorTable::ServiceLocations;
    bool covered = reference && wants(MirrorEntity::Reference);
    for (const FeedPlan& plan : kFeeds) covered = covered || (plan.table == table && wants(plan.entity));
    if (covered) summary.tables.emplace_back(table, MirrorCounts{});
  }

  // The practice (its ID keys every row), and the reference data, refreshed whole.
  PracticeFilter practice_filter;
  practice_filter.PracticeName = options_.practice;
  std::optional<PracticeData> practice;
  for (auto& row : client_->practices(PracticeQuery(practice_filter)))
    if (row.ID && !row.ID->empty() && same_name(row.PracticeName.value_or(""), options_.practice))
      practice = std::move(row);
  if (!practice) throw InvalidArgument("no practice named \"" + options_.practice + "\" (kareo practices lists them)");
  const std::string practice_id = *practice->ID;
  check_stop();
  if (wants(MirrorEntity::Reference)) {
    const std::string at = now_utc(*options_.clock);
    transaction.upsert(mirror::make_row(MirrorTable::Practices, practice_id, to_json(*practice)), at);
    ProviderFilter providers;
    providers.PracticeName = options_.practice;
    for (const auto& row : client_->providers(ProviderQuery(providers)))
      if (row.ID && !row.ID->empty())
        transaction.upsert(mirror::make_row(MirrorTable::Providers, practice_id, to_json(row)), at);
    ServiceLocationFilter locations;
    locations.PracticeName = options_.practice;
    for (const auto& row : client_->service_locations(ServiceLocationQuery(locations)))
      if (row.ID && !row.ID->empty())
        transaction.upsert(mirror::make_row(MirrorTable::ServiceLocations, practice_id, to_json(row)), at);
    transaction.commit();
    progress("reference data: the practice, its providers and service locations");
  }

  // The incremental entities: each window's rows and the feed's checkpoint in one transaction.
  for (const FeedPlan& plan : kFeeds) {
    if (!wants(plan.entity)) continue;
    check_stop();
    ChangeFeedOptions feed;
    feed.entity = plan.feed;
    feed.patient_filter.PracticeName = options_.practice;
    feed.appointment_filter.PracticeName = options_.practice;
    feed.charge_filter.PracticeName = options_.practice;
    include_unapproved_charges(feed.charge_filter);
    feed.payment_filter.PracticeName = options_.practice;
    feed.transaction_filter.PracticeName = options_.practice;
    feed.checkpoint_store = std::make_shared<DatabaseCheckpoints>(
        transaction, std::string(feed_entity_name(plan.feed)) + ":" + practice_id);
    feed.start = options_.since;
    feed.paging = options_.paging;
    feed.paging.cancel = stop;
    feed.checkpoint_every = std::max<std::size_t>(1, options_.commit_every);
    feed.on_warning = options_.on_warning;
    feed.clock = options_.clock;
    ChangeFeed changes(*client_, feed);
    const std::string at = now_utc(*options_.clock);
    const MirrorTable table = plan.table;
    try {
      const PollResult result = changes.poll_once([&](const Change& change) {
        transaction.upsert(mirror::make_row(table, practice_id, record_of(change)), at);
      });
      progress(std::string(mirror_table_name(table)) + ": " + std::to_string(result.delivered) + " records in " +
               std::to_string(result.windows) + (result.windows == 1 ? " window" : " windows"));
    } catch (...) {
      transaction.rollback();
      throw;
    }
  }

  // Deletions: appointments re-read by service date; rows the service no longer returns are marked.
  if (options_.reconcile_days && wants(MirrorEntity::Appointments)) {
    check_stop();
    const int days = std::max(0, *options_.reconcile_days);
    const long long now =
        std::chrono::duration_cast<std::chrono::seconds>(options_.clock->wall_now().time_since_epoch()).count();
    const Date today = detail::from_seconds(now).date();
    const DateTime from(today.add_days(-days));
    const DateTime to(today.add_days(days), 23, 59, 59);
    // Read a day more on each side: the service's dates are in its time zone, the column in UTC.
    AppointmentQuery query;
    query.filter.PracticeName = options_.practice;
    query.service_date = TimeRange{DateTime(today.add_days(-days - 1)), DateTime(today.add_days(days + 1), 23, 59, 59)};
    query.paging = options_.paging;
    query.paging.cancel = stop;
    std::set<std::string> live;
    const std::string at = now_utc(*options_.clock);
    try {
      for (const auto& row : client_->appointments(query)) {
        if (!row.ID || row.ID->empty()) continue;
        live.insert(*row.ID);
        transaction.upsert(mirror::make_row(MirrorTable::Appointments, practice_id, to_json(row)), at);
      }
      transaction.open();
      for (const std::string& id : store_->live_ids(MirrorTable::Appointments, practice_id, "start_time",
                                                    mirror::sql_timestamp(from), mirror::sql_timestamp(to))) {
        if (live.count(id) == 0 && store_->mark_deleted(MirrorTable::Appointments, practice_id, id, at))
          transaction.deleted(MirrorTable::Appointments);
      }
      transaction.commit();
    } catch (...) {
      transaction.rollback();
      throw;
    }
    progress("appointments: reconciled " + std::to_string(live.size()) + " appointments from " + from.date().iso() +
             " to " + to.date().iso());
  }
  return summary;
}

}  // namespace kareo
