// `kareo --pacing-db URI`: processes that share no pacing directory (as on different machines) share one rate
// budget in PostgreSQL, and an unreachable database is a clear error that names no password.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "../../support/postgres.hpp"
#include "cli_support.hpp"

namespace {

using namespace cli_test;

const std::string kKareo = KAREO_CLI_PATH;

class PacingDbCli : public ::testing::Test {
 protected:
  void SetUp() override {
    kareo::testing::FakeServerOptions o = small_server();
    o.throttle = true;
    server_ = std::make_unique<kareo::testing::FakeServer>(o);
    server_->start();
  }

  // `kareo practices` three times in a row, as one worker with a pacing directory of its own.
  std::vector<RunResult> worker(const std::string& name, const std::map<std::string, std::string>& extra_env) {
    auto env = server_env(*server_, tmp_);
    env.insert(extra_env.begin(), extra_env.end());
    std::vector<RunResult> out;
    for (int i = 0; i < 3; ++i)
      out.push_back(run_program(kKareo, {"--pacing-dir", tmp_.file(name), "--max-retries", "0", "practices"}, env, {},
                                tmp_.path()));
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<kareo::testing::FakeServer> server_;
};

TEST_F(PacingDbCli, WorkersOfOneAccountShareTheBudgetInPostgres) {
  const std::map<std::string, std::string> env{{"KAREO_PACING_DB", kareo_test::postgres_uri()}};
  auto a = std::async(std::launch::async, [&] { return worker("pacing-a", env); });
  auto b = std::async(std::launch::async, [&] { return worker("pacing-b", env); });
  // With --max-retries 0 a throttled call would fail the run: every run succeeds, and the server throttled none.
  for (const auto& runs : {a.get(), b.get()})
    for (const auto& r : runs) EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto calls = server_->calls();
  ASSERT_EQ(calls.size(), 6u);
  for (const auto& call : calls) EXPECT_EQ(call.outcome, kareo::testing::CallRecord::Outcome::Ok) << call.operation;
}

TEST_F(PacingDbCli, AnUnreachableDatabaseIsATransportErrorWithoutThePassword) {
  auto env = server_env(*server_, tmp_);
  auto r = run_program(
      kKareo,
      {"--pacing-db", "postgresql://worker:hunter2-not-shown@127.0.0.1:1/kareo", "--max-retries", "0", "practices"},
      env, {}, tmp_.path());
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("shared rate budget"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  EXPECT_EQ(server_->call_count(), 0u);
}

}  // namespace
