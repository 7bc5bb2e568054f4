// The FHIR mapping member by member (docs/fhir.md), absent members, unknown codes, and the exporter's files,
// references and manifest. No socket.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kareo/fhir.hpp"
#include "samples.hpp"

namespace kareo::fhir {
namespace {

using json = nlohmann::json;

const std::string kBase = kDefaultSystemBase;

TEST(FhirValues, BirthDateFromEveryFormTebraSends) {
  EXPECT_EQ(to_date(std::string("5/1/1980 12:00:00 AM")), "1980-05-01");
  EXPECT_EQ(to_date(std::string("05/01/1980")), "1980-05-01");
  EXPECT_EQ(to_date(std::string("1980-05-01T00:00:00")), "1980-05-01");
  EXPECT_EQ(to_date(std::string("1980-05-01T23:30:00-08:00")), "1980-05-01");  // never moved by a zone
  EXPECT_EQ(to_date(std::string(" 12/31/1999 11:59:59 PM ")), "1999-12-31");
  EXPECT_FALSE(to_date(std::nullopt));
  EXPECT_FALSE(to_date(std::string("")));
  EXPECT_FALSE(to_date(std::string("not a date")));
  EXPECT_FALSE(to_date(std::string("2/30/1980")));
}

TEST(FhirValues, InstantsCarryAZone) {
  EXPECT_EQ(to_utc_instant(std::string("6/1/2025 2:30:00 PM")), "2025-06-01T14:30:00Z");
  EXPECT_EQ(to_utc_instant(std::string("6/1/2025 12:05:09 AM")), "2025-06-01T00:05:09Z");
  EXPECT_EQ(to_utc_instant(std::string("2025-06-01T14:30:00")), "2025-06-01T14:30:00Z");
  EXPECT_EQ(to_utc_instant(std::string("2025-06-01T14:30:00.250Z")), "2025-06-01T14:30:00Z");
  EXPECT_EQ(to_utc_instant(std::string("2025-06-01T14:30:00-05:00")), "2025-06-01T14:30:00-05:00");
  EXPECT_EQ(to_utc_instant(std::string("2025-06-01T14:30:00+05:30")), "2025-06-01T14:30:00+05:30");
  EXPECT_EQ(to_utc_instant(std::string("2025-06-01T14:30:00+00:00")), "2025-06-01T14:30:00Z");
  EXPECT_FALSE(to_utc_instant(std::string("2025-06-01T14:30:00+25:00")));
  EXPECT_FALSE(to_utc_instant(std::string("yesterday")));
  EXPECT_FALSE(to_utc_instant(std::nullopt));
}

TEST(FhirValues, GenderToAdministrativeGender) {
  EXPECT_EQ(to_gender(std::string("Male")), "male");
  EXPECT_EQ(to_gender(std::string("F")), "female");
  EXPECT_EQ(to_gender(std::string("FEMALE")), "female");
  EXPECT_EQ(to_gender(std::string("Other")), "other");
  EXPECT_EQ(to_gender(std::string("Unknown")), "unknown");
  EXPECT_EQ(to_gender(std::string("X-unrecognised")), "unknown");  // never guessed
  EXPECT_FALSE(to_gender(std::nullopt));
  EXPECT_FALSE(to_gender(std::string("  ")));
}

TEST(FhirValues, ConfirmationStatusToAppointmentStatus) {
  const std::pair<const char*, const char*> table[] = {
      {"Scheduled", "booked"},    {"Reminder Sent", "booked"},  {"Confirmed", "booked"},
      {"Check-in", "checked-in"}, {"Check-out", "fulfilled"},   {"No-show", "noshow"},
      {"Cancelled", "cancelled"}, {"Rescheduled", "cancelled"}, {"CHECK IN", "checked-in"},
  };
  for (const auto& [tebra, code] : table) EXPECT_EQ(to_appointment_status(std::string(tebra)), code) << tebra;
  EXPECT_FALSE(to_appointment_status(std::string("Tentatively maybe")));
  EXPECT_FALSE(to_appointment_status(std::nullopt));
}

TEST(FhirMapping, OrganizationEveryMember) {
  auto m = to_organization(fhir_samples::full_practice());
  ASSERT_TRUE(m) << m.problem;
  const json expected = json::parse(R"({
    "resourceType": "Organization", "id": "1", "active": true, "name": "Testpractice Alpha",
    "identifier": [{"system": "urn:kareo-cpp:tebra:organization", "value": "1"},
                   {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"},
                   {"system": "urn:oid:2.16.840.1.113883.4.4", "value": "12-3456789"}],
    "telecom": [{"system": "phone", "use": "work", "value": "555-0100 ext. 12"},
                {"system": "fax", "use": "work", "value": "555-0101"},
                {"system": "email", "use": "work", "value": "office@example.test"},
                {"system": "url", "use": "work", "value": "https://practice.example.test"}],
    "address": [{"line": ["1 Test Street", "Suite 2"], "city": "Testville", "state": "CA",
                 "postalCode": "90001", "country": "USA"}]})");
  EXPECT_EQ(m.resource, expected) << m.resource.dump(2);
}

TEST(FhirMapping, PractitionerEveryMember) {
  auto m = to_practitioner(fhir_samples::full_provider());
  ASSERT_TRUE(m) << m.problem;
  const json expected = json::parse(R"({
    "resourceType": "Practitioner", "id": "7", "active": false,
    "identifier": [{"system": "urn:kareo-cpp:tebra:practitioner", "value": "7"},
                   {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
    "name": [{"text": "Dr. Alex B Testprovider Jr.", "prefix": ["Dr."], "given": ["Alex", "B"],
              "family": "Testprovider", "suffix": ["Jr."]}],
    "qualification": [{"code": {"text": "MD"}}],
    "telecom": [{"system": "phone", "use": "work", "value": "555-0200 ext. 3"},
                {"system": "phone", "use": "home", "value": "555-0201"},
                {"system": "phone", "use": "mobile", "value": "555-0202"},
                {"system": "pager", "use": "work", "value": "555-0203"},
                {"system": "fax", "use": "work", "value": "555-0204"},
                {"system": "email", "use": "work", "value": "provider@example.test"}],
    "address": [{"line": ["2 Test Street"], "city": "Testville", "state": "CA", "postalCode": "90002",
                 "country": "USA"}]})");
  EXPECT_EQ(m.resource, expected) << m.resource.dump(2);
}

TEST(FhirMapping, LocationEveryMember) {
  auto m = to_location(fhir_samples::full_location());
  ASSERT_TRUE(m) << m.problem;
  const json expected = json::parse(R"({
    "resourceType": "Location", "id": "3", "name": "Testlocation Main", "alias": ["Testlocation Billing"],
    "identifier": [{"system": "urn:kareo-cpp:tebra:location", "value": "3"},
                   {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
    "type": [{"coding": [{"system":
      "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set", "code": "11"}]}],
    "telecom": [{"system": "phone", "use": "work", "value": "555-0300"},
                {"system": "fax", "use": "work", "value": "555-0301"}],
    "address": {"line": ["3 Test Street"], "city": "Testville", "state": "CA", "postalCode": "90003",
                "country": "USA"},
    "managingOrganization": {"reference": "Organization/1", "display": "Testpractice Alpha"}})");
  EXPECT_EQ(m.resource, expected) << m.resource.dump(2);
  auto text = fhir_samples::full_location();
  text.PlaceOfService = "Office";
  EXPECT_EQ(to_location(text).resource["type"], json::parse(R"([{"text": "Office"}])"));
}

TEST(FhirMapping, PatientEveryMember) {
  auto m = to_patient(fhir_samples::full_patient());
  ASSERT_TRUE(m) << m.problem;
  const json expected = json::parse(R"({
    "resourceType": "Patient", "id": "42", "gender": "female", "birthDate": "1980-05-01",
    "identifier": [{"system": "urn:kareo-cpp:tebra:patient", "value": "42"},
                   {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}],
                             "text": "Medical record number"},
                    "system": "urn:kareo-cpp:tebra:practice/1/mrn", "value": "MRN42"}],
    "name": [{"prefix": ["Ms."], "given": ["Alfa", "C"], "family": "Testpatient42", "suffix": ["III"]}],
    "telecom": [{"system": "phone", "use": "home", "value": "555-0400 ext. 9"},
                {"system": "phone", "use": "work", "value": "555-0401"},
                {"system": "phone", "use": "mobile", "value": "555-0402"},
                {"system": "email", "value": "testpatient42@example.test"}],
    "address": [{"line": ["4 Test Street", "Apt 5"], "city": "Testville", "state": "CA", "postalCode": "90004",
                 "country": "USA"}],
    "maritalStatus": {"text": "M"},
    "contact": [{"relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131",
                                               "code": "C", "display": "Emergency Contact"}]}],
                 "name": {"text": "Bravo Testcontact"},
                 "telecom": [{"system": "phone", "value": "555-0403 ext. 1"}]}],
    "managingOrganization": {"reference": "Organization/1", "display": "Testpractice Alpha"},
    "generalPractitioner": [{"reference": "Practitioner/7", "display": "Alex Testprovider"}]})");
  EXPECT_EQ(m.resource, expected) << m.resource.dump(2);
}

