// The kareo tool end to end: the real program, run as a child process against an in-process fake server.
// Every command, every exit code (2..10), the output formats, the wire log's redaction, doctor and sync.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <set>

#include "cli_support.hpp"
#include "raw_server.hpp"

namespace {

using namespace cli_test;
using kareo::testing::Entity;
using kareo::testing::FakeServer;
using kareo::testing::FakeServerOptions;

const std::string kKareo = KAREO_CLI_PATH;

class Cli : public ::testing::Test {
 protected:
  void start(FakeServerOptions options = small_server()) {
    server_ = std::make_unique<FakeServer>(options);
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

  FakeServer& server() { return *server_; }
  // The IDs of the records whose `member` is `value` (every date, unlike the server's own filters).
  std::vector<std::int64_t> where(Entity entity, const std::string& member, const std::string& value) {
    std::vector<std::int64_t> out;
    for (auto id : server_->store().ids(entity)) {
      auto record = server_->store().get(entity, id);
      auto it = record->find(member);
      if (it != record->end() && it->second == value) out.push_back(id);
    }
    return out;
  }
  std::size_t count(Entity entity, const kareo::testing::Filter& filter = {}) {
    return server_->store().ids(entity, filter).size();
  }

  TempDir tmp_;
  std::unique_ptr<FakeServer> server_;
};

// The error format: one line "kareo: <category>: <message>", then a hint line.
void expect_error(const RunResult& r, int code, const std::string& category) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  std::istringstream lines(r.err);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(first.rfind("kareo: " + category + ": ", 0), 0u) << r.err;
  EXPECT_EQ(second.rfind("hint: ", 0), 0u) << r.err;
}

std::set<std::string> ids_of(const std::vector<json>& rows, const char* key = "ID") {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r.at(key).is_string() ? r.at(key).get<std::string>() : r.at(key).dump());
  return out;
}

std::set<std::string> ids_of(const std::vector<std::int64_t>& ids) {
  std::set<std::string> out;
  for (auto id : ids) out.insert(std::to_string(id));
  return out;
}

// ---- usage (exit 2) ----

