// Every example program runs against the fake server (given KAREO_ENDPOINT and the KAREO_* credentials) and
// does what its comment block says.
#include <gtest/gtest.h>

#include <ctime>
#include <set>

#include "cli_support.hpp"
#include "kareo/datetime.hpp"

namespace {

using namespace cli_test;
using kareo::testing::Entity;
using kareo::testing::FakeServer;

class Examples : public ::testing::Test {
 protected:
  void start(kareo::testing::FakeServerOptions options = small_server()) {
    server_ = std::make_unique<FakeServer>(options);
    server_->start();
  }
  void SetUp() override {
    auto options = small_server();
    options.throttle = true;  // the examples pace themselves: the published limits must hold
    start(options);
  }
  RunResult run(const std::string& program, const std::vector<std::string>& args = {},
                std::map<std::string, std::string> env_changes = {}) {
    auto env = server_env(*server_, tmp_);
    for (const auto& change : env_changes) env[change.first] = change.second;
    return run_program(program, args, env, {}, tmp_.path());
  }
  FakeServer& server() { return *server_; }

  TempDir tmp_;
  std::unique_ptr<FakeServer> server_;
};

std::size_t count_lines(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(Examples, ListPracticesShowsEveryPracticeAndProvider) {
  auto r = run(EXAMPLE_LIST_PRACTICES);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Practice 1: Testpractice Alpha"), std::string::npos) << r.out;
  EXPECT_EQ(count_lines(r.out, "Practice "), server().store().count(Entity::Practice));
  EXPECT_EQ(count_lines(r.out, "  provider "), server().store().count(Entity::Provider));
  for (const auto& call : server().calls())
    EXPECT_EQ(call.outcome, kareo::testing::CallRecord::Outcome::Ok) << call.operation << " was refused";
}

TEST_F(Examples, TodaysAppointmentsListsOneDay) {
  // A day that has appointments of practice 1: the start date of one of them.
  std::string day;
  std::size_t expected = 0;
  for (auto id : server().store().ids(Entity::Appointment)) {
    auto a = server().store().get(Entity::Appointment, id);
    if (a->at("PracticeName") != "Testpractice Alpha") continue;
    auto date = kareo::Date::parse(a->at("StartDate"));
    ASSERT_TRUE(date) << a->at("StartDate");
    if (day.empty()) day = date->iso();
    if (date->iso() == day) ++expected;
  }
  ASSERT_FALSE(day.empty());
  auto r = run(EXAMPLE_TODAYS_APPOINTMENTS, {"Testpractice Alpha", day});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(std::to_string(expected) + " appointments on " + day + " at Testpractice Alpha"),
            std::string::npos)
      << r.out;
  auto usage = run(EXAMPLE_TODAYS_APPOINTMENTS);
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(Examples, PatientSyncIsIncremental) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const std::vector<std::string> args{"Testpractice Bravo", tmp_.file("patients.checkpoint"),
                                      tmp_.file("patients.jsonl"), std::to_string(utc.tm_year + 1900 - 3) + "-01-01"};
  const auto expected = server().store().ids(Entity::Patient, {{"PracticeName", "Testpractice Bravo"}});
  server().set_throttle(false);  // three runs in a row: the example's own pacing starts afresh each run
  ScopedUmask permissive(0);     // files the example creates would be readable by anyone, unless it says otherwise

  auto first = run(EXAMPLE_PATIENT_SYNC, args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(mode_of(args[2]), 0600) << "the local copy of patient data is readable by its owner only";
  EXPECT_EQ(mode_of(args[1]), 0600) << "so is the checkpoint";
  EXPECT_NE(first.out.find(std::to_string(expected.size()) + " changed patients (" + std::to_string(expected.size()) +
                           " new, 0 updated)"),
            std::string::npos)
      << first.out;
  EXPECT_EQ(count_lines(read_file(args[2]), "\n"), expected.size());

  auto second = run(EXAMPLE_PATIENT_SYNC, args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("0 changed patients"), std::string::npos) << second.out;

  server().store().update(Entity::Patient, expected.front(), {{"FirstName", "Changedname"}});
  auto third = run(EXAMPLE_PATIENT_SYNC, args);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("1 changed patients (0 new, 1 updated)"), std::string::npos) << third.out;
  std::string store = read_file(args[2]);
  EXPECT_EQ(count_lines(store, "\n"), expected.size()) << "compacted: one line per patient";
  EXPECT_EQ(mode_of(args[2]), 0600) << "the compacted copy too";
  EXPECT_NE(store.find("Changedname"), std::string::npos);
}

TEST_F(Examples, SuperbillCreatesThePatientOnceAndTheEncounterEachTime) {
  const std::vector<std::string> args{"Testpractice Alpha", "SB-1001", "Testpatient", "Superbill", "1980-05-01"};
  auto first = run(EXAMPLE_SUPERBILL, args);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("created patient"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("created encounter"), std::string::npos) << first.out;
  for (const auto& call : server().calls())
    EXPECT_EQ(call.outcome, kareo::testing::CallRecord::Outcome::Ok) << call.operation << " was refused";
  std::size_t encounters = server().store().count(Entity::Encounter);
  server().set_throttle(false);  // a second run at once: its own pacing starts afresh

  auto second = run(EXAMPLE_SUPERBILL, args);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("found patient"), std::string::npos) << second.out;
  EXPECT_EQ(server().store().count(Entity::Encounter), encounters + 1);