TEST(FhirMapping, AppointmentEveryMember) {
  auto m = to_appointment(fhir_samples::full_appointment());
  ASSERT_TRUE(m) << m.problem;
  const json expected = json::parse(R"({
    "resourceType": "Appointment", "id": "900", "status": "fulfilled",
    "identifier": [{"system": "urn:kareo-cpp:tebra:appointment", "value": "900"}],
    "start": "2025-06-01T14:30:00Z", "end": "2025-06-01T15:00:00Z", "minutesDuration": 30,
    "comment": "Bring the test card",
    "participant": [
      {"actor": {"reference": "Patient/42", "display": "Alfa Testpatient42"}, "status": "accepted"},
      {"actor": {"reference": "Practitioner/7", "display": "Alex Testprovider"}, "status": "accepted"},
      {"actor": {"reference": "Location/3", "display": "Testlocation Main"}, "status": "accepted"}],
    "reasonCode": [{"coding": [{"system": "urn:kareo-cpp:tebra:appointment-reason", "code": "4"}],
                    "text": "Test visit"},
                   {"text": "Follow-up"}]})");
  EXPECT_EQ(m.resource, expected) << m.resource.dump(2);
}

TEST(FhirMapping, EveryMemberAbsentGivesAnEmptyResource) {
  EXPECT_EQ(to_organization(PracticeData()).resource, json({{"resourceType", "Organization"}}));
  EXPECT_EQ(to_practitioner(ProviderData()).resource, json({{"resourceType", "Practitioner"}}));
  EXPECT_EQ(to_location(ServiceLocationData()).resource, json({{"resourceType", "Location"}}));
  EXPECT_EQ(to_patient(PatientData()).resource, json({{"resourceType", "Patient"}}));
  // Blank text is absent too.
  PatientData blank;
  blank.FirstName = "  ";
  blank.Gender = "";
  blank.HomePhoneExt = "12";  // an extension without its number says nothing
  EXPECT_EQ(to_patient(blank).resource, json({{"resourceType", "Patient"}}));
}

