// The kareo tool end to end: the real program, run as a child process against an in-process fake server.
// Its commands and output formats, usage errors, the wire log's redaction and describe; exit codes 3..11 are in
// cli_exit_codes_test.cpp, doctor and sync in cli_doctor_sync_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_fixture.hpp"

namespace {

using namespace cli_test;
using kareo::testing::Entity;

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
