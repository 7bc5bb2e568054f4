#include "kareo/clock.hpp"

#include <thread>

namespace kareo {

void SystemClock::sleep_until(time_point deadline) { std::this_thread::sleep_until(deadline); }

bool SystemClock::sleep_until(time_point deadline, const CancellationToken& token) {
  return !token.wait_until(deadline);
}

std::shared_ptr<SystemClock> SystemClock::instance() {
  static const std::shared_ptr<SystemClock> clock = std::make_shared<SystemClock>();
  return clock;
}

// The monotonic time starts far from zero so that subtracting an interval never underflows.
ManualClock::ManualClock(std::chrono::system_clock::time_point wall_start)
    : now_(time_point(std::chrono::hours(1000))), wall_(wall_start) {}

Clock::time_point ManualClock::now() {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

std::chrono::system_clock::time_point ManualClock::wall_now() {
  std::lock_guard<std::mutex> lock(mutex_);
  return wall_;
}

void ManualClock::sleep_until(time_point deadline) {
  std::lock_guard<std::mutex> lock(mutex_);
  const duration d = deadline > now_ ? deadline - now_ : duration::zero();
  sleeps_.push_back(d);
  now_ += d;
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
}

bool ManualClock::sleep_until(time_point deadline, const CancellationToken& token) {
  if (token.cancelled()) return false;
  sleep_until(deadline);
  return true;
}

void ManualClock::advance(duration d) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (d < duration::zero()) return;
  now_ += d;
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
}

std::vector<Clock::duration> ManualClock::sleeps() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sleeps_;
}

Clock::duration ManualClock::total_slept() const {
  std::lock_guard<std::mutex> lock(mutex_);
  duration total{};
  for (auto d : sleeps_) total += d;
  return total;
}

void ManualClock::clear_sleeps() {
  std::lock_guard<std::mutex> lock(mutex_);
  sleeps_.clear();
}

}  // namespace kareo