TEST(FhirMapping, AnAppointmentNeedsAStatusAndAParticipant) {
  auto m = to_appointment(AppointmentData());
  EXPECT_FALSE(m);
  EXPECT_NE(m.problem.find("ConfirmationStatus"), std::string::npos) << m.problem;
  auto unknown = fhir_samples::full_appointment();
  unknown.ConfirmationStatus = "Tentatively maybe";
  m = to_appointment(unknown);
  EXPECT_FALSE(m);
  EXPECT_NE(m.problem.find("Tentatively maybe"), std::string::npos) << m.problem;
  AppointmentData nobody;
  nobody.ID = "1";
  nobody.ConfirmationStatus = "Scheduled";
  m = to_appointment(nobody);
  EXPECT_FALSE(m);
  EXPECT_NE(m.problem.find("participant"), std::string::npos) << m.problem;
}

TEST(FhirMapping, AnIdThatIsNotAFhirIdDoesNotMap) {
  auto p = fhir_samples::full_patient();
  p.ID = "12 34";
  EXPECT_FALSE(to_patient(p));
  p.ID = std::string(65, '1');
  EXPECT_FALSE(to_patient(p));
}

TEST(FhirMapping, TheIdentifierSystemBaseIsAnOption) {
  MapOptions o;
  o.system_base = "urn:example:customer-31337:";
  auto m = to_patient(fhir_samples::full_patient(), o);
  EXPECT_EQ(m.resource["identifier"][0]["system"], "urn:example:customer-31337:patient");
  EXPECT_EQ(m.resource["identifier"][1]["system"], "urn:example:customer-31337:practice/1/mrn");
}

// ---- the exporter
class FhirExporter : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kareo-fhir-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<json> lines(const std::string& file) {
    std::vector<json> out;
    std::ifstream in(dir_ / file);
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line));
    return out;
  }
  int mode(const std::string& file) {
    struct stat st {};
    if (::stat((dir_ / file).c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 0777);
  }
  std::filesystem::path dir_;
};

