/// @file
/// @brief The settings of the pacing and retry layers (kareo::CallPolicies, kareo::PacingOptions,
/// kareo::RetryPolicy) as plain values, apart from the layers themselves: kareo/options.hpp needs no more.
///
/// The layers are in kareo/pacing.hpp, kareo/retry.hpp and kareo/policies.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace kareo {

class Clock;
class Error;
class RateLimiter;

/// How much slower than the published limit calls are spaced. (How often a refused call is sent again is
/// RetryPolicy::max_attempts: only the retry layer resends.)
struct PacingOptions {
  /// Added to every interval, as a fraction of it (0.10 = 10 %).
  double margin_ratio = 0.10;
  /// The least margin added to every interval: a call exactly one interval after the previous one can still be
  /// refused, network delays vary.
  std::chrono::milliseconds min_margin{50};
};

/// How often and how patiently failed calls are tried again.
struct RetryPolicy {
  /// Attempts in all, the first included (1 disables retries).
  int max_attempts = 5;
  /// The call's time budget, measured from the start of its first attempt: no retry is started whose wait would
  /// end later than this, and an attempt still running then is ended (Exchange::deadline). Zero: attempts get
  /// no deadline from this layer, and a failed attempt is not retried.
  std::chrono::milliseconds max_elapsed = std::chrono::minutes(15);
  /// The wait before the first retry, before jitter.
  std::chrono::milliseconds initial_backoff{500};
  /// The longest wait between two attempts, before jitter.
  std::chrono::milliseconds max_backoff{30000};
  /// Each wait is this many times the one before (until max_backoff).
  double multiplier = 2.0;
  /// The fraction of each wait that is random: a wait of nominal length d lasts between d * (1 - jitter) and d.
  /// 0 makes waits deterministic; values are clamped to [0, 1].
  double jitter = 0.5;
  /// How often a read that failed with an InternalServiceFault is tried again (such faults are often caused by
  /// the request itself, e.g. a too-wide date range, and then repeat).
  int max_soap_fault_retries = 1;
  /// The margin added to the interval a Throttled failure names.
  PacingOptions throttle_margin{};
  /// Seeds the jitter (0: a random seed). Set it for reproducible waits.
  std::uint64_t seed = 0;
  /// Decides whether a failure proves that nothing was sent (so a write may safely be sent again).
  /// Empty: kareo::request_not_sent.
  std::function<bool(const Error&)> not_sent;
};

/// Whether and how a Client paces and retries its calls.
struct CallPolicies {
  /// Pace every call under the account's rate limits (PacedConnection).
  bool pace = true;
  /// The limiter to pace with; null: default_rate_limiter(), or a limiter of its own when `clock` or the margin
  /// of `pacing` differ from the defaults.
  std::shared_ptr<RateLimiter> limiter;
  /// The safety margin and the throttle retries of the pacing.
  PacingOptions pacing;
  /// Retry failed calls (RetryingConnection), throttled ones included. Writes are never resent once they may have
  /// reached the server. When false the retry layer makes one attempt per call (and still reports a write that
  /// may have been applied as kareo::AmbiguousOutcome).
  bool retry = true;
  /// How often and how patiently failed calls are retried.
  RetryPolicy retry_policy;
  /// The clock the retry waits (and a default limiter) use; null: the system clock.
  std::shared_ptr<Clock> clock;

  /// No pacing, no retries: every call goes to the transport exactly once (a throttled call fails with
  /// kareo::Throttled).
  static CallPolicies none() {
    CallPolicies p;
    p.pace = false;
    p.retry = false;
    return p;
  }
};

}  // namespace kareo
