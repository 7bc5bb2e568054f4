// The default layers: apply_policies() stacks RetryingConnection over PacedConnection, as configured.
#include <gtest/gtest.h>

#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "mock_connection.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using policy_test::MockConnection;

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<MockConnection> mock = std::make_shared<MockConnection>(clock);
  void call(Connection& c, Operation op = Operation::GetPatients) {
    policy_test::AnyCall call(op);
    c.call(call.exchange());
  }
};

TEST(CallPolicies, DefaultsPaceAndRetry) {
  Fixture f;
  int failures = 1;
  f.mock->handler = [&](Exchange& ex) {
    if (failures-- > 0) throw policy_test::connection_error(ex.operation, true);
    policy_test::succeed(ex);
  };
  CallPolicies p;
  p.clock = f.clock;
  p.retry_policy.jitter = 0;
  auto stack = apply_policies(f.mock, p);
  f.call(*stack);  // fails once, retried after 0.5 s... and after the 1.1 s pacing interval
  f.call(*stack);
  const auto calls = f.mock->calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].at - calls[0].at, 1100ms);  // the retry waited its backoff, then its turn
  EXPECT_EQ(calls[2].at - calls[1].at, 1100ms);
  EXPECT_EQ(calls[1].attempt, 2);
}

TEST(CallPolicies, NoneSendsEachCallOnceAndAtOnce) {
  Fixture f;
  f.mock->handler = [](Exchange& ex) { throw policy_test::connection_error(ex.operation, true); };
  auto stack = apply_policies(f.mock, CallPolicies::none());
  EXPECT_THROW(f.call(*stack), ConnectionError);
  EXPECT_EQ(f.mock->calls().size(), 1u);
}

TEST(CallPolicies, AGivenLimiterIsUsed) {
  Fixture f;
  f.mock->handler = policy_test::succeed;
  auto limiter = std::make_shared<IntervalRateLimiter>(f.clock);
  ThrottleTable table;
  table.set_interval(Operation::GetPatients, 3000ms);
  limiter->update_limits(table);
  CallPolicies p;
  p.limiter = limiter;
  p.retry = false;
  auto stack = apply_policies(f.mock, p);
  f.call(*stack);
  f.call(*stack);
  EXPECT_EQ(f.clock->total_slept(), 3300ms);
}

TEST(CallPolicies, TheDefaultLimiterIsSharedByTheProcess) {
  EXPECT_EQ(default_rate_limiter(), default_rate_limiter());
  EXPECT_EQ(default_rate_limiter()->limits(), ThrottleTable{});
}

TEST(CallPolicies, AClientPacesAndRetriesWhenAsked) {
  Fixture f;
  int failures = 2;
  f.mock->handler = [&](Exchange& ex) {
    if (ex.operation == Operation::GetPatients && failures-- > 0) {
      throw policy_test::timeout_error(ex.operation);
    }
    policy_test::succeed(ex);
  };
  CallPolicies p;
  p.clock = f.clock;
  Client client(
      Options{}.credentials({"test-customer-key", "test-user", "test-password"}).connection(f.mock).policies(p));
  PatientFilter filter;
  filter.PracticeName = "Testpractice Alpha";
  EXPECT_NO_THROW(client.patients({filter}).collect());
  EXPECT_NO_THROW(client.patients({filter}).collect());
  const auto calls = f.mock->calls();
  ASSERT_EQ(calls.size(), 4u);
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].at - calls[i - 1].at, 1100ms);
}

TEST(CallPolicies, AClientPacesAndRetriesByDefault) {
  EXPECT_TRUE(Options{}.policies().pace);
  EXPECT_TRUE(Options{}.policies().retry);
  // A plain client on the real clock: the failed read is retried, and the retry waits for its pacing turn
  // (GetPatient: 250 ms published, 300 ms with the margin). The key is this test's own, so no other call in
  // the process shares its budget.
  auto mock = std::make_shared<MockConnection>(SystemClock::instance());
  int failures = 1;
  mock->handler = [&](Exchange& ex) {
    if (failures-- > 0) throw policy_test::timeout_error(ex.operation);
    policy_test::succeed(ex);
  };
  Client client(Options{}.credentials({"default-policies-key", "test-user", "test-password"}).connection(mock));
  EXPECT_NO_THROW(client.get_patient(7));
  const auto calls = mock->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_GE(calls[1].at - calls[0].at, 300ms);
}

TEST(CallPolicies, NoneSendsEachCallOnce) {
  Fixture f;
  f.mock->handler = [](Exchange& ex) { throw policy_test::timeout_error(ex.operation); };
  Client client(Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .connection(f.mock)
                    .policies(CallPolicies::none()));
  PatientFilter filter;
  filter.PracticeName = "Testpractice Alpha";
  EXPECT_THROW(client.patients({filter}).collect(), TimeoutError);
  EXPECT_EQ(f.mock->calls().size(), 1u);
}

