// The fixture of the suites that share one fake server: started once for the suite (its data set is generated
// once), with the calls, faults and rate limiter's memory cleared before each test. A suite derives from
// SharedFakeServerSuite<Suite> and says what server it wants in a public static server_options():
//
//   class Reads : public test_support::SharedFakeServerSuite<Reads> {
//    public:
//     static testing::FakeServerOptions server_options() {
//       testing::DataSizes sizes;
//       sizes.patients = 60;
//       return unthrottled_options(sizes);
//     }
//   };
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "kareo/client.hpp"
#include "kareo/clock.hpp"
#include "kareo/pacing.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "virtual_time_server.hpp"

namespace kareo::test_support {

template <typename Suite>
class SharedFakeServerSuite : public ::testing::Test {
 protected:
  /// A fresh clock at suite_now(), then the server of Suite::server_options(), listening.
  static void SetUpTestSuite() {
    clock_ = std::make_shared<ManualClock>(suite_now());
    server_ = std::make_unique<testing::FakeServer>(Suite::server_options());
    server_->start();
  }
  static void TearDownTestSuite() {
    server_.reset();
    clock_.reset();
  }
  void SetUp() override {
    server_->clear_faults();
    server_->clear_calls();
    server_->reset_throttle();
  }

  /// Options of a server with its rate limits on, on the suite's clock (virtual_time_options), with `sizes`.
  static testing::FakeServerOptions throttled_options(const testing::DataSizes& sizes) {
    testing::FakeServerOptions o = virtual_time_options(clock_);
    o.sizes = sizes;
    return o;
  }

  /// Options of a server without rate limits, its data generated up to 2025-06-01, with `sizes`.
  static testing::FakeServerOptions unthrottled_options(const testing::DataSizes& sizes) {
    testing::FakeServerOptions o;
    o.today = "2025-06-01";
    o.throttle = false;
    o.sizes = sizes;
    return o;
  }

  /// The account the server accepts.
  static Credentials credentials() {
    const auto& c = server_->options().credentials;
    return Credentials(c.customer_key, c.user, c.password);
  }

  /// A client of the server paced by `limiter` (a fresh one on the suite's clock by default) and retrying (its
  /// waits drawn with `retry_seed`), on the suite's clock.
  static Client paced_client(std::shared_ptr<RateLimiter> limiter = nullptr, std::uint64_t retry_seed = 7) {
    CallPolicies policies;
    policies.limiter = limiter ? limiter : std::make_shared<IntervalRateLimiter>(clock_);
    policies.clock = clock_;
    policies.retry_policy.seed = retry_seed;
    return Client(Options{}.endpoint(server_->endpoint()).credentials(credentials()).policies(policies));
  }

  /// The IDs of a read's rows; their number in `*count` when given.
  template <typename Range>
  static std::set<std::string> ids_of(Range&& range, std::size_t* count = nullptr) {
    std::set<std::string> out;
    std::size_t n = 0;
    for (auto& row : range) {
      out.insert(*row.ID);
      ++n;
    }
    if (count) *count = n;
    return out;
  }

  /// The calls in the server's log that ended with `outcome`.
  static std::size_t outcomes(testing::CallRecord::Outcome outcome) {
    std::size_t n = 0;
    for (const auto& c : server_->calls()) n += c.outcome == outcome;
    return n;
  }

  /// The suite's clock: the client's pacing and the server's rate limiter (when throttled_options) read it.
  inline static std::shared_ptr<ManualClock> clock_;
  inline static std::unique_ptr<testing::FakeServer> server_;
};

}  // namespace kareo::test_support
