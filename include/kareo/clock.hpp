/// @file
/// @brief The time source behind pacing, retries, paging progress and the change feed.
///
/// Every component that waits takes a kareo::Clock, so that tests (and simulations) can run on a
/// ManualClock: time moves only when someone sleeps on it or advances it, and nothing really sleeps.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "kareo/cancellation.hpp"

namespace kareo {

/// A source of time that can also wait. Implementations are safe to use from several threads.
class Clock {
 public:
  /// Monotonic time, used for spacing calls and measuring durations.
  using time_point = std::chrono::steady_clock::time_point;
  /// Durations of the monotonic time.
  using duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;

  /// The current monotonic time.
  virtual time_point now() = 0;

  /// The current calendar time (only the change feed uses it, to bound its queries).
  virtual std::chrono::system_clock::time_point wall_now() = 0;

  /// Blocks until now() >= `deadline`. Returns at once if the deadline has passed.
  virtual void sleep_until(time_point deadline) = 0;

  /// Blocks until now() >= `deadline` or until `token` is cancelled.
  /// @return false if the wait ended because the token was cancelled.
  virtual bool sleep_until(time_point deadline, const CancellationToken& token) = 0;

  /// Blocks for `d` (see sleep_until()).
  void sleep_for(duration d) { sleep_until(now() + d); }
};

/// The real clock: std::chrono::steady_clock and system_clock, real sleeping.
class SystemClock final : public Clock {
 public:
  time_point now() override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() override { return std::chrono::system_clock::now(); }
  void sleep_until(time_point deadline) override;
  bool sleep_until(time_point deadline, const CancellationToken& token) override;

  /// A process-wide instance (the default clock of every component).
  static std::shared_ptr<SystemClock> instance();
};

/// A clock for tests and simulations: time stands still until advanced, and sleeping advances it
/// instantly (and records the wait). The calendar time moves together with the monotonic time.
class ManualClock final : public Clock {
 public:
  /// Starts at an arbitrary fixed monotonic time and at `wall_start` calendar time
  /// (default: 2024-01-01T00:00:00Z).
  explicit ManualClock(std::chrono::system_clock::time_point wall_start =
                           std::chrono::system_clock::time_point(std::chrono::seconds(1704067200)));

  time_point now() override;
  std::chrono::system_clock::time_point wall_now() override;
  /// Advances the time to `deadline` (if it is later) without blocking, and records the wait.
  void sleep_until(time_point deadline) override;
  /// As sleep_until(), but returns false without advancing if `token` is already cancelled.
  bool sleep_until(time_point deadline, const CancellationToken& token) override;

  /// Moves time forward by `d`.
  void advance(duration d);
  /// The lengths of every sleep so far (zero-length sleeps included), oldest first.
  std::vector<duration> sleeps() const;
  /// The sum of every sleep so far.
  duration total_slept() const;
  /// Forgets the recorded sleeps.
  void clear_sleeps();

 private:
  mutable std::mutex mutex_;
  time_point now_;
  std::chrono::system_clock::time_point wall_;
  std::vector<duration> sleeps_;
};

}  // namespace kareo
