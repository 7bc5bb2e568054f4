// `kareo export fhir` end to end against the fake server: counts equal the server's records, every reference
// resolves inside the export, dates and codes are as specified, files are private, --since and --entities.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "cli_support.hpp"
#include "kareo/datetime.hpp"

namespace {

using cli_test::json;
using kareo::testing::Entity;

constexpr const char* kPractice = "Testpractice Alpha";

std::vector<json> ndjson(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(cli_test::read_file(path));
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

// Every "reference" member anywhere in `value`.
void references(const json& value, std::vector<std::string>& out) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it.key() == "reference" && it->is_string()) out.push_back(*it);
      references(*it, out);
    }
  } else if (value.is_array()) {
    for (const auto& v : value) references(v, out);
  }
}

class FhirExport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto o = cli_test::small_server();
    o.today = "2025-06-01";
    server_ = new kareo::testing::FakeServer(o);
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  cli_test::RunResult kareo(std::vector<std::string> args) {
    std::vector<std::string> full{"--no-pacing", "--max-retries", "0", "export", "fhir", "--practice", kPractice};
    full.insert(full.end(), args.begin(), args.end());
    return cli_test::run_program(KAREO_CLI_PATH, full, cli_test::server_env(*server_, tmp_), {}, tmp_.path(),
                                 std::chrono::seconds(120));
  }
  // The IDs of the practice's records of `entity` (by `member`, the row's practice ID member).
  std::set<std::string> practice_ids(Entity entity, const std::string& member) {
    std::set<std::string> out;
    for (auto id : server_->store().ids(entity)) {
      auto r = server_->store().get(entity, id);
      auto it = r->find(member);
      if (it != r->end() && it->second == "1") out.insert(std::to_string(id));
    }
    return out;
  }
  static std::set<std::string> ids_of(const std::vector<json>& resources) {
    std::set<std::string> out;
    for (const auto& r : resources) out.insert(r.at("id").get<std::string>());
    return out;
  }

  static kareo::testing::FakeServer* server_;
  cli_test::TempDir tmp_;
};
kareo::testing::FakeServer* FhirExport::server_ = nullptr;

