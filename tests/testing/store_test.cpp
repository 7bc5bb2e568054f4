// The store without a network: exact sizes, determinism, the JSON data format, big data sets.
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>

#include "support.hpp"

using namespace fake_test;
using kareo::testing::DataSizes;
using kareo::testing::Store;

namespace {

std::set<std::string> practices_of(const Store& store, Entity e, const char* column) {
  std::set<std::string> out;
  for (auto id : store.ids(e)) out.insert(store.get(e, id)->at(column));
  return out;
}

}  // namespace

TEST(FakeServerStore, SizesAreExactTotals) {
  auto o = small_options();
  o.sizes = DataSizes{3, 5, 4, 7, 101, 203, 51, 199, 77, 301, 3};
  FakeServer server(o);
  const Store& s = server.store();
  EXPECT_EQ(s.count(Entity::Practice), 3u);
  EXPECT_EQ(s.count(Entity::Provider), 5u);
  EXPECT_EQ(s.count(Entity::ServiceLocation), 4u);
  EXPECT_EQ(s.count(Entity::ProcedureCode), 7u);
  EXPECT_EQ(s.count(Entity::Patient), 101u);
  EXPECT_EQ(s.count(Entity::Appointment), 203u);
  EXPECT_EQ(s.count(Entity::Encounter), 51u);
  EXPECT_EQ(s.count(Entity::Charge), 199u);
  EXPECT_EQ(s.count(Entity::Payment), 77u);
  EXPECT_EQ(s.count(Entity::Transaction), 301u);
  EXPECT_EQ(s.count(Entity::ExternalVendor), 3u);
  EXPECT_EQ(s.count(Entity::Document), 0u);
  // Spread over every practice; names are obviously synthetic.
  EXPECT_EQ(practices_of(s, Entity::Patient, "PracticeName"),
            (std::set<std::string>{"Testpractice Alpha", "Testpractice Bravo", "Testpractice Charlie"}));
  EXPECT_EQ(s.get(Entity::Patient, 101)->at("LastName"), "Testpatient101");
  // Dates over the two years before today (2025-06-15).
  for (auto id : s.ids(Entity::Appointment)) {
    auto start = s.get(Entity::Appointment, id)->at("StartDate");
    int year = std::stoi(start.substr(start.rfind('/') + 1, 4));
    EXPECT_TRUE(year >= 2023 && year <= 2025) << start;
  }
}

TEST(FakeServerStore, ZeroSizesAreFine) {
  auto o = small_options();
  o.sizes = DataSizes{0, 0, 0, 0, 0, 5, 0, 3, 2, 2, 0};
  FakeServer server(o);
  EXPECT_EQ(server.store().count(Entity::Appointment), 5u);
  EXPECT_EQ(server.store().count(Entity::Charge), 3u);
  o.sizes.patients = -1;
  EXPECT_THROW(FakeServer{o}, std::invalid_argument);
}

TEST(FakeServerStore, SameSeedSameData) {
  auto o = small_options();
  FakeServer a(o), b(o);
  EXPECT_EQ(a.store().to_json(), b.store().to_json());
  o.seed = 8;
  FakeServer c(o);
  EXPECT_NE(a.store().to_json(), c.store().to_json());
  // A record does not depend on how many others there are.
  o = small_options();
  o.sizes.patients = 80;
  o.sizes.appointments = 10;
  FakeServer d(o);
  EXPECT_EQ(a.store().get(Entity::Patient, 17)->at("DOB"), d.store().get(Entity::Patient, 17)->at("DOB"));
  EXPECT_EQ(a.store().get(Entity::Patient, 17)->at("HomePhone"), d.store().get(Entity::Patient, 17)->at("HomePhone"));
}

TEST(FakeServerStore, JsonRoundTrip) {
  const std::string dir = scratch_dir("json");
  auto o = small_options();
  FakeServer original(o);
  {
    // The dump holds patient records: its owner's only, whatever the umask.
    const mode_t old_mask = ::umask(0);
    original.store().save_json(dir + "/data.json");
    ::umask(old_mask);
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/data.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
  }
  auto loaded_options = small_options();
  loaded_options.data_file = dir + "/data.json";
  loaded_options.sizes = DataSizes{};  // ignored with a data file
  FakeServer loaded(loaded_options);
  EXPECT_EQ(loaded.store().to_json(), original.store().to_json());
  EXPECT_EQ(loaded.store().find_by_external_id(Entity::Patient, "EXT-P-3", 1), 3);
  EXPECT_EQ(loaded.store().ids(Entity::Charge, {{"PracticeID", "1"}}),
            original.store().ids(Entity::Charge, {{"PracticeID", "1"}}));
}

