// The change feed's windows against the fake server (rate limits on, one virtual clock): the same adaptive windows
// as a ranged read. A first sync over two years is one call; a window over the row budget narrows the next ones;
// a caller's window stays a maximum. Calls are counted by the server's own call log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"
#include "kareo/pacing.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "virtual_time_server.hpp"

namespace kareo {
namespace {

using testing::FakeServer;

constexpr const char* kPractice = "Testpractice Alpha";

class FeedWindows : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = std::make_shared<ManualClock>(test_support::suite_now());
    testing::FakeServerOptions o = test_support::virtual_time_options(clock_);
    o.sizes.practices = 1;
    o.sizes.patients = 5000;
    o.sizes.appointments = 10;
    o.sizes.encounters = 10;
    o.sizes.charges = 10;
    o.sizes.payments = 10;
    o.sizes.transactions = 10;
    server_ = new FakeServer(o);
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    server_->clear_calls();
    server_->reset_throttle();
    std::filesystem::path base = std::filesystem::path(KAREO_BINARY_DIR) / "tests-scratch";
    if (::access("/dev/shm", W_OK) == 0) base = "/dev/shm/kareo-tests";
    dir_ = (base / ("feed-windows-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Client paced_client() {
    const auto& c = server_->options().credentials;
    CallPolicies policies;
    policies.limiter = std::make_shared<IntervalRateLimiter>(clock_);
    policies.clock = clock_;
    policies.retry_policy.seed = 5;
    return Client(Options{}
                      .endpoint(server_->endpoint())
                      .credentials(kareo::Credentials(c.customer_key, c.user, c.password))
                      .policies(policies));
  }

  ChangeFeedOptions options() const {
    ChangeFeedOptions o;
    o.entity = FeedEntity::Patients;
    o.patient_filter.PracticeName = kPractice;
    o.checkpoint_path = dir_ + "/feed.checkpoint";
    o.start = DateTime(Date(2023, 5, 1));
    o.clock = clock_;
    o.paging.clock = clock_;
    return o;
  }

  // Runs one poll; returns the IDs delivered (and how many deliveries there were).
  static std::set<std::string> poll(ChangeFeed& feed, std::size_t& deliveries) {
    std::set<std::string> ids;
    deliveries = 0;
    feed.poll_once([&](const Change& c) {
      ids.insert(c.id);
      ++deliveries;
    });
    return ids;
  }

  static std::shared_ptr<ManualClock> clock_;
  static FakeServer* server_;
  std::string dir_;
};

std::shared_ptr<ManualClock> FeedWindows::clock_;
FakeServer* FeedWindows::server_ = nullptr;

TEST_F(FeedWindows, AFirstSyncOverTwoYearsIsOneCall) {
  Client client = paced_client();
  ChangeFeed feed(client, options());
  std::size_t n = 0;
  const auto ids = poll(feed, n);
  EXPECT_EQ(ids.size(), 5000u);
  EXPECT_EQ(n, ids.size());
  EXPECT_EQ(server_->call_count("GetPatients"), 1u);
}

TEST_F(FeedWindows, AWindowOverTheRowBudgetNarrowsTheNextOnes) {
  Client client = paced_client();
  ChangeFeedOptions o = options();
  o.paging.window = std::chrono::hours(24 * 365);
  o.paging.row_budget = 500;
  std::vector<PagingProgress> reports;
  o.paging.on_progress = [&](const PagingProgress& p) { reports.push_back(p); };
  ChangeFeed feed(client, o);
  std::size_t n = 0;
  const auto ids = poll(feed, n);
  EXPECT_EQ(ids.size(), 5000u);
  EXPECT_EQ(n, ids.size()) << "the windows over the budget were delivered once, not read again";
  const auto calls = server_->calls();
  ASSERT_EQ(calls.size(), reports.size());
  ASSERT_GE(calls.size(), 3u);
  auto days = [](const PagingProgress& p) { return p.window->to.date().days() - p.window->from.date().days(); };
  EXPECT_EQ(days(reports[0]), 365);
  std::size_t over = 0;
  for (std::size_t i = 0; i + 1 < calls.size(); ++i) {
    EXPECT_LE(days(reports[i]), 365) << "the caller's window stays a maximum";
    if (calls[i].rows <= 500) continue;
    ++over;
    EXPECT_LE(days(reports[i + 1]), days(reports[i]) / 2) << "after window " << i;
  }
  EXPECT_GE(over, 1u);
  EXPECT_GE(reports.back().over_budget, over);
}

}  // namespace
}  // namespace kareo
