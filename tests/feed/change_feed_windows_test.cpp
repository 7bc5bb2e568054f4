// The change feed's windows against the fake server (rate limits on, one virtual clock): the same adaptive windows
// as a ranged read. A first sync over two years is one call; a window over the row budget narrows the next ones;
// a caller's window stays a maximum. Calls are counted by the server's own call log.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"
#include "kareo/pacing.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "scratch_dir.hpp"
#include "shared_fake_server_suite.hpp"

namespace kareo {
namespace {

constexpr const char* kPractice = "Testpractice Alpha";

class FeedWindows : public test_support::SharedFakeServerSuite<FeedWindows> {
 public:
  // One practice and its 5,000 patients.
  static testing::FakeServerOptions server_options() {
    testing::DataSizes s;
    s.practices = 1;
    s.patients = 5000;
    s.appointments = s.encounters = s.charges = s.payments = s.transactions = 10;
    return throttled_options(s);
  }

 protected:
  void SetUp() override {
    SharedFakeServerSuite::SetUp();
    dir_ = test_support::fresh_scratch_dir("feed-windows");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Client paced_client() { return SharedFakeServerSuite::paced_client(nullptr, 5); }

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

  std::string dir_;
};

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
