// `kareo mirror` end to end against the fake server: its summary, and kill -9 at random points of a run followed by
// a rerun leaving exactly the server's records, none twice. Built for SQLite (kareo_mirror_cli_sqlite_test) and
// for the suite's PostgreSQL server (kareo_mirror_cli_postgres_test).
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "../tools/kareo/cli_support.hpp"
#include "mirror_db.hpp"

namespace {

using cli_test::json;
using kareo::testing::Entity;
using mirror_test::dotnet_now_plus;
using mirror_test::FreshDatabase;

constexpr const char* kPractice = "Testpractice Alpha";

// The suite is named after the store, so that the two builds of these tests have distinct names in ctest.
#ifdef KAREO_MIRROR_TEST_POSTGRES
#define MirrorCli MirrorCliPostgres
#else
#define MirrorCli MirrorCliSqlite
#endif

class MirrorCli : public ::testing::Test {
 protected:
  void SetUp() override {
    kareo::testing::FakeServerOptions o = cli_test::small_server();
    o.sizes.patients = 300;
    o.sizes.appointments = 600;
    o.sizes.encounters = 150;
    o.sizes.charges = 400;
    o.sizes.payments = 200;
    o.sizes.transactions = 600;
    server_ = std::make_unique<kareo::testing::FakeServer>(o);
    server_->start();
  }

  std::vector<std::string> args(const std::string& url, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"--no-pacing", "--max-retries", "0",       "--window-days", "30",   "mirror", "--db",
                               url,           "--practice",    kPractice, "--since",       since()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // Two years and a half before today: the generated records lie in the two years before today.
  static std::string since() {
    const std::time_t t = std::time(nullptr) - 913 * 86400LL;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
  }
  std::set<std::string> server_ids(Entity entity) const {
    kareo::testing::Filter f{
        {"PracticeName", kPractice}, {"FromLastModifiedDate", "1/1/2000"}, {"ToLastModifiedDate", "12/31/2099"}};
    if (entity == Entity::Charge) f["IncludeUnapprovedCharges"] = "T";
    std::set<std::string> out;
    for (auto id : server_->store().ids(entity, f)) out.insert(std::to_string(id));
    return out;
  }
  // Starts the tool, and kills it (SIGKILL) after `delay`; returns whether it was still running then.
  bool run_and_kill(const std::vector<std::string>& a, std::chrono::milliseconds delay) const {
    std::vector<std::string> env_strings;
    for (const auto& e : cli_test::server_env(*server_, tmp_)) env_strings.push_back(e.first + "=" + e.second);
    std::vector<char*> argv{const_cast<char*>(KAREO_CLI_PATH)};
    for (const auto& s : a) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execve(KAREO_CLI_PATH, argv.data(), envp.data());
      _exit(127);
    }
    std::this_thread::sleep_for(delay);
    const bool running = waitpid(pid, nullptr, WNOHANG) == 0;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return running;
  }

  std::unique_ptr<kareo::testing::FakeServer> server_;
  cli_test::TempDir tmp_;
};

const std::pair<const char*, Entity> kTables[] = {
    {"patients", Entity::Patient}, {"appointments", Entity::Appointment}, {"charges", Entity::Charge},
    {"payments", Entity::Payment}, {"transactions", Entity::Transaction},
};

TEST_F(MirrorCli, PrintsTheSummaryPerTable) {
  FreshDatabase db("clisummary");
  auto a = args(db.url());
  a.insert(a.begin(), {"--format", "json"});
  const cli_test::RunResult first = cli_test::run_program(KAREO_CLI_PATH, a, cli_test::server_env(*server_, tmp_));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::map<std::string, json> by_table;
  for (const json& line : first.lines()) by_table[line["table"].get<std::string>()] = line;
  for (const auto& [table, entity] : kTables) {
    ASSERT_TRUE(by_table.count(table)) << first.out;
    EXPECT_EQ(by_table[table]["inserted"], server_ids(entity).size()) << table;
    EXPECT_EQ(by_table[table]["updated"], 0) << table;
  }
  EXPECT_EQ(by_table["practices"]["inserted"], 1);
  EXPECT_NE(first.err.find("kareo: mirror: patients:"), std::string::npos) << first.err;  // progress on stderr

  const cli_test::RunResult second = cli_test::run_program(KAREO_CLI_PATH, a, cli_test::server_env(*server_, tmp_));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.lines().size(), 8u) << second.out;  // every table, with its zeros
  for (const json& line : second.lines()) {
    EXPECT_EQ(line["inserted"], 0) << line.dump();
    EXPECT_EQ(line["updated"], 0) << line.dump();
  }
}

