// The change feed against an in-memory service: first sync, incremental polls, the overlap, the checkpoint
// file's atomicity, and crashes between any two steps (a delivery or a step of writing the checkpoint).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"
#include "mock_service.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using policy_test::MockRecord;
using policy_test::MockService;

DateTime at(int y, int m, int d, int h = 0, int mi = 0, int s = 0) { return DateTime(Date(y, m, d), h, mi, s); }

// Removes the scratch directories when the tests end.
std::vector<std::string>& scratch_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& d : scratch_dirs()) std::filesystem::remove_all(d);
  }
};
[[maybe_unused]] ::testing::Environment* const scratch_cleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

// Checkpoints are flushed with fsync at every step; on a memory file system (when there is one) that costs
// nothing, which keeps the crash tests (hundreds of restarts) fast.
std::string scratch(const std::string& name) {
  std::filesystem::path base = std::filesystem::path(KAREO_BINARY_DIR) / "tests-scratch";
  if (::access("/dev/shm", W_OK) == 0) base = "/dev/shm/kareo-tests";
  auto dir = base / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  scratch_dirs().push_back(dir.string());
  return dir.string();
}

// 2024-06-01 12:00 UTC on this machine.
std::shared_ptr<ManualClock> june_clock() {
  return std::make_shared<ManualClock>(std::chrono::system_clock::time_point(std::chrono::seconds(1717243200)));
}

struct Fixture {
  std::shared_ptr<ManualClock> clock = june_clock();
  std::shared_ptr<MockService> service = std::make_shared<MockService>();
  Client client{Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(service)};
  std::string dir;

  explicit Fixture(const std::string& name, int patients = 0) : dir(scratch(name)) {
    // Patients modified over the first five months of 2024, a few at identical times.
    for (int i = 0; i < patients; ++i) {
      const long long t = detail::to_seconds(at(2024, 1, 1)) + (i / 2) * 37 * 3600LL;  // pairs share a time
      service->patients[100 + i] = {detail::from_seconds(t), "", 0, "Testpatient" + std::to_string(i)};
    }
  }

  ChangeFeedOptions options(FeedEntity entity = FeedEntity::Patients) const {
    ChangeFeedOptions o;
    o.entity = entity;
    o.patient_filter.PracticeName = "Testpractice Alpha";
    o.appointment_filter.PracticeName = "Testpractice Alpha";
    o.checkpoint_path = dir + "/feed.checkpoint";
    o.start = at(2024, 1, 1);
    o.clock = clock;
    o.paging.clock = clock;
    return o;
  }

  // The service's current state: ID -> LastModifiedDate text.
  std::map<std::string, std::string> truth() const {
    std::map<std::string, std::string> out;
    for (const auto& [id, rec] : service->patients) out[std::to_string(id)] = rec.last_modified.iso();
    return out;
  }
};

// A local copy kept by upserts, counting deliveries.
struct LocalCopy {
  std::map<std::string, std::string> rows;  // ID -> LastModifiedDate (ISO)
  std::size_t deliveries = 0;
  ChangeFeed::Callback callback() {
    return [this](const Change& c) {
      ++deliveries;
      ASSERT_TRUE(c.last_modified_time.has_value()) << c.last_modified;
      rows[c.id] = c.last_modified_time->iso();
      ASSERT_TRUE(c.patient || c.appointment);
    };
  }
};

TEST(ChangeFeed, TheFirstPollDeliversEverythingOnceAndSavesACheckpoint) {
  Fixture f("feed-first", 120);
  ChangeFeed feed(f.client, f.options());
  LocalCopy local;
  const PollResult r = feed.poll_once(local.callback());
  EXPECT_EQ(local.rows, f.truth());
  EXPECT_EQ(local.deliveries, 120u);
  EXPECT_EQ(r.delivered, 120u);
  ASSERT_TRUE(r.cursor.has_value());
  EXPECT_EQ(*r.cursor, f.service->patients.rbegin()->second.last_modified);
  EXPECT_TRUE(std::filesystem::exists(f.options().checkpoint_path));
  // Every call named the practice and both ends of the last-modified range.
  for (const auto& [from, to] : f.service->windows) {
    EXPECT_FALSE(from.empty());
    EXPECT_FALSE(to.empty());
  }
  // Nothing changed: the next poll delivers nothing, and re-reads only from the checkpoint minus the overlap.
  f.service->windows.clear();
  const PollResult again = feed.poll_once(local.callback());
  EXPECT_EQ(again.delivered, 0u);
  EXPECT_EQ(local.deliveries, 120u);
  ASSERT_FALSE(f.service->windows.empty());
  EXPECT_EQ(DateTime::parse(f.service->windows.front().first),
            detail::from_seconds(detail::to_seconds(*r.cursor) - 300));
}

