// The SQLite store of the mirror (libsqlite3): one file, WAL journal, every commit flushed to disk.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mirror/schema.hpp"
#include "mirror/stores.hpp"

namespace kareo::mirror {

namespace {

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw MirrorDatabaseError("SQLite: " + std::string(sqlite3_errmsg(db)) + " in: " + sql);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    next_ = 1;
    return *this;
  }
  Statement& bind(const std::optional<std::string>& value) {
    const int rc =
        value ? sqlite3_bind_text(stmt_, next_, value->data(), static_cast<int>(value->size()), SQLITE_TRANSIENT)
              : sqlite3_bind_null(stmt_, next_);
    if (rc != SQLITE_OK) fail();
    ++next_;
    return *this;
  }
  // True when a row is at hand.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail();
    return false;
  }
  std::optional<std::string> text(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  long long integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  [[noreturn]] void fail() {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw MirrorDatabaseError("SQLite: " + message);
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int next_ = 1;
};

const SqlTypes kTypes{"TEXT", "TEXT", "TIMESTAMP", "TIMESTAMP", "DATE", "NUMERIC", "BOOLEAN"};
const SqlDialect kDialect{"?", ""};

class SqliteStore final : public MirrorStore {
 public:
  explicit SqliteStore(const std::string& path) : path_(path) {
    // The records are a practice's patient data: a new database file is readable by its owner only (SQLite
    // gives its journal files the same mode).
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw MirrorDatabaseError("cannot open the SQLite database " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 30000);
    try {
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=FULL");
    } catch (...) {
      statements_.clear();  // a constructor that throws runs no destructor
      sqlite3_close(db_);
      db_ = nullptr;
      throw;
    }
  }
  ~SqliteStore() override {
    statements_.clear();
    sqlite3_close(db_);
  }

  void ensure_schema() override {
    exec("BEGIN IMMEDIATE");
    try {
      exec("CREATE TABLE IF NOT EXISTS kareo_mirror_schema (version INTEGER NOT NULL)");
      const int version = read_version();
      if (version > kSchemaVersion) throw newer_schema(path_, version);
      for (const std::string& sql : migration_sql(version, kTypes)) exec(sql);
      exec("COMMIT");
    } catch (...) {
      rollback();
      throw;
    }
  }

  int schema_version() override {
    Statement s(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kareo_mirror_schema'");
    if (!s.step() || s.integer(0) == 0) return 0;
    return read_version();
  }

  void begin() override { exec("BEGIN IMMEDIATE"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  UpsertOutcome upsert(const MirrorRow& row, const std::string& mirrored_at) override {
    const std::string table = mirror_table_name(row.table);
    Statement& find =
        statement("SELECT record, deleted_at IS NULL FROM " + table + " WHERE practice_id = ? AND id = ?");
    find.reset().bind(row.practice_id).bind(row.id);
    std::optional<std::string> old;
    bool live = false;
    if (find.step()) {
      old = find.text(0);
      live = find.integer(1) != 0;
    }
    find.reset();
    if (old && live && *old == row.record) return UpsertOutcome::Unchanged;
    Statement& write = statement(old ? update_sql(row.table, kDialect) : insert_sql(row.table, kDialect));
    write.reset();
    for (const auto& value : upsert_parameters(row, mirrored_at)) write.bind(value);
    write.step();
    return old ? UpsertOutcome::Updated : UpsertOutcome::Inserted;
  }

  std::optional<std::string> load_checkpoint(const std::string& feed) override {
    Statement& s = statement("SELECT state FROM kareo_mirror_checkpoints WHERE feed = ?");
    s.reset().bind(feed);
    std::optional<std::string> state;
    if (s.step()) state = s.text(0);
    s.reset();
    return state;
  }

  void save_checkpoint(const std::string& feed, const std::string& state) override {
    Statement& s = statement(
        "INSERT INTO kareo_mirror_checkpoints (feed, state, saved_at) VALUES (?, ?, datetime('now')) "
        "ON CONFLICT (feed) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at");
    s.reset().bind(feed).bind(state).step();
  }

  std::vector<std::string> live_ids(MirrorTable table, const std::string& practice_id, const std::string& column,
                                    const std::string& from, const std::string& to) override {
    Statement s(db_, std::string("SELECT id FROM ") + mirror_table_name(table) +
                         " WHERE practice_id = ? AND deleted_at IS NULL AND " + column + " >= ? AND " + column +
                         " <= ?");
    s.bind(practice_id).bind(from).bind(to);
    std::vector<std::string> ids;
    while (s.step()) ids.push_back(s.text(0).value_or(""));
    return ids;
  }

  bool mark_deleted(MirrorTable table, const std::string& practice_id, const std::string& id,
                    const std::string& when) override {
    Statement s(db_, std::string("UPDATE ") + mirror_table_name(table) +
                         " SET deleted_at = ? WHERE practice_id = ? AND id = ? AND deleted_at IS NULL");
    s.bind(when).bind(practice_id).bind(id).step();
    return sqlite3_changes(db_) > 0;
  }

 private:
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw MirrorDatabaseError("SQLite (" + path_ + "): " + message);
    }
  }
  int read_version() {
    Statement s(db_, "SELECT max(version) FROM kareo_mirror_schema");
    return s.step() ? static_cast<int>(s.integer(0)) : 0;
  }
  Statement& statement(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
    return *it->second;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace

std::shared_ptr<MirrorStore> open_sqlite_store(const std::string& path) { return std::make_shared<SqliteStore>(path); }

}  // namespace kareo::mirror
