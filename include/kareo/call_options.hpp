/// @file
/// @brief kareo::CallOptions: a timeout, a cancellation token and a retry policy for one call (or for every call
/// of one ranged read), without a second Client.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "kareo/cancellation.hpp"
#include "kareo/retry.hpp"

namespace kareo {

/// Options of one call, given as the last (defaulted) argument of every Client method. For a ranged read
/// (Client::patients() and the other list reads) they apply to every call the range makes, one by one.
///
/// - `timeout` bounds each call as a whole, its retries and the waits between them included: the call ends with
///   kareo::TimeoutError by then at the latest (the built-in transport ends an attempt still running; a
///   user-supplied transport that ignores Exchange::deadline ends it when it returns). It narrows, never widens,
///   RetryPolicy::max_elapsed.
/// - `cancel` ends the call with kareo::Cancelled before it is sent, while it waits for its turn under the rate
///   limit, during a wait between two attempts, and (built-in transport) while a read waits for its response. A
///   write already on the wire may have been applied: it ends as kareo::AmbiguousOutcome, and is not resent. A
///   ranged read stops before its next call.
/// - `retry` replaces the client's RetryPolicy for this call (`max_attempts = 1`: no retry). Writes are never
///   resent once they may have reached the server, whatever the policy.
///
/// Everything else (pacing, credentials, decorators, the event sink) is the Client's.
/// @code
/// kareo::CancellationToken stop;  // cancel() it from another thread, e.g. a signal handler
/// auto rows = client.patients(query, kareo::CallOptions{}.with_timeout(std::chrono::seconds(30)).with_cancel(stop));
/// @endcode
struct CallOptions {
  /// The whole call's time limit (retries included); empty: the client's RetryPolicy::max_elapsed.
  std::optional<std::chrono::milliseconds> timeout;
  /// Cancels the call; empty: not cancellable.
  std::optional<CancellationToken> cancel;
  /// The retry policy of this call; empty: the client's (CallPolicies::retry_policy).
  std::optional<RetryPolicy> retry;
  /// Called when the call succeeded, with the bytes its last attempt read from the network (headers included;
  /// 0 when the transport does not report them). Ranged reads use it for PagingOptions::byte_budget.
  std::function<void(std::uint64_t bytes_received)> on_received;

  /// Sets `timeout`; returns this.
  CallOptions& with_timeout(std::chrono::milliseconds value) & {
    timeout = value;
    return *this;
  }
  /// Sets `timeout`; returns the options.
  CallOptions&& with_timeout(std::chrono::milliseconds value) && { return std::move(with_timeout(value)); }
  /// Sets `cancel`; returns this.
  CallOptions& with_cancel(CancellationToken token) & {
    cancel = std::move(token);
    return *this;
  }
  /// Sets `cancel`; returns the options.
  CallOptions&& with_cancel(CancellationToken token) && { return std::move(with_cancel(std::move(token))); }
  /// Sets `retry`; returns this.
  CallOptions& with_retry(RetryPolicy policy) & {
    retry = std::move(policy);
    return *this;
  }
  /// Sets `retry`; returns the options.
  CallOptions&& with_retry(RetryPolicy policy) && { return std::move(with_retry(std::move(policy))); }
};

}  // namespace kareo
