// The change feed killed between any two steps of a first sync (a delivery, or a step of writing the checkpoint),
// then restarted: nothing is lost, little is delivered twice, and the restarted feed is in sync.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "change_feed_support.hpp"
#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"

namespace kareo::feed_test {
namespace {

// Thrown by the test to stop the feed at some step, as a kill would.
struct Killed {};

// A run of the feed to completion that dies at step `kill_at` (deliveries and checkpoint-write steps counted
// together, from 1), then restarts until a poll completes. Returns the number of deliveries in all.
std::size_t sync_with_a_kill(Fixture& f, LocalCopy& local, std::size_t kill_at, std::size_t& steps_seen,
                             std::chrono::seconds window) {
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

// Counts the steps of an undisturbed first sync of 60 patients in windows of `window`, then kills one sync at each
// step in turn: after the restart nothing is lost, at most what was delivered after the last checkpoint comes
// again, and the restarted feed is quiet.
void kill_at_every_step(const std::string& name, std::chrono::seconds window) {
  std::size_t total_steps = 0;
  {
    Fixture f(name + "-count", 60);
    LocalCopy local;
    sync_with_a_kill(f, local, 0, total_steps, window);
    ASSERT_EQ(local.rows, f.truth());
    ASSERT_EQ(local.deliveries, 60u);
  }
  ASSERT_GT(total_steps, 60u);
  for (std::size_t kill_at = 1; kill_at <= total_steps; ++kill_at) {
    Fixture f(name, 60);
    LocalCopy local;
    std::size_t ignored = 0;
    const std::size_t deliveries = sync_with_a_kill(f, local, kill_at, ignored, window);
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

TEST(ChangeFeed, AKillBetweenAnyTwoStepsLosesNothingAndRepeatsLittle) {
  // Windows of 20 days: the cursor moves window by window.
  kill_at_every_step("feed-kill", std::chrono::hours(24 * 20));
}

TEST(ChangeFeed, AKillAnywhereInOneLargeWindowLosesNothingAndRepeatsLittle) {
  // Every record in one window: the cursor moves within it, record by record.
  kill_at_every_step("feed-kill-window", std::chrono::hours(24 * 400));
}

}  // namespace
}  // namespace kareo::feed_test
