// The kareo tool end to end: its exit codes 3..11 (the service's refusals, the network, malformed responses,
// timeouts, ambiguous writes, output that cannot be written), against an in-process fake server or a scripted one.
#include <gtest/gtest.h>

#include <atomic>

#include "cli_fixture.hpp"
#include "raw_server.hpp"

namespace {

using namespace cli_test;
using kareo::testing::Entity;
using kareo::testing::FakeServerOptions;

// ---- exit codes 3..10 ----

TEST_F(Cli, WrongPasswordExitsThree) {
  auto r = kareo({"practices"}, {}, {{"KAREO_PASSWORD", "wrong-password"}});
  expect_error(r, 3, "authentication failed");
  EXPECT_EQ(r.err.find("wrong-password"), std::string::npos) << "the password never appears";
  auto key = kareo({"practices"}, {}, {{"KAREO_CUSTOMER_KEY", "wrong-key"}});
  expect_error(key, 3, "authentication failed");
}

TEST_F(Cli, CredentialsFromAFile) {
  const auto& c = server().options().credentials;
  std::string path = tmp_.write("credentials", "# test account\ncustomer_key = " + c.customer_key +
                                                   "\nuser = " + c.user + "\npassword = " + c.password + "\n");
  chmod(path.c_str(), 0600);
  auto r = kareo({"--credentials-file", path, "practices"}, {},
                 {{"KAREO_CUSTOMER_KEY", ""}, {"KAREO_USER", ""}, {"KAREO_PASSWORD", ""}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Cli, DeniedOperationExitsFour) {
  auto options = small_server();
  options.denied_operations = {"GetPatients"};
  start(options);
  auto r = kareo({"patients", "--practice", "Testpractice Alpha"});
  expect_error(r, 4, "not authorized");
  EXPECT_NE(r.err.find("GetPatients"), std::string::npos);
}

TEST_F(Cli, ThrottledWithRetriesExhaustedExitsFive) {
  auto options = small_server();
  options.throttle_ms["GetPractices"] = 1;  // the refusal names a 1 ms interval: the retry waits little
  start(options);
  server().add_fault("throttle:all");
  std::vector<std::string> args{"--max-retries", "1", "practices"};
  auto r = kareo(args);
  expect_error(r, 5, "throttled");
  EXPECT_EQ(server().call_count("GetPractices"), 2u) << "one retry, then the failure";
}

TEST_F(Cli, ServiceErrorExitsSix) {
  auto r = kareo({"update-patient", "--json", "-"}, R"({"PatientID": 999999, "FirstName": "Nobody"})");
  expect_error(r, 6, "service error");
}

TEST_F(Cli, SoapFaultExitsSeven) {
  server().add_fault("internal:op=GetPractices");
  expect_error(kareo({"practices"}), 7, "SOAP fault");
}

TEST_F(Cli, NetworkFailuresExitEight) {
  auto refused = run_program(kKareo, {"--no-pacing", "--max-retries", "0", "practices"}, [&] {
    auto env = server_env(server(), tmp_);
    env["KAREO_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(closed_port()) + "/svc";
    return env;
  }());
  expect_error(refused, 8, "transport error");
  server().add_fault("http:status=503");
  expect_error(kareo({"practices"}), 8, "transport error");
}

TEST_F(Cli, ResponseSizeLimitIsAnOption) {
  // Every column of a practice's patients is well over 256 KiB here.
  auto limited = kareo({"--max-response-mb", "0.25", "patients", "--practice", "Testpractice Alpha"});
  expect_error(limited, 9, "malformed response");
  EXPECT_NE(limited.err.find("larger than the limit of 262144 bytes"), std::string::npos) << limited.err;
  auto raised = kareo({"--max-response-mb", "64", "patients", "--practice", "Testpractice Alpha"});
  ASSERT_EQ(raised.exit_code, 0) << raised.err;
  EXPECT_EQ(ids_of(raised.lines(), "ID").size(), count(Entity::Patient, {{"PracticeName", "Testpractice Alpha"}}));
  expect_error(kareo({"--max-response-mb", "0", "practices"}), 2, "usage");
}

TEST_F(Cli, TruncatedResponseExitsNine) {
  server().add_fault("truncate");
  expect_error(kareo({"practices"}), 9, "malformed response");
}

TEST_F(Cli, TruncatedResponseOnAConnectionKeptOpenExitsNineAtOnce) {
  // The message ends where its Content-Length says, although the server keeps the connection open: the tool
  // neither waits for the receive timeout nor retries.
  server().add_fault("truncate:keep-open:op=GetPractices");
  const auto start = std::chrono::steady_clock::now();
  auto r = kareo({"--max-retries", "3", "practices"});
  expect_error(r, 9, "malformed response");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(server().call_count("GetPractices"), 1u);
}

// The tool against a scripted server (kareo::reliability::RawServer) instead of the fake one.
RunResult kareo_against(const kareo::reliability::RawServer& raw, const TempDir& tmp, std::vector<std::string> args) {
  std::vector<std::string> full{"--no-pacing"};
  full.insert(full.end(), args.begin(), args.end());
  return run_program(kKareo, full,
                     {{"KAREO_ENDPOINT", raw.url()},
                      {"KAREO_CUSTOMER_KEY", "test-customer-key"},
                      {"KAREO_USER", "test-user@example.test"},
                      {"KAREO_PASSWORD", "test-password"},
                      {"TMPDIR", tmp.path()},
                      {"HOME", tmp.path()}},
                     {}, tmp.path(), std::chrono::seconds(30));
}

TEST_F(Cli, TimeoutBoundsTheWholeCall) {
  // One byte every 200 ms: no stall ever lasts, yet --timeout 3 ends the call (every attempt included) after 3 s.
  const std::string reply = kareo::reliability::http_response(200, "OK", "text/xml; charset=utf-8",
                                                              kareo::reliability::empty_result("GetPractices"));
  kareo::reliability::RawServer raw([&](kareo::reliability::RawConnection& c) {
    for (char ch : reply) {
      if (!c.send(std::string(1, ch)) || !c.pause(std::chrono::milliseconds(200))) return;
    }
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = kareo_against(raw, tmp_, {"--timeout", "3", "--max-retries", "4", "practices"});
  const auto took = std::chrono::steady_clock::now() - start;
  expect_error(r, 8, "transport error");
  EXPECT_NE(r.err.find("whole-call timeout"), std::string::npos) << r.err;
  EXPECT_GE(took, std::chrono::milliseconds(2900));
  EXPECT_LT(took, std::chrono::milliseconds(4500));
  // The help says what each bound is.
  auto help = kareo({"--help"});
  EXPECT_NE(help.out.find("--stall-timeout"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("retries and the waits between them"), std::string::npos) << help.out;
}

TEST_F(Cli, StalledReadIsRetriedWithinTheTimeout) {
  // The first attempt stalls; within --timeout 6 a stall is cut at a third of it (2 s) and the call retried.
  std::atomic<int> served{0};
  kareo::reliability::RawServer raw([&](kareo::reliability::RawConnection& c) {
    if (served++ == 0) {
      c.pause(std::chrono::seconds(30));
      return;
    }
    c.send(kareo::reliability::http_response(200, "OK", "text/xml; charset=utf-8",
                                             kareo::reliability::empty_result("GetPractices")));
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = kareo_against(raw, tmp_, {"--timeout", "6", "practices"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(4500));
  EXPECT_EQ(raw.requests().size(), 2u);
  // --stall-timeout sets the stall bound itself.
  served = 0;
  auto s = kareo_against(raw, tmp_, {"--timeout", "6", "--stall-timeout", "1", "practices"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(raw.requests().size(), 4u);
}

TEST_F(Cli, PlainHttpToAnotherHostExitsTwo) {
  // Plain http:// only to this machine: anywhere else the credentials would travel in clear text.
  std::string address = kareo::reliability::non_loopback_address();
  std::unique_ptr<kareo::reliability::RawServer> elsewhere;
  if (!address.empty()) {
    elsewhere = std::make_unique<kareo::reliability::RawServer>([](kareo::reliability::RawConnection&) {}, address);
  }
  const std::string url = elsewhere ? elsewhere->url() : "http://192.0.2.1:8080/services/soap/2.1/KareoServices.svc";
  auto from_env = kareo({"practices"}, {}, {{"KAREO_ENDPOINT", url}});
  expect_error(from_env, 2, "invalid argument");
  EXPECT_NE(from_env.err.find("https://"), std::string::npos) << from_env.err;
  auto from_option = kareo({"--endpoint", url, "practices"});
  expect_error(from_option, 2, "invalid argument");
  auto doctor = kareo({"doctor"}, {}, {{"KAREO_ENDPOINT", url}});
  EXPECT_EQ(doctor.exit_code, 2) << doctor.out << doctor.err;
  EXPECT_NE(doctor.out.find("https://"), std::string::npos) << doctor.out;
  if (elsewhere) {
    elsewhere->stop();
    EXPECT_EQ(elsewhere->connections(), 0) << "a connection reached " << address;
  }
  EXPECT_EQ(server().call_count(), 0u);
}

TEST_F(Cli, WriteDroppedAfterApplyExitsTenAndIsNotResent) {
  server().add_fault("drop:op=CreatePatient:after-apply");
  auto r = kareo({"--max-retries", "3", "create-patient", "--json", "-"},
                 R"({"FirstName": "Testpatient", "LastName": "Ambiguous", "PatientExternalID": "CLI-AMB",
                     "ExternalVendorID": 1, "Practice": {"PracticeName": "Testpractice Alpha"}})");
  expect_error(r, 10, "ambiguous outcome");
  EXPECT_EQ(server().call_count("CreatePatient"), 1u) << "a write is never resent";
  EXPECT_TRUE(server().store().find_by_external_id(Entity::Patient, "CLI-AMB", 1)) << "it was applied";
}

// ---- output errors (exit 11) ----

const char* stdout_name(Stdout to) { return to == Stdout::FullDisk ? "a full disk" : "a closed pipe"; }

TEST_F(Cli, SyncWhoseOutputCannotBeWrittenFailsAndKeepsItsCheckpoint) {
  FakeServerOptions o = small_server();
  o.sizes.patients = 300;
  start(o);
  const auto expected = ids_of(server().store().ids(Entity::Patient, {{"PracticeID", "1"}}));
  for (const std::string format : {"json", "csv"}) {
    for (Stdout to : {Stdout::FullDisk, Stdout::ClosedPipe}) {
      SCOPED_TRACE(format + " to " + stdout_name(to));
      const std::string state = tmp_.file("patients-" + format + "-" + std::to_string(static_cast<int>(to)));
      const std::vector<std::string> args{"--format",           format,    "sync", "patients", "--practice",
                                          "Testpractice Alpha", "--state", state,  "--once",   "--since",
                                          three_years_ago()};
      int signal = -1;
      auto failed = kareo_to(to, args, &signal);
      EXPECT_EQ(signal, 0) << "ended by signal " << signal;
      expect_error(failed, 11, "output error");
      // The checkpoint did not move past what could not be written: the next run delivers every record.
      auto again = kareo(args);
      ASSERT_EQ(again.exit_code, 0) << again.err;
      if (format == "json") {
        EXPECT_EQ(ids_of(again.lines()), expected);
      } else {
        EXPECT_EQ(again.text_lines().size(), expected.size() + 1);  // the header and one line per record
      }
    }
  }
}

TEST_F(Cli, SyncAsATableMovesItsCheckpointOnlyOnceTheTableIsPrinted) {
  FakeServerOptions o = small_server();
  o.sizes.patients = 300;
  start(o);
  const std::string state = tmp_.file("patients.checkpoint");
  // Windows of 366 days from 731 days ago: the first two hold every record (all dated within the last two
  // years), the third (up to the feed's lookahead past now) holds none, and its call is refused.
  server().add_fault("throttle:op=GetPatients:skip=2");
  std::time_t since = std::time(nullptr) - 731 * 86400;
  std::tm utc{};
  gmtime_r(&since, &utc);
  char since_text[16];
  std::strftime(since_text, sizeof since_text, "%Y-%m-%d", &utc);
  const std::vector<std::string> args{
      "--format",           "table",   "--window-days", "366",    "sync",    "patients", "--practice",
      "Testpractice Alpha", "--state", state,           "--once", "--since", since_text};
  auto failed = kareo(args);
  expect_error(failed, 5, "throttled");
  EXPECT_TRUE(failed.out.empty()) << failed.out;
  server().clear_faults();
  auto again = kareo(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // The header, its rule and one line per record: none was lost with the first run's buffered table.
  EXPECT_EQ(again.text_lines().size(), server().store().ids(Entity::Patient, {{"PracticeID", "1"}}).size() + 2);
  // And a table that cannot be printed leaves the checkpoint where it was.
  const std::string other = tmp_.file("other.checkpoint");
  std::vector<std::string> to_full = args;
  to_full[std::find(to_full.begin(), to_full.end(), state) - to_full.begin()] = other;
  int signal = -1;
  expect_error(kareo_to(Stdout::FullDisk, to_full, &signal), 11, "output error");
  auto after_full = kareo(to_full);
  ASSERT_EQ(after_full.exit_code, 0) << after_full.err;
  EXPECT_EQ(after_full.text_lines().size(), again.text_lines().size());
}

TEST_F(Cli, EveryReadCommandFailsWhenItsOutputCannotBeWritten) {
  const std::vector<std::vector<std::string>> commands{
      {"patients", "--practice", "Testpractice Alpha"},
      {"--format", "table", "patients", "--practice-id", "1"},
      {"--format", "csv", "practices"},
      {"patients", "--practice", "Testpractice Alpha", "--modified-from", three_years_ago()},
      {"all-patients", "--practice-id", "1"},
      {"appointments", "--practice", "Testpractice Alpha", "--modified-from", three_years_ago()},
      {"patient", "--id", std::to_string(server().store().ids(Entity::Patient).front())},
      {"throttles"},
  };
  for (const auto& args : commands) {
    for (Stdout to : {Stdout::FullDisk, Stdout::ClosedPipe}) {
      SCOPED_TRACE(args.front() + " " + args.back() + " to " + stdout_name(to));
      int signal = -1;
      auto r = kareo_to(to, args, &signal);
      EXPECT_EQ(signal, 0) << "ended by signal " << signal;
      expect_error(r, 11, "output error");
    }
  }
}

}  // namespace