TEST(ChangeFeed, LaterPollsDeliverOnlyWhatChanged) {
  Fixture f("feed-changes", 50);
  ChangeFeed feed(f.client, f.options());
  LocalCopy local;
  feed.poll_once(local.callback());
  f.clock->advance(2h);
  f.service->patients[100].last_modified = at(2024, 6, 1, 13, 0, 0);
  f.service->patients[120].last_modified = at(2024, 6, 1, 13, 0, 0);
  f.service->patients[900] = {at(2024, 6, 1, 13, 30, 0), "", 0, "Testpatient New"};
  local.deliveries = 0;
  const PollResult r = feed.poll_once(local.callback());
  EXPECT_EQ(r.delivered, 3u);
  EXPECT_EQ(local.deliveries, 3u);
  EXPECT_EQ(local.rows, f.truth());
  EXPECT_EQ(*r.cursor, at(2024, 6, 1, 13, 30, 0));
}

TEST(ChangeFeed, AChangeCommittedLateInsideTheOverlapIsStillDelivered) {
  Fixture f("feed-late", 10);
  f.service->patients[500] = {at(2024, 6, 1, 9, 0, 0), "", 0, "Testpatient Last"};
  ChangeFeed feed(f.client, f.options());
  LocalCopy local;
  feed.poll_once(local.callback());
  ASSERT_EQ(*feed.checkpoint().cursor, at(2024, 6, 1, 9, 0, 0));
  // A transaction that started before the last poll commits after it, with an earlier LastModifiedDate.
  f.service->patients[501] = {at(2024, 6, 1, 8, 57, 0), "", 0, "Testpatient Late"};
  local.deliveries = 0;
  feed.poll_once(local.callback());
  EXPECT_EQ(local.deliveries, 1u);
  EXPECT_EQ(local.rows, f.truth());
}

TEST(ChangeFeed, TheCursorFollowsTheServiceClockNotThisMachines) {
  // The service writes local time eight hours behind this machine's UTC clock.
  Fixture f("feed-zone", 0);
  f.service->patients[1] = {at(2024, 6, 1, 4, 0, 0), "", 0, "Testpatient One"};  // 12:00 UTC
  ChangeFeed feed(f.client, f.options());
  LocalCopy local;
  feed.poll_once(local.callback());
  f.clock->advance(2h);  // 14:00 UTC, 06:00 at the service
  f.service->patients[2] = {at(2024, 6, 1, 5, 30, 0), "", 0, "Testpatient Two"};
  feed.poll_once(local.callback());
  EXPECT_EQ(local.rows, f.truth());
}

TEST(ChangeFeed, RecordsDeliveredBeforeACrashStillMoveTheCursor) {
  Fixture f("feed-resume-cursor", 10);
  auto o = f.options();
  o.checkpoint_every = 1;  // every delivery is checkpointed
  {
    ChangeFeed feed(f.client, o);
    std::size_t n = 0;
    struct Stop {};
    // The service answers newest first; the feed delivers oldest first, and checkpoints as it goes.
    EXPECT_THROW(feed.poll_once([&](const Change&) {
      if (++n == 3) throw Stop{};
    }),
                 Stop);
    // The window was not finished, but the cursor is at the two records delivered (they share a time).
    ASSERT_TRUE(feed.checkpoint().cursor.has_value());
    EXPECT_EQ(*feed.checkpoint().cursor, at(2024, 1, 1));
    EXPECT_EQ(feed.checkpoint().delivered.size(), 2u);
  }
  ChangeFeed restarted(f.client, o);
  LocalCopy local;
  const PollResult r = restarted.poll_once(local.callback());
  EXPECT_EQ(r.delivered, 8u);
  EXPECT_EQ(r.skipped, 2u);
  ASSERT_TRUE(r.cursor.has_value());
  EXPECT_EQ(*r.cursor, f.service->patients.rbegin()->second.last_modified);
}

