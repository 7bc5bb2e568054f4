/// @file
/// @brief Client-side rate limiting: every call waits its turn under the account's published limits,
/// so the service never has to refuse one.
///
/// Tebra limits calls per account (customer key) and per operation, e.g. one patients read per second and one
/// all-patients batch per five seconds (see kareo::published_interval). A RateLimiter keeps the next permitted time of
/// every (account, operation); PacedConnection asks it before each attempt. When the service still refuses a call
/// ("429: {operation} endpoint requested more than allowed over time interval 1000 milliseconds"), PacedConnection
/// defers that operation by the interval the service named (plus the margin) and lets kareo::Throttled through:
/// whether the call is sent again is decided by the retry layer alone (kareo::RetryingConnection, which counts
/// the attempt under RetryPolicy::max_attempts), and its next attempt waits for the deferred turn.
///
/// Typical composition (kareo::Client does this for you from its Options):
/// @code
/// auto clock = kareo::SystemClock::instance();
/// auto limiter = std::make_shared<kareo::IntervalRateLimiter>(clock);
/// auto paced = std::make_shared<kareo::PacedConnection>(inner, limiter);
/// @endcode
/// To share one budget between processes that use the same account, use SharedFileRateLimiter.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kareo/clock.hpp"
#include "kareo/connection.hpp"
#include "kareo/operations.hpp"
#include "kareo/policy_options.hpp"

namespace kareo_wire {
class kareo__ThrottleDetail;
}  // namespace kareo_wire

namespace kareo {

/// `interval` plus its margin: `interval + max(interval * margin_ratio, min_margin)`, rounded up to milliseconds.
std::chrono::milliseconds with_margin(std::chrono::milliseconds interval, const PacingOptions& options) noexcept;

/// One limit of the service's GetThrottles answer.
struct ThrottleLimit {
  std::string endpoint;                  ///< The endpoint as the service names it (an operation's name).
  std::chrono::milliseconds interval{};  ///< At most one call per this interval.
};

/// The minimum interval between two calls of each operation on one account.
class ThrottleTable {
 public:
  /// The vendor's published limits (kareo::published_interval).
  ThrottleTable();

  /// The interval of `op`.
  std::chrono::milliseconds interval(Operation op) const noexcept { return intervals_[index(op)]; }
  /// Sets the interval of `op` (negative values count as zero).
  void set_interval(Operation op, std::chrono::milliseconds interval) noexcept;
  /// Sets every operation's interval to `interval` (useful for tests against a fast fake server).
  void set_all(std::chrono::milliseconds interval) noexcept;

  /// Applies the rows of a GetThrottles answer. Endpoint names are matched case-insensitively, including the
  /// guide's spellings "CreatePayments" and "GetProcedureCode"; rows with a negative interval are ignored.
  /// @return the endpoint names that match no operation (e.g. "SearchPatient"), for logging.
  std::vector<std::string> apply(const std::vector<ThrottleLimit>& limits);

  /// The operation an endpoint name of the service means, accepting the guide's variant spellings.
  static std::optional<Operation> operation_for_endpoint(const std::string& endpoint) noexcept;

  /// Two tables are equal when every interval is.
  friend bool operator==(const ThrottleTable& a, const ThrottleTable& b) { return a.intervals_ == b.intervals_; }

 private:
  static std::size_t index(Operation op) noexcept { return static_cast<std::size_t>(op); }
  std::array<std::chrono::milliseconds, kOperationCount> intervals_{};
};

/// The limits in the ThrottleDetail rows of a GetThrottles answer (kareo::Client::throttles()). Intervals
/// are rounded up to whole milliseconds; rows without an endpoint name or a valid interval are skipped.
std::vector<ThrottleLimit> throttle_limits(const std::vector<kareo_wire::kareo__ThrottleDetail>& rows);

/// Decides when each call may be sent. Implementations are safe to use from several threads.
///
/// Accounts are opaque strings (PacedConnection passes a hash of the customer key, never the key itself).
/// Replace the default IntervalRateLimiter to share a budget across processes (SharedFileRateLimiter) or
/// across machines (implement this interface over a shared store).
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;

  /// Blocks until a call of `op` on `account` may be sent, and reserves that turn: concurrent callers get
  /// successive turns, each at least the operation's interval (with margin) after the previous one.
  /// @return the time (of the limiter's clock) the turn was granted.
  virtual Clock::time_point acquire(const std::string& account, Operation op) = 0;

