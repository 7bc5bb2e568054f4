// Pacing: the limiter's spacing per operation and per account, its margin, deferral after throttling, the
// GetThrottles refresh, the shared file limiter across instances and processes, and PacedConnection.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "kareo/client.hpp"
#include "kareo/pacing.hpp"
#include "mock_connection.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using policy_test::MockConnection;
using std::chrono::milliseconds;

// A fresh directory under the build tree for schedule files.
std::string scratch_dir(const std::string& name) {
  auto dir = std::filesystem::path(KAREO_BINARY_DIR) / "tests-scratch" / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A clock whose time stands still (a ManualClock) but whose cancellable waits really block, on the token only:
// a test knows when a wait has begun (`waiting`) and ends it by cancelling, so nothing depends on real time.
class GateClock final : public Clock {
 public:
  time_point now() override { return manual_.now(); }
  std::chrono::system_clock::time_point wall_now() override { return manual_.wall_now(); }
  void sleep_until(time_point deadline) override { manual_.sleep_until(deadline); }
  bool sleep_until(time_point deadline, const CancellationToken& token) override {
    if (deadline <= now()) return !token.cancelled();
    waiting_.set_value();
    // Bounded: a test that never cancels fails instead of hanging.
    return !token.wait_until(std::chrono::steady_clock::now() + 30s);
  }
  // Waits (bounded) until a cancellable wait has begun.
  bool waiting() { return waiting_future_.wait_for(30s) == std::future_status::ready; }

 private:
  ManualClock manual_;
  std::promise<void> waiting_;
  std::future<void> waiting_future_ = waiting_.get_future();
};

// Takes a second turn of GetAllPatients on `limiter` (the first was taken) with a token, cancels it while it
// waits, and checks that the wait ended unsent and that the turn was given back.
void expect_cancelled_wait_gives_the_turn_back(RateLimiter& limiter, GateClock& clock) {
  const auto t0 = clock.now();
  ASSERT_EQ(limiter.acquire("acct", Operation::GetAllPatients), t0);
  CancellationToken stop;
  auto second =
      std::async(std::launch::async, [&] { return limiter.acquire("acct", Operation::GetAllPatients, stop); });
  ASSERT_TRUE(clock.waiting());
  stop.cancel();
  ASSERT_EQ(second.wait_for(30s), std::future_status::ready);
  EXPECT_FALSE(second.get());
  // The next caller gets the turn the cancelled one gave back, not the one after it.
  EXPECT_EQ(limiter.acquire("acct", Operation::GetAllPatients), t0 + 5500ms);
  // A token cancelled before the wait takes no turn at all.
  EXPECT_FALSE(limiter.acquire("acct", Operation::GetAllPatients, stop));
  EXPECT_EQ(limiter.acquire("acct", Operation::GetAllPatients), t0 + 11000ms);
}

TEST(PacingLimiter, ACancelledWaitEndsAtOnceAndGivesItsTurnBack) {
  auto clock = std::make_shared<GateClock>();
  IntervalRateLimiter limiter(clock);
  expect_cancelled_wait_gives_the_turn_back(limiter, *clock);
}

TEST(PacingSharedFile, ACancelledWaitEndsAtOnceAndGivesItsTurnBack) {
  auto clock = std::make_shared<GateClock>();
  SharedFileRateLimiter limiter(scratch_dir("cancel"), clock);
  expect_cancelled_wait_gives_the_turn_back(limiter, *clock);
}

TEST(PacingMargin, TenPercentWithFiftyMillisecondFloor) {
  PacingOptions o;
  EXPECT_EQ(with_margin(1000ms, o), 1100ms);
  EXPECT_EQ(with_margin(5000ms, o), 5500ms);
  EXPECT_EQ(with_margin(250ms, o), 300ms);  // 10 % is 25 ms: the floor wins
  EXPECT_EQ(with_margin(500ms, o), 550ms);
  EXPECT_EQ(with_margin(0ms, o), 50ms);
  o.margin_ratio = 0.25;
  o.min_margin = 0ms;
  EXPECT_EQ(with_margin(1000ms, o), 1250ms);
  EXPECT_EQ(with_margin(3ms, o), 4ms);  // rounded up
}

TEST(PacingLimiter, SpacesCallsOfOneOperationByItsIntervalPlusMargin) {
  auto clock = std::make_shared<ManualClock>();
  IntervalRateLimiter limiter(clock);
  const auto t0 = clock->now();
  EXPECT_EQ(limiter.acquire("acct", Operation::GetPatients), t0);
  EXPECT_EQ(limiter.acquire("acct", Operation::GetPatients), t0 + 1100ms);
  EXPECT_EQ(limiter.acquire("acct", Operation::GetPatients), t0 + 2200ms);
  EXPECT_EQ(clock->now(), t0 + 2200ms);
  EXPECT_EQ(clock->total_slept(), 2200ms);

  // GetAllPatients: one per 5 s; GetPatient: one per 250 ms (+50 ms floor).
  const auto t1 = clock->now();
  EXPECT_EQ(limiter.acquire("acct", Operation::GetAllPatients), t1);
  EXPECT_EQ(limiter.acquire("acct", Operation::GetAllPatients), t1 + 5500ms);
  const auto t2 = clock->now();
  EXPECT_EQ(limiter.acquire("acct", Operation::GetPatient), t2);
  EXPECT_EQ(limiter.acquire("acct", Operation::GetPatient), t2 + 300ms);
}

TEST(PacingLimiter, OperationsAndAccountsHaveSeparateBudgets) {
  auto clock = std::make_shared<ManualClock>();
  IntervalRateLimiter limiter(clock);
  const auto t0 = clock->now();
  EXPECT_EQ(limiter.acquire("a", Operation::GetPatients), t0);
  EXPECT_EQ(limiter.acquire("a", Operation::GetCharges), t0);
  EXPECT_EQ(limiter.acquire("b", Operation::GetPatients), t0);
  EXPECT_EQ(clock->total_slept(), 0ms);
  EXPECT_EQ(limiter.acquire("a", Operation::GetPatients), t0 + 1100ms);
  // b's next GetPatients was due at t0 + 1.1 s too: already reached.
  EXPECT_EQ(limiter.acquire("b", Operation::GetPatients), t0 + 1100ms);
}

TEST(PacingLimiter, WaitsOnlyForWhatIsLeftOfTheInterval) {
  auto clock = std::make_shared<ManualClock>();
  IntervalRateLimiter limiter(clock);
  const auto t0 = clock->now();
  limiter.acquire("a", Operation::GetPatients);
  clock->advance(800ms);  // the caller spent 0.8 s processing
  clock->clear_sleeps();
  EXPECT_EQ(limiter.acquire("a", Operation::GetPatients), t0 + 1100ms);
  ASSERT_EQ(clock->sleeps().size(), 1u);
  EXPECT_EQ(clock->sleeps()[0], 300ms);
  clock->advance(5s);
  const auto late = clock->now();
  EXPECT_EQ(limiter.acquire("a", Operation::GetPatients), late);  // long idle: no wait
}

TEST(PacingLimiter, ConcurrentCallersGetDistinctSpacedTurns) {
  auto clock = std::make_shared<ManualClock>();
  IntervalRateLimiter limiter(clock);
  std::vector<Clock::time_point> grants;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto g = limiter.acquire("a", Operation::GetCharges);
        std::lock_guard<std::mutex> lock(m);
        grants.push_back(g);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(grants.size(), 40u);
  std::sort(grants.begin(), grants.end());
  for (std::size_t i = 1; i < grants.size(); ++i) EXPECT_GE(grants[i] - grants[i - 1], 1100ms) << i;
}

TEST(PacingLimiter, DeferHonoursTheServersIntervalPlusMargin) {
  auto clock = std::make_shared<ManualClock>();
  IntervalRateLimiter limiter(clock);
  const auto t0 = clock->now();
  limiter.acquire("a", Operation::GetPatients);
  limiter.defer("a", Operation::GetPatients, 3000ms);
  EXPECT_EQ(limiter.acquire("a", Operation::GetPatients), t0 + 3300ms);
  // A deferral shorter than the schedule changes nothing.
  limiter.defer("a", Operation::GetPatients, 10ms);
  EXPECT_EQ(limiter.acquire("a", Operation::GetPatients), t0 + 4400ms);
}

TEST(PacingThrottles, TableStartsFromThePublishedLimits) {
  ThrottleTable table;
  for (Operation op : all_operations()) EXPECT_EQ(table.interval(op), published_interval(op));
  EXPECT_EQ(table.interval(Operation::GetAllPatients), 5000ms);
  EXPECT_EQ(table.interval(Operation::GetPatient), 250ms);
}

TEST(PacingThrottles, ApplyMatchesEndpointNamesIncludingTheGuidesSpellings) {
  ThrottleTable table;
  const auto unknown = table.apply({{"GetPatients", 2000ms},
                                    {"getcharges", 1500ms},
                                    {"CreatePayments", 750ms},
                                    {"GetProcedureCode", 600ms},
                                    {" GetAllPatients ", 10000ms},
                                    {"SearchPatient", 250ms}});
  EXPECT_EQ(table.interval(Operation::GetPatients), 2000ms);
  EXPECT_EQ(table.interval(Operation::GetCharges), 1500ms);
  EXPECT_EQ(table.interval(Operation::CreatePayment), 750ms);
  EXPECT_EQ(table.interval(Operation::GetProcedureCodes), 600ms);
  EXPECT_EQ(table.interval(Operation::GetAllPatients), 10000ms);
  EXPECT_EQ(table.interval(Operation::GetPayments), 1000ms);  // not mentioned: unchanged
  EXPECT_EQ(unknown, std::vector<std::string>{"SearchPatient"});
}

TEST(PacingThrottles, EveryOperationNameIsAnEndpointOfItsOwn) {
  for (Operation op : all_operations()) {
    std::string name(operation_name(op));
    EXPECT_TRUE(ThrottleTable::operation_for_endpoint(name) == op) << name;
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(ThrottleTable::operation_for_endpoint(" " + name + " ") == op) << name;
  }
  EXPECT_FALSE(ThrottleTable::operation_for_endpoint("GetProcedureCodez").has_value());
}

TEST(PacingThrottles, ThrottleLimitsReadsTheRowsOfGetThrottles) {
  std::vector<kareo_wire::kareo__ThrottleDetail> rows(5);
  rows[0].Endpoint = "GetPatients";
  rows[0].ThrottleTimeMs = 1000.0;
  rows[1].Endpoint = "GetPatient";
  rows[1].ThrottleTimeMs = 250.4;   // rounded up
  rows[2].Endpoint = "GetCharges";  // no interval: skipped
  rows[3].ThrottleTimeMs = 100.0;   // no endpoint: skipped
  rows[4].Endpoint = "GetPayments";
  rows[4].ThrottleTimeMs = -5.0;  // nonsense: skipped
  const auto limits = throttle_limits(rows);
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_EQ(limits[0].endpoint, "GetPatients");
  EXPECT_EQ(limits[0].interval, 1000ms);
  EXPECT_EQ(limits[1].endpoint, "GetPatient");
  EXPECT_EQ(limits[1].interval, 251ms);
}

TEST(PacingThrottles, RefreshLimitsCallsGetThrottlesAndUpdatesTheLimiter) {
  auto clock = std::make_shared<ManualClock>();
  auto mock = std::make_shared<MockConnection>(clock);
  mock->handler = [](Exchange& ex) {
    ASSERT_EQ(ex.operation, Operation::GetThrottles);
    auto* response = &ex.response<Operation::GetThrottles>();
    response->GetThrottlesResult = std::make_shared<kareo_wire::kareo__GetThrottlesResp>();
    response->GetThrottlesResult->ThrottleDetails = std::make_shared<kareo_wire::kareo__ArrayOfThrottleDetail>();
    for (auto [name, ms] : {std::pair<const char*, double>{"GetPatients", 2000}, {"GetCharges", 3000}}) {
      auto row = std::make_shared<kareo_wire::kareo__ThrottleDetail>();
      row->Endpoint = name;
      row->ThrottleTimeMs = ms;
      response->GetThrottlesResult->ThrottleDetails->ThrottleDetail.push_back(row);
    }
  };
  Client client(Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(mock));
  IntervalRateLimiter limiter(clock);
  const auto limits = refresh_limits(client, limiter);
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_EQ(limiter.limits().interval(Operation::GetPatients), 2000ms);
  EXPECT_EQ(limiter.limits().interval(Operation::GetCharges), 3000ms);
  EXPECT_EQ(limiter.limits().interval(Operation::GetPayments), 1000ms);
  const auto t0 = clock->now();
  limiter.acquire("a", Operation::GetCharges);
  EXPECT_EQ(limiter.acquire("a", Operation::GetCharges), t0 + 3300ms);
}

TEST(PacingSharedFile, TwoInstancesShareOneBudget) {
  const std::string dir = scratch_dir("shared-two");
  auto clock = std::make_shared<ManualClock>();
  SharedFileRateLimiter a(dir, clock);
  SharedFileRateLimiter b(dir, clock);
  const auto t0 = clock->now();
  EXPECT_EQ(a.acquire("acct-1", Operation::GetPatients), t0);
  EXPECT_EQ(b.acquire("acct-1", Operation::GetPatients), t0 + 1100ms);
  EXPECT_EQ(a.acquire("acct-1", Operation::GetPatients), t0 + 2200ms);
  // Another account, another operation: not delayed.
  EXPECT_EQ(b.acquire("acct-2", Operation::GetPatients), t0 + 2200ms);
  EXPECT_EQ(b.acquire("acct-1", Operation::GetCharges), t0 + 2200ms);
  // A deferral through one instance holds for the other.
  a.defer("acct-1", Operation::GetCharges, 4000ms);
  EXPECT_EQ(b.acquire("acct-1", Operation::GetCharges), t0 + 2200ms + 4400ms);
  std::filesystem::remove_all(dir);
}

TEST(PacingSharedFile, StaleScheduleFromBeforeARebootIsIgnored) {
  const std::string dir = scratch_dir("shared-stale");
  auto clock = std::make_shared<ManualClock>();
  {
    // A schedule a day ahead of this clock, as a file from before a reboot would be.
    std::ofstream f(dir + "/acct-1.schedule");
    const auto ahead = clock->now() + std::chrono::hours(24);
    f << "GetPatients " << std::chrono::duration_cast<std::chrono::nanoseconds>(ahead.time_since_epoch()).count()
      << "\n";
  }
  SharedFileRateLimiter limiter(dir, clock);
  EXPECT_EQ(limiter.acquire("acct-1", Operation::GetPatients), clock->now());
  std::filesystem::remove_all(dir);
}

TEST(PacingSharedFile, AccountNamesNeverBecomeUnsafeFileNames) {
  const std::string dir = scratch_dir("shared-names");
  auto clock = std::make_shared<ManualClock>();
  SharedFileRateLimiter limiter(dir, clock);
  limiter.acquire("../../etc/passwd", Operation::GetPatients);
  limiter.acquire("", Operation::GetPatients);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().parent_path(), std::filesystem::path(dir));
    EXPECT_EQ(entry.path().filename().string().rfind("acct-", 0), 0u) << entry.path();
  }
  std::filesystem::remove_all(dir);
}

