// Reading a mirror database back in the tests (SQLite file or PostgreSQL), with plain SQL both understand.
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/postgres.hpp"

namespace mirror_test {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

/// A connection to a mirror database, for queries.
class TestDb {
 public:
  virtual ~TestDb() = default;
  /// Every row of `sql`, NULL as an empty optional.
  virtual Rows rows(const std::string& sql) = 0;
  /// The single value of `sql`.
  std::string scalar(const std::string& sql) {
    const Rows r = rows(sql);
    if (r.size() != 1 || r[0].size() != 1 || !r[0][0]) throw std::runtime_error("not one value: " + sql);
    return *r[0][0];
  }
  /// The first column of `sql` as a set.
  std::set<std::string> set(const std::string& sql) {
    std::set<std::string> out;
    for (const auto& row : rows(sql)) out.insert(row.at(0).value_or("NULL"));
    return out;
  }
};

class SqliteDb final : public TestDb {
 public:
  explicit SqliteDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
  }
  ~SqliteDb() override { sqlite3_close(db_); }
  Rows rows(const std::string& sql) override {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + ": " + sql);
    Rows out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        if (sqlite3_column_type(s, i) == SQLITE_NULL) {
          row.emplace_back();
        } else {
          row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, i)));
        }
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class PostgresDb final : public TestDb {
 public:
  explicit PostgresDb(const std::string& uri) : db_(PQconnectdb(uri.c_str())) {
    if (PQstatus(db_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(db_));
    PQsetNoticeProcessor(
        db_, [](void*, const char*) {}, nullptr);  // "schema ... does not exist, skipping"
  }
  ~PostgresDb() override { PQfinish(db_); }
  Rows rows(const std::string& sql) override {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(db_, sql.c_str()), &PQclear);
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
      throw std::runtime_error(std::string(PQerrorMessage(db_)) + ": " + sql);
    Rows out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::vector<std::optional<std::string>> row;
      for (int j = 0; j < PQnfields(r.get()); ++j) {
        if (PQgetisnull(r.get(), i, j)) {
          row.emplace_back();
        } else {
          row.emplace_back(PQgetvalue(r.get(), i, j));
        }
      }
      out.push_back(std::move(row));
    }
    return out;
  }

 private:
  PGconn* db_;
};

/// A fresh, empty database of the backend this test binary was built for, removed at the end: an SQLite file in a
/// temporary directory, or a schema of its own in the suite's PostgreSQL server (so tests may run in parallel).
class FreshDatabase {
 public:
  explicit FreshDatabase(const std::string& name) {
#ifdef KAREO_MIRROR_TEST_POSTGRES
    base_ = kareo_test::postgres_uri();
    schema_ = "t_" + name + "_" + std::to_string(::getpid());
    PostgresDb admin(base_);
    admin.rows("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    admin.rows("CREATE SCHEMA " + schema_);
    url_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + schema_;
#else
    std::string pattern =
        (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/tmp") + "/kareo-mirror-" + name + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = buf.data();
    url_ = "sqlite:" + dir_ + "/mirror.db";
#endif
  }
  ~FreshDatabase() {
#ifdef KAREO_MIRROR_TEST_POSTGRES
    try {
      PostgresDb(base_).rows("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (...) {
    }
#else
    const std::string command = "rm -rf '" + dir_ + "'";
    if (std::system(command.c_str()) != 0) {
    }
#endif
  }
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;

  /// The URL kareo::open_mirror_store() and `kareo mirror --db` take.
  const std::string& url() const { return url_; }
  /// A connection for the test's queries.
  std::unique_ptr<TestDb> connect() const {
#ifdef KAREO_MIRROR_TEST_POSTGRES
    return std::make_unique<PostgresDb>(url_);
#else
    return std::make_unique<SqliteDb>(url_.substr(7));
#endif
  }
  /// The working directory for files of the test (SQLite: the database's folder).
  std::string dir() const { return dir_.empty() ? std::string("/tmp") : dir_; }

 private:
  std::string base_, schema_, dir_, url_;
};

/// .NET text of this machine's UTC time plus `hours` (what the service writes in LastModifiedDate).
inline std::string dotnet_now_plus(int hours) {
  const std::time_t t = std::time(nullptr) + hours * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%m/%d/%Y %I:%M:%S %p", &tm);
  return buf;
}

}  // namespace mirror_test
