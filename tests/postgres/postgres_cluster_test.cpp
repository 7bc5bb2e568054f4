// The throwaway cluster is reachable through the URI the tests get, and belongs to an unprivileged user.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "../support/postgres.hpp"

namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string scalar(PGconn* db, const char* sql) {
  Result result(PQexec(db, sql), &PQclear);
  EXPECT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK) << PQerrorMessage(db);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1) return {};
  return PQgetvalue(result.get(), 0, 0);
}

TEST(PostgresCluster, AnswersOnTheUriTheTestsGet) {
  Connection db(PQconnectdb(kareo_test::postgres_uri().c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(db.get()), CONNECTION_OK) << PQerrorMessage(db.get());
  EXPECT_EQ(scalar(db.get(), "SELECT current_database()"), "kareo");
  EXPECT_EQ(scalar(db.get(), "SELECT 6 * 7"), "42");
  // A real server, with jsonb and advisory locks (what the mirror and the shared rate budget use).
  EXPECT_EQ(scalar(db.get(), "SELECT '{\"a\": [1, 2]}'::jsonb -> 'a' ->> 1"), "2");
  EXPECT_EQ(scalar(db.get(), "SELECT pg_try_advisory_lock(1)"), "t");
}

TEST(PostgresCluster, ServerProcessIsNotRoot) {
  Connection db(PQconnectdb(kareo_test::postgres_uri().c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(db.get()), CONNECTION_OK) << PQerrorMessage(db.get());
  // PostgreSQL runs as the owner of its data directory: never root, whoever runs the tests.
  const std::string dir = scalar(db.get(), "SHOW data_directory");
  ASSERT_FALSE(dir.empty());
  struct stat info {};
  ASSERT_EQ(::stat(dir.c_str(), &info), 0) << dir;
  EXPECT_NE(info.st_uid, 0u) << dir;
}

}  // namespace