// Several processes reserve turns through one directory. Each runs on its own manual clock (all starting at the
// same instant), so nothing sleeps; the flock-protected schedule must still hand out distinct, spaced turns.
TEST(PacingSharedFile, ProcessesShareOneBudget) {
  const std::string dir = scratch_dir("shared-procs");
  constexpr int kProcesses = 3;
  constexpr int kTurns = 15;
  std::vector<pid_t> children;
  std::vector<int> read_ends;
  for (int p = 0; p < kProcesses; ++p) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto clock = std::make_shared<ManualClock>();
      SharedFileRateLimiter limiter(dir, clock);
      for (int i = 0; i < kTurns; ++i) {
        const long long ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 limiter.acquire("acct-shared", Operation::GetPatients).time_since_epoch())
                                 .count();
        if (::write(fds[1], &ns, sizeof ns) != static_cast<ssize_t>(sizeof ns)) std::_Exit(2);
      }
      std::_Exit(0);
    }
    ::close(fds[1]);
    children.push_back(pid);
    read_ends.push_back(fds[0]);
  }
  std::vector<long long> grants;
  for (int fd : read_ends) {
    long long ns = 0;
    while (::read(fd, &ns, sizeof ns) == static_cast<ssize_t>(sizeof ns)) grants.push_back(ns);
    ::close(fd);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  ASSERT_EQ(grants.size(), static_cast<std::size_t>(kProcesses * kTurns));
  std::sort(grants.begin(), grants.end());
  for (std::size_t i = 1; i < grants.size(); ++i) {
    EXPECT_GE(grants[i] - grants[i - 1], 1100LL * 1000 * 1000) << "turns " << i - 1 << " and " << i;
  }
  std::filesystem::remove_all(dir);
}

