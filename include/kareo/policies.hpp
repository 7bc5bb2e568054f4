/// @file
/// @brief The pacing and retry layers a kareo::Client puts around its transport (Options::policies).
///
/// With `CallPolicies{}` a Client paces every call under the account's published rate limits (a limiter shared
/// by every Client of the process, so two clients of one account share one budget) and retries failed reads with
/// exponential backoff; writes are never resent once they may have reached the server. The stack is
/// `user decorators → RetryingConnection → PacedConnection → observability → transport`.
/// @code
/// kareo::CallPolicies policies;
/// policies.limiter = std::make_shared<kareo::SharedFileRateLimiter>();  // share the budget between processes
/// policies.retry.max_attempts = 3;
/// kareo::Client client{kareo::Options{}.credentials(credentials).policies(policies)};
/// @endcode
#pragma once

#include <memory>

#include "kareo/clock.hpp"
#include "kareo/connection.hpp"
#include "kareo/pacing.hpp"
#include "kareo/retry.hpp"

namespace kareo {

/// Whether and how a Client paces and retries its calls.
struct CallPolicies {
  /// Pace every call under the account's rate limits (PacedConnection).
  bool pace = true;
  /// The limiter to pace with; null: default_rate_limiter(), or a limiter of its own when `clock` or the margin
  /// of `pacing` differ from the defaults.
  std::shared_ptr<RateLimiter> limiter;
  /// The safety margin and the throttle retries of the pacing.
  PacingOptions pacing;
  /// Retry failed calls (RetryingConnection). Writes are never resent once they may have reached the server.
  bool retry = true;
  /// How often and how patiently failed calls are retried.
  RetryPolicy retry_policy;
  /// The clock the retry waits (and a default limiter) use; null: the system clock.
  std::shared_ptr<Clock> clock;

  /// No pacing, no retries: every call goes to the transport exactly once.
  static CallPolicies none() {
    CallPolicies p;
    p.pace = false;
    p.retry = false;
    return p;
  }
};

/// The process-wide in-memory limiter with the published limits, used by every Client that is given no limiter
/// of its own. Accounts are told apart by their customer key, so clients of different accounts do not slow each
/// other down.
std::shared_ptr<RateLimiter> default_rate_limiter();

/// Wraps `connection` in the layers `policies` asks for: PacedConnection, then RetryingConnection above it.
std::shared_ptr<Connection> apply_policies(std::shared_ptr<Connection> connection, const CallPolicies& policies);

}  // namespace kareo