TEST(ChangeFeed, FollowsAppointmentsToo) {
  Fixture f("feed-appointments", 0);
  for (int i = 0; i < 40; ++i) f.service->appointments[i + 1] = {at(2024, 2, 1 + i % 28, i % 24), "", 0, ""};
  ChangeFeed feed(f.client, f.options(FeedEntity::Appointments));
  std::set<std::string> ids;
  feed.poll_once([&](const Change& c) {
    EXPECT_EQ(c.entity, FeedEntity::Appointments);
    ASSERT_NE(c.appointment, nullptr);
    EXPECT_EQ(c.patient, nullptr);
    EXPECT_TRUE(ids.insert(c.id).second) << "twice: " << c.id;
  });
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_GT(f.service->calls[Operation::GetAppointments], 0);
  EXPECT_EQ(f.service->calls[Operation::GetPatients], 0);
}

TEST(ChangeFeed, CheckpointTextRoundTripsForEveryEntity) {
  for (FeedEntity entity : {FeedEntity::Patients, FeedEntity::Appointments, FeedEntity::Charges, FeedEntity::Payments,
                            FeedEntity::Transactions}) {
    Checkpoint c;
    c.entity = entity;
    c.cursor = at(2024, 3, 1, 9, 30);
    c.delivered = {{"17", "2024-03-01T09:30:00"}, {"id with blank", "3/1/2024 9:30:00 AM"}};
    const std::string text = checkpoint_to_text(c);
    EXPECT_NE(text.find(std::string("entity ") + feed_entity_name(entity)), std::string::npos) << text;
    EXPECT_EQ(checkpoint_from_text(text, "a test"), c) << feed_entity_name(entity);
  }
  EXPECT_STREQ(feed_entity_name(FeedEntity::Transactions), "Transactions");
  EXPECT_THROW(checkpoint_from_text("kareo-change-feed 1\nentity Charges\ncursor -\n", "a test"), InvalidArgument);
}

TEST(ChangeFeed, RefusesACheckpointOfAnotherEntityOrAMissingPath) {
  Fixture f("feed-mismatch", 3);
  {
    ChangeFeed feed(f.client, f.options(FeedEntity::Patients));
    feed.poll_once([](const Change&) {});
  }
  EXPECT_THROW(ChangeFeed(f.client, f.options(FeedEntity::Appointments)), InvalidArgument);
  auto o = f.options();
  o.checkpoint_path.clear();
  EXPECT_THROW(ChangeFeed(f.client, o), InvalidArgument);
}

TEST(ChangeFeed, TwoFeedsCannotShareACheckpointFile) {
  Fixture f("feed-lock", 1);
  ChangeFeed first(f.client, f.options());
  EXPECT_THROW(ChangeFeed(f.client, f.options()), InvalidArgument);
}

TEST(ChangeFeed, RunPollsEveryIntervalUntilStopped) {
  Fixture f("feed-run", 5);
  // A change appears during each pause: one after the first poll, one after the second.
  const auto start = f.clock->now();
  auto changing = std::make_shared<policy_test::MockConnection>(f.clock);
  changing->handler = [&](Exchange& ex) {
    const auto elapsed = f.clock->now() - start;
    if (elapsed == 2h) f.service->patients.emplace(9001, MockRecord{at(2024, 6, 1, 13), "", 0, "Testpatient Second"});
    if (elapsed == 4h) f.service->patients.emplace(9002, MockRecord{at(2024, 6, 1, 15), "", 0, "Testpatient Third"});
    f.service->call(ex);
  };
  Client client(Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(changing));
  ChangeFeed feed(client, f.options());
  CancellationToken stop;
  std::vector<std::string> delivered;
  feed.run(
      [&](const Change& c) {
        delivered.push_back(c.id);
        if (c.id == "9002") stop.cancel();
      },
      stop);
  ASSERT_EQ(delivered.size(), 7u);
  EXPECT_EQ(delivered[5], "9001");
  EXPECT_EQ(delivered[6], "9002");
  EXPECT_EQ(f.clock->now() - start, 4h);  // two pauses of the default two hours
}

