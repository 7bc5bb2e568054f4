// Paging logic without a server: civil time arithmetic, the window plan and its halving, the windowed source
// (dedupe, placeholders, progress, cancellation, error handling) and the lazy range.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "kareo/errors.hpp"
#include "kareo/paging.hpp"
#include "mock_connection.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using detail::from_seconds;
using detail::to_seconds;

DateTime at(int y, int m, int d, int h = 0, int mi = 0, int s = 0) { return DateTime(Date(y, m, d), h, mi, s); }
constexpr std::chrono::seconds kDays(long n) { return std::chrono::seconds(n * 86400); }

TEST(PagingTime, SecondsRoundTripWithoutAnyTimeZone) {
  EXPECT_EQ(to_seconds(at(1970, 1, 1)), 0);
  EXPECT_EQ(to_seconds(at(1970, 1, 2, 0, 0, 1)), 86401);
  EXPECT_EQ(to_seconds(at(1969, 12, 31, 23, 59, 59)), -1);
  for (const DateTime& t : {at(1900, 3, 1, 12), at(1969, 12, 31, 23, 59, 59), at(2024, 2, 29, 23, 0, 5), at(2000, 1, 1),
                            at(2099, 12, 31, 1, 2, 3)}) {
    EXPECT_EQ(from_seconds(to_seconds(t)), t) << t.iso();
  }
}

TEST(PagingTime, FilterTextIsADateAtMidnightAndADateTimeOtherwise) {
  EXPECT_EQ(detail::filter_text(at(2024, 1, 31)), "1/31/2024");
  EXPECT_EQ(detail::filter_text(at(2024, 1, 31, 13, 5, 0)), "01/31/2024 1:05:00 PM");
  EXPECT_EQ(detail::filter_text(at(2024, 7, 4, 0, 0, 1)), "07/04/2024 12:00:01 AM");
}

std::vector<std::pair<std::string, std::string>> windows_of(detail::WindowPlan plan) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!plan.done()) {
    const auto w = plan.current();
    out.emplace_back(w.from.iso(), w.to.iso());
    plan.complete();
  }
  return out;
}

TEST(PagingPlan, CutsAPeriodIntoWindowsThatShareTheirEdges) {
  detail::WindowPlan plan({at(2024, 1, 1), at(2024, 4, 1)}, kDays(30), 3600s);
  EXPECT_EQ(plan.remaining(), 4u);
  const auto w = windows_of(plan);
  const std::vector<std::pair<std::string, std::string>> expected{{"2024-01-01T00:00:00", "2024-01-31T00:00:00"},
                                                                  {"2024-01-31T00:00:00", "2024-03-01T00:00:00"},
                                                                  {"2024-03-01T00:00:00", "2024-03-31T00:00:00"},
                                                                  {"2024-03-31T00:00:00", "2024-04-01T00:00:00"}};
  EXPECT_EQ(w, expected);
}

TEST(PagingPlan, AnEmptyPeriodIsOneWindow) {
  detail::WindowPlan plan({at(2024, 5, 5, 10), at(2024, 5, 5, 10)}, kDays(30), 3600s);
  const auto w = windows_of(plan);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].first, w[0].second);
}

TEST(PagingPlan, RefusesAnInvertedPeriod) {
  EXPECT_THROW(detail::WindowPlan({at(2024, 5, 5), at(2024, 5, 4)}, kDays(1), 1s), InvalidArgument);
}

TEST(PagingPlan, SplittingHalvesTheCurrentWindowAtAWholeDay) {
  detail::WindowPlan plan({at(2024, 1, 1), at(2024, 3, 1)}, kDays(30), 3600s);
  ASSERT_TRUE(plan.split());
  EXPECT_EQ(plan.current().from, at(2024, 1, 1));
  EXPECT_EQ(plan.current().to, at(2024, 1, 16));
  EXPECT_EQ(plan.remaining(), 4u);  // two halves and the rest of the period, now at the width of a half
  plan.complete();
  EXPECT_EQ(plan.current().from, at(2024, 1, 16));
  EXPECT_EQ(plan.current().to, at(2024, 1, 31));
  plan.complete();
  EXPECT_EQ(plan.current().from, at(2024, 1, 31));
  EXPECT_EQ(plan.completed(), 2u);
}