// Without --window-days the mirror reads as sync does, with adaptive windows: a long period costs one or two
// calls per entity (not one call per year or month).
TEST_F(MirrorCli, WithoutWindowDaysEachEntityTakesOneOrTwoCalls) {
  FreshDatabase db("cliwindows");
  const std::vector<std::string> a{"--no-pacing", "--max-retries", "0",       "mirror",  "--db",
                                   db.url(),      "--practice",    kPractice, "--since", since()};
  server_->clear_calls();
  const cli_test::RunResult run = cli_test::run_program(KAREO_CLI_PATH, a, cli_test::server_env(*server_, tmp_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // (The charges read may take a second call: the first window of a read limited to 60 days is that wide, and
  // widens after it came back small.)
  for (const char* op : {"GetPatients", "GetAppointments", "GetCharges", "GetPayments", "GetTransactions"})
    EXPECT_LE(server_->call_count(op), 2u) << op << "\n" << run.err;
  EXPECT_EQ(server_->call_count("GetPatients"), 1u) << run.err;
  EXPECT_NE(run.err.find(" records in 1 window\n"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(" windows\n"), std::string::npos) << run.err;
}

TEST_F(MirrorCli, AnUnusableDatabaseExitsWith12AndAnUnknownUrlWith2) {
  const auto env = cli_test::server_env(*server_, tmp_);
  const auto bad = cli_test::run_program(KAREO_CLI_PATH, args("sqlite:" + tmp_.path() + "/no/such/dir/m.db"), env);
  EXPECT_EQ(bad.exit_code, 12) << bad.err;
  EXPECT_NE(bad.err.find("kareo: database error:"), std::string::npos) << bad.err;
  const auto unknown = cli_test::run_program(KAREO_CLI_PATH, args("mysql://x"), env);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
}

TEST_F(MirrorCli, IntervalRunsUntilSigtermAndStopsCleanly) {
  FreshDatabase db("cliinterval");
  std::vector<std::string> env_strings;
  for (const auto& e : cli_test::server_env(*server_, tmp_)) env_strings.push_back(e.first + "=" + e.second);
  std::vector<std::string> a = args(db.url(), {"--interval", "1"});
  std::vector<char*> argv{const_cast<char*>(KAREO_CLI_PATH)};
  for (const auto& s : a) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string out = tmp_.file("interval.out"), err = tmp_.file("interval.err");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 1);
    dup2(open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
    execve(KAREO_CLI_PATH, argv.data(), envp.data());
    _exit(127);
  }
  // Two runs' summaries, then SIGTERM.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  auto runs = [&] {
    const std::string text = cli_test::read_file(out);
    std::size_t n = 0;
    for (auto at = text.find("transactions"); at != std::string::npos; at = text.find("transactions", at + 1)) ++n;
    return n;
  };
  while (runs() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(pid, SIGTERM);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "still running after SIGTERM";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(runs(), 2u) << cli_test::read_file(err);
  ASSERT_TRUE(WIFEXITED(status)) << cli_test::read_file(err);
  EXPECT_EQ(WEXITSTATUS(status), 0) << cli_test::read_file(err);
  EXPECT_NE(cli_test::read_file(err).find("kareo: mirror stopped"), std::string::npos) << cli_test::read_file(err);
  EXPECT_EQ(db.connect()->set("SELECT id FROM patients"), server_ids(Entity::Patient));
}

TEST_F(MirrorCli, KilledAtRandomPointsThenRerunHoldsExactlyTheServersSet) {
  FreshDatabase db("clikill");
  // How long a whole run takes here, on a database of its own.
  FreshDatabase timing("clikilltiming");
  const auto started = std::chrono::steady_clock::now();
  const auto full = cli_test::run_program(KAREO_CLI_PATH, args(timing.url()), cli_test::server_env(*server_, tmp_));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();

  // Kill runs at random points of their work, each run going on from what the previous one committed; change
  // records on the server between kills, so that later runs have updates to write too.
  std::mt19937 rng(20261203);
  std::uniform_int_distribution<long long> when(0, std::max<long long>(took, 20));
  std::vector<std::int64_t> patients;
  for (const auto& id : server_ids(Entity::Patient)) patients.push_back(std::stoll(id));
  int killed_running = 0;
  for (int i = 0; i < 8; ++i) {
    killed_running += run_and_kill(args(db.url()), std::chrono::milliseconds(when(rng)));
    server_->store().update(
        Entity::Patient, patients[static_cast<std::size_t>(i) * 7 % patients.size()],
        {{"LastName", "Killedpatient" + std::to_string(i)}, {"LastModifiedDate", dotnet_now_plus(1)}});
  }
  EXPECT_GT(killed_running, 0) << "every run ended before its kill: the test proves nothing";

  const auto last = cli_test::run_program(KAREO_CLI_PATH, args(db.url()), cli_test::server_env(*server_, tmp_));
  ASSERT_EQ(last.exit_code, 0) << last.err;
  auto q = db.connect();
  for (const auto& [table, entity] : kTables) {
    const std::set<std::string> expected = server_ids(entity);
    EXPECT_EQ(q->set(std::string("SELECT id FROM ") + table), expected) << table;
    EXPECT_EQ(q->scalar(std::string("SELECT count(*) FROM ") + table), std::to_string(expected.size())) << table;
  }
  for (int i = 0; i < 8; ++i) {
    const auto id = patients[static_cast<std::size_t>(i) * 7 % patients.size()];
    EXPECT_EQ(q->scalar("SELECT last_name FROM patients WHERE id = '" + std::to_string(id) + "'"),
              server_->store().get(Entity::Patient, id)->at("LastName"));
  }
#ifndef KAREO_MIRROR_TEST_POSTGRES
  EXPECT_EQ(q->scalar("PRAGMA integrity_check"), "ok");
#endif
}

}  // namespace
