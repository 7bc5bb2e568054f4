// The fake server of the suites that page the generated two years with the rate limits on, the client and the
// server on one virtual clock: the client's pacing waits on a kareo::ManualClock, and the server counts its
// intervals on the same time, so a two-year pull takes no real time.
#pragma once

#include <chrono>
#include <memory>

#include "kareo/clock.hpp"
#include "kareo/testing/fake_server.hpp"

namespace kareo::test_support {

/// 2025-06-01 12:00 UTC: the suites' "today" (the generated data lies in the two years before).
inline std::chrono::system_clock::time_point suite_now() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1748779200));
}

/// The server's clock, following the test's.
class SharedTime final : public testing::Clock {
 public:
  explicit SharedTime(std::shared_ptr<ManualClock> clock) : clock_(std::move(clock)) {}
  std::chrono::steady_clock::time_point now() override { return clock_->now(); }

 private:
  std::shared_ptr<ManualClock> clock_;
};

/// Options of a fake server with its rate limits on, on `clock`, its data generated up to 2025-06-01; the caller
/// sets the sizes.
inline testing::FakeServerOptions virtual_time_options(std::shared_ptr<ManualClock> clock) {
  testing::FakeServerOptions o;
  o.today = "2025-06-01";
  o.throttle = true;
  o.clock = std::make_shared<SharedTime>(std::move(clock));
  return o;
}

}  // namespace kareo::test_support