TEST(ChangeFeed, RunStopsAtTheFirstFailureUnlessToldToGoOn) {
  Fixture f("feed-errors", 2);
  auto failing = std::make_shared<policy_test::MockConnection>(f.clock);
  int calls = 0;
  failing->handler = [&](Exchange& ex) {
    if (++calls <= 2)
      throw ServiceError("temporarily unavailable", policy_test::details(ex.operation, ErrorKind::ServiceError));
    f.service->call(ex);
  };
  Client client(Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(failing));
  {
    ChangeFeed feed(client, f.options());
    CancellationToken stop;
    EXPECT_THROW(feed.run([](const Change&) {}, stop), ServiceError);
  }
  auto o = f.options();
  int errors = 0;
  o.on_error = [&](const std::exception&) { return ++errors < 5; };
  ChangeFeed feed(client, o);
  CancellationToken stop;
  std::size_t delivered = 0;
  feed.run(
      [&](const Change&) {
        if (++delivered == 2) stop.cancel();
      },
      stop);
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(delivered, 2u);
}

// A store in memory that keeps the size of every checkpoint saved.
struct MemoryStore : CheckpointStore {
  std::optional<Checkpoint> saved;
  std::vector<std::size_t> sizes;  // delivered.size() of each save
  std::optional<Checkpoint> load() override { return saved; }
  void save(const Checkpoint& c) override {
    saved = c;
    sizes.push_back(c.delivered.size());
  }
};

TEST(ChangeFeed, AFirstSyncKeepsItsCheckpointSmallAndWritesItInLinearTime) {
  Fixture f("feed-bound", 0);
  // 5,000 patients modified over a year, one every 105 minutes; all of them in one window.
  const long long start = detail::to_seconds(at(2023, 6, 1));
  for (int i = 0; i < 5000; ++i)
    f.service->patients[100 + i] = {detail::from_seconds(start + i * 6300LL), "", 0, "Testpatient"};
  auto o = f.options();
  o.start = at(2023, 6, 1);
  o.paging.window = std::chrono::hours(24 * 400);
  auto store = std::make_shared<MemoryStore>();
  o.checkpoint_store = store;
  ChangeFeed feed(f.client, o);
  LocalCopy local;
  const PollResult r = feed.poll_once(local.callback());
  EXPECT_EQ(r.delivered, 5000u);
  EXPECT_EQ(local.rows, f.truth());
  ASSERT_GE(store->sizes.size(), 50u);  // every 100 deliveries, and at the end of the window
  // The checkpoint holds the records within the overlap of its cursor (here one or two), not the window's.
  std::size_t largest = 0, written = 0;
  for (std::size_t n : store->sizes) {
    largest = std::max(largest, n);
    written += n;
  }
  EXPECT_LE(largest, 3u);
  EXPECT_LE(written, 3 * store->sizes.size());
  // The cursor moved with the deliveries: a crash now would re-read from the last record delivered.
  EXPECT_EQ(store->saved->cursor, f.service->patients.rbegin()->second.last_modified);
}

TEST(ChangeFeed, TheCommitHookRunsBeforeEveryCheckpoint) {
  Fixture f("feed-commit", 60);
  auto o = f.options();
  o.checkpoint_every = 7;
  o.paging.window = std::chrono::hours(24 * 20);
  std::vector<std::string> received, durable;  // what the consumer got, and what it made durable
  std::size_t commits = 0;
  o.commit = [&] {
    ++commits;
    durable.insert(durable.end(), received.begin(), received.end());
    received.clear();
  };
  // Every checkpoint saved covers only records the consumer had made durable.
  struct CheckingStore : MemoryStore {
    std::vector<std::string>* pending = nullptr;
    std::size_t saves = 0;
    void save(const Checkpoint& c) override {
      EXPECT_TRUE(pending->empty()) << "a checkpoint was saved before " << pending->size() << " records were committed";
      ++saves;
      MemoryStore::save(c);
    }
  };
  auto store = std::make_shared<CheckingStore>();
  store->pending = &received;
  o.checkpoint_store = store;
  ChangeFeed feed(f.client, o);
  const PollResult r = feed.poll_once([&](const Change& c) { received.push_back(c.id); });
  EXPECT_EQ(r.delivered, 60u);
  EXPECT_EQ(durable.size(), 60u);
  EXPECT_EQ(commits, store->saves);
  EXPECT_GE(commits, 60u / 7);
}