// ---- PacedConnection ------------------------------------------------------------------------------------------

kareo_wire::_kareo__GetPatients patients_body(const std::string& key) {
  kareo_wire::_kareo__GetPatients body;
  body.request = std::make_shared<kareo_wire::kareo__GetPatientsReq>();
  body.request->RequestHeader = std::make_shared<kareo_wire::kareo__RequestHeader>();
  body.request->RequestHeader->CustomerKey = key;
  return body;
}

TEST(PacedConnection, WaitsForTheLimiterBeforeEveryAttempt) {
  auto clock = std::make_shared<ManualClock>();
  auto mock = std::make_shared<MockConnection>(clock);
  mock->handler = policy_test::succeed;
  PacedConnection paced(mock, std::make_shared<IntervalRateLimiter>(clock));
  auto body = patients_body("test-customer-key");
  for (int i = 0; i < 5; ++i) {
    kareo_wire::_kareo__GetPatientsResponse response;
    Exchange ex{body, response};
    paced.call(ex);
  }
  const auto calls = mock->calls();
  ASSERT_EQ(calls.size(), 5u);
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_EQ(calls[i].at - calls[i - 1].at, 1100ms);
}

TEST(PacedConnection, CountsEachCustomerKeySeparately) {
  auto clock = std::make_shared<ManualClock>();
  auto mock = std::make_shared<MockConnection>(clock);
  mock->handler = policy_test::succeed;
  PacedConnection paced(mock, std::make_shared<IntervalRateLimiter>(clock));
  auto a = patients_body("test-customer-key-a");
  auto b = patients_body("test-customer-key-b");
  kareo_wire::_kareo__GetPatientsResponse response;
  Exchange ea{a, response};
  Exchange eb{b, response};
  paced.call(ea);
  paced.call(eb);
  EXPECT_EQ(clock->total_slept(), 0ms);
  paced.call(ea);
  EXPECT_EQ(clock->total_slept(), 1100ms);
}

