#include <algorithm>
#include <cctype>
#include <string>

#include "kareo/errors.hpp"
#include "kareo/postgres_pacing.hpp"
#include "postgres/libpq.hpp"

namespace kareo {

using std::chrono::milliseconds;

namespace {

// A schema-qualified or plain identifier of letters, digits and underscores (not quoted: folded to lower case,
// as PostgreSQL does with unquoted names).
bool plain_identifier(const std::string& name) {
  if (name.empty() || name.size() > 127) return false;
  bool start = true;
  int dots = 0;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (start || ++dots > 1) return false;
      start = true;
      continue;
    }
    if (!(std::isalpha(u) || c == '_' || (!start && std::isdigit(u)))) return false;
    start = false;
  }
  return !start;
}

using pq::Result;

// The interval of a turn, in milliseconds, as SQL: an interval built from the bigint parameter $3.
constexpr const char* kSpacing = "make_interval(secs => $3::bigint / 1000.0)";

}  // namespace

PostgresRateLimiter::PostgresRateLimiter(const std::string& uri, std::shared_ptr<Clock> clock, PacingOptions options,
                                         ThrottleTable table, std::string table_name)
    : uri_(uri),
      clock_(clock ? std::move(clock) : SystemClock::instance()),
      options_(options),
      table_name_(std::move(table_name)),
      table_(table) {
  if (uri_.empty()) throw InvalidArgument("PostgresRateLimiter needs a database URI (postgresql://...)");
  if (!plain_identifier(table_name_))
    throw InvalidArgument("the pacing table name \"" + table_name_ +
                          "\" is not a plain identifier (letters, digits, underscores, optionally schema.table)");
  const std::string t = table_name_;
  // A turn: the later of now and the row's next time (a row over an hour ahead is a clock step: ignored), and the
  // row moves one spacing past it. The wait is how far that turn lies after the statement's start.
  acquire_sql_ = "INSERT INTO " + t + " AS p (account, operation, next_at) VALUES ($1, $2, statement_timestamp() + " +
                 kSpacing +
                 ") ON CONFLICT (account, operation) DO UPDATE SET next_at = CASE WHEN p.next_at < "
                 "statement_timestamp() OR p.next_at > statement_timestamp() + interval '1 hour' THEN "
                 "statement_timestamp() ELSE p.next_at END + " +
                 kSpacing +
                 " RETURNING GREATEST(0, ceil(extract(epoch FROM p.next_at - statement_timestamp()) * 1000) - "
                 "$3::bigint)::bigint";
  // A deferral: no turn before now + wait, unless one is already later (and not a clock step ahead).
  defer_sql_ = "INSERT INTO " + t + " AS p (account, operation, next_at) VALUES ($1, $2, statement_timestamp() + " +
               kSpacing +
               ") ON CONFLICT (account, operation) DO UPDATE SET next_at = CASE WHEN p.next_at > EXCLUDED.next_at "
               "AND p.next_at <= EXCLUDED.next_at + interval '1 hour' THEN p.next_at ELSE EXCLUDED.next_at END "
               "RETURNING 0::bigint";
  std::lock_guard<std::mutex> lock(db_mutex_);
  connect_locked();
  create_table_locked();
}

void PostgresRateLimiter::ConnectionCloser::operator()(pg_conn* connection) const noexcept { PQfinish(connection); }

void PostgresRateLimiter::create_table_locked() {
  const std::string& t = table_name_;
  // Two workers starting together must not both create the table: the creation is serialised by an advisory
  // lock held for its transaction.
  const std::string create = "BEGIN; SELECT pg_advisory_xact_lock(hashtext('kareo pacing table " + t +
                             "')); CREATE TABLE IF NOT EXISTS " + t +
                             " (account text NOT NULL, operation text NOT NULL, next_at timestamptz NOT NULL, "
                             "PRIMARY KEY (account, operation)); COMMIT;";
  Result result(PQexec(db_.get(), create.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    Result rollback(PQexec(db_.get(), "ROLLBACK"));
    fail_locked("cannot create the pacing table " + t);
  }
}

PostgresRateLimiter::~PostgresRateLimiter() = default;

void PostgresRateLimiter::connect_locked(std::optional<Operation> op) {
  if (db_ != nullptr && PQstatus(db_.get()) == CONNECTION_OK) return;
  if (db_ != nullptr) {
    PQreset(db_.get());
  } else {
    db_.reset(pq::connect(uri_, "kareo-pacing").release());
    if (db_ == nullptr) throw ConnectionError("cannot reach the shared rate budget: out of memory", {});
  }
  if (PQstatus(db_.get()) == CONNECTION_OK) {
    database_ = pq::describe(db_.get());
    return;
  }
  fail_locked("cannot connect", op);
}

void PostgresRateLimiter::fail_locked(const std::string& doing, std::optional<Operation> op) {
  const std::string where = database_.empty() ? pq::describe(db_.get()) : database_;
  Error::Details details;
  details.kind = ErrorKind::Transport;
  // Nothing was sent to Tebra: with the operation named and the failure retryable, the retry layer knows that
  // even a write may be sent again (kareo::request_not_sent).
  details.operation = op;
  details.retryable = true;
  details.server_message = db_ != nullptr ? pq::trimmed(PQerrorMessage(db_.get())) : std::string();
  throw ConnectionError("the shared rate budget in PostgreSQL" + (where.empty() ? std::string() : " (" + where + ")") +
                            ": " + doing + ": " + details.server_message +
                            "; the call was not sent (check the --pacing-db URI and that the database is up)",
                        details);
}

long long PostgresRateLimiter::execute(const char* what, const std::string& sql, const std::string& account,
                                       Operation op, milliseconds interval) {
  const std::string operation(operation_name(op));
  const std::string ms = std::to_string(std::max<long long>(0, interval.count()));
  std::lock_guard<std::mutex> lock(db_mutex_);
  for (int attempt = 0;; ++attempt) {
    connect_locked(op);
    const Result result = pq::exec(db_.get(), sql, {account, operation, ms});
    if (PQresultStatus(result.get()) == PGRES_TUPLES_OK && PQntuples(result.get()) == 1)
      return std::stoll(PQgetvalue(result.get(), 0, 0));
    // A connection that broke since the last call (a restarted server) is made again, once.
    if (attempt == 0 && PQstatus(db_.get()) != CONNECTION_OK) continue;
    fail_locked(std::string("cannot ") + what + " a turn of " + operation, op);
  }
}

Clock::time_point PostgresRateLimiter::acquire(const std::string& account, Operation op) {
  const milliseconds spacing = with_margin(limits().interval(op), options_);
  const long long wait_ms = execute("reserve", acquire_sql_, account, op, spacing);
  const Clock::time_point slot = clock_->now() + milliseconds(wait_ms);
  clock_->sleep_until(slot);
  return slot;
}

void PostgresRateLimiter::defer(const std::string& account, Operation op, milliseconds wait) {
  execute("defer", defer_sql_, account, op, with_margin(wait, options_));
}

void PostgresRateLimiter::update_limits(const ThrottleTable& table) {
  std::lock_guard<std::mutex> lock(limits_mutex_);
  table_ = table;
}

ThrottleTable PostgresRateLimiter::limits() const {
  std::lock_guard<std::mutex> lock(limits_mutex_);
  return table_;
}

}  // namespace kareo