TEST(ChangeFeed, ACommitThatFailsKeepsTheCheckpointAndTheRecordsComeAgain) {
  struct DiskFull : std::runtime_error {
    DiskFull() : std::runtime_error("no space left on device") {}
  };
  // The consumer's durable copy survives a failure; what it had received and not committed is lost.
  struct Consumer {
    std::map<std::string, std::string> durable, pending;  // ID -> LastModifiedDate
    int commits = 0;
    void commit() {
      if (++commits == 3) throw DiskFull();  // the records of the third checkpoint cannot be made durable
      durable.insert(pending.begin(), pending.end());
      pending.clear();
    }
  };
  for (const bool restart : {false, true}) {
    SCOPED_TRACE(restart ? "a new feed on the checkpoint file" : "the same feed polled again");
    Fixture f(restart ? "feed-commit-restart" : "feed-commit-again", 60);
    auto o = f.options();
    o.checkpoint_every = 7;
    o.paging.window = std::chrono::hours(24 * 20);
    Consumer consumer;
    o.commit = [&] { consumer.commit(); };
    auto deliver = [&](const Change& c) { consumer.pending[c.id] = c.last_modified_time->iso(); };
    std::optional<ChangeFeed> feed(std::in_place, f.client, o);
    EXPECT_THROW(feed->poll_once(deliver), DiskFull);
    consumer.pending.clear();
    const Checkpoint at_failure = feed->checkpoint();
    ASSERT_TRUE(at_failure.cursor.has_value());
    EXPECT_LT(consumer.durable.size(), 60u);
    if (restart) {
      feed.reset();
      feed.emplace(f.client, o);
      EXPECT_EQ(feed->checkpoint(), at_failure);  // the file holds the checkpoint of the second commit
    }
    feed->poll_once(deliver);
    EXPECT_TRUE(consumer.pending.empty());
    EXPECT_EQ(consumer.durable, f.truth());
  }
}