  /// As acquire(), but the wait for the turn ends early when `cancel` is cancelled: the turn is then given back
  /// (a later caller is not made to wait for it) and nothing may be sent.
  /// The default implementation (for limiters written before it existed) checks `cancel` only before and after
  /// a wait it cannot interrupt.
  /// @return the time the turn was granted, or nullopt when cancelled.
  virtual std::optional<Clock::time_point> acquire(const std::string& account, Operation op,
                                                   const CancellationToken& cancel) {
    if (cancel.cancelled()) return std::nullopt;
    const auto slot = acquire(account, op);
    if (cancel.cancelled()) return std::nullopt;
    return slot;
  }

  /// The service refused a call of `op` on `account` as throttled and asked to wait `wait`: no call of `op`
  /// on `account` is granted before now + `wait` + margin.
  virtual void defer(const std::string& account, Operation op, std::chrono::milliseconds wait) = 0;

  /// Replaces the intervals (e.g. with the live values from GetThrottles, see refresh_limits()).
  virtual void update_limits(const ThrottleTable& table) = 0;

  /// The intervals in use (without margin).
  virtual ThrottleTable limits() const = 0;
};

/// The in-process limiter: one schedule per (account, operation), kept in memory.
class IntervalRateLimiter final : public RateLimiter {
 public:
  /// Paces with `clock`, the margin of `options` and the intervals of `table`.
  explicit IntervalRateLimiter(std::shared_ptr<Clock> clock = SystemClock::instance(), PacingOptions options = {},
                               ThrottleTable table = {});

  Clock::time_point acquire(const std::string& account, Operation op) override;
  std::optional<Clock::time_point> acquire(const std::string& account, Operation op,
                                           const CancellationToken& cancel) override;
  void defer(const std::string& account, Operation op, std::chrono::milliseconds wait) override;
  void update_limits(const ThrottleTable& table) override;
  ThrottleTable limits() const override;

 private:
  std::shared_ptr<Clock> clock_;
  PacingOptions options_;
  mutable std::mutex mutex_;
  ThrottleTable table_;
  std::map<std::pair<std::string, Operation>, Clock::time_point> next_;
};

/// A limiter whose schedule lives in one small file per account, locked with flock(2) while a turn is
/// reserved: every process (and every instance) using the same directory shares one budget per account.
///
/// The schedule is kept in monotonic time (CLOCK_MONOTONIC, common to all processes of a machine). A schedule
/// further ahead than an hour (a file left from before a reboot) is ignored. Local file systems only: flock is
/// not reliable over NFS.
class SharedFileRateLimiter final : public RateLimiter {
 public:
  /// Keeps the schedule files in `directory` (created with mode 0700 if missing). An empty `directory` means
  /// default_directory().
  /// @throws kareo::InvalidArgument if the directory cannot be created or used.
  explicit SharedFileRateLimiter(std::string directory = {}, std::shared_ptr<Clock> clock = SystemClock::instance(),
                                 PacingOptions options = {}, ThrottleTable table = {});

  Clock::time_point acquire(const std::string& account, Operation op) override;
  std::optional<Clock::time_point> acquire(const std::string& account, Operation op,
                                           const CancellationToken& cancel) override;
  void defer(const std::string& account, Operation op, std::chrono::milliseconds wait) override;
  void update_limits(const ThrottleTable& table) override;
  ThrottleTable limits() const override;

  /// The directory holding the schedule files.
  const std::string& directory() const noexcept { return directory_; }

  /// `$TMPDIR` (or /tmp) followed by "/kareo-pacing-<uid>".
  static std::string default_directory();

 private:
  std::string file_for(const std::string& account) const;
  std::shared_ptr<Clock> clock_;
  PacingOptions options_;
  std::string directory_;
  mutable std::mutex mutex_;
  ThrottleTable table_;
};

/// A Connection decorator that waits for the RateLimiter before every attempt. It sends each call once: when the
/// service refuses it as throttled (kareo::Throttled), it defers the operation by the interval the service named
/// and rethrows, so that the next attempt (the retry layer's decision) waits at least that long.
///
/// The account of a call is derived from the customer key in its RequestHeader.
class PacedConnection final : public Connection {
 public:
  /// Paces `inner` with `limiter`.
  PacedConnection(std::shared_ptr<Connection> inner, std::shared_ptr<RateLimiter> limiter, PacingOptions options = {});

  /// Waits for a turn, then forwards to the inner connection once; see the class description for throttling.
  void call(Exchange& exchange) override;

  /// The limiter in use.
  const std::shared_ptr<RateLimiter>& limiter() const noexcept { return limiter_; }

 private:
  std::shared_ptr<Connection> inner_;
  std::shared_ptr<RateLimiter> limiter_;
  PacingOptions options_;
};

}  // namespace kareo