TEST(PagingPlan, SplittingStopsAtTheMinimumWidth) {
  detail::WindowPlan plan({at(2024, 1, 1), at(2024, 1, 2)}, kDays(30), 6h);
  ASSERT_TRUE(plan.split());  // 24 h -> 12 h
  EXPECT_EQ(plan.current().to, at(2024, 1, 1, 12));
  ASSERT_TRUE(plan.split());  // 12 h -> 6 h
  EXPECT_EQ(plan.current().to, at(2024, 1, 1, 6));
  EXPECT_FALSE(plan.split());  // 6 h is the minimum
  EXPECT_EQ(plan.current().to, at(2024, 1, 1, 6));
}

TEST(PagingPlan, OddWidthsSplitAtTheCoarsestUnitInside) {
  detail::WindowPlan plan({at(2024, 1, 1, 10, 0, 0), at(2024, 1, 1, 10, 0, 3)}, kDays(1), 1s);
  ASSERT_TRUE(plan.split());
  EXPECT_EQ(plan.current().to, at(2024, 1, 1, 10, 0, 1));
  detail::WindowPlan tight({at(2024, 1, 1, 10, 0, 0), at(2024, 1, 1, 10, 0, 1)}, kDays(1), 1s);
  EXPECT_FALSE(tight.split());
}

// ---- the windowed source over a synthetic data set ----------------------------------------------------------------

struct Row {
  std::optional<std::string> ID;
  long long t = 0;  // civil seconds
};

// A data set of `n` rows spread evenly over 2024, a fetch that answers windows (inclusive bounds, like the
// service) and faults on windows wider than `max_days`.
struct Synthetic {
  std::vector<Row> rows;
  long max_days = 0;
  int calls = 0;
  int faults = 0;
  std::vector<TimeRange> windows;

  explicit Synthetic(int n) {
    const long long start = to_seconds(at(2024, 1, 1));
    const long long span = to_seconds(at(2025, 1, 1)) - start;
    for (int i = 0; i < n; ++i) rows.push_back({std::to_string(1000 + i), start + span * i / n});
    // Rows exactly on likely window edges.
    rows.push_back({"edge-1", to_seconds(at(2024, 1, 31))});
    rows.push_back({"edge-2", to_seconds(at(2024, 3, 1))});
  }

  std::vector<Row> fetch(const TimeRange& w) {
    ++calls;
    windows.push_back(w);
    const long long a = to_seconds(w.from), b = to_seconds(w.to);
    if (max_days > 0 && b - a > max_days * 86400) {
      ++faults;
      throw policy_test::internal_fault(Operation::GetCharges);
    }
    std::vector<Row> out;
    for (const auto& r : rows) {
      if (r.t >= a && r.t <= b) out.push_back(r);
    }
    out.push_back({"", 0});  // the service's placeholder row
    return out;
  }
};

std::set<std::string> ids(const std::vector<Row>& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(*r.ID);
  return out;
}

TEST(PagingWindows, ReturnsEveryRowExactlyOnceAndDropsPlaceholders) {
  Synthetic data(2000);
  PagingOptions o;
  o.window = kDays(30);
  auto range = paged_by_date<Row>(
      "GetCharges", {at(2024, 1, 1), at(2025, 1, 1)}, [&](const TimeRange& w) { return data.fetch(w); }, o);
  const auto rows = range.collect();
  EXPECT_EQ(rows.size(), data.rows.size());
  EXPECT_EQ(ids(rows), ids(data.rows));
  EXPECT_EQ(data.calls, 13);  // 366 days in windows of 30
}

TEST(PagingWindows, HalvesWindowsThatFaultUntilTheyFit) {
  Synthetic data(1500);
  data.max_days = 9;  // every 30-day window faults; 15 does; 7.5 -> 7 fits
  PagingOptions o;
  o.window = kDays(30);
  std::vector<PagingProgress> reports;
  o.on_progress = [&](const PagingProgress& p) { reports.push_back(p); };
  const auto rows =
      paged_by_date<Row>(
          "GetCharges", {at(2024, 1, 1), at(2025, 1, 1)}, [&](const TimeRange& w) { return data.fetch(w); }, o)
          .collect();
  EXPECT_EQ(ids(rows), ids(data.rows));
  EXPECT_EQ(rows.size(), data.rows.size());
  EXPECT_GT(data.faults, 0);
  for (const auto& w : data.windows) EXPECT_LE(to_seconds(w.to) - to_seconds(w.from), 30 * 86400);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().windows_done, reports.back().windows_total);
  EXPECT_EQ(reports.back().rows, rows.size());
  EXPECT_GT(reports.back().splits, 0u);
  EXPECT_EQ(reports.back().operation, "GetCharges");
  for (std::size_t i = 1; i < reports.size(); ++i) EXPECT_EQ(reports[i].windows_done, reports[i - 1].windows_done + 1);
}

