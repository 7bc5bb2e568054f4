// Adaptive windows without a server: a ranged read starts with the widest window allowed, narrows after a fault
// or a window over the row or byte budget (keeping that window's rows), widens again after small windows, crosses
// an empty stretch in one call, and never exceeds a width the caller gives.
#include <gtest/gtest.h>

#include <set>

#include "kareo/errors.hpp"
#include "kareo/paging.hpp"
#include "mock_connection.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using detail::to_seconds;

DateTime at(int y, int m, int d) { return DateTime(Date(y, m, d)); }
constexpr long long kDay = 86400;
constexpr std::chrono::seconds kDays(long n) { return std::chrono::seconds(n * kDay); }

struct Row {
  std::optional<std::string> ID;
  long long t = 0;  // civil seconds
};

// Rows at given instants; a fetch that answers windows with inclusive bounds (like the service), counts its
// calls, and faults (like a service that times out) on a window holding more than `fault_over` rows.
struct Data {
  std::vector<Row> rows;
  std::size_t fault_over = 0;  // 0: never
  std::uint64_t bytes_per_row = 0;
  std::uint64_t last_bytes = 0;
  int calls = 0;
  int faults = 0;
  std::vector<std::pair<long long, long long>> windows;  // the windows answered (not the faulted ones)

  // `n` rows spread evenly over [from, to).
  void spread(int n, const DateTime& from, const DateTime& to) {
    const long long a = to_seconds(from), span = to_seconds(to) - a;
    for (int i = 0; i < n; ++i) rows.push_back({"r" + std::to_string(rows.size()), a + span * i / n});
  }

  std::vector<Row> fetch(const TimeRange& w) {
    ++calls;
    const long long a = to_seconds(w.from), b = to_seconds(w.to);
    std::vector<Row> out;
    for (const auto& r : rows) {
      if (r.t >= a && r.t <= b) out.push_back(r);
    }
    if (fault_over > 0 && out.size() > fault_over) {
      ++faults;
      throw policy_test::timeout_error(Operation::GetPatients);
    }
    windows.emplace_back(a, b);
    last_bytes = out.size() * bytes_per_row;
    return out;
  }

  PagedRange<Row> read(const TimeRange& range, const PagingOptions& o, long long max_days = 0) {
    const std::chrono::seconds max_width = max_days > 0 ? kDays(max_days) : kUnlimitedWindow;
    return PagedRange<Row>(detail::window_source<Row>(
        "GetPatients", range, o, max_width, [this](const TimeRange& w) { return fetch(w); }, nullptr,
        [this]() { return last_bytes; }));
  }

  std::set<std::string> ids() const {
    std::set<std::string> out;
    for (const auto& r : rows) out.insert(*r.ID);
    return out;
  }
};

std::set<std::string> ids(const std::vector<Row>& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(*r.ID);
  return out;
}

long long width(const std::pair<long long, long long>& w) { return w.second - w.first; }

// The windows answered cover the period without gaps or overlaps (each starts where the previous one ended):
// nothing was read twice.
void expect_contiguous(const Data& data, const TimeRange& range) {
  ASSERT_FALSE(data.windows.empty());
  EXPECT_EQ(data.windows.front().first, to_seconds(range.from));
  EXPECT_EQ(data.windows.back().second, to_seconds(range.to));
  for (std::size_t i = 1; i < data.windows.size(); ++i) EXPECT_EQ(data.windows[i].first, data.windows[i - 1].second);
}

const TimeRange kTwoYears{at(2023, 6, 1), at(2025, 6, 1)};

TEST(PagingAdaptive, APeriodWithoutAWindowLimitIsReadInOneCall) {
  Data data;
  data.spread(20000, kTwoYears.from, kTwoYears.to);
  const auto rows = data.read(kTwoYears, PagingOptions{}).collect();
  EXPECT_EQ(data.calls, 1) << "the whole two years in one window (20,000 rows, over the budget, all kept)";
  EXPECT_EQ(rows.size(), 20000u);
}

TEST(PagingAdaptive, AnOperationLimitIsTheWidestWindow) {
  Data data;
  data.spread(3000, kTwoYears.from, kTwoYears.to);
  const auto rows = data.read(kTwoYears, PagingOptions{}, 59).collect();
  EXPECT_EQ(data.calls, 13);  // 731 days in windows of 59
  EXPECT_EQ(rows.size(), 3000u);
  for (const auto& w : data.windows) EXPECT_LE(width(w), 59 * kDay);
  expect_contiguous(data, kTwoYears);
}

TEST(PagingAdaptive, AnEmptyStretchCostsOneCall) {
  Data data;
  const auto rows = data.read({at(2013, 1, 1), at(2023, 1, 1)}, PagingOptions{}).collect();
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(data.calls, 1) << "ten empty years";
}

