// Retries: the backoff sequence and its jitter, the attempt and time bounds, and which failures are retried for
// reads and for writes (a write is never resent once it may have reached the server).
#include <gtest/gtest.h>

#include <set>

#include "kareo/retry.hpp"
#include "mock_connection.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using policy_test::MockConnection;
using std::chrono::milliseconds;

RetryPolicy deterministic() {
  RetryPolicy p;
  p.jitter = 0;
  p.seed = 42;
  return p;
}

TEST(RetryBackoff, NominalSequenceDoublesUpToTheCap) {
  RetryPolicy p;
  p.initial_backoff = 500ms;
  p.multiplier = 2.0;
  p.max_backoff = 5000ms;
  Backoff b(p, 1);
  EXPECT_EQ(b.nominal(1), 500ms);
  EXPECT_EQ(b.nominal(2), 1000ms);
  EXPECT_EQ(b.nominal(3), 2000ms);
  EXPECT_EQ(b.nominal(4), 4000ms);
  EXPECT_EQ(b.nominal(5), 5000ms);
  EXPECT_EQ(b.nominal(60), 5000ms);  // no overflow
}

TEST(RetryBackoff, WithoutJitterWaitsAreTheNominalOnes) {
  RetryPolicy p = deterministic();
  Backoff b(p, 7);
  EXPECT_EQ(b.next(), 500ms);
  EXPECT_EQ(b.next(), 1000ms);
  EXPECT_EQ(b.next(), 2000ms);
  EXPECT_EQ(b.retries(), 3);
}

TEST(RetryBackoff, JitterStaysWithinItsRangeAndVaries) {
  RetryPolicy p;
  p.initial_backoff = 1000ms;
  p.max_backoff = 1000ms;  // every nominal wait is 1 s
  p.jitter = 0.4;
  std::set<long long> seen;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Backoff b(p, seed);
    for (int i = 0; i < 5; ++i) {
      const auto w = b.next();
      EXPECT_GE(w, 600ms);
      EXPECT_LE(w, 1000ms);
      seen.insert(w.count());
    }
  }
  EXPECT_GT(seen.size(), 100u);  // spread over the range, not a constant
  EXPECT_LT(*seen.begin(), 650);
  EXPECT_GT(*seen.rbegin(), 950);
}

TEST(RetryBackoff, SameSeedSameWaits) {
  RetryPolicy p;
  Backoff a(p, 99), b(p, 99);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(a.next(), b.next());
}

// ---- decisions --------------------------------------------------------------------------------------------------

RetryVerdict verdict(const Error& e, Operation op, int faults = 0) {
  return classify_failure(e, op, faults, RetryPolicy{}).verdict;
}

TEST(RetryDecisions, ReadsRetryTransientFailures) {
  using namespace policy_test;
  const auto op = Operation::GetPatients;
  EXPECT_EQ(verdict(connection_error(op, true), op), RetryVerdict::Retry);
  EXPECT_EQ(verdict(timeout_error(op), op), RetryVerdict::Retry);
  EXPECT_EQ(verdict(HttpError("503", details(op, ErrorKind::Transport, true, 503), "<html>"), op), RetryVerdict::Retry);
  EXPECT_EQ(verdict(HttpError("502", details(op, ErrorKind::Transport, true, 502), "<html>"), op), RetryVerdict::Retry);
  EXPECT_EQ(verdict(throttled(op, 1000ms), op), RetryVerdict::Retry);
}

TEST(RetryDecisions, ReadsDoNotRetryAnswersThatWouldRepeat) {
  using namespace policy_test;
  const auto op = Operation::GetCharges;
  EXPECT_EQ(verdict(HttpError("404", details(op, ErrorKind::Transport, false, 404), "<html>"), op),
            RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(InvalidArgument("bad", op), op), RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(AuthenticationFailed("no", details(op, ErrorKind::AuthenticationFailed), false, false), op),
            RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(NotAuthorized("no", details(op, ErrorKind::NotAuthorized), {}, {}), op), RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(ServiceError("err", details(op, ErrorKind::ServiceError)), op), RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(MalformedResponse("bad xml", details(op, ErrorKind::MalformedResponse)), op),
            RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(TlsError("tls", details(op, ErrorKind::Transport)), op), RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(SoapFault("f", details(op, ErrorKind::SoapFault), "a:ActionNotSupported", "x"), op),
            RetryVerdict::Rethrow);
}

