// The PostgreSQL store of the mirror (libpq): records as jsonb, times as timestamptz in a UTC session.
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "mirror/schema.hpp"
#include "mirror/stores.hpp"

namespace kareo::mirror {

namespace {

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

const SqlTypes kTypes{"text", "jsonb", "timestamp", "timestamptz", "date", "numeric", "boolean"};

// A URI without its password, for messages.
std::string redacted(const std::string& uri) {
  const auto scheme = uri.find("://");
  const auto at = uri.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return uri;
  const auto colon = uri.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon) + ":***" + uri.substr(at);
}

class PostgresStore final : public MirrorStore {
 public:
  explicit PostgresStore(const std::string& uri) : where_(redacted(uri)), db_(PQconnectdb(uri.c_str())) {
    if (!db_ || PQstatus(db_) != CONNECTION_OK) {
      const std::string message = db_ ? PQerrorMessage(db_) : "out of memory";
      if (db_) PQfinish(db_);
      db_ = nullptr;
      throw MirrorDatabaseError("cannot connect to the PostgreSQL database " + where_ + ": " + trimmed(message));
    }
    try {
      exec("SET TIME ZONE 'UTC'");
      exec("SET client_min_messages = warning");
    } catch (...) {
      PQfinish(db_);  // a constructor that throws runs no destructor
      db_ = nullptr;
      throw;
    }
  }
  ~PostgresStore() override {
    if (db_) PQfinish(db_);
  }

  void ensure_schema() override {
    exec("BEGIN");
    try {
      // One mirror migrates at a time (a transaction-scoped advisory lock, released by COMMIT or ROLLBACK).
      exec("SELECT pg_advisory_xact_lock(7316402158830337)");
      exec("CREATE TABLE IF NOT EXISTS kareo_mirror_schema (version integer NOT NULL)");
      const int version = read_version();
      if (version > kSchemaVersion)
        throw MirrorDatabaseError("the database " + where_ + " has mirror schema version " + std::to_string(version) +
                                  ", newer than this program's " + std::to_string(kSchemaVersion) +
                                  ": use a newer kareo");
      if (version < 1) {
        exec(
            "CREATE TABLE IF NOT EXISTS kareo_mirror_checkpoints (feed text PRIMARY KEY, state text NOT NULL, "
            "saved_at timestamptz NOT NULL)");
        for (MirrorTable table : mirror_tables())
          for (const std::string& sql : create_table_sql(table, kTypes)) exec(sql);
      }
      if (version != kSchemaVersion) {
        exec("DELETE FROM kareo_mirror_schema");
        exec("INSERT INTO kareo_mirror_schema (version) VALUES (" + std::to_string(kSchemaVersion) + ")");
      }
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
    if (db_ && PQtransactionStatus(db_) != PQTRANS_IDLE) PQclear(PQexec(db_, "ROLLBACK"));
  }

  UpsertOutcome upsert(const MirrorRow& row, const std::string& mirrored_at) override {
    const std::string table = mirror_table_name(row.table);
    Result found =
        query("SELECT record = $3::jsonb AND deleted_at IS NULL FROM " + table + " WHERE practice_id = $1 AND id = $2",
              {row.practice_id, row.id, row.record});
    const bool exists = PQntuples(found.get()) > 0;
    if (exists && std::string(PQgetvalue(found.get(), 0, 0)) == "t") return UpsertOutcome::Unchanged;
    const auto& columns = mirror_columns(row.table);
    std::vector<std::optional<std::string>> params{row.practice_id, row.id, row.record, row.last_modified, mirrored_at};
    for (const auto& v : row.values) params.push_back(v);
    std::string sql;
    if (!exists) {
      sql = "INSERT INTO " + table + " (practice_id, id, record, last_modified, mirrored_at";
      std::string marks = "$1, $2, $3::jsonb, $4, $5";
      int n = 5;
      for (const auto& c : columns) {
        sql += std::string(", ") + c.name;
        marks += ", $" + std::to_string(++n);
      }
      sql += ") VALUES (" + marks + ")";
    } else {
      sql = "UPDATE " + table + " SET record = $3::jsonb, last_modified = $4, mirrored_at = $5, deleted_at = NULL";
      int n = 5;
      for (const auto& c : columns) sql += std::string(", ") + c.name + " = $" + std::to_string(++n);
      sql += " WHERE practice_id = $1 AND id = $2";
    }
    query(sql, params);
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
  static std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  [[noreturn]] void fail(const PGresult* r) {
    throw MirrorDatabaseError("PostgreSQL (" + where_ +
                              "): " + trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(db_)));
  }
  void exec(const std::string& sql) { query(sql, {}); }
  Result query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    Result r(
        PQexecParams(db_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0),
        &PQclear);
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r.get());
    return r;
  }
  int read_version() {
    Result r = query("SELECT coalesce(max(version), 0) FROM kareo_mirror_schema", {});
    return std::stoi(PQgetvalue(r.get(), 0, 0));
  }

  std::string where_;
  PGconn* db_ = nullptr;
};

}  // namespace

std::shared_ptr<MirrorStore> open_postgres_store(const std::string& uri) {
  return std::make_shared<PostgresStore>(uri);
}

}  // namespace kareo::mirror