TEST_F(FhirExport, EveryRecordOfThePracticeWithReferencesThatResolve) {
  const std::string out = tmp_.file("fhir");
  cli_test::ScopedUmask permissive(0);  // the files are private whatever the umask
  auto r = kareo({"--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto patients = ndjson(out + "/Patient.ndjson");
  const auto appointments = ndjson(out + "/Appointment.ndjson");
  const auto practitioners = ndjson(out + "/Practitioner.ndjson");
  const auto locations = ndjson(out + "/Location.ndjson");
  const auto organizations = ndjson(out + "/Organization.ndjson");
  // Counts equal the server's records of the practice.
  EXPECT_EQ(ids_of(patients), practice_ids(Entity::Patient, "PracticeId"));
  EXPECT_EQ(ids_of(appointments), practice_ids(Entity::Appointment, "PracticeID"));
  EXPECT_EQ(ids_of(practitioners), practice_ids(Entity::Provider, "PracticeID"));
  EXPECT_EQ(ids_of(locations), practice_ids(Entity::ServiceLocation, "PracticeID"));
  EXPECT_EQ(ids_of(organizations), std::set<std::string>{"1"});
  EXPECT_FALSE(patients.empty());
  EXPECT_FALSE(appointments.empty());
  // The manifest says the same, and stdout is the manifest.
  const json manifest = json::parse(cli_test::read_file(out + "/manifest.json"));
  EXPECT_EQ(r.lines().at(0), manifest);
  std::map<std::string, std::size_t> counts;
  for (const auto& o : manifest["output"]) counts[o["type"]] = o["count"];
  EXPECT_EQ(counts["Patient"], patients.size());
  EXPECT_EQ(counts["Appointment"], appointments.size());
  EXPECT_EQ(counts["Practitioner"], practitioners.size());
  EXPECT_EQ(counts["Location"], locations.size());
  EXPECT_EQ(counts["Organization"], 1u);
  // No dangling reference: every reference names an exported resource.
  std::set<std::string> exported;
  for (const auto* list : {&patients, &appointments, &practitioners, &locations, &organizations})
    for (const auto& res : *list)
      exported.insert(res["resourceType"].get<std::string>() + "/" + res["id"].get<std::string>());
  std::vector<std::string> refs;
  for (const auto* list : {&patients, &appointments, &locations}) references(json(*list), refs);
  EXPECT_FALSE(refs.empty());
  for (const auto& ref : refs) EXPECT_TRUE(exported.count(ref)) << "dangling: " << ref;
  // Files hold patient data: 0600.
  for (const char* f : {"Patient.ndjson", "Appointment.ndjson", "Practitioner.ndjson", "Location.ndjson",
                        "Organization.ndjson", "manifest.json"})
    EXPECT_EQ(cli_test::mode_of(out + "/" + f), 0600) << f;
  EXPECT_EQ(cli_test::mode_of(out), 0700);
}

TEST_F(FhirExport, DatesAndCodesAsSpecified) {
  const std::string out = tmp_.file("fhir");
  auto r = kareo({"--out", out, "--entities", "patients,appointments,providers,locations"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& p : ndjson(out + "/Patient.ndjson")) {
    auto record = server_->store().get(Entity::Patient, std::stoll(p["id"].get<std::string>()));
    ASSERT_TRUE(record);
    // birthDate: the record's .NET date text as YYYY-MM-DD.
    auto dob = kareo::Date::parse(record->at("DOB"));
    ASSERT_TRUE(dob);
    EXPECT_EQ(p["birthDate"], dob->iso());
    EXPECT_EQ(p["gender"], record->at("Gender") == "Female" ? "female" : "male");
  }
  const std::map<std::string, std::string> status = {
      {"Scheduled", "booked"}, {"Confirmed", "booked"},    {"Check-in", "checked-in"},  {"Check-out", "fulfilled"},
      {"No-show", "noshow"},   {"Cancelled", "cancelled"}, {"Rescheduled", "cancelled"}};
  for (const auto& a : ndjson(out + "/Appointment.ndjson")) {
    auto record = server_->store().get(Entity::Appointment, std::stoll(a["id"].get<std::string>()));
    ASSERT_TRUE(record);
    EXPECT_EQ(a["status"], status.at(record->at("ConfirmationStatus")));
    auto start = kareo::DateTime::parse(record->at("StartDate"));
    ASSERT_TRUE(start);
    EXPECT_EQ(a["start"], start->iso() + "Z");  // Tebra documents appointment times as UTC
  }
}

TEST_F(FhirExport, SinceAndEntitiesNarrowTheExportAndReferencesStillResolve) {
  const std::string out = tmp_.file("fhir");
  auto r = kareo({"--out", out, "--since", "2025-03-01", "--entities", "appointments,patients"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/Practitioner.ndjson"));
  EXPECT_FALSE(std::filesystem::exists(out + "/Location.ndjson"));
  const auto appointments = ndjson(out + "/Appointment.ndjson");
  const auto patients = ndjson(out + "/Patient.ndjson");
  // Exactly the practice's appointments modified since then.
  std::set<std::string> expected;
  const auto since = *kareo::DateTime::parse("2025-03-01");
  for (const auto& id : practice_ids(Entity::Appointment, "PracticeID")) {
    auto record = server_->store().get(Entity::Appointment, std::stoll(id));
    if (!(*kareo::DateTime::parse(record->at("LastModifiedDate")) < since)) expected.insert(id);
  }
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(ids_of(appointments), expected);
  // Their patients are exported too (read by ID when not modified since), so every reference resolves; the
  // providers and locations were not asked for, and their references are left out.
  std::set<std::string> patient_ids = ids_of(patients);
  for (const auto& a : appointments) {
    for (const auto& p : a["participant"]) {
      const std::string ref = p["actor"]["reference"];
      ASSERT_EQ(ref.rfind("Patient/", 0), 0u) << ref;
      EXPECT_TRUE(patient_ids.count(ref.substr(8))) << ref;
    }
  }
  for (const auto& p : patients) EXPECT_FALSE(p.contains("generalPractitioner"));
  const json manifest = json::parse(cli_test::read_file(out + "/manifest.json"));
  EXPECT_GT(manifest["extension"]["kareo-cpp"]["droppedReferences"].get<int>(), 0);
  EXPECT_EQ(cli_test::mode_of(out + "/OperationOutcome.ndjson"), 0600);
}

TEST_F(FhirExport, FilesThatCannotBeWrittenAreAnOutputError) {
  const std::string not_a_directory = tmp_.write("plain-file", "x");
  auto r = kareo({"--out", not_a_directory, "--entities", "providers"});
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_NE(r.err.find("output error"), std::string::npos) << r.err;
}

TEST_F(FhirExport, UsageErrors) {
  EXPECT_EQ(kareo({"--out", tmp_.file("x"), "--entities", "charges"}).exit_code, 2);
  EXPECT_EQ(kareo({"--out", tmp_.file("x"), "--since", "yesterday"}).exit_code, 2);
  // The hint names the whole command, not only its last word.
  auto unknown = kareo({"--out", tmp_.file("x"), "--no-such-option"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("hint: run 'kareo export fhir --help'"), std::string::npos) << unknown.err;
  auto r = cli_test::run_program(
      KAREO_CLI_PATH, {"--no-pacing", "export", "fhir", "--practice", "Nonexistent Practice", "--out", tmp_.file("y")},
      cli_test::server_env(*server_, tmp_), {}, tmp_.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no practice of that name"), std::string::npos) << r.err;
}

}  // namespace
