// The PostgreSQL store of the mirror (libpq): records as jsonb, times as timestamptz in a UTC session.
#include <memory>
#include <string>
#include <vector>

#include "mirror/schema.hpp"
#include "mirror/stores.hpp"
#include "postgres/libpq.hpp"

namespace kareo::mirror {

namespace {

using pq::Result;

const SqlTypes kTypes{"text", "jsonb", "timestamp", "timestamptz", "date", "numeric", "boolean"};
const SqlDialect kDialect{"$", "::jsonb"};

class PostgresStore final : public MirrorStore {
 public:
  explicit PostgresStore(const std::string& uri)
      : where_(pq::redacted(uri)), connection_(pq::connect(uri, "kareo-mirror")), db_(connection_.get()) {
    if (!db_ || PQstatus(db_) != CONNECTION_OK) {
      const std::string message = db_ ? pq::trimmed(PQerrorMessage(db_)) : "out of memory";
      throw MirrorDatabaseError("cannot connect to the PostgreSQL database " + where_ + ": " + message);
    }
    exec("SET TIME ZONE 'UTC'");
    exec("SET client_min_messages = warning");
  }

  void ensure_schema() override {
    exec("BEGIN");
    try {
      // One mirror migrates at a time (a transaction-scoped advisory lock, released by COMMIT or ROLLBACK).
      exec("SELECT pg_advisory_xact_lock(7316402158830337)");
      exec("CREATE TABLE IF NOT EXISTS kareo_mirror_schema (version integer NOT NULL)");
      const int version = read_version();
      if (version > kSchemaVersion) throw newer_schema(where_, version);
      for (const std::string& sql : migration_sql(version, kTypes)) exec(sql);
      exec("COMMIT");
    } catch (...) {
      rollback();
      throw;
    }
  }

  int schema_version() override {
    Result r = query("SELECT to_regclass('kareo_mirror_schema') IS NOT NULL", {});
    if (std::string(PQgetvalue(r.get(), 0, 0)) != "t") return 0;
    return read_version();
  }

  void begin() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override {
    if (db_ && PQtransactionStatus(db_) != PQTRANS_IDLE) Result(PQexec(db_, "ROLLBACK"));
  }

  UpsertOutcome upsert(const MirrorRow& row, const std::string& mirrored_at) override {
    const std::string table = mirror_table_name(row.table);
    Result found =
        query("SELECT record = $3::jsonb AND deleted_at IS NULL FROM " + table + " WHERE practice_id = $1 AND id = $2",
              {row.practice_id, row.id, row.record});
    const bool exists = PQntuples(found.get()) > 0;
    if (exists && std::string(PQgetvalue(found.get(), 0, 0)) == "t") return UpsertOutcome::Unchanged;
    query(exists ? update_sql(row.table, kDialect) : insert_sql(row.table, kDialect),
          upsert_parameters(row, mirrored_at));
    return exists ? UpsertOutcome::Updated : UpsertOutcome::Inserted;
  }

  std::optional<std::string> load_checkpoint(const std::string& feed) override {
    Result r = query("SELECT state FROM kareo_mirror_checkpoints WHERE feed = $1", {feed});
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return std::string(PQgetvalue(r.get(), 0, 0));
  }

  void save_checkpoint(const std::string& feed, const std::string& state) override {
    query(
        "INSERT INTO kareo_mirror_checkpoints (feed, state, saved_at) VALUES ($1, $2, now()) "
        "ON CONFLICT (feed) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at",
        {feed, state});
  }

  std::vector<std::string> live_ids(MirrorTable table, const std::string& practice_id, const std::string& column,
                                    const std::string& from, const std::string& to) override {
    Result r =
        query(std::string("SELECT id FROM ") + mirror_table_name(table) +
                  " WHERE practice_id = $1 AND deleted_at IS NULL AND " + column + " >= $2 AND " + column + " <= $3",
              {practice_id, from, to});
    std::vector<std::string> ids;
    for (int i = 0; i < PQntuples(r.get()); ++i) ids.emplace_back(PQgetvalue(r.get(), i, 0));
    return ids;
  }

  bool mark_deleted(MirrorTable table, const std::string& practice_id, const std::string& id,
                    const std::string& when) override {
    Result r = query(std::string("UPDATE ") + mirror_table_name(table) +
                         " SET deleted_at = $1 WHERE practice_id = $2 AND id = $3 AND deleted_at IS NULL",
                     {when, practice_id, id});
    return std::string(PQcmdTuples(r.get())) != "0";
  }

 private:
  [[noreturn]] void fail(const PGresult* r) {
    throw MirrorDatabaseError("PostgreSQL (" + where_ +
                              "): " + pq::trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(db_)));
  }
  void exec(const std::string& sql) { query(sql, {}); }
  Result query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    Result r = pq::exec(db_, sql, params);
    if (!pq::succeeded(r.get())) fail(r.get());
    return r;
  }
  int read_version() {
    Result r = query("SELECT coalesce(max(version), 0) FROM kareo_mirror_schema", {});
    return std::stoi(PQgetvalue(r.get(), 0, 0));
  }

  std::string where_;
  pq::Connection connection_;  // closed also when the constructor throws
  PGconn* db_ = nullptr;       // connection_.get()
};

}  // namespace

std::shared_ptr<MirrorStore> open_postgres_store(const std::string& uri) {
  return std::make_shared<PostgresStore>(uri);
}

}  // namespace kareo::mirror