TEST(CallPolicies, AWriteThatMayHaveArrivedIsAmbiguousEvenWithoutPolicies) {
  Fixture f;
  f.mock->handler = [](Exchange& ex) { throw policy_test::timeout_error(ex.operation); };
  Client client(Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .connection(f.mock)
                    .policies(CallPolicies::none()));
  CreatePatientReq request;
  request.Patient = std::make_shared<PatientCreate>();
  request.Patient->FirstName = "Testfirst";
  EXPECT_THROW(client.call<kareo::Operation::CreatePatient>(std::move(request)), AmbiguousOutcome);
  EXPECT_EQ(f.mock->calls().size(), 1u);
}

// ---- one owner of throttle retries, one write-safety step ----------------------------------------------------

TEST(CallPolicies, AlwaysThrottledCallIsSentMaxAttemptsTimesInAll) {
  // Only the retry layer resends: a call the service keeps refusing is sent max_attempts times, not
  // max_attempts times the pacing layer's own retries.
  Fixture f;
  f.mock->handler = [](Exchange& ex) { throw policy_test::throttled(ex.operation, 1000ms); };
  CallPolicies p;
  p.clock = f.clock;
  p.retry_policy.jitter = 0;
  auto stack = apply_policies(f.mock, p);
  EXPECT_THROW(f.call(*stack), Throttled);
  EXPECT_EQ(f.mock->calls().size(), static_cast<std::size_t>(p.retry_policy.max_attempts));
}

TEST(CallPolicies, AThrottledCallIsResentAfterTheNamedIntervalOnly) {
  Fixture f;
  int refusals = 2;
  f.mock->handler = [&](Exchange& ex) {
    if (refusals-- > 0) throw policy_test::throttled(ex.operation, 3000ms);
    policy_test::succeed(ex);
  };
  CallPolicies p;
  p.clock = f.clock;
  p.retry_policy.jitter = 0;
  auto stack = apply_policies(f.mock, p);
  EXPECT_NO_THROW(f.call(*stack));
  const auto calls = f.mock->calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].at - calls[0].at, 3300ms);  // the named 3 s plus the margin, not waited twice
  EXPECT_EQ(calls[2].at - calls[1].at, 3300ms);
  EXPECT_EQ(calls[1].attempt, 2);
  EXPECT_EQ(calls[2].attempt, 3);
}

TEST(CallPolicies, WithoutRetriesAThrottledCallIsSentOnce) {
  Fixture f;
  f.mock->handler = [](Exchange& ex) { throw policy_test::throttled(ex.operation, 1000ms); };
  CallPolicies p;
  p.clock = f.clock;
  p.retry = false;
  auto stack = apply_policies(f.mock, p);
  EXPECT_THROW(f.call(*stack), Throttled);
  EXPECT_EQ(f.mock->calls().size(), 1u);
}

// What a decorator (Options::add_decorator, above the policies) saw a call end with.
struct Outcome {
  std::string what;
};

class Watch final : public Connection {
 public:
  Watch(std::shared_ptr<Connection> inner, std::shared_ptr<Outcome> seen)
      : inner_(std::move(inner)), seen_(std::move(seen)) {}
  void call(Exchange& exchange) override {
    try {
      inner_->call(exchange);
      seen_->what = "ok";
    } catch (const AmbiguousOutcome&) {
      seen_->what = "ambiguous";
      throw;
    } catch (const Error& e) {
      seen_->what = error_kind_name(e.kind());
      throw;
    }
  }

 private:
  std::shared_ptr<Connection> inner_;
  std::shared_ptr<Outcome> seen_;
};

TEST(CallPolicies, OneWriteSafetyVerdictWhateverThePolicies) {
  // The step that decides "may have been applied" is the same with and without retries: decorators above it see
  // AmbiguousOutcome, the caller gets it, and the failure was judged once (one look at not_sent).
  for (const bool retry : {true, false}) {
    Fixture f;
    f.mock->handler = [](Exchange& ex) { throw policy_test::timeout_error(ex.operation); };
    auto seen = std::make_shared<Outcome>();
    int judged = 0;
    CallPolicies p = CallPolicies::none();
    p.retry = retry;
    p.clock = f.clock;
    p.retry_policy.not_sent = [&](const Error&) {
      ++judged;
      return false;
    };
    Client client(Options{}
                      .credentials({"test-customer-key", "test-user", "test-password"})
                      .connection(f.mock)
                      .policies(p)
                      .add_decorator([seen](std::shared_ptr<Connection> inner) {
                        return std::make_shared<Watch>(std::move(inner), seen);
                      }));
    CreatePatientReq request;
    request.Patient = std::make_shared<PatientCreate>();
    request.Patient->FirstName = "Testfirst";
    EXPECT_THROW(client.call<Operation::CreatePatient>(request), AmbiguousOutcome) << "retry " << retry;
    EXPECT_EQ(seen->what, "ambiguous") << "retry " << retry;
    EXPECT_EQ(judged, 1) << "retry " << retry;
    EXPECT_EQ(f.mock->calls().size(), 1u) << "retry " << retry;
  }
}

}  // namespace
}  // namespace kareo
