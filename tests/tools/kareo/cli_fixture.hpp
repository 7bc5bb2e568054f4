// The kareo tool end to end (cli_*_test.cpp): the fixture that runs the real program as a child process against an
// in-process fake server, and what its tests check the program's output with.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace cli_test {

inline const std::string kKareo = KAREO_CLI_PATH;

class Cli : public ::testing::Test {
 protected:
  void start(kareo::testing::FakeServerOptions options = small_server()) {
    server_ = std::make_unique<kareo::testing::FakeServer>(options);
    server_->start();
  }
  void SetUp() override { start(); }

  // Runs `kareo --no-pacing --max-retries 0 ARGS` against the server.
  RunResult kareo(std::vector<std::string> args, const std::string& input = {},
                  std::map<std::string, std::string> env_changes = {}) {
    std::vector<std::string> full{"--no-pacing"};
    if (std::find(args.begin(), args.end(), "--max-retries") == args.end())
      full.insert(full.end(), {"--max-retries", "0"});
    full.insert(full.end(), args.begin(), args.end());
    auto env = server_env(*server_, tmp_);
    for (const auto& change : env_changes) {
      if (change.second.empty())
        env.erase(change.first);
      else
        env[change.first] = change.second;
    }
    return run_program(kKareo, full, env, input, tmp_.path());
  }
  // The same with standard output on a full disk or a closed pipe; `signal` gets the signal that ended it.
  RunResult kareo_to(Stdout to, std::vector<std::string> args, int* signal) {
    std::vector<std::string> full{"--no-pacing", "--max-retries", "0"};
    full.insert(full.end(), args.begin(), args.end());
    return run_program(kKareo, full, server_env(*server_, tmp_), {}, tmp_.path(), std::chrono::seconds(60), to, signal);
  }

  kareo::testing::FakeServer& server() { return *server_; }
  // The IDs of the records whose `member` is `value` (every date, unlike the server's own filters).
  std::vector<std::int64_t> where(kareo::testing::Entity entity, const std::string& member, const std::string& value) {
    std::vector<std::int64_t> out;
    for (auto id : server_->store().ids(entity)) {
      auto record = server_->store().get(entity, id);
      auto it = record->find(member);
      if (it != record->end() && it->second == value) out.push_back(id);
    }
    return out;
  }
  std::size_t count(kareo::testing::Entity entity, const kareo::testing::Filter& filter = {}) {
    return server_->store().ids(entity, filter).size();
  }

  TempDir tmp_;
  std::unique_ptr<kareo::testing::FakeServer> server_;
};

// The error format: one line "kareo: <category>: <message>", then a hint line.
inline void expect_error(const RunResult& r, int code, const std::string& category) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  std::istringstream lines(r.err);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(first.rfind("kareo: " + category + ": ", 0), 0u) << r.err;
  EXPECT_EQ(second.rfind("hint: ", 0), 0u) << r.err;
}

inline std::set<std::string> ids_of(const std::vector<json>& rows, const char* key = "ID") {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r.at(key).is_string() ? r.at(key).get<std::string>() : r.at(key).dump());
  return out;
}

inline std::set<std::string> ids_of(const std::vector<std::int64_t>& ids) {
  std::set<std::string> out;
  for (auto id : ids) out.insert(std::to_string(id));
  return out;
}

// Three years back, before every generated record (they are dated within the two years before today).
inline std::string three_years_ago() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return std::to_string(utc.tm_year + 1900 - 3) + "-01-01";
}

}  // namespace cli_test