TEST(ChangeFeed, ACursorAheadOfTheClockIsReported) {
  Fixture f("feed-ahead", 10);
  auto o = f.options();
  {
    FileCheckpointStore store(o.checkpoint_path);
    Checkpoint c;
    c.cursor = at(2024, 6, 2, 8, 0, 0);  // 20 hours ahead of 2024-06-01 12:00 UTC: no time zone explains it
    store.save(c);
  }
  std::vector<std::string> warnings;
  o.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  ChangeFeed feed(f.client, o);
  feed.poll_once([](const Change&) {});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("2024-06-02T08:00:00"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("20 hours ahead"), std::string::npos) << warnings[0];
  EXPECT_EQ(f.service->calls[Operation::GetPatients], 1);
  // 13 hours ahead: a service clock in UTC+13 writes that; nothing to say.
  Fixture g("feed-ahead-zone", 10);
  auto p = g.options();
  {
    FileCheckpointStore store(p.checkpoint_path);
    Checkpoint c;
    c.cursor = at(2024, 6, 2, 1, 0, 0);
    store.save(c);
  }
  p.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  ChangeFeed quiet(g.client, p);
  quiet.poll_once([](const Change&) {});
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(ChangeFeed, AFarFutureCursorOrStartIsAcceptedWhenForced) {
  Fixture f("feed-future-forced", 10);
  auto o = f.options();
  {
    FileCheckpointStore store(o.checkpoint_path);
    Checkpoint c;
    c.cursor = at(2025, 6, 1);
    store.save(c);
  }
  std::vector<std::string> warnings;
  o.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  o.accept_future_cursor = true;
  {
    ChangeFeed feed(f.client, o);
    EXPECT_EQ(feed.poll_once([](const Change&) {}).delivered, 0u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("2025-06-01T00:00:00"), std::string::npos) << warnings[0];
  }
  // A start in the future (no checkpoint yet) is refused too.
  Fixture g("feed-future-start", 10);
  auto p = g.options();
  p.start = at(2024, 8, 1);
  ChangeFeed feed(g.client, p);
  EXPECT_THROW(feed.poll_once([](const Change&) {}), InvalidArgument);
  EXPECT_EQ(g.service->calls[Operation::GetPatients], 0);
}

TEST(ChangeFeed, ACursorFarInTheFutureIsRefused) {
  Fixture f("feed-future", 10);
  // A checkpoint written while this machine's clock was a year ahead (the clock says 2024-06-01 12:00 UTC).
  auto o = f.options();
  {
    FileCheckpointStore store(o.checkpoint_path);
    Checkpoint c;
    c.cursor = at(2025, 6, 1);
    store.save(c);
  }
  ChangeFeed feed(f.client, o);
  LocalCopy local;
  try {
    feed.poll_once(local.callback());
    ADD_FAILURE() << "a cursor a year ahead was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("2025-06-01T00:00:00"), std::string::npos) << e.what();
  }
  EXPECT_EQ(f.service->calls[Operation::GetPatients], 0);
  EXPECT_EQ(local.deliveries, 0u);
}

// ---- the checkpoint file
// ---------------------------------------------------------------------------------------------

Checkpoint sample(int n) {
  Checkpoint c;
  c.entity = FeedEntity::Appointments;
  c.cursor = at(2024, 3, n, 10, 11, 12);
  for (int i = 0; i < n; ++i) c.delivered.emplace(std::to_string(i), at(2024, 3, n, 10, i).iso());
  c.delivered.emplace("odd id with spaces%", "not a date");
  return c;
}

TEST(ChangeFeedCheckpoint, SavesAndLoadsEveryMember) {
  const std::string dir = scratch("checkpoint-roundtrip");
  FileCheckpointStore store(dir + "/c");
  EXPECT_FALSE(store.load().has_value());
  store.save(sample(5));
  EXPECT_EQ(store.load(), sample(5));
  Checkpoint empty;
  store.save(empty);
  EXPECT_EQ(store.load(), empty);
}

TEST(ChangeFeedCheckpoint, ACrashAtAnyStepLeavesTheOldOrTheNewCheckpoint) {
  const std::string dir = scratch("checkpoint-crash");
  const std::string path = dir + "/c";
  struct Crash {};
  for (CheckpointStep crash_at : {CheckpointStep::TempWritten, CheckpointStep::TempSynced, CheckpointStep::Renamed,
                                  CheckpointStep::DirectorySynced}) {
    {
      FileCheckpointStore store(path);
      store.save(sample(3));
    }
    {
      FileCheckpointStore store(path, [&](CheckpointStep s) {
        if (s == crash_at) throw Crash{};
      });
      EXPECT_THROW(store.save(sample(7)), Crash);
    }
    FileCheckpointStore after(path);
    const auto loaded = after.load();
    ASSERT_TRUE(loaded.has_value());
    const bool renamed = crash_at == CheckpointStep::Renamed || crash_at == CheckpointStep::DirectorySynced;
    EXPECT_EQ(*loaded, renamed ? sample(7) : sample(3)) << static_cast<int>(crash_at);
  }
}

TEST(ChangeFeedCheckpoint, ADamagedFileIsReportedNotGuessed) {
  const std::string dir = scratch("checkpoint-damaged");
  const std::string path = dir + "/c";
  {
    FileCheckpointStore store(path);
    store.save(sample(4));
  }
  std::string text;
  {
    std::ifstream in(path);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const std::string& bad :
       {text.substr(0, text.size() / 2), std::string("hello\n"), text.substr(0, text.rfind("end"))}) {
    {
      std::ofstream out(path, std::ios::trunc);
      out << bad;
    }
    FileCheckpointStore store(path);
    EXPECT_THROW(store.load(), InvalidArgument);
  }
}

// ---- crashes while syncing ----------------------------------------------------------------------------------------

// Thrown by the test to stop the feed at some step, as a kill would.
struct Killed {};

// A run of the feed to completion that dies at step `kill_at` (deliveries and checkpoint-write steps counted
// together, from 1), then restarts until a poll completes. Returns the number of deliveries in all.
std::size_t sync_with_a_kill(Fixture& f, LocalCopy& local, std::size_t kill_at, std::size_t& steps_seen,
                             std::chrono::seconds window = std::chrono::hours(24 * 20)) {
  std::size_t step = 0;
  auto tick = [&] {
    if (++step == kill_at) throw Killed{};
  };
  auto o = f.options();
  o.checkpoint_every = 7;
  o.paging.window = window;
  bool killed = false;
  {
    o.checkpoint_store = std::make_shared<FileCheckpointStore>(o.checkpoint_path, [&](CheckpointStep) { tick(); });
    ChangeFeed feed(f.client, o);
    try {
      auto deliver = local.callback();
      feed.poll_once([&](const Change& c) {
        tick();  // killed before the record was stored
        deliver(c);
      });
    } catch (const Killed&) {
      killed = true;
    }
  }
  steps_seen = step;
  if (killed) {
    o.checkpoint_store = nullptr;  // the restarted process: plain file store
    ChangeFeed feed(f.client, o);
    feed.poll_once(local.callback());
  }
  return local.deliveries;
}

TEST(ChangeFeed, AKillBetweenAnyTwoStepsLosesNothingAndRepeatsLittle) {
  // Count the steps of an undisturbed run.
  std::size_t total_steps = 0;
  {
    Fixture f("feed-kill-count", 60);
    LocalCopy local;
    sync_with_a_kill(f, local, 0, total_steps);
    ASSERT_EQ(local.rows, f.truth());
    ASSERT_EQ(local.deliveries, 60u);
  }
  ASSERT_GT(total_steps, 60u);
  for (std::size_t kill_at = 1; kill_at <= total_steps; ++kill_at) {
    Fixture f("feed-kill", 60);
    LocalCopy local;
    std::size_t ignored = 0;
    const std::size_t deliveries = sync_with_a_kill(f, local, kill_at, ignored);
    EXPECT_EQ(local.rows, f.truth()) << "killed at step " << kill_at;
    // Delivered again at most what was delivered after the last checkpoint.
    EXPECT_LE(deliveries, 60u + 7u) << "killed at step " << kill_at;
    // After the restart, the feed is quiet.
    ChangeFeed feed(f.client, f.options());
    LocalCopy later;
    feed.poll_once(later.callback());
    EXPECT_EQ(later.deliveries, 0u) << "killed at step " << kill_at;
  }
}

TEST(ChangeFeed, AKillAnywhereInOneLargeWindowLosesNothingAndRepeatsLittle) {
  // Every record in one window: the cursor moves within it, record by record.
  const auto one_window = std::chrono::hours(24 * 400);
  std::size_t total_steps = 0;
  {
    Fixture f("feed-kill-window-count", 60);
    LocalCopy local;
    sync_with_a_kill(f, local, 0, total_steps, one_window);
    ASSERT_EQ(local.rows, f.truth());
    ASSERT_EQ(local.deliveries, 60u);
  }
  for (std::size_t kill_at = 1; kill_at <= total_steps; ++kill_at) {
    Fixture f("feed-kill-window", 60);
    LocalCopy local;
    std::size_t ignored = 0;
    const std::size_t deliveries = sync_with_a_kill(f, local, kill_at, ignored, one_window);
    EXPECT_EQ(local.rows, f.truth()) << "killed at step " << kill_at;
    EXPECT_LE(deliveries, 60u + 7u) << "killed at step " << kill_at;
    ChangeFeed feed(f.client, f.options());
    LocalCopy later;
    feed.poll_once(later.callback());
    EXPECT_EQ(later.deliveries, 0u) << "killed at step " << kill_at;
  }
}

}  // namespace
}  // namespace kareo