TEST(PacedConnection, AThrottledCallIsSentOnceAndDefersTheNextTurn) {
  // Resending is the retry layer's decision: the pacing layer lets Throttled through, and the next turn of the
  // operation comes no sooner than the interval the service named (plus the margin).
  auto clock = std::make_shared<ManualClock>();
  auto mock = std::make_shared<MockConnection>(clock);
  int refusals = 1;
  mock->handler = [&](Exchange& ex) {
    if (refusals-- > 0) throw policy_test::throttled(Operation::GetPatients, 3000ms);
    policy_test::succeed(ex);
  };
  PacedConnection paced(mock, std::make_shared<IntervalRateLimiter>(clock));
  auto body = patients_body("test-customer-key");
  kareo_wire::_kareo__GetPatientsResponse response;
  Exchange ex{body, response};
  EXPECT_THROW(paced.call(ex), Throttled);
  EXPECT_EQ(mock->calls().size(), 1u);
  Exchange again{body, response, 2};
  EXPECT_NO_THROW(paced.call(again));
  const auto calls = mock->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].at - calls[0].at, 3300ms);  // 3 s named + 10 % margin
}

TEST(PacedConnection, ACallCancelledWhileWaitingForItsTurnIsNotSent) {
  auto clock = std::make_shared<GateClock>();
  auto mock = std::make_shared<MockConnection>(clock);
  mock->handler = policy_test::succeed;
  PacedConnection paced(mock, std::make_shared<IntervalRateLimiter>(clock));
  auto body = patients_body("test-customer-key");
  kareo_wire::_kareo__GetPatientsResponse response;
  Exchange first{body, response};
  paced.call(first);
  CancellationToken stop;
  Exchange second{body, response};
  second.cancel = stop;
  auto call = std::async(std::launch::async, [&] { paced.call(second); });
  ASSERT_TRUE(clock->waiting());
  stop.cancel();
  ASSERT_EQ(call.wait_for(30s), std::future_status::ready);
  try {
    call.get();
    FAIL() << "expected Cancelled";
  } catch (const Cancelled& e) {
    EXPECT_NE(std::string(e.what()).find("GetPatients: cancelled while waiting for its turn"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(mock->calls().size(), 1u);
}

TEST(PacedConnection, ACallOptionsCancellationEndsTheClientsPacingWait) {
  auto clock = std::make_shared<GateClock>();
  auto mock = std::make_shared<MockConnection>(clock);
  mock->handler = policy_test::succeed;
  CallPolicies p;
  p.clock = clock;
  p.limiter = std::make_shared<IntervalRateLimiter>(clock);
  Client client(
      Options{}.credentials({"test-customer-key", "test-user", "test-password"}).connection(mock).policies(p));
  client.get_patient(101);
  CancellationToken stop;
  auto call = std::async(std::launch::async, [&] { return client.get_patient(102, CallOptions{}.with_cancel(stop)); });
  ASSERT_TRUE(clock->waiting());
  stop.cancel();
  ASSERT_EQ(call.wait_for(30s), std::future_status::ready);
  EXPECT_THROW(call.get(), Cancelled);
  EXPECT_EQ(mock->calls().size(), 1u);
}

}  // namespace
}  // namespace kareo