TEST(RetryDecisions, AnInternalServiceFaultIsRetriedOnceForReads) {
  const auto op = Operation::GetAppointments;
  const auto fault = policy_test::internal_fault(op);
  EXPECT_EQ(verdict(fault, op, 0), RetryVerdict::Retry);
  EXPECT_EQ(verdict(fault, op, 1), RetryVerdict::Rethrow);
  RetryPolicy none;
  none.max_soap_fault_retries = 0;
  EXPECT_EQ(classify_failure(fault, op, 0, none).verdict, RetryVerdict::Rethrow);
}

TEST(RetryDecisions, AThrottleAsksForTheNamedIntervalPlusMargin) {
  const auto d = classify_failure(policy_test::throttled(Operation::GetPatients, 2000ms), Operation::GetPatients, 0,
                                  RetryPolicy{});
  EXPECT_EQ(d.verdict, RetryVerdict::Retry);
  EXPECT_EQ(d.min_wait, 2200ms);
}

TEST(RetryDecisions, WritesThatMayHaveArrivedAreAmbiguous) {
  using namespace policy_test;
  const auto op = Operation::CreatePatient;
  EXPECT_EQ(verdict(connection_error(op, true), op), RetryVerdict::Ambiguous);
  EXPECT_EQ(verdict(timeout_error(op), op), RetryVerdict::Ambiguous);
  EXPECT_EQ(verdict(HttpError("503", details(op, ErrorKind::Transport, false, 503), "<html>"), op),
            RetryVerdict::Ambiguous);
  EXPECT_EQ(verdict(internal_fault(op), op), RetryVerdict::Ambiguous);
  EXPECT_EQ(verdict(MalformedResponse("truncated", details(op, ErrorKind::MalformedResponse, false, 200)), op),
            RetryVerdict::Ambiguous);
}

TEST(RetryDecisions, WritesThatNeverLeftAreRethrownOrRetried) {
  using namespace policy_test;
  const auto op = Operation::UpdateAppointment;
  // Nothing was sent: safe to try again.
  EXPECT_EQ(verdict(connection_error(op, false), op), RetryVerdict::Retry);
  EXPECT_EQ(
      verdict(TimeoutError("UpdateAppointment: connecting timed out after 30000 ms", details(op, ErrorKind::Transport)),
              op),
      RetryVerdict::Retry);
  // The service refused it: it was not applied.
  EXPECT_EQ(verdict(throttled(op, 500ms), op), RetryVerdict::Retry);
  EXPECT_EQ(verdict(InvalidArgument("bad", op), op), RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(AuthenticationFailed("no", details(op, ErrorKind::AuthenticationFailed), true, false), op),
            RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(NotAuthorized("no", details(op, ErrorKind::NotAuthorized), {}, {}), op), RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(ServiceError("Appointment must have valid ProviderGuids or ResourceGuids.",
                                 details(op, ErrorKind::ServiceError)),
                    op),
            RetryVerdict::Rethrow);
  EXPECT_EQ(verdict(TlsError("certificate", details(op, ErrorKind::Transport)), op), RetryVerdict::Rethrow);
}

TEST(RetryDecisions, RequestNotSentRecognisesConnectFailuresOnly) {
  const auto op = Operation::GetPatients;
  using policy_test::details;
  EXPECT_TRUE(request_not_sent(ConnectionError("GetPatients: connect failed in tcp_connect() (Connection refused)",
                                               details(op, ErrorKind::Transport, true))));
  EXPECT_FALSE(request_not_sent(
      ConnectionError("GetPatients: connection reset by peer", details(op, ErrorKind::Transport, true))));
  auto with_status = details(op, ErrorKind::Transport, true, 200);
  EXPECT_FALSE(request_not_sent(ConnectionError("GetPatients: connection refused", with_status)));
  EXPECT_TRUE(request_not_sent(InvalidArgument("bad")));
  EXPECT_FALSE(request_not_sent(policy_test::timeout_error(op)));
  // The built-in transport's contract for writes: retryable exactly when nothing was sent.
  EXPECT_TRUE(request_not_sent(policy_test::connection_error(Operation::CreatePatient, false)));
  EXPECT_FALSE(request_not_sent(policy_test::connection_error(Operation::CreatePatient, true)));
}

