// Adaptive windows against the fake server (rate limits on, client and server on one virtual clock): the paced
// two-year pulls take the fewest calls the service allows, an empty stretch costs one call, a window over the
// row budget narrows the next ones, a caller's window stays a maximum and a faulting window is halved. Calls are
// counted by the server's own call log.
#include <gtest/gtest.h>

#include <set>

#include "by_date.hpp"
#include "kareo/client.hpp"
#include "kareo/pacing.hpp"
#include "kareo/paging.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "shared_fake_server_suite.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using testing::Entity;

constexpr const char* kPractice = "Testpractice Alpha";

// The generated data lies in the two years before 2025-06-01.
const TimeRange kTwoYears{DateTime(Date(2023, 6, 1)), DateTime(Date(2025, 6, 2))};

class AdaptiveWindows : public test_support::SharedFakeServerSuite<AdaptiveWindows> {
 public:
  // One practice, its 20,000 patients and 6,000 appointments.
  static testing::FakeServerOptions server_options() {
    testing::DataSizes s;
    s.practices = 1;
    s.patients = 20000;
    s.appointments = 6000;
    s.encounters = s.charges = s.payments = s.transactions = 10;
    return throttled_options(s);
  }

 protected:
  static PagingOptions paging() {
    PagingOptions p;
    p.clock = clock_;
    return p;
  }

  // Only the columns the tests look at: the 20,000 patients stay a small response.
  static PatientQuery patients(const TimeRange& range, PagingOptions p) {
    PatientFilter f;
    f.PracticeName = kPractice;
    PatientFieldsToReturn fields;
    fields.ID = true;
    fields.LastModifiedDate = true;
    return by_date<PatientQuery>(f, DateField::LastModified, range, std::move(p), fields);
  }
};

TEST_F(AdaptiveWindows, ATwoYearPullOf20000PatientsTakesAtMostThreeCalls) {
  Client client = paced_client();
  std::size_t n = 0;
  const auto got = ids_of(client.patients(patients(kTwoYears, paging())), &n);
  EXPECT_EQ(got.size(), 20000u);
  EXPECT_EQ(n, got.size());
  EXPECT_LE(server_->call_count("GetPatients"), 3u);
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::Throttled), 0u);
}

TEST_F(AdaptiveWindows, AppointmentsOverTwoYearsTakeAtMostThirteenCalls) {
  Client client = paced_client();
  std::size_t n = 0;
  const auto got =
      ids_of(client.appointments(by_date<AppointmentQuery>({}, DateField::Service, kTwoYears, paging())), &n);
  EXPECT_EQ(got.size(), 6000u);
  EXPECT_EQ(n, got.size());
  EXPECT_LE(server_->call_count("GetAppointments"), 13u);  // 731 days in windows of at most 59
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::SoapFault), 0u) << "no window over the 60-day limit";
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::Throttled), 0u);
}

TEST_F(AdaptiveWindows, AnEmptyStretchCostsOneCall) {
  Client client = paced_client();
  std::size_t n = 0;
  // Ten years before any generated record.
  const TimeRange empty{DateTime(Date(2012, 1, 1)), DateTime(Date(2022, 1, 1))};
  ids_of(client.patients(patients(empty, paging())), &n);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(server_->call_count("GetPatients"), 1u);
}

TEST_F(AdaptiveWindows, AWindowOverTheRowBudgetNarrowsTheNextOnes) {
  Client client = paced_client();
  PagingOptions p = paging();
  p.window = std::chrono::hours(24 * 365);
  p.row_budget = 2000;
  std::vector<PagingProgress> reports;
  p.on_progress = [&](const PagingProgress& r) { reports.push_back(r); };
  std::size_t n = 0;
  const auto got = ids_of(client.patients(patients(kTwoYears, p)), &n);
  EXPECT_EQ(got.size(), 20000u);
  EXPECT_EQ(n, got.size()) << "the windows over the budget were used, not read again";
  // Each window over the budget (the first year alone holds about 3,000 patients) makes the next one at most
  // half as wide.
  const auto calls = server_->calls();
  ASSERT_EQ(calls.size(), reports.size());
  ASSERT_GE(calls.size(), 3u);
  EXPECT_GT(calls[0].rows, 2000u);
  auto days = [](const PagingProgress& r) { return r.window->to.date().days() - r.window->from.date().days(); };
  EXPECT_EQ(days(reports[0]), 365);
  std::size_t over = 0;
  for (std::size_t i = 0; i + 1 < calls.size(); ++i) {
    if (calls[i].rows <= 2000) continue;
    ++over;
    EXPECT_LE(days(reports[i + 1]), days(reports[i]) / 2) << "after window " << i;
  }
  EXPECT_GE(over, 1u);
  EXPECT_EQ(reports.back().over_budget, over + (calls.back().rows > 2000 ? 1 : 0));
}

TEST_F(AdaptiveWindows, ACallersWindowStaysAMaximum) {
  Client client = paced_client();
  PagingOptions p = paging();
  p.window = std::chrono::hours(24 * 100);
  std::vector<PagingProgress> reports;
  p.on_progress = [&](const PagingProgress& r) { reports.push_back(r); };
  std::size_t n = 0;
  ids_of(client.patients(patients(kTwoYears, p)), &n);
  EXPECT_EQ(n, 20000u);
  EXPECT_EQ(server_->call_count("GetPatients"), 8u);  // 732 days in windows of 100
  for (const auto& r : reports) EXPECT_LE(r.window->to.date().days() - r.window->from.date().days(), 100);
}

TEST_F(AdaptiveWindows, AFaultingWindowIsHalved) {
  server_->add_fault("wide-window:op=GetPatients:days=400");
  Client client = paced_client();
  std::vector<PagingProgress> reports;
  PagingOptions p = paging();
  p.on_progress = [&](const PagingProgress& r) { reports.push_back(r); };
  std::size_t n = 0;
  const auto got = ids_of(client.patients(patients(kTwoYears, p)), &n);
  EXPECT_EQ(got.size(), 20000u);
  EXPECT_EQ(n, got.size());
  // The two years fault; their halves (366 days) do not: three calls that return rows.
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().splits, 1u);
  EXPECT_EQ(reports.back().windows_done, 2u);
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::Ok), 2u);
  for (const auto& r : reports) EXPECT_LE(r.window->to.date().days() - r.window->from.date().days(), 366);
}

}  // namespace
}  // namespace kareo