TEST_F(FhirExporter, WritesTheBulkDataLayoutWithPrivateFiles) {
  Exporter e(dir_);
  EXPECT_TRUE(e.add(fhir_samples::full_practice()));
  EXPECT_TRUE(e.add(fhir_samples::full_provider()));
  EXPECT_TRUE(e.add(fhir_samples::full_location()));
  EXPECT_TRUE(e.add(fhir_samples::full_patient()));
  EXPECT_TRUE(e.add(fhir_samples::full_appointment()));
  auto m = e.finish("test");
  EXPECT_EQ(m.counts,
            (std::map<std::string, std::size_t>{
                {"Appointment", 1}, {"Location", 1}, {"Organization", 1}, {"Patient", 1}, {"Practitioner", 1}}));
  EXPECT_EQ(m.skipped, 0u);
  EXPECT_EQ(m.dropped_references, 0u);
  for (const char* f : {"Organization.ndjson", "Practitioner.ndjson", "Location.ndjson", "Patient.ndjson",
                        "Appointment.ndjson", "manifest.json"})
    EXPECT_EQ(mode(f), 0600) << f;
  EXPECT_EQ(mode("."), 0700);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "OperationOutcome.ndjson"));
  EXPECT_EQ(lines("Patient.ndjson").at(0), to_patient(fhir_samples::full_patient()).resource);
  std::ifstream in(dir_ / "manifest.json");
  json manifest = json::parse(in);
  EXPECT_EQ(manifest, m.json);
  EXPECT_EQ(manifest["request"], "test");
  EXPECT_EQ(manifest["output"].size(), 5u);
  EXPECT_EQ(manifest["output"][0], json({{"type", "Appointment"}, {"url", "Appointment.ndjson"}, {"count", 1}}));
  EXPECT_EQ(manifest["transactionTime"].get<std::string>().back(), 'Z');
}

TEST_F(FhirExporter, ReferencesToRecordsNotExportedAreLeftOut) {
  Exporter e(dir_);
  // No practice, provider or location: the patient keeps no reference, the appointment only its patient.
  EXPECT_TRUE(e.add(fhir_samples::full_patient()));
  EXPECT_TRUE(e.add(fhir_samples::full_appointment()));
  auto orphan = fhir_samples::full_appointment();
  orphan.ID = "901";
  orphan.PatientID = "43";  // not exported: with the provider and location gone it has no participant left
  EXPECT_FALSE(e.add(orphan));
  auto m = e.finish("test");
  auto patient = lines("Patient.ndjson").at(0);
  EXPECT_FALSE(patient.contains("managingOrganization"));
  EXPECT_FALSE(patient.contains("generalPractitioner"));
  auto appointment = lines("Appointment.ndjson").at(0);
  ASSERT_EQ(appointment["participant"].size(), 1u);
  EXPECT_EQ(appointment["participant"][0]["actor"]["reference"], "Patient/42");
  EXPECT_EQ(m.dropped_references, 2u + 2u + 3u);
  EXPECT_EQ(m.skipped, 1u);
  EXPECT_EQ(m.counts.at("Appointment"), 1u);
  EXPECT_EQ(mode("OperationOutcome.ndjson"), 0600);
  auto outcomes = lines("OperationOutcome.ndjson");
  EXPECT_EQ(outcomes.size(), m.issues.size());
  EXPECT_EQ(outcomes.back()["issue"][0]["diagnostics"].get<std::string>().rfind("Appointment/901: not exported", 0),
            0u);
}

TEST_F(FhirExporter, RecordsWithoutIdUnmappableOrRepeatedAreSkippedAndReported) {
  Exporter e(dir_);
  EXPECT_FALSE(e.add(PatientData()));
  EXPECT_TRUE(e.add(fhir_samples::full_patient()));
  EXPECT_FALSE(e.add(fhir_samples::full_patient()));
  auto bad = fhir_samples::full_appointment();
  bad.ConfirmationStatus = "Tentatively maybe";
  EXPECT_FALSE(e.add(bad));
  auto m = e.finish("test");
  EXPECT_EQ(m.skipped, 3u);
  EXPECT_EQ(m.counts.at("Patient"), 1u);
  EXPECT_EQ(m.counts.count("Appointment"), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "Appointment.ndjson"));
  std::vector<std::string> skipped;  // the others are the patient's references, left out
  for (const auto& issue : m.issues)
    if (issue.message.rfind("not exported", 0) == 0) skipped.push_back(issue.message);
  ASSERT_EQ(skipped.size(), 3u);
  EXPECT_NE(skipped[0].find("no ID"), std::string::npos);
  EXPECT_NE(skipped[1].find("already exported"), std::string::npos);
  EXPECT_NE(skipped[2].find("Tentatively maybe"), std::string::npos);
}

TEST_F(FhirExporter, AnExistingFileIsMadePrivate) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "Patient.ndjson") << "old\n";
  std::filesystem::permissions(dir_ / "Patient.ndjson", std::filesystem::perms::all);
  Exporter e(dir_);
  e.add(fhir_samples::full_patient());
  e.finish("test");
  EXPECT_EQ(mode("Patient.ndjson"), 0600);
  EXPECT_EQ(lines("Patient.ndjson").size(), 1u);
}

}  // namespace
}  // namespace kareo::fhir