TEST(RetryDecisions, AmbiguousOutcomeSaysWhatHappenedAndWhatToDo) {
  const auto cause = policy_test::timeout_error(Operation::CreatePatient);
  const AmbiguousOutcome e = ambiguous_outcome(cause, Operation::CreatePatient);
  const std::string what = e.what();
  EXPECT_NE(what.find("CreatePatient"), std::string::npos);
  EXPECT_NE(what.find("may or may not have been applied"), std::string::npos);
  EXPECT_NE(what.find("not sent again"), std::string::npos);
  EXPECT_NE(what.find("ExternalID"), std::string::npos);
  EXPECT_EQ(e.kind(), ErrorKind::AmbiguousOutcome);
  EXPECT_EQ(e.cause_kind(), ErrorKind::Transport);
  EXPECT_EQ(e.cause(), cause.what());
  EXPECT_FALSE(e.retryable());
  EXPECT_EQ(e.operation(), Operation::CreatePatient);
  EXPECT_EQ(e.exit_code(), 10);
}

// ---- RetryingConnection -------------------------------------------------------------------------------------------

struct Harness {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<MockConnection> mock = std::make_shared<MockConnection>(clock);

  // Calls `op` through a RetryingConnection with `policy`.
  void call(Operation op, const RetryPolicy& policy) {
    RetryingConnection retrying(mock, policy, clock);
    policy_test::AnyCall call(op);
    retrying.call(call.exchange());
    last_attempt = call.exchange().attempt;
  }
  int last_attempt = 0;
};

TEST(RetryingConnection, RetriesAReadUntilItSucceeds) {
  Harness h;
  int failures = 2;
  h.mock->handler = [&](Exchange& ex) {
    if (failures-- > 0) throw policy_test::connection_error(ex.operation, true);
    policy_test::succeed(ex);
  };
  h.call(Operation::GetPatients, deterministic());
  const auto calls = h.mock->calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].attempt, 1);
  EXPECT_EQ(calls[2].attempt, 3);
  EXPECT_EQ(h.last_attempt, 3);
  EXPECT_EQ(calls[1].at - calls[0].at, 500ms);
  EXPECT_EQ(calls[2].at - calls[1].at, 1000ms);
}

TEST(RetryingConnection, StopsAfterMaxAttemptsAndRethrowsTheFailureAsItWas) {
  Harness h;
  h.mock->handler = [](Exchange& ex) { throw policy_test::timeout_error(ex.operation); };
  RetryPolicy p = deterministic();
  p.max_attempts = 4;
  EXPECT_THROW(h.call(Operation::GetPatients, p), TimeoutError);
  EXPECT_EQ(h.mock->calls().size(), 4u);
  EXPECT_EQ(h.clock->total_slept(), 500ms + 1000ms + 2000ms);
}

TEST(RetryingConnection, StopsWhenTheNextWaitWouldExceedTheTotalTime) {
  Harness h;
  h.mock->handler = [](Exchange& ex) { throw policy_test::connection_error(ex.operation, true); };
  RetryPolicy p = deterministic();
  p.max_attempts = 100;
  p.max_elapsed = 4000ms;  // waits 0.5 + 1 + 2 = 3.5 s fit; the next 4 s does not
  EXPECT_THROW(h.call(Operation::GetPatients, p), ConnectionError);
  EXPECT_EQ(h.mock->calls().size(), 4u);
  EXPECT_LE(h.clock->total_slept(), 4000ms);
}