TEST_F(Cli, HelpAndVersion) {
  auto help = kareo({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("doctor"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  EXPECT_NE(help.out.find("11 output error"), std::string::npos) << help.out;
  auto sub = kareo({"appointments", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--from"), std::string::npos);
  auto version = kareo({"--version"});
  EXPECT_EQ(version.exit_code, 0);
}

TEST_F(Cli, UsageErrorsExitTwo) {
  expect_error(kareo({}), 2, "usage");
  expect_error(kareo({"no-such-command"}), 2, "usage");
  expect_error(kareo({"practices", "--bogus"}), 2, "usage");
  expect_error(kareo({"all-patients", "--practice-id", "1", "--batch-size", "5000"}), 2, "usage");
  expect_error(kareo({"--format", "xml", "practices"}), 2, "usage");
  expect_error(kareo({"patients"}), 2, "invalid argument");  // needs a practice
  auto bad_date = kareo({"appointments", "--from", "05/01/2024"});
  expect_error(bad_date, 2, "invalid argument");
  EXPECT_NE(bad_date.err.find("--from"), std::string::npos);
  expect_error(kareo({"appointments", "--to", "2024-05-01"}), 2, "invalid argument");  // --to without --from
  expect_error(kareo({"appointments", "--from", "2024-05-02", "--to", "2024-05-01"}), 2, "invalid argument");
  expect_error(kareo({"create-patient", "--json", tmp_.file("missing.json")}), 2, "invalid argument");
  expect_error(kareo({"practices"}, {}, {{"KAREO_PASSWORD", ""}}), 2, "invalid argument");
  EXPECT_EQ(server().call_count(), 0u) << "nothing is sent for a usage error";
}

// ---- reads, formats ----

TEST_F(Cli, PracticesAsJsonLinesTableAndCsv) {
  auto json_lines = kareo({"--format", "json", "practices"});
  ASSERT_EQ(json_lines.exit_code, 0) << json_lines.err;
  auto rows = json_lines.lines();
  EXPECT_EQ(ids_of(rows), ids_of(server().store().ids(Entity::Practice)));
  EXPECT_EQ(rows.at(0).at("PracticeName"), "Testpractice Alpha");

  auto table = kareo({"practices", "--format", "table"});  // global options may follow the command
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto lines = table.text_lines();
  ASSERT_GE(lines.size(), 4u);
  EXPECT_NE(lines[0].find("PracticeName"), std::string::npos);
  EXPECT_EQ(lines[1].find_first_not_of("- "), std::string::npos);
  EXPECT_NE(table.out.find("Testpractice Bravo"), std::string::npos);

  auto csv = kareo({"--format", "csv", "--columns", "ID,PracticeName", "practices"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  auto csv_lines = csv.text_lines();
  ASSERT_EQ(csv_lines.size(), 1 + count(Entity::Practice));
  EXPECT_EQ(csv_lines[0], "ID,PracticeName");
  EXPECT_EQ(csv_lines[1], "1,Testpractice Alpha");

  auto full_csv = kareo({"--format", "csv", "providers"});
  ASSERT_EQ(full_csv.exit_code, 0);
  EXPECT_EQ(full_csv.text_lines().size(), 1 + count(Entity::Provider));
  EXPECT_EQ(full_csv.text_lines()[0].rfind("Active,AddressLine1,", 0), 0u) << full_csv.text_lines()[0];
}

TEST_F(Cli, CsvQuotesCommasAndQuotes) {
  server().store().insert(Entity::ExternalVendor, {{"ExternalVendorName", "Testvendor \"Quoted\", Inc."}});
  auto csv = kareo({"--format", "csv", "external-vendors"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find("\"Testvendor \"\"Quoted\"\", Inc.\""), std::string::npos) << csv.out;
}

TEST_F(Cli, ListCommandsMatchTheServersRecords) {
  struct Case {
    std::vector<std::string> args;
    Entity entity;
    kareo::testing::Filter filter;
  };
  const std::vector<Case> cases = {
      {{"providers", "--practice", "Testpractice Alpha"}, Entity::Provider, {{"PracticeName", "Testpractice Alpha"}}},
      {{"service-locations", "--practice-id", "2"}, Entity::ServiceLocation, {{"PracticeID", "2"}}},
      {{"procedure-codes"}, Entity::ProcedureCode, {}},
      {{"patients", "--practice", "Testpractice Alpha"}, Entity::Patient, {{"PracticeName", "Testpractice Alpha"}}},
      {{"patients", "--practice-id", "1", "--last-name", "Testpatient1"},
       Entity::Patient,
       {{"PracticeID", "1"}, {"LastName", "Testpatient1"}}},
      {{"external-vendors"}, Entity::ExternalVendor, {}},
  };
  for (const auto& c : cases) {
    auto r = kareo(c.args);
    ASSERT_EQ(r.exit_code, 0) << c.args[0] << ": " << r.err;
    EXPECT_EQ(ids_of(r.lines(), c.entity == Entity::ExternalVendor ? "ExternalVendorID" : "ID").size(),
              count(c.entity, c.filter))
        << c.args[0];
  }
}

TEST_F(Cli, RangedReadsPageByDateWindows) {
  // A century of service dates: far more than the 60 days GetAppointments tolerates, so it is read in windows.
  auto appointments = kareo(
      {"appointments", "--practice", "Testpractice Alpha", "--from", "2000-01-01", "--to", "2100-01-01", "--progress"});
  ASSERT_EQ(appointments.exit_code, 0) << appointments.err;
  auto expected = where(Entity::Appointment, "PracticeName", "Testpractice Alpha");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(ids_of(appointments.lines()), ids_of(expected));
  EXPECT_GT(server().call_count("GetAppointments"), 100u) << "paged in windows of at most 60 days";
  EXPECT_NE(appointments.err.find("windows"), std::string::npos) << "--progress reports on stderr";

  auto charges = kareo({"charges", "--practice", "Testpractice Alpha", "--from", "2000-01-01"});
  ASSERT_EQ(charges.exit_code, 0) << charges.err;
  EXPECT_EQ(ids_of(charges.lines()), ids_of(where(Entity::Charge, "PracticeName", "Testpractice Alpha")));

  server().clear_calls();
  auto patients =
      kareo({"patients", "--practice", "Testpractice Bravo", "--modified-from", "2000-01-01", "--window-days", "3650"});
  ASSERT_EQ(patients.exit_code, 0) << patients.err;
  EXPECT_EQ(patients.lines().size(), count(Entity::Patient, {{"PracticeName", "Testpractice Bravo"}}));
  EXPECT_LE(server().call_count("GetPatients"), 4u) << "--window-days 3650: a few ten-year windows";

  for (const char* command : {"payments", "transactions"}) {
    auto r = kareo({command, "--practice", "Testpractice Alpha", "--from", "2000-01-01"});
    ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
    EXPECT_GT(r.lines().size(), 0u) << command;
  }
  auto created = kareo({"practices", "--created-from", "2000-01-01"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.lines().size(), count(Entity::Practice));
  expect_error(kareo({"patients", "--practice-id", "1", "--from", "2020-01-01", "--created-from", "2020-01-01"}), 2,
               "invalid argument");
}

TEST_F(Cli, ChargesOfUnapprovedEncountersOnlyWithIncludeUnapproved) {
  // Tebra leaves out the charges of encounters not yet approved unless IncludeUnapprovedCharges is "T"; the fake
  // server does the same.
  auto options = small_server();
  options.sizes.encounters = 120;
  options.sizes.charges = 240;
  start(options);
  std::set<std::string> approved, all;
  for (auto id : where(Entity::Charge, "PracticeName", "Testpractice Alpha")) {
    all.insert(std::to_string(id));
    if (server().store().get(Entity::Charge, id)->at("EncounterStatus") == "Approved")
      approved.insert(std::to_string(id));
  }
  ASSERT_FALSE(approved.empty());
  ASSERT_LT(approved.size(), all.size()) << "the data needs charges of unapproved encounters";
  for (const bool ranged : {false, true}) {
    SCOPED_TRACE(ranged ? "paged by posting date" : "one call");
    std::vector<std::string> args{"charges", "--practice", "Testpractice Alpha"};
    if (ranged) args.insert(args.end(), {"--from", "2000-01-01"});
    auto plain = kareo(args);
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(ids_of(plain.lines()), approved);
    args.push_back("--include-unapproved");
    auto with = kareo(args);
    ASSERT_EQ(with.exit_code, 0) << with.err;
    EXPECT_EQ(ids_of(with.lines()), all);
  }
}

TEST_F(Cli, AllPatientsWalksTheCursor) {
  auto r = kareo({"all-patients", "--practice", "Testpractice Alpha", "--batch-size", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto expected = server().store().ids(Entity::Patient, {{"PracticeID", "1"}});
  EXPECT_EQ(ids_of(r.lines()), ids_of(expected));
  EXPECT_GE(server().call_count("GetAllPatients"), (expected.size() + 6) / 7);
  expect_error(kareo({"all-patients", "--practice", "No Such Practice"}), 2, "invalid argument");
}

TEST_F(Cli, SingleRecords) {
  auto patient = kareo({"patient", "--id", "3"});
  ASSERT_EQ(patient.exit_code, 0) << patient.err;
  ASSERT_EQ(patient.lines().size(), 1u);
  EXPECT_EQ(patient.lines()[0].at("ID"), "3");

  auto missing = kareo({"patient", "--id", "999999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err.rfind("kareo: not found: ", 0), 0u) << missing.err;

  auto appointment = kareo({"appointment", "--id", "4"});
  ASSERT_EQ(appointment.exit_code, 0) << appointment.err;
  EXPECT_EQ(appointment.lines().at(0).at("AppointmentId"), 4);

  auto encounter = kareo({"encounter-details", "--id", "2"});
  ASSERT_EQ(encounter.exit_code, 0) << encounter.err;
  ASSERT_EQ(encounter.lines().size(), 1u);
  EXPECT_EQ(encounter.lines()[0].at("EncounterID"), "2");

  auto customer = kareo({"customer-id"});
  ASSERT_EQ(customer.exit_code, 0) << customer.err;
  EXPECT_EQ(customer.lines().at(0).at("CustomerId"), server().options().customer_id);

  auto throttles = kareo({"throttles"});
  ASSERT_EQ(throttles.exit_code, 0) << throttles.err;
  bool found = false;
  for (const auto& row : throttles.lines())
    if (row.at("Endpoint") == "GetAllPatients") found = row.at("ThrottleTimeMs") == 5000.0;
  EXPECT_TRUE(found) << throttles.out;

  auto table = kareo({"--format", "table", "patient", "--id", "3"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("FirstName"), std::string::npos);
}

// ---- writes ----

TEST_F(Cli, CreateAndUpdatePatient) {
  std::string payload = R"({"FirstName": "Testpatient", "LastName": "Cli", "DateofBirth": "1980-05-01",
      "Gender": "Female", "Practice": {"PracticeName": "Testpractice Alpha"},
      "PatientExternalID": "CLI-T1", "ExternalVendorID": 1})";
  auto created = kareo({"create-patient", "--json", tmp_.write("patient.json", payload)});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  json result = created.lines().at(0);
  EXPECT_FALSE(result.contains("ErrorResponse"));
  int id = result.at("PatientID").get<int>();
  auto record = server().store().get(Entity::Patient, id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->at("LastName"), "Cli");
  EXPECT_EQ(server().store().find_by_external_id(Entity::Patient, "CLI-T1", 1), id);

  auto updated = kareo({"update-patient", "--json", "-"},
                       R"({"PatientID": )" + std::to_string(id) + R"(, "FirstName": "Renamed"})");
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(server().store().get(Entity::Patient, id)->at("FirstName"), "Renamed");
}

TEST_F(Cli, UnknownPayloadKeyIsAUsageErrorNamingIt) {
  auto r = kareo({"create-patient", "--json", "-"}, R"({"FirstName": "A", "Practice": {"PracticeNmae": "x"}})");
  expect_error(r, 2, "invalid argument");
  EXPECT_NE(r.err.find("\"PracticeNmae\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("$.Practice"), std::string::npos) << r.err;
  auto not_json = kareo({"create-patient", "--json", "-"}, "{ not json");
  expect_error(not_json, 2, "invalid argument");
  EXPECT_EQ(server().call_count("CreatePatient"), 0u);
}

TEST_F(Cli, AppointmentWrites) {
  auto created = kareo({"create-appointment", "--json", "-"}, R"({
      "AppointmentStatus": "Scheduled", "AppointmentType": "P", "IsRecurring": false, "PracticeId": 1,
      "ServiceLocationId": 1, "ProviderId": 1, "StartTime": "2030-12-01T09:00", "EndTime": "2030-12-01T09:30",
      "PatientSummary": {"PatientId": 1}, "Notes": "cli test"})");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto id = created.lines().at(0).at("Appointment").at("AppointmentId").get<long long>();
  EXPECT_TRUE(server().store().get(Entity::Appointment, id));

  auto updated = kareo({"update-appointment", "--json", "-"},
                       R"({"AppointmentId": )" + std::to_string(id) +
                           R"(, "PatientId": 1, "ServiceLocationId": 1, "Notes": "changed"})");
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(updated.lines().at(0).at("Appointment").at("Notes"), "changed");

  auto deleted = kareo({"delete-appointment", "--id", std::to_string(id)});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.lines().at(0).at("Deleted"), true);
  EXPECT_FALSE(server().store().get(Entity::Appointment, id));
}

TEST_F(Cli, EncounterPaymentDocumentVendorAndExternalIdWrites) {
  auto encounter = kareo({"create-encounter", "--json", "-"}, R"({
      "Practice": {"PracticeName": "Testpractice Alpha"}, "Patient": {"PatientID": 1},
      "Case": {"CaseName": "Default Case"}, "ServiceStartDate": "2030-11-20", "PostDate": "2030-11-20",
      "RenderingProvider": {"ProviderID": 1}, "ServiceLocation": {"LocationID": 1},
      "ServiceLines": [{"ServiceStartDate": "2030-11-20", "ProcedureCode": "T1001", "DiagnosisCode1": "Z00.00",
                        "Units": 1}]})");
  ASSERT_EQ(encounter.exit_code, 0) << encounter.err;
  int encounter_id = encounter.lines().at(0).at("EncounterID").get<int>();
  EXPECT_EQ(encounter.lines().at(0).at("ServiceLinesAdded").size(), 1u);

  auto status = kareo({"update-encounter-status", "--json", "-"},
                      R"({"EncounterID": )" + std::to_string(encounter_id) +
                          R"(, "EncounterStatus": "Approved", "Practice": {"PracticeName": "Testpractice Alpha"}})");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(server().store().get(Entity::Encounter, encounter_id)->at("EncounterStatus"), "Approved");

  auto payment = kareo({"create-payment", "--json", "-"}, R"({"PayerType": "Patient",
      "Payment": {"AmountPaid": "25.00", "PaymentMethod": "Cash"}, "Patient": {"PatientID": "1"},
      "Practice": {"PracticeName": "Testpractice Alpha"}, "PostDate": "2030-11-20"})");
  ASSERT_EQ(payment.exit_code, 0) << payment.err;
  EXPECT_TRUE(server().store().get(Entity::Payment, payment.lines().at(0).at("PaymentID").get<int>()));

  std::string file = tmp_.write("note.txt", "Test document content");
  auto document = kareo({"create-document", "--json", "-", "--file", file},
                        R"({"PatientId": 1, "PracticeId": 1, "Name": "Test document", "Label": "Other"})");
  ASSERT_EQ(document.exit_code, 0) << document.err;
  long long document_id = document.lines().at(0).at("Document").at("DocumentId").get<long long>();
  EXPECT_EQ(server().store().count(Entity::Document), 1u);
  auto deleted = kareo({"delete-document", "--id", std::to_string(document_id)});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.lines().at(0).at("Deleted"), true);
  EXPECT_EQ(server().store().count(Entity::Document), 0u);

  auto vendor = kareo({"register-vendor", "--json", "-"}, R"({"ExternalVendorName": "Testvendor Cli"})");
  ASSERT_EQ(vendor.exit_code, 0) << vendor.err;
  EXPECT_EQ(vendor.lines().at(0).at("ExternalVendor").at("ExternalVendorName"), "Testvendor Cli");

  auto ids = kareo({"update-external-ids", "--json", "-"},
                   R"({"UpdateBatch": [{"patientID": 2, "externalID": "EXT-CLI-2", "externalVendorID": 1,
                                        "practiceID": 2}]})");
  ASSERT_EQ(ids.exit_code, 0) << ids.err;
  EXPECT_EQ(server().store().find_by_external_id(Entity::Patient, "EXT-CLI-2", 1), 2);
}

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

// ---- wire log ----

TEST_F(Cli, WireLogIsRedacted) {
  std::string log = tmp_.file("wire.log");
  auto ok = kareo({"--wire-log", log, "patients", "--practice", "Testpractice Alpha"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto bad = kareo({"--wire-log", log, "patients", "--practice", "Testpractice Alpha"}, {},
                   {{"KAREO_PASSWORD", "other-secret-password"}});
  EXPECT_EQ(bad.exit_code, 3);
  std::string text = read_file(log);
  EXPECT_NE(text.find("GetPatients"), std::string::npos);
  EXPECT_NE(text.find("<kareo:RequestHeader>"), std::string::npos) << "the request XML is there";
  EXPECT_NE(text.find("GetPatientsResponse"), std::string::npos) << "the response XML is there";
  EXPECT_NE(text.find("***"), std::string::npos);
  const auto& c = server().options().credentials;
  EXPECT_EQ(text.find(c.password), std::string::npos) << "the password never appears";
  EXPECT_EQ(text.find("other-secret-password"), std::string::npos);
  EXPECT_EQ(text.find(c.customer_key), std::string::npos);
  auto patient = server().store().get(Entity::Patient, server().store().ids(Entity::Patient).front());
  EXPECT_EQ(text.find(patient->at("SSN")), std::string::npos) << "patient data is masked by default";
}

TEST_F(Cli, FilesThatMayHoldPatientDataAreTheOwnersOnly) {
  ScopedUmask permissive(0);  // without care, files would be created readable and writable by anyone
  const std::string log = tmp_.file("wire-phi.log");
  auto r = kareo({"--wire-log", log, "--wire-log-patient-data", "patients", "--practice", "Testpractice Alpha"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto alpha = server().store().ids(Entity::Patient, {{"PracticeName", "Testpractice Alpha"}});
  ASSERT_FALSE(alpha.empty());
  const auto patient = server().store().get(Entity::Patient, alpha.front());
  EXPECT_NE(read_file(log).find(patient->at("LastName")), std::string::npos) << "the log holds patient data";
  EXPECT_EQ(mode_of(log), 0600);
  const std::string redacted = tmp_.file("wire.log");
  ASSERT_EQ(kareo({"--wire-log", redacted, "practices"}).exit_code, 0);
  EXPECT_EQ(mode_of(redacted), 0600);

  // A log that others may read (left by an older version, or made by hand) is restricted before it is written to.
  const std::string old_log = tmp_.write("old.log", "earlier lines\n");
  ASSERT_EQ(::chmod(old_log.c_str(), 0644), 0);
  r = kareo({"--wire-log", old_log, "--wire-log-patient-data", "practices"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(old_log), 0600);
  const std::string appended = read_file(old_log);
  EXPECT_EQ(appended.rfind("earlier lines\n", 0), 0u) << "appended to, not replaced";
  EXPECT_NE(appended.find("GetPractices"), std::string::npos);

  // sync's checkpoint and its lock file.
  const std::string state = tmp_.file("patients.checkpoint");
  r = kareo(
      {"sync", "patients", "--practice", "Testpractice Alpha", "--state", state, "--once", "--since", "2000-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(state), 0600);
  EXPECT_EQ(mode_of(state + ".lock"), 0600);

  // The pacing schedule shared by the tool's runs: a directory of the user's own, files of the user's own.
  const std::string pacing = tmp_.file("pacing");
  auto env = server_env(*server_, tmp_);
  r = run_program(kKareo, {"--pacing-dir", pacing, "--max-retries", "0", "practices"}, env, {}, tmp_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(pacing), 0700);
  std::size_t schedules = 0;
  for (const auto& entry : std::filesystem::directory_iterator(pacing)) {
    ++schedules;
    EXPECT_EQ(mode_of(entry.path().string()), 0600) << entry.path();
  }
  EXPECT_EQ(schedules, 1u);
}

TEST_F(Cli, VerboseReportsEveryCall) {
  auto r = kareo({"--verbose", "practices"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("GetPractices attempt 1: ok, HTTP 200"), std::string::npos) << r.err;
}

// ---- doctor ----

TEST_F(Cli, DoctorPassesAgainstAHealthyServer) {
  auto r = kareo({"doctor"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("[ok]   4. Customer key: accepted (customer ID 31337)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Testpractice Alpha"), std::string::npos);
  EXPECT_NE(r.out.find("GetAllPatients"), std::string::npos) << "the live throttle table";
  EXPECT_EQ(r.out.find("[FAIL]"), std::string::npos) << r.out;
}

TEST_F(Cli, DoctorNamesTheWrongPassword) {
  auto r = kareo({"doctor"}, {}, {{"KAREO_PASSWORD", "wrong"}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("[ok]   4. Customer key"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[FAIL] 5. User authenticated"), std::string::npos) << r.out;
  auto key = kareo({"doctor"}, {}, {{"KAREO_CUSTOMER_KEY", "wrong"}});
  EXPECT_EQ(key.exit_code, 3);
  EXPECT_NE(key.out.find("[FAIL] 4. Customer key"), std::string::npos) << key.out;
  auto missing = kareo({"doctor"}, {}, {{"KAREO_USER", ""}});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("[FAIL] 1. Credentials"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("KAREO_USER"), std::string::npos) << missing.out;
}

TEST_F(Cli, DoctorListsMissingPermissions) {
  auto options = small_server();
  options.denied_operations = {"GetCharges", "GetPayments"};
  start(options);
  auto r = kareo({"doctor"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.out.find("GetCharges is not allowed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GetPayments is not allowed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("allowed: GetProviders"), std::string::npos) << r.out;
}

TEST_F(Cli, DoctorSaysWhenTheEndpointIsUnreachable) {
  auto env = server_env(server(), tmp_);
  env["KAREO_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(closed_port()) + "/svc";
  auto r = run_program(kKareo, {"--no-pacing", "doctor"}, env);
  EXPECT_EQ(r.exit_code, 8);
  EXPECT_NE(r.out.find("[FAIL] 2. Endpoint reachable"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refused"), std::string::npos) << r.out;
}

TEST_F(Cli, DoctorShowsACorrectRedactedRequest) {
  auto r = kareo({"doctor", "--show-request", "--skip-permissions"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string& out = r.out;
  EXPECT_NE(out.find("SOAPAction: \"http://www.kareo.com/api/schemas/KareoServices/GetPractices\""), std::string::npos);
  EXPECT_EQ(out.find("<SOAP-ENV:Header"), std::string::npos) << "no SOAP header: credentials go in the request";
  auto at = [&](const std::string& s) { return out.find(s); };
  ASSERT_NE(at("<kareo:ClientVersion>"), std::string::npos) << out;
  EXPECT_LT(at("<kareo:request>"), at("<kareo:RequestHeader>"));
  EXPECT_LT(at("<kareo:ClientVersion>"), at("<kareo:CustomerKey>***</kareo:CustomerKey>"));
  EXPECT_LT(at("<kareo:CustomerKey>"), at("<kareo:Password>***</kareo:Password>"));
  EXPECT_LT(at("<kareo:Password>"), at("<kareo:User>***</kareo:User>"));
  EXPECT_LT(at("</kareo:RequestHeader>"), at("<kareo:Fields"));
  EXPECT_LT(at("<kareo:Fields"), at("<kareo:Filter"));
  EXPECT_EQ(out.find(server().options().credentials.password), std::string::npos);
}

// The TLS step against an HTTPS fake server with a self-signed certificate made for this test.
TEST_F(Cli, DoctorChecksTheTlsCertificate) {
  std::string cert = tmp_.file("cert.pem"), key = tmp_.file("key.pem");
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) GTEST_SKIP() << "the openssl program is needed to make a certificate";
  auto options = small_server();
  options.tls_cert = cert;
  options.tls_key = key;
  start(options);
  auto env = server_env(server(), tmp_);
  env["KAREO_ENDPOINT"] = "https://localhost:" + std::to_string(server().port()) + "/svc";

  auto untrusted = run_program(kKareo, {"--no-pacing", "doctor", "--skip-permissions"}, env);
  EXPECT_EQ(untrusted.exit_code, 8) << untrusted.out;
  EXPECT_NE(untrusted.out.find("[FAIL] 3. TLS certificate"), std::string::npos) << untrusted.out;
  EXPECT_NE(untrusted.out.find("not issued by a certificate authority this machine trusts"), std::string::npos);
  EXPECT_NE(untrusted.out.find("--ca-file"), std::string::npos);

  auto trusted = run_program(kKareo, {"--no-pacing", "--ca-file", cert, "doctor", "--skip-permissions"}, env);
  EXPECT_EQ(trusted.exit_code, 0) << trusted.out << trusted.err;
  EXPECT_NE(trusted.out.find("[ok]   3. TLS certificate: valid certificate for \"localhost\""), std::string::npos)
      << trusted.out;

  env["KAREO_ENDPOINT"] = "https://127.0.0.1:" + std::to_string(server().port()) + "/svc";
  auto mismatch = run_program(kKareo, {"--no-pacing", "--ca-file", cert, "doctor"}, env);
  EXPECT_EQ(mismatch.exit_code, 8);
  EXPECT_NE(mismatch.out.find("issued for \"localhost\", not for 127.0.0.1"), std::string::npos) << mismatch.out;
}

// ---- sync ----

TEST_F(Cli, SyncDeliversChangesOnceAndResumesFromTheCheckpoint) {
  std::string state = tmp_.file("patients.checkpoint");
  // The generated records are dated within the two years before today: start three years back.
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const std::string since = std::to_string(utc.tm_year + 1900 - 3) + "-01-01";
  auto first =
      kareo({"sync", "patients", "--practice", "Testpractice Alpha", "--state", state, "--once", "--since", since});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(ids_of(first.lines()), ids_of(server().store().ids(Entity::Patient, {{"PracticeID", "1"}})));

  auto second =
      kareo({"sync", "patients", "--practice", "Testpractice Alpha", "--state", state, "--once", "--since", since});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(second.lines().empty()) << second.out;

  server().store().update(Entity::Patient, 1, {{"FirstName", "Changed"}});
  auto third =
      kareo({"sync", "patients", "--practice", "Testpractice Alpha", "--state", state, "--once", "--since", since});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  ASSERT_EQ(third.lines().size(), 1u) << third.out;
  EXPECT_EQ(third.lines()[0].at("FirstName"), "Changed");

  auto appointments = kareo({"sync", "appointments", "--practice", "Testpractice Bravo", "--state",
                             tmp_.file("appointments.checkpoint"), "--once", "--since", since});
  ASSERT_EQ(appointments.exit_code, 0) << appointments.err;
  EXPECT_GT(appointments.lines().size(), 0u);
  expect_error(kareo({"sync", "charges", "--practice", "x", "--state", state, "--once"}), 2, "usage");
}

// ---- output errors (exit 11) ----

// Three years back, before every generated record (they are dated within the two years before today).
std::string three_years_ago() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return std::to_string(utc.tm_year + 1900 - 3) + "-01-01";
}

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

TEST_F(Cli, SyncRefusesACheckpointFarInTheFutureUnlessTold) {
  const std::string state = tmp_.file("future.checkpoint");
  // Written when this machine's clock was years ahead.
  std::ofstream(state) << "kareo-change-feed 1\nentity Patients\ncursor 2099-01-01T00:00:00\nend 0\n";
  const std::vector<std::string> args{"sync",    "patients", "--practice", "Testpractice Alpha",
                                      "--state", state,      "--once"};
  auto refused = kareo(args);
  expect_error(refused, 2, "invalid argument");
  EXPECT_NE(refused.err.find("2099-01-01"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--accept-future-checkpoint"), std::string::npos) << refused.err;
  EXPECT_EQ(server().call_count("GetPatients"), 0u);

  std::vector<std::string> forced = args;
  forced.push_back("--accept-future-checkpoint");
  auto accepted = kareo(forced);
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_NE(accepted.err.find("kareo: warning: "), std::string::npos) << accepted.err;
}

// ---- describe ----

TEST_F(Cli, DescribeShowsPayloadMembers) {
  auto r = kareo({"describe", "create-appointment"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("AppointmentCreate"), std::string::npos);
  EXPECT_NE(r.out.find("StartTime"), std::string::npos);
  EXPECT_NE(r.out.find("required"), std::string::npos);
  auto nested = kareo({"describe", "create-patient", "--nested"});
  ASSERT_EQ(nested.exit_code, 0);
  EXPECT_NE(nested.out.find("PatientCaseCreateReq"), std::string::npos);
  EXPECT_NE(nested.out.find("Female | Male | Unknown"), std::string::npos) << nested.out;
  auto listing = kareo({"describe"});
  EXPECT_NE(listing.out.find("create-encounter: EncounterCreate -> CreateEncounterResp"), std::string::npos);
  auto j = kareo({"--format", "json", "describe", "PatientCreate"});
  ASSERT_EQ(j.exit_code, 0);
  EXPECT_EQ(j.lines().at(0).at("type"), "PatientCreate");
  expect_error(kareo({"describe", "NoSuchThing"}), 2, "invalid argument");
}

}  // namespace
