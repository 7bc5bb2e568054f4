/// @file
/// @brief One account's rate budget shared by any number of processes on any number of machines, kept in
/// PostgreSQL (the library Kareo::postgres_pacing, which links libpq).
///
/// Tebra's rate limits are per account (customer key), not per machine. A vendor that syncs many practices with
/// several workers on several machines must space their calls together: SharedFileRateLimiter does it for the
/// processes of one machine, PostgresRateLimiter for every process that reaches one PostgreSQL database (for
/// example the one `kareo mirror` writes to).
/// @code
/// kareo::Options options = ...;
/// options.policies.limiter = std::make_shared<kareo::PostgresRateLimiter>("postgresql://sync@db.internal/clinic");
/// kareo::Client client(options);  // every worker built like this shares one budget per account
/// @endcode
/// The `kareo` tool does the same with `--pacing-db URL`.
///
/// **How.** The schedule is one row per (account, operation) in a table (default `kareo_pacing`, created when
/// missing) holding the time the next call may start. A turn is reserved by one atomic upsert: the row is
/// locked while it is updated, so concurrent workers get successive turns, each at least the operation's
/// interval plus the margin after the previous one. Times are the database server's, so the workers' own clocks
/// need not agree; each worker then waits the remaining time on its own clock. Accounts are stored as the hash
/// PacedConnection passes (never the customer key).
///
/// **Limits.** The spacing between two workers' calls can shrink by the difference of their network delays to
/// the database: keep those well below PacingOptions::min_margin (50 ms by default), i.e. the database in the
/// same data centre as the workers. A row further ahead than an hour (a clock step on the database server) is
/// ignored.
///
/// **Failures.** When the database cannot be reached, a call is not sent: it fails with kareo::ConnectionError
/// naming the database (never its password), which the retry layer treats like any connection failure of a call
/// that was not sent. A lost connection is re-established on the next call.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kareo/pacing.hpp"

struct pg_conn;

namespace kareo {

/// A RateLimiter whose schedule lives in a PostgreSQL table: every process using the same database and table
/// shares one budget per account. Safe to use from several threads (calls to the database are serialised;
/// the waits are not).
class PostgresRateLimiter final : public RateLimiter {
 public:
  /// Connects to `uri` (a libpq connection URI or key=value string) and creates `table` if missing.
  /// @param uri      e.g. "postgresql://user:password@host:5432/dbname"
  /// @param clock    the clock the waits use (tests substitute a ManualClock); null: the system clock
  /// @param options  the margin added to every interval
  /// @param table    the intervals to pace with (default: the published limits)
  /// @param table_name the schedule table, optionally schema-qualified ("pacing.kareo_pacing"); letters, digits
  ///                 and underscores
  /// @throws kareo::InvalidArgument for an empty URI or an unusable table name
  /// @throws kareo::ConnectionError when the database cannot be reached or the table cannot be created
  explicit PostgresRateLimiter(const std::string& uri, std::shared_ptr<Clock> clock = SystemClock::instance(),
                               PacingOptions options = {}, ThrottleTable table = {},
                               std::string table_name = "kareo_pacing");
  ~PostgresRateLimiter() override;
  PostgresRateLimiter(const PostgresRateLimiter&) = delete;
  PostgresRateLimiter& operator=(const PostgresRateLimiter&) = delete;

  Clock::time_point acquire(const std::string& account, Operation op) override;
  void defer(const std::string& account, Operation op, std::chrono::milliseconds wait) override;
  void update_limits(const ThrottleTable& table) override;
  ThrottleTable limits() const override;

  /// The schedule table's name.
  const std::string& table_name() const noexcept { return table_name_; }
  /// The database as "host:port/dbname" (for messages; without user or password).
  const std::string& database() const noexcept { return database_; }

 private:
  long long execute(const char* what, const std::string& sql, const std::string& account, Operation op,
                    std::chrono::milliseconds interval);
  void connect_locked(std::optional<Operation> op = std::nullopt);
  void create_table_locked();
  [[noreturn]] void fail_locked(const std::string& doing, std::optional<Operation> op = std::nullopt);

  std::string uri_;
  std::shared_ptr<Clock> clock_;
  PacingOptions options_;
  std::string table_name_;
  std::string database_;
  std::string acquire_sql_;
  std::string defer_sql_;
  mutable std::mutex limits_mutex_;
  ThrottleTable table_;
  /// Closes the connection (defined where libpq is known).
  struct ConnectionCloser {
    void operator()(pg_conn* connection) const noexcept;
  };
  std::mutex db_mutex_;
  std::unique_ptr<pg_conn, ConnectionCloser> db_;  // closed also when the constructor throws
};

}  // namespace kareo