TEST(PagingAdaptive, AFaultingWindowIsHalvedAndTheEmptyRestIsOneCall) {
  // 2,000 rows in January 2024, nothing after; a window of more than 1,500 rows times out.
  Data data;
  data.spread(2000, at(2024, 1, 1), at(2024, 2, 1));
  data.fault_over = 1500;
  const TimeRange range{at(2024, 1, 1), at(2026, 1, 1)};
  std::vector<PagingProgress> reports;
  PagingOptions o;
  o.on_progress = [&](const PagingProgress& p) { reports.push_back(p); };
  const auto rows = data.read(range, o).collect();
  EXPECT_EQ(ids(rows), data.ids());
  EXPECT_EQ(rows.size(), 2000u);
  expect_contiguous(data, range);
  // 731 days, 365, 182, 91, 45 fault; 22 days (about 1,420 rows) fit.
  EXPECT_EQ(data.faults, 5);
  EXPECT_EQ(width(data.windows[0]), 22 * kDay);
  // Each later window is at most as wide as the half that was not read of the last faulting one (23 days),
  // until one comes back empty: then the rest of the two years is one call.
  ASSERT_GE(data.windows.size(), 3u);
  EXPECT_LE(width(data.windows[1]), 23 * kDay);
  EXPECT_EQ(data.windows.back().second, to_seconds(range.to));
  EXPECT_LE(data.windows.size(), 4u) << "the January rows, one empty window, then the rest at once";
  EXPECT_GT(width(data.windows.back()), 600 * kDay);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().splits, 5u);
  EXPECT_EQ(reports.back().windows_done, reports.back().windows_total);
}

TEST(PagingAdaptive, AWindowOverTheRowBudgetNarrowsTheNextOnesAndTheyWidenAgain) {
  // A dense March among sparse months; windows of at most 60 days (the caller's), a budget of 100 rows.
  Data data;
  data.spread(60, at(2024, 1, 1), at(2024, 3, 1));
  data.spread(1000, at(2024, 3, 1), at(2024, 4, 1));
  data.spread(60, at(2024, 4, 1), at(2025, 1, 1));
  const TimeRange range{at(2024, 1, 1), at(2025, 1, 1)};
  PagingOptions o;
  o.window = kDays(60);
  o.row_budget = 100;
  std::vector<PagingProgress> reports;
  o.on_progress = [&](const PagingProgress& p) { reports.push_back(p); };
  const auto rows = data.read(range, o).collect();
  EXPECT_EQ(ids(rows), data.ids());
  EXPECT_EQ(rows.size(), data.rows.size());
  expect_contiguous(data, range);  // the window over the budget was kept, not read again
  std::size_t over = 0, widest_after = 0;
  bool narrowed = false;
  for (std::size_t i = 0; i < data.windows.size(); ++i) {
    const long long w = width(data.windows[i]);
    EXPECT_LE(w, 60 * kDay) << "the caller's window stays a maximum";
    const std::size_t n = reports[i].rows - (i > 0 ? reports[i - 1].rows : 0);
    if (n > 100) {
      ++over;
      ASSERT_LT(i + 1, data.windows.size());
      EXPECT_LE(width(data.windows[i + 1]), w / 2) << "window " << i << " was over the budget";
      narrowed = true;
    } else if (narrowed && w == 60 * kDay) {
      ++widest_after;
    }
  }
  EXPECT_GE(over, 1u);
  EXPECT_EQ(reports.back().over_budget, over);
  EXPECT_GE(widest_after, 1u) << "after March the windows widen back to 60 days";
  EXPECT_LE(data.calls, 20);
}

TEST(PagingAdaptive, AResponseOverTheByteBudgetNarrowsTheNextWindows) {
  Data data;
  data.spread(400, at(2024, 1, 1), at(2025, 1, 1));
  data.bytes_per_row = 10000;  // 4 MB in all
  const TimeRange range{at(2024, 1, 1), at(2025, 1, 1)};
  PagingOptions o;
  o.window = kDays(100);
  o.byte_budget = 500000;  // about 50 rows
  const auto rows = data.read(range, o).collect();
  EXPECT_EQ(rows.size(), 400u);
  ASSERT_GE(data.windows.size(), 2u);
  EXPECT_EQ(width(data.windows[0]), 100 * kDay);
  EXPECT_LE(width(data.windows[1]), 50 * kDay);
  for (std::size_t i = 1; i < data.windows.size(); ++i) EXPECT_LE(width(data.windows[i]), 50 * kDay);
  expect_contiguous(data, range);
}

TEST(PagingAdaptive, ACallersWindowStaysAMaximumEvenOverEmptyStretches) {
  Data data;
  const TimeRange range{at(2024, 1, 1), at(2024, 12, 31)};
  PagingOptions o;
  o.window = kDays(30);
  data.read(range, o).collect();
  EXPECT_EQ(data.calls, 13);  // 365 days in windows of 30
  for (const auto& w : data.windows) EXPECT_LE(width(w), 30 * kDay);
}

TEST(PagingAdaptive, WindowsWidenByDoublingAfterSmallOnes) {
  detail::WindowPlan plan({at(2024, 1, 1), at(2025, 1, 1)}, kDays(64), 3600s);
  plan.budgets(100, 0);
  ASSERT_TRUE(plan.complete(500, 0));  // over: aimed at 50 rows, 64 days * 0.1 -> 6 days
  EXPECT_EQ(plan.width(), 6 * kDay);
  EXPECT_FALSE(plan.complete(10, 0));  // small: doubles
  EXPECT_EQ(plan.width(), 12 * kDay);
  EXPECT_FALSE(plan.complete(40, 0));  // between a quarter and the budget: stays
  EXPECT_EQ(plan.width(), 12 * kDay);
  EXPECT_FALSE(plan.complete(20, 0));
  EXPECT_EQ(plan.width(), 24 * kDay);
  EXPECT_FALSE(plan.complete(0, 0));  // empty: the widest at once
  EXPECT_EQ(plan.width(), 64 * kDay);
}

}  // namespace
}  // namespace kareo