TEST(PagingWindows, AWindowAtTheMinimumWidthThatStillFaultsLetsTheFaultThrough) {
  Synthetic data(100);
  data.max_days = 0;
  PagingOptions o;
  o.window = kDays(4);
  o.min_window = kDays(1);
  int calls = 0;
  auto range = paged_by_date<Row>(
      "GetCharges", {at(2024, 1, 1), at(2024, 2, 1)},
      [&](const TimeRange&) -> std::vector<Row> {
        ++calls;
        throw policy_test::internal_fault(Operation::GetCharges);
      },
      o);
  EXPECT_THROW(range.collect(), SoapFault);
  EXPECT_EQ(calls, 3);  // 4 days, 2 days, 1 day
}

TEST(PagingWindows, FailuresThatNarrowingCannotHelpAreNotRetried) {
  PagingOptions o;
  int calls = 0;
  auto range = paged_by_date<Row>(
      "GetPatients", {at(2024, 1, 1), at(2024, 6, 1)},
      [&](const TimeRange&) -> std::vector<Row> {
        ++calls;
        throw AuthenticationFailed("no", policy_test::details(Operation::GetPatients, ErrorKind::AuthenticationFailed),
                                   true, false);
      },
      o);
  EXPECT_THROW(range.begin(), AuthenticationFailed);
  EXPECT_EQ(calls, 1);
}

TEST(PagingWindows, TimeoutsAndOversizedResponsesAlsoNarrow) {
  using policy_test::details;
  EXPECT_TRUE(detail::narrowing_helps(std::make_exception_ptr(policy_test::timeout_error(Operation::GetPatients))));
  EXPECT_TRUE(detail::narrowing_helps(std::make_exception_ptr(
      MalformedResponse("too large", details(Operation::GetPatients, ErrorKind::MalformedResponse)))));
  EXPECT_TRUE(detail::narrowing_helps(std::make_exception_ptr(policy_test::internal_fault(Operation::GetCharges))));
  EXPECT_TRUE(detail::narrowing_helps(std::make_exception_ptr(
      HttpError("504", details(Operation::GetCharges, ErrorKind::Transport, true, 504), "<html>"))));
  EXPECT_FALSE(detail::narrowing_helps(
      std::make_exception_ptr(ServiceError("bad filter", details(Operation::GetCharges, ErrorKind::ServiceError)))));
  EXPECT_FALSE(detail::narrowing_helps(std::make_exception_ptr(std::runtime_error("x"))));
  EXPECT_FALSE(detail::narrowing_helps(nullptr));
}

TEST(PagingWindows, DeduplicatesRowsReturnedByTwoWindows) {
  // Every window returns the row dated on its edges, and one row appears in every window.
  PagingOptions o;
  o.window = kDays(10);
  PagingProgress last;
  o.on_progress = [&](const PagingProgress& p) { last = p; };
  auto range = paged_by_date<Row>(
      "GetPayments", {at(2024, 1, 1), at(2024, 2, 10)},
      [&](const TimeRange& w) {
        return std::vector<Row>{{"same", 0}, {"edge-" + w.from.iso(), 0}, {"edge-" + w.to.iso(), 0}, {std::nullopt, 0}};
      },
      o);
  const auto rows = range.collect();
  // 4 windows share 5 distinct edges; "same" comes back from each of them.
  EXPECT_EQ(ids(rows).size(), rows.size());
  EXPECT_EQ(rows.size(), 6u);
  EXPECT_EQ(last.duplicates, 6u);  // "same" 3 times, the 3 inner edges once each
  EXPECT_EQ(last.rows, 6u);
}

TEST(PagingWindows, CancellationStopsBeforeTheNextCall) {
  Synthetic data(500);
  PagingOptions o;
  o.window = kDays(30);
  CancellationToken token;
  o.cancel = token;
  o.on_progress = [&](const PagingProgress& p) {
    if (p.windows_done == 3) token.cancel();
  };
  auto range = paged_by_date<Row>(
      "GetCharges", {at(2024, 1, 1), at(2025, 1, 1)}, [&](const TimeRange& w) { return data.fetch(w); }, o);
  std::size_t seen = 0;
  try {
    for (auto& row : range) {
      (void)row;
      ++seen;
    }
    ADD_FAILURE() << "not cancelled";
  } catch (const Cancelled& e) {
    EXPECT_NE(std::string(e.what()).find("after 3 of 13 windows"), std::string::npos) << e.what();
  }
  EXPECT_EQ(data.calls, 3);
  EXPECT_GT(seen, 0u);
}

