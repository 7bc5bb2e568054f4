// The change feed against an in-memory service: the first sync, incremental polls, the overlap, the service's
// clock, appointments, a feed's checkpoint file to itself, and run() polling on until stopped.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "change_feed_support.hpp"
#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"

namespace kareo::feed_test {
namespace {

using namespace std::chrono_literals;

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
  Client client = Fixture::client_over(changing);
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
  Client client = Fixture::client_over(failing);
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

}  // namespace
}  // namespace kareo::feed_test
