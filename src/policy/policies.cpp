#include "kareo/policies.hpp"

namespace kareo {

std::shared_ptr<RateLimiter> default_rate_limiter() {
  static const std::shared_ptr<RateLimiter> limiter = std::make_shared<IntervalRateLimiter>(SystemClock::instance());
  return limiter;
}

std::shared_ptr<Connection> apply_pacing(std::shared_ptr<Connection> connection, const CallPolicies& policies) {
  if (!policies.pace) return connection;
  const std::shared_ptr<Clock> clock = policies.clock ? policies.clock : SystemClock::instance();
  std::shared_ptr<RateLimiter> limiter = policies.limiter;
  if (!limiter) {
    // The shared limiter runs on the system clock with the default margin; anything else gets its own.
    const PacingOptions defaults;
    const bool default_margin =
        policies.pacing.margin_ratio == defaults.margin_ratio && policies.pacing.min_margin == defaults.min_margin;
    const bool system_clock = !policies.clock || policies.clock == SystemClock::instance();
    limiter = default_margin && system_clock ? default_rate_limiter()
                                             : std::make_shared<IntervalRateLimiter>(clock, policies.pacing);
  }
  return std::make_shared<PacedConnection>(std::move(connection), std::move(limiter), policies.pacing);
}

std::shared_ptr<Connection> apply_retries(std::shared_ptr<Connection> connection, const CallPolicies& policies) {
  // The retry layer is always there: it alone resends (throttled calls included), and it alone decides that a
  // failed write may have been applied (kareo::AmbiguousOutcome). Without retries it makes one attempt.
  RetryPolicy retry = policies.retry_policy;
  if (!policies.retry) {
    retry.max_attempts = 1;
    retry.max_elapsed = std::chrono::milliseconds::zero();
  }
  return std::make_shared<RetryingConnection>(std::move(connection), std::move(retry),
                                              policies.clock ? policies.clock : SystemClock::instance());
}

std::shared_ptr<Connection> apply_policies(std::shared_ptr<Connection> connection, const CallPolicies& policies) {
  return apply_retries(apply_pacing(std::move(connection), policies), policies);
}

}  // namespace kareo