TEST(PagingWindows, ProgressEstimatesTheTimeLeft) {
  auto clock = std::make_shared<ManualClock>();
  PagingOptions o;
  o.window = kDays(10);
  o.clock = clock;
  std::vector<PagingProgress> reports;
  o.on_progress = [&](const PagingProgress& p) { reports.push_back(p); };
  auto range = paged_by_date<Row>(
      "GetTransactions", {at(2024, 1, 1), at(2024, 2, 10)},
      [&](const TimeRange&) {
        clock->advance(2s);  // every call takes two seconds
        return std::vector<Row>{};
      },
      o);
  EXPECT_TRUE(range.collect().empty());
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[0].windows_total, 4u);
  EXPECT_EQ(reports[0].elapsed, 2s);
  ASSERT_TRUE(reports[0].remaining.has_value());
  EXPECT_EQ(*reports[0].remaining, 6s);
  EXPECT_EQ(*reports[3].remaining, 0s);
  ASSERT_TRUE(reports[1].window.has_value());
  EXPECT_EQ(reports[1].window->from, at(2024, 1, 11));
}

TEST(PagingRange, IsLazyAndSkipsEmptyBatches) {
  int calls = 0;
  PagedRange<int> range([&](std::vector<int>& out) {
    ++calls;
    if (calls == 1 || calls == 3) return true;  // empty batches
    if (calls == 2) out = {1, 2};
    if (calls == 4) out = {3};
    return calls < 5;
  });
  EXPECT_EQ(calls, 0);  // nothing before begin()
  auto it = range.begin();
  EXPECT_EQ(calls, 2);
  ASSERT_NE(it, range.end());
  EXPECT_EQ(*it, 1);
  ++it;
  EXPECT_EQ(*it, 2);
  EXPECT_EQ(calls, 2);
  ++it;
  EXPECT_EQ(*it, 3);
  ++it;
  EXPECT_EQ(it, range.end());
  EXPECT_EQ(calls, 5);
}

TEST(PagingRange, ErrorsAreThrownFromIncrement) {
  int calls = 0;
  PagedRange<int> range([&](std::vector<int>& out) {
    if (++calls == 2) throw policy_test::timeout_error(Operation::GetPatients);
    out = {calls};
    return true;
  });
  auto it = range.begin();
  EXPECT_EQ(*it, 1);
  EXPECT_THROW(++it, TimeoutError);
}

TEST(PagingRange, BeginAfterAFailedWindowFetchesThatWindowAgain) {
  Synthetic data(400);
  PagingOptions o;
  o.window = kDays(30);
  int calls = 0;
  // The first call and the fourth fail in a way a narrower window cannot help.
  auto fetch = [&](const TimeRange& w) {
    ++calls;
    if (calls == 1 || calls == 4) throw policy_test::connection_error(Operation::GetCharges, true);
    return data.fetch(w);
  };
  auto range = paged_by_date<Row>("GetCharges", {at(2024, 1, 1), at(2025, 1, 1)}, fetch, o);
  EXPECT_THROW(range.begin(), ConnectionError);
  std::vector<Row> got;
  try {
    for (auto& row : range) got.push_back(row);
    ADD_FAILURE() << "the fourth call did not fail";
  } catch (const ConnectionError&) {
  }
  ASSERT_EQ(data.windows.size(), 2u);
  const std::size_t before = got.size();
  EXPECT_GT(before, 0u);
  // Iterating again goes on with the window that failed, then the rest.
  for (auto& row : range) got.push_back(row);
  EXPECT_GT(got.size(), before);
  EXPECT_EQ(ids(got), ids(data.rows));
  EXPECT_EQ(got.size(), data.rows.size());
  ASSERT_GE(data.windows.size(), 3u);
  EXPECT_EQ(data.windows[0].from, at(2024, 1, 1));      // the first window, fetched again after the first failure
  EXPECT_EQ(data.windows[2].from, data.windows[1].to);  // the window whose first call failed
  EXPECT_EQ(data.calls, 13);                            // every window once, after its failure
  EXPECT_EQ(calls, 15);
  EXPECT_EQ(range.begin(), range.end());
}

TEST(PagingRange, AnEmptyRangeBeginsAtItsEnd) {
  PagedRange<int> range([](std::vector<int>&) { return false; });
  EXPECT_EQ(range.begin(), range.end());
  EXPECT_TRUE(range.collect().empty());
}

}  // namespace
}  // namespace kareo