TEST(FakeServerStore, HandWrittenJsonFile) {
  const std::string dir = scratch_dir("json-hand");
  {
    std::ofstream f(dir + "/data.json");
    f << R"({
      "format": "kareo-fake-data/1",
      "customer_id": 4242,
      "practices": [ { "ID": "7", "PracticeName": "Testpractice Handmade", "Active": "True" } ],
      "patients": [
        { "ID": "100", "PracticeId": "7", "PracticeName": "Testpractice Handmade", "FirstName": "Hand",
          "LastName": "Testwritten", "LastModifiedDate": "3/4/2025 10:15:00 AM", "@external_ids": { "1": "HW-1" },
          "Cases": [ { "Name": "Hand Case", "PatientCaseID": "9" } ] }
      ]
    })";
  }
  auto o = small_options();
  o.data_file = dir + "/data.json";
  auto server = started(o);
  EXPECT_EQ(server->store().count(Entity::Patient), 1u);
  EXPECT_EQ(server->store().count(Entity::Appointment), 0u);
  EXPECT_EQ(server->store().find_by_external_id(Entity::Patient, "HW-1"), 100);
  auto rec = server->store().get(Entity::Patient, 100);
  EXPECT_EQ(rec->at("FirstName"), "Hand");
  EXPECT_FALSE(rec->count("HomePhone"));  // not given: null, nothing made up

  Client c(*server);
  _kareo__GetPatients in;
  in.request = patients_request(c, "7");
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(c.proxy.GetPatients(c.endpoint(), nullptr, &in, out), SOAP_OK) << c.fault();
  ASSERT_EQ(out.GetPatientsResult->Patients->PatientData.size(), 1u);
  const auto& p = *out.GetPatientsResult->Patients->PatientData[0];
  EXPECT_EQ(p.LastName, "Testwritten");
  EXPECT_FALSE(p.HomePhone);
  ASSERT_TRUE(p.Cases);
  EXPECT_EQ(p.Cases->PatientCaseData.at(0)->Name, "Hand Case");
  EXPECT_EQ(out.GetPatientsResult->SecurityResponse->CustomerId, 4242);
}

TEST(FakeServerStore, BadJsonFilesAreExplained) {
  const std::string dir = scratch_dir("json-bad");
  auto attempt = [&](const std::string& text) -> std::string {
    {
      std::ofstream f(dir + "/bad.json");
      f << text;
    }
    auto o = small_options();
    o.data_file = dir + "/bad.json";
    try {
      FakeServer s(o);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(attempt("{ not json").find("not JSON"), std::string::npos);
  EXPECT_NE(attempt(R"({"widgets": []})").find("unknown list \"widgets\""), std::string::npos);
  EXPECT_NE(
      attempt(R"({"patients": [ { "ID": "1", "Colour": "blue" } ]})").find("patients[0]: Patient has no member Colour"),
      std::string::npos);
  EXPECT_NE(attempt(R"({"patients": [ { "ID": "x" } ]})").find("invalid ID"), std::string::npos);
  EXPECT_NE(attempt(R"({"patients": [ { "ID": "1" }, { "ID": "1" } ]})").find("exists already"), std::string::npos);
  EXPECT_NE(attempt(R"({"format": "something-else"})").find("unknown data format"), std::string::npos);
  auto o = small_options();
  o.data_file = dir + "/missing.json";
  EXPECT_THROW(FakeServer{o}, std::runtime_error);
}

TEST(FakeServerStore, LargeDataSetsAreQuickAndStreamed) {
  auto o = small_options();
  o.sizes.patients = 20000;
  auto t0 = std::chrono::steady_clock::now();
  auto server = started(o);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(server->store().count(Entity::Patient), 20000u);
  // 10,000 patients with every column in one answer, sent chunked as it is written.
  auto r =
      http_post(server->port(), soap_action("GetPatients"),
                envelope(*server, "GetPatients", "<k:Fields/><k:Filter><k:PracticeID>1</k:PracticeID></k:Filter>"));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  EXPECT_NE(r.headers.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_GT(r.body.size(), 100u * 1000 * 1000);
  std::size_t rows = 0;
  for (auto pos = r.body.find("<PatientData>"); pos != std::string::npos; pos = r.body.find("<PatientData>", pos + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 10000u);
  EXPECT_EQ(server->calls().back().rows, 10000u);
}