  std::size_t patients_with_id = 0;
  for (auto id : server().store().ids(Entity::Patient))
    for (const auto& external : server().store().external_ids(Entity::Patient, id))
      if (external.second == "SB-1001") ++patients_with_id;
  EXPECT_EQ(patients_with_id, 1u) << "the patient is never created twice";
}

TEST_F(Examples, ErrorHandlingNamesEachClass) {
  server().set_throttle(false);  // many runs in a row; the throttle case is injected
  auto ok = run(EXAMPLE_ERROR_HANDLING, {"practices"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  auto password = run(EXAMPLE_ERROR_HANDLING, {"practices"}, {{"KAREO_PASSWORD", "wrong"}});
  EXPECT_EQ(password.exit_code, 3);
  EXPECT_NE(password.err.find("the user name or password was refused"), std::string::npos) << password.err;

  auto invalid = run(EXAMPLE_ERROR_HANDLING, {"no-such-call"});
  EXPECT_EQ(invalid.exit_code, 2);

  server().add_fault("throttle:op=GetPractices:count=1");
  auto throttled = run(EXAMPLE_ERROR_HANDLING, {"practices"});
  EXPECT_EQ(throttled.exit_code, 5) << throttled.err;
  EXPECT_NE(throttled.err.find("wait 500 ms before calling GetPractices"), std::string::npos) << throttled.err;

  auto service = run(EXAMPLE_ERROR_HANDLING, {"create-patient", "No Such Practice"});
  EXPECT_EQ(service.exit_code, 6) << service.err;

  server().add_fault("internal:op=GetPractices:count=1");
  {
    ScopedUmask permissive(0);
    auto fault = run(EXAMPLE_ERROR_HANDLING, {"practices"});
    EXPECT_EQ(fault.exit_code, 7) << fault.err;
    EXPECT_NE(fault.err.find("a:InternalServiceFault"), std::string::npos) << fault.err;
  }
  EXPECT_NE(read_file(tmp_.file("kareo-support-capture.xml")).find("GetPractices"), std::string::npos);
  EXPECT_EQ(mode_of(tmp_.file("kareo-support-capture.xml")), 0600) << "the support capture is the owner's only";

  server().add_fault("http:status=502:count=1");
  auto http = run(EXAMPLE_ERROR_HANDLING, {"practices"});
  EXPECT_EQ(http.exit_code, 8) << http.err;
  EXPECT_NE(http.err.find("HTTP 502"), std::string::npos) << http.err;

  server().add_fault("truncate:count=1");
  auto malformed = run(EXAMPLE_ERROR_HANDLING, {"practices"});
  EXPECT_EQ(malformed.exit_code, 9) << malformed.err;

  server().add_fault("drop:op=CreatePatient:after-apply:count=1");
  auto ambiguous = run(EXAMPLE_ERROR_HANDLING, {"create-patient", "Testpractice Alpha"});
  EXPECT_EQ(ambiguous.exit_code, 10) << ambiguous.err;
  EXPECT_NE(ambiguous.err.find("look the record up"), std::string::npos) << ambiguous.err;

  auto refused = run(EXAMPLE_ERROR_HANDLING, {"practices"},
                     {{"KAREO_ENDPOINT", "http://127.0.0.1:" + std::to_string(closed_port()) + "/svc"}});
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_NE(refused.err.find("network: "), std::string::npos) << refused.err;

  auto options = small_server();
  options.denied_operations = {"GetPractices"};
  options.throttle = false;
  start(options);
  auto denied = run(EXAMPLE_ERROR_HANDLING, {"practices"});
  EXPECT_EQ(denied.exit_code, 4) << denied.err;
  EXPECT_NE(denied.err.find("missing permission"), std::string::npos) << denied.err;
}

}  // namespace
