// The test suite's PostgreSQL server (scripts/pg-cluster.sh, started by the CTest fixture `postgres`).
#pragma once

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace kareo_test {

/// The libpq URI of the running throwaway cluster. Throws (so the test fails, never skips) when the test was not
/// registered as needing the fixture or the cluster did not start: run the test through ctest, or start a cluster
/// with `scripts/pg-cluster.sh start DIR` and set KAREO_TEST_POSTGRES_URI_FILE=DIR/uri.
inline std::string postgres_uri() {
  const char* file = std::getenv("KAREO_TEST_POSTGRES_URI_FILE");
  if (file == nullptr || *file == '\0')
    throw std::runtime_error(
        "KAREO_TEST_POSTGRES_URI_FILE is not set: run this test through ctest (fixture `postgres`), or start "
        "scripts/pg-cluster.sh start DIR and point the variable at DIR/uri");
  std::ifstream in(file);
  std::string uri;
  if (!std::getline(in, uri) || uri.empty())
    throw std::runtime_error(std::string("no PostgreSQL URI in ") + file +
                             ": the fixture test postgres.start failed (see its output)");
  return uri;
}

}  // namespace kareo_test
