/// @file
/// @brief Retries with exponential backoff and jitter: reads are retried on transient failures; writes are never
/// resent once their request may have reached the server.
///
/// | failure                                              | read                     | write                       |
/// |------------------------------------------------------|--------------------------|-----------------------------|
/// | Throttled (the service refused: nothing was executed) | retry after its interval | retry after its interval    |
/// | ConnectionError, TimeoutError, HttpError 5xx          | retry                    | AmbiguousOutcome            |
/// | connection failure before anything was sent           | retry                    | retry                       |
/// | SoapFault InternalServiceFault                        | retry once               | AmbiguousOutcome            |
/// | other SoapFault, MalformedResponse                    | rethrown                 | AmbiguousOutcome            |
/// | InvalidArgument, AuthenticationFailed, NotAuthorized, ServiceError, TlsError | rethrown | rethrown          |
///
/// Retries stop after RetryPolicy::max_attempts attempts or when the next wait would end after
/// RetryPolicy::max_elapsed; the last failure is then rethrown as it was. RetryPolicy::max_elapsed also bounds the
/// call as a whole: every attempt is given what is left of it as its deadline (Exchange::deadline), so the call
/// ends within max_elapsed whatever the server does (the built-in transport ends an attempt still running then
/// with kareo::TimeoutError).
///
/// The defaults are consistent with Options' defaults: a read that stalls for the whole receive timeout (2 minutes)
/// leaves time for the other attempts within the 15-minute budget, so a stall is retried (and a ranged read does
/// not narrow a window that was not too wide), while an attempt that keeps receiving slowly is ended by
/// Options::call_timeout (10 minutes). Keep max_elapsed well above the receive timeout when changing either.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "kareo/clock.hpp"
#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/policy_options.hpp"

namespace kareo {

/// The waits between attempts: exponential, capped, with jitter.
class Backoff {
 public:
  /// Waits of `policy`, randomised by a generator seeded with `seed`.
  Backoff(const RetryPolicy& policy, std::uint64_t seed);

  /// The wait before retry number `retry` (1 = the first retry) without jitter:
  /// min(max_backoff, initial_backoff * multiplier^(retry - 1)).
  std::chrono::milliseconds nominal(int retry) const noexcept;

  /// The wait before the next retry, with jitter: in [nominal * (1 - jitter), nominal].
  std::chrono::milliseconds next();

  /// How many waits next() has handed out.
  int retries() const noexcept { return retries_; }

 private:
  RetryPolicy policy_;
  std::uint64_t seed_;
  std::optional<std::mt19937_64> rng_;  // seeded at the first wait: most calls never retry
  int retries_ = 0;
};

/// What to do about one failure.
enum class RetryVerdict {
  Retry,      ///< Try again (after the wait).
  Rethrow,    ///< Give up and rethrow the failure as it is.
  Ambiguous,  ///< A write may have been applied: report kareo::AmbiguousOutcome, never resend.
};

/// The verdict on one failure, and the least wait before the next attempt (the service's interval for
/// Throttled, with margin; zero otherwise).
struct RetryDecision {
  RetryVerdict verdict = RetryVerdict::Rethrow;  ///< What to do.
  std::chrono::milliseconds min_wait{0};         ///< Wait at least this long before retrying.
};

/// True when `error` proves the request never left this process: InvalidArgument; TlsError (the handshake comes
/// before the request); a connect timeout; a ConnectionError of a write that the transport marked retryable (the
/// built-in transport does so exactly when no byte of the request was sent); and a ConnectionError that says the
/// connection could not be made (refused, unreachable, name not resolved). Never when any response arrived.
bool request_not_sent(const Error& error) noexcept;

/// Classifies `error`, raised by a call of `op`, under `policy`; `soap_fault_retries` is how often this call was
/// already retried after an InternalServiceFault. Attempt and time limits are not considered here.
RetryDecision classify_failure(const Error& error, Operation op, int soap_fault_retries, const RetryPolicy& policy);

/// The AmbiguousOutcome reporting that the write `op` failed with `cause` after its request may have reached
/// the server. Its message says that the write may or may not have been applied and was not resent, and to look
/// the record up (by its ExternalID) before trying again.
AmbiguousOutcome ambiguous_outcome(const Error& cause, Operation op);

/// A Connection decorator that retries as described in this file's table.
///
/// It is the one layer that sends a call again (PacedConnection below it only waits, and defers after a
/// throttle refusal), and the one step that reports a write that may have been applied as
/// kareo::AmbiguousOutcome: a Client has it in its stack even with retries off (then with one attempt).
/// Place it above PacedConnection so that every attempt is paced. Exchange::attempt is incremented for each
/// attempt, and the response is cleared before a call is sent again.
class RetryingConnection final : public Connection {
 public:
  /// Retries calls to `inner` under `policy`, waiting on `clock`.
  explicit RetryingConnection(std::shared_ptr<Connection> inner, RetryPolicy policy = {},
                              std::shared_ptr<Clock> clock = SystemClock::instance());

  /// Calls the inner connection, retrying as the policy allows. Throws the last failure, or
  /// kareo::AmbiguousOutcome for a write that failed after it may have reached the server.
  void call(Exchange& exchange) override;

  /// The policy in use.
  const RetryPolicy& policy() const noexcept { return policy_; }

 private:
  std::uint64_t next_seed();
  std::shared_ptr<Connection> inner_;
  RetryPolicy policy_;
  std::shared_ptr<Clock> clock_;
  std::mutex rng_mutex_;
  std::mt19937_64 seeds_;
};

}  // namespace kareo
