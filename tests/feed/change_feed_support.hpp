// What the change feed's tests against the in-memory service share: a service with patients, a client of it and
// the feed's options on a manual clock (Fixture), a local copy kept by the deliveries (LocalCopy), and scratch
// directories removed when the tests end.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"
#include "mock_service.hpp"
#include "scratch_dir.hpp"

namespace kareo::feed_test {

using policy_test::MockRecord;
using policy_test::MockService;

inline DateTime at(int y, int m, int d, int h = 0, int mi = 0, int s = 0) { return DateTime(Date(y, m, d), h, mi, s); }

// Removes the scratch directories when the tests end.
inline std::vector<std::string>& scratch_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& d : scratch_dirs()) std::filesystem::remove_all(d);
  }
};
inline ::testing::Environment* const scratch_cleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

// An empty scratch directory (test_support::fresh_scratch_dir), removed when the tests end.
inline std::string scratch(const std::string& name) {
  const std::string dir = test_support::fresh_scratch_dir(name);
  scratch_dirs().push_back(dir);
  return dir;
}

// 2024-06-01 12:00 UTC on this machine.
inline std::shared_ptr<ManualClock> june_clock() {
  return std::make_shared<ManualClock>(std::chrono::system_clock::time_point(std::chrono::seconds(1717243200)));
}

struct Fixture {
  std::shared_ptr<ManualClock> clock = june_clock();
  std::shared_ptr<MockService> service = std::make_shared<MockService>();
  Client client = client_over(service);
  std::string dir;

  explicit Fixture(const std::string& name, int patients = 0) : dir(scratch(name)) {
    // Patients modified over the first five months of 2024, a few at identical times.
    for (int i = 0; i < patients; ++i) {
      const long long t = detail::to_seconds(at(2024, 1, 1)) + (i / 2) * 37 * 3600LL;  // pairs share a time
      service->patients[100 + i] = {detail::from_seconds(t), "", 0, "Testpatient" + std::to_string(i)};
    }
  }

  // A client of the service through `connection` (the service itself, or a connection in front of it).
  static Client client_over(std::shared_ptr<Connection> connection) {
    return Client(Options{}
                      .credentials({"test-customer-key", "test-user", "test-password"})
                      .policies(CallPolicies::none())
                      .connection(std::move(connection)));
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

}  // namespace kareo::feed_test
