// The change feed's checkpoint: its text and file (saved atomically: a crash at any step leaves the old or the new
// one; a damaged file is reported), kept small during a first sync, saved only after the consumer's commit, and a
// cursor ahead of the clock reported or refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "change_feed_support.hpp"
#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"

namespace kareo::feed_test {
namespace {

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

// A checkpoint file at `path` holding only a cursor, as an earlier run left it.
void save_cursor(const std::string& path, const DateTime& cursor) {
  FileCheckpointStore store(path);
  Checkpoint c;
  c.cursor = cursor;
  store.save(c);
}

TEST(ChangeFeed, ACursorAheadOfTheClockIsReported) {
  Fixture f("feed-ahead", 10);
  auto o = f.options();
  // 20 hours ahead of 2024-06-01 12:00 UTC: no time zone explains it.
  save_cursor(o.checkpoint_path, at(2024, 6, 2, 8, 0, 0));
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
  save_cursor(p.checkpoint_path, at(2024, 6, 2, 1, 0, 0));
  p.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  ChangeFeed quiet(g.client, p);
  quiet.poll_once([](const Change&) {});
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(ChangeFeed, AFarFutureCursorOrStartIsAcceptedWhenForced) {
  Fixture f("feed-future-forced", 10);
  auto o = f.options();
  save_cursor(o.checkpoint_path, at(2025, 6, 1));
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
  save_cursor(o.checkpoint_path, at(2025, 6, 1));
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

// ---- the checkpoint file -----------------------------------------------------------------------------------------

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

}  // namespace
}  // namespace kareo::feed_test
