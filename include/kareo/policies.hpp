/// @file
/// @brief The pacing and retry layers a kareo::Client puts around its transport (Options::policies).
///
/// With `CallPolicies{}` a Client paces every call under the account's published rate limits (a limiter shared
/// by every Client of the process, so two clients of one account share one budget) and retries failed reads with
/// exponential backoff; writes are never resent once they may have reached the server. The stack is
/// `user decorators → RetryingConnection → PacedConnection → observability → transport`.
///
/// Each concern has one owner: PacedConnection only waits for a turn (and, after a throttle refusal, defers the
/// next one); RetryingConnection alone sends a call again (a throttled call too) and alone turns the failure of a
/// write that may have reached the server into kareo::AmbiguousOutcome. The retry layer is present even when
/// retries are off (it then makes one attempt), so every decorator above it sees the same verdict whatever the
/// policies.
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
#include "kareo/policy_options.hpp"
#include "kareo/retry.hpp"

namespace kareo {

/// The process-wide in-memory limiter with the published limits, used by every Client that is given no limiter
/// of its own. Accounts are told apart by their customer key, so clients of different accounts do not slow each
/// other down.
std::shared_ptr<RateLimiter> default_rate_limiter();

/// Wraps `connection` in the layers `policies` asks for: PacedConnection (when `policies.pace`), then
/// RetryingConnection above it (always; with one attempt when `policies.retry` is false).
std::shared_ptr<Connection> apply_policies(std::shared_ptr<Connection> connection, const CallPolicies& policies);

/// The pacing layer alone: `connection` wrapped in a PacedConnection when `policies.pace`, else `connection`.
std::shared_ptr<Connection> apply_pacing(std::shared_ptr<Connection> connection, const CallPolicies& policies);

/// The retry layer alone, as apply_policies() puts it over the pacing layer (one attempt when `policies.retry` is
/// false).
std::shared_ptr<Connection> apply_retries(std::shared_ptr<Connection> connection, const CallPolicies& policies);

}  // namespace kareo