TEST(RetryingConnection, JitteredWaitsStayWithinTheirBounds) {
  Harness h;
  h.mock->handler = [](Exchange& ex) { throw policy_test::connection_error(ex.operation, true); };
  RetryPolicy p;
  p.max_attempts = 6;
  p.jitter = 0.5;
  p.seed = 1234;
  EXPECT_THROW(h.call(Operation::GetPatients, p), ConnectionError);
  const auto sleeps = h.clock->sleeps();
  ASSERT_EQ(sleeps.size(), 5u);
  milliseconds nominal = 500ms;
  for (auto s : sleeps) {
    EXPECT_GE(s, nominal / 2);
    EXPECT_LE(s, nominal);
    nominal *= 2;
  }
}

TEST(RetryingConnection, InternalServiceFaultIsRetriedOnlyOnce) {
  Harness h;
  h.mock->handler = [](Exchange& ex) { throw policy_test::internal_fault(ex.operation); };
  EXPECT_THROW(h.call(Operation::GetCharges, deterministic()), SoapFault);
  EXPECT_EQ(h.mock->calls().size(), 2u);
}

TEST(RetryingConnection, AThrottleWaitsAtLeastTheNamedInterval) {
  Harness h;
  bool first = true;
  h.mock->handler = [&](Exchange& ex) {
    if (std::exchange(first, false)) throw policy_test::throttled(ex.operation, 4000ms);
    policy_test::succeed(ex);
  };
  h.call(Operation::GetPatients, deterministic());
  const auto calls = h.mock->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].at - calls[0].at, 4400ms);  // the named 4 s plus margin, more than the 0.5 s backoff
}

TEST(RetryingConnection, AWriteThatMayHaveArrivedIsNeverResent) {
  for (int kind = 0; kind < 4; ++kind) {
    Harness h;
    h.mock->handler = [&](Exchange& ex) {
      switch (kind) {
        case 0:
          throw policy_test::timeout_error(ex.operation);
        case 1:
          throw policy_test::connection_error(ex.operation, true);
        case 2:
          throw policy_test::internal_fault(ex.operation);
        default:
          throw HttpError("HTTP 502", policy_test::details(ex.operation, ErrorKind::Transport, false, 502), "<html>");
      }
    };
    try {
      h.call(Operation::CreatePatient, deterministic());
      ADD_FAILURE() << "no exception for kind " << kind;
    } catch (const AmbiguousOutcome& e) {
      EXPECT_NE(std::string(e.what()).find("may or may not have been applied"), std::string::npos);
    }
    EXPECT_EQ(h.mock->calls().size(), 1u) << "kind " << kind;
  }
}

TEST(RetryingConnection, AWriteRefusedBeforeSendingIsRetried) {
  Harness h;
  int refusals = 2;
  h.mock->handler = [&](Exchange& ex) {
    if (refusals-- > 0) throw policy_test::connection_error(ex.operation, false);
    policy_test::succeed(ex);
  };
  h.call(Operation::CreatePatient, deterministic());
  EXPECT_EQ(h.mock->calls().size(), 3u);
}

TEST(RetryingConnection, AWriteFailureWithADefiniteAnswerIsRethrownAsIs) {
  Harness h;
  h.mock->handler = [](Exchange& ex) {
    throw ServiceError("Error translating AppointmentCreate",
                       policy_test::details(ex.operation, ErrorKind::ServiceError));
  };
  EXPECT_THROW(h.call(Operation::CreatePatient, deterministic()), ServiceError);
  EXPECT_EQ(h.mock->calls().size(), 1u);
}

TEST(RetryingConnection, ACustomNotSentPredicateIsUsed) {
  Harness h;
  int failures = 1;
  h.mock->handler = [&](Exchange& ex) {
    if (failures-- > 0) throw policy_test::connection_error(ex.operation, true);
    policy_test::succeed(ex);
  };
  RetryPolicy p = deterministic();
  p.not_sent = [](const Error&) { return true; };  // e.g. a transport that knows better
  h.call(Operation::CreatePatient, p);
  EXPECT_EQ(h.mock->calls().size(), 2u);
}

}  // namespace
}  // namespace kareo
