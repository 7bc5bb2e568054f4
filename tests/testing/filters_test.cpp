// Filters behave as the guide and integrators describe them, over the wire and in Store::ids alike.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "kareo_optable.hpp"
#include "support.hpp"

using namespace fake_test;
using kareo::testing::Filter;
using kareo::testing::FilterError;

namespace {

class FakeServerFilters : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = started(small_options()).release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  FakeServer& server() { return *server_; }
  kareo::testing::Store& store() { return server_->store(); }
  Client client{*server_};
  static FakeServer* server_;

  std::vector<std::int64_t> wire_patients(const std::function<void(kareo__PatientFilter&)>& set) {
    _kareo__GetPatients in;
    in.request = client.request<kareo__GetPatientsReq>();
    in.request->Fields = std::make_shared<kareo__PatientFieldsToReturn>();
    in.request->Filter = std::make_shared<kareo__PatientFilter>();
    set(*in.request->Filter);
    _kareo__GetPatientsResponse out;
    EXPECT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
    if (!out.GetPatientsResult || !out.GetPatientsResult->Patients) return {};
    return row_ids(out.GetPatientsResult->Patients->PatientData);
  }
};
FakeServer* FakeServerFilters::server_ = nullptr;

/// "yyyy-MM-dd" of the day `days` after 2024-01-01.
std::string day_of_2024(int days) {
  long z = 19723 + days + 719468;  // 2024-01-01 is day 19723 since 1970-01-01
  const long era = z / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const long d = doy - (153 * mp + 2) / 5 + 1;
  const long m = mp < 10 ? mp + 3 : mp - 9;
  const long y = yoe + era * 400 + (m <= 2);
  char text[64];
  std::snprintf(text, sizeof text, "%04ld-%02ld-%02ld", y, m, d);
  return text;
}

/// The widest window the operation table allows on any date field of the row (0: none).
int table_limit(const kareo::optable::Row& row) {
  int days = 0;
  for (const auto& pair : row.paging) days = std::max(days, pair.max_window_days);
  return days;
}

}  // namespace

TEST_F(FakeServerFilters, DateRangeIsInclusiveOfFromAndTo) {
  // Take a real LastModifiedDate and ask for exactly that instant.
  auto rec = store().get(Entity::Patient, 5);
  const std::string when = rec->at("LastModifiedDate");
  auto ids =
      store().ids(Entity::Patient, {{"PracticeID", "1"}, {"FromLastModifiedDate", when}, {"ToLastModifiedDate", when}});
  EXPECT_NE(std::find(ids.begin(), ids.end(), 5), ids.end());
  // The same over the wire, with the date in another accepted form.
  auto wire = wire_patients([&](kareo__PatientFilter& f) {
    f.PracticeID = "1";
    f.FromLastModifiedDate = when;
    f.ToLastModifiedDate = when;
  });
  EXPECT_EQ(wire, ids);
}

TEST_F(FakeServerFilters, WindowsPartitionTheData) {
  // Consecutive one-month windows [a, b), [b, c) ... cover every patient of the practice exactly once when the
  // ends do not overlap; with inclusive ends a record on a boundary can be in two windows (dedupe by ID).
  std::set<std::int64_t> seen;
  for (int month = 0; month < 25; ++month) {
    int y = 2023 + (5 + month) / 12, m = (5 + month) % 12 + 1;
    int y2 = 2023 + (6 + month) / 12, m2 = (6 + month) % 12 + 1;
    Filter f{{"PracticeName", "Testpractice Alpha"},
             {"FromCreatedDate", std::to_string(m) + "/1/" + std::to_string(y)},
             {"ToCreatedDate", std::to_string(m2) + "/1/" + std::to_string(y2)}};
    for (auto id : store().ids(Entity::Patient, f)) seen.insert(id);
  }
  auto all = store().ids(Entity::Patient, {{"PracticeName", "Testpractice Alpha"}});
  EXPECT_EQ(std::vector<std::int64_t>(seen.begin(), seen.end()), all);
}

TEST_F(FakeServerFilters, AcceptedDateForms) {
  Filter base{{"PracticeID", "1"}};
  auto with = [&](const std::string& from, const std::string& to) {
    Filter f = base;
    f["FromCreatedDate"] = from;
    f["ToCreatedDate"] = to;
    return store().ids(Entity::Patient, f);
  };
  auto a = with("1/5/2025", "3/1/2025");
  EXPECT_EQ(with("01/05/2025 12:00:00 AM", "03/01/2025 12:00:00 AM"), a);
  EXPECT_EQ(with("2025-01-05", "2025-03-01"), a);
  EXPECT_EQ(with("2025-01-05T00:00:00", "2025-03-01T00:00:00"), a);
  try {
    with("5th of January", "2025-03-01");
    FAIL() << "an unreadable date was accepted";
  } catch (const FilterError& e) {
    EXPECT_FALSE(e.fault());
    EXPECT_STREQ(e.what(), "String was not recognized as a valid DateTime.");
  }
  // Over the wire the same refusal is an ErrorResponse.
  _kareo__GetPatients in;
  in.request = patients_request(client, "1");
  in.request->Filter->FromCreatedDate = "yesterday";
  in.request->Filter->ToCreatedDate = "today";
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_OK);
  EXPECT_EQ(out.GetPatientsResult->ErrorResponse->IsError, true);
  EXPECT_EQ(out.GetPatientsResult->ErrorResponse->ErrorMessage, "String was not recognized as a valid DateTime.");
}

TEST_F(FakeServerFilters, OneEndedRangeIsASevenDayWindow) {
  auto one = store().ids(Entity::Payment, {{"FromPostDate", "2025-02-01"}});
  auto two = store().ids(Entity::Payment, {{"FromPostDate", "2025-02-01"}, {"ToPostDate", "2025-02-08"}});
  EXPECT_EQ(one, two);
  auto back = store().ids(Entity::Payment, {{"ToPostDate", "2025-02-08"}});
  EXPECT_EQ(back, two);
}

TEST_F(FakeServerFilters, ToDateOfBirthIsExclusive) {
  auto rec = store().get(Entity::Patient, 7);
  const std::string dob = rec->at("DOB");  // "M/d/yyyy 12:00:00 AM"
  auto on = store().ids(Entity::Patient, {{"PracticeID", "1"}, {"FromDateOfBirth", dob}, {"ToDateOfBirth", dob}});
  EXPECT_TRUE(on.empty());
  auto wire = wire_patients([&](kareo__PatientFilter& f) {
    f.PracticeID = "1";
    f.FromDateOfBirth = dob;
    f.ToDateOfBirth = dob;
  });
  // An empty result is one placeholder row, which row_ids drops.
  EXPECT_TRUE(wire.empty());
}

TEST_F(FakeServerFilters, NamesAndPractice) {
  auto alphas = wire_patients([](kareo__PatientFilter& f) {
    f.PracticeName = "testpractice alpha";
    f.FirstName = "Alpha";
  });
  // Patients 1, 27 are "Alpha"; both in practice 1 (odd IDs).
  EXPECT_EQ(alphas, (std::vector<std::int64_t>{1, 27}));
  EXPECT_EQ(alphas, store().ids(Entity::Patient, {{"PracticeName", "Testpractice Alpha"}, {"FirstName", "alpha"}}));
  auto full = wire_patients([](kareo__PatientFilter& f) {
    f.PracticeID = "2";
    f.FullName = "Bravo Testpatient2";
  });
  EXPECT_EQ(full, std::vector<std::int64_t>{2});
}

TEST_F(FakeServerFilters, GetPatientsNeedsAPractice) {
  EXPECT_THROW(store().ids(Entity::Patient, {{"FirstName", "Alpha"}}), FilterError);
  auto wire_error = [&] {
    _kareo__GetPatients in;
    in.request = client.request<kareo__GetPatientsReq>();
    in.request->Fields = std::make_shared<kareo__PatientFieldsToReturn>();
    in.request->Filter = std::make_shared<kareo__PatientFilter>();
    in.request->Filter->FirstName = "Alpha";
    _kareo__GetPatientsResponse out;
    EXPECT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_OK);
    return out.GetPatientsResult->ErrorResponse->IsError.value_or(false);
  };
  EXPECT_TRUE(wire_error());
}

TEST_F(FakeServerFilters, MissingFilterIsAnInternalServiceFault) {
  _kareo__GetPatients in;
  in.request = client.request<kareo__GetPatientsReq>();
  in.request->Fields = std::make_shared<kareo__PatientFieldsToReturn>();
  _kareo__GetPatientsResponse out;
  EXPECT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_FAULT);
  EXPECT_NE(std::string(*soap_faultcode(client.proxy.soap)).find("InternalServiceFault"), std::string::npos);
}

TEST_F(FakeServerFilters, GetChargesRefusesPostingWindowsOverSixtyDays) {
  EXPECT_NO_THROW(store().ids(Entity::Charge, {{"FromPostingDate", "1/1/2025"}, {"ToPostingDate", "3/2/2025"}}));
  try {
    store().ids(Entity::Charge, {{"FromPostingDate", "1/1/2025"}, {"ToPostingDate", "3/3/2025"}});
    FAIL() << "a 61-day window was accepted";
  } catch (const FilterError& e) {
    EXPECT_TRUE(e.fault());
  }
  _kareo__GetCharges in;
  in.request = client.request<kareo__GetChargesReq>();
  in.request->Fields = std::make_shared<kareo__ChargeFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__ChargeFilter>();
  in.request->Filter->FromPostingDate = "2024-01-01";
  in.request->Filter->ToPostingDate = "2025-01-01";
  _kareo__GetChargesResponse out;
  EXPECT_EQ(client.proxy.GetCharges(client.endpoint(), nullptr, &in, out), SOAP_FAULT);
  // Other date pairs of GetCharges have no limit.
  EXPECT_NO_THROW(
      store().ids(Entity::Charge, {{"FromLastModifiedDate", "1/1/2024"}, {"ToLastModifiedDate", "6/1/2025"}}));
}

TEST_F(FakeServerFilters, GetChargesHidesUnapprovedEncountersUnlessAsked) {
  Filter f{{"PracticeName", "Testpractice Alpha"}};
  auto approved = store().ids(Entity::Charge, f);
  f["IncludeUnapprovedCharges"] = "T";
  auto all = store().ids(Entity::Charge, f);
  EXPECT_LE(approved.size(), all.size());
  for (auto id : approved) EXPECT_EQ(store().get(Entity::Charge, id)->at("EncounterStatus"), "Approved");
  std::size_t practice_charges = 0;
  for (auto id : store().ids(Entity::Charge)) {
    practice_charges += store().get(Entity::Charge, id)->at("PracticeName") == "Testpractice Alpha";
  }
  EXPECT_EQ(all.size(), practice_charges);
}

TEST_F(FakeServerFilters, AppointmentsByStartDateAndDefaultWindow) {
  auto ids = store().ids(Entity::Appointment, {{"StartDate", "2025-03-01"}, {"EndDate", "2025-04-15"}});
  for (auto id : ids) {
    auto start = store().get(Entity::Appointment, id)->at("StartDate");
    auto m = std::stoi(start.substr(0, start.find('/')));
    EXPECT_TRUE(m == 3 || m == 4) << start;
  }
  // Without any date pair: from 3 days before today for 7 days (today is 2025-06-15).
  auto def = store().ids(Entity::Appointment, {{"PracticeName", "Testpractice Alpha"}});
  EXPECT_EQ(
      def, store().ids(Entity::Appointment,
                       {{"PracticeName", "Testpractice Alpha"}, {"StartDate", "6/12/2025"}, {"EndDate", "6/19/2025"}}));
}

TEST_F(FakeServerFilters, FieldsNamedReturnOnlyThoseColumns) {
  _kareo__GetPatients in;
  in.request = patients_request(client, "1");
  in.request->Fields->FirstName = true;
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  const auto& p = *out.GetPatientsResult->Patients->PatientData.at(0);
  EXPECT_TRUE(p.FirstName);
  EXPECT_TRUE(p.ID);  // rows keep their ID
  EXPECT_FALSE(p.LastName);
  EXPECT_FALSE(p.AddressLine1);
}

TEST_F(FakeServerFilters, PaymentsTransactionsProvidersLocationsCodes) {
  auto by_amount = store().get(Entity::Payment, 3)->at("Amount");
  auto ids = store().ids(Entity::Payment, {{"Amount", by_amount}});
  EXPECT_NE(std::find(ids.begin(), ids.end(), 3), ids.end());
  EXPECT_EQ(store().ids(Entity::Payment, {{"ID", "4"}}), std::vector<std::int64_t>{4});
  EXPECT_THROW(store().ids(Entity::Payment, {{"ID", "four"}}), FilterError);
  auto charge_tx = store().ids(Entity::Transaction, {{"Type", "Charge"}});
  for (auto id : charge_tx) EXPECT_EQ(store().get(Entity::Transaction, id)->at("Type"), "Charge");
  EXPECT_THROW(store().ids(Entity::Transaction, {}), FilterError);
  EXPECT_EQ(store().ids(Entity::Provider, {{"FullName", "Bravo Testdoctor2"}}), std::vector<std::int64_t>{2});
  EXPECT_EQ(store().ids(Entity::ServiceLocation, {{"PracticeID", "2"}}), std::vector<std::int64_t>{2});
  EXPECT_EQ(store().ids(Entity::ProcedureCode, {{"ProcedureCode", "T1003"}}), std::vector<std::int64_t>{3});
  EXPECT_EQ(store().ids(Entity::Practice, {{"Active", "true"}}).size(), 2u);
}

TEST(FakeServerWindowLimits, ConfiguredPerOperation) {
  auto o = small_options();
  o.window_limit_days = {{"GetPatients", 30}, {"GetCharges", 0}};
  FakeServer server(o);
  auto& store = server.store();
  EXPECT_NO_THROW(store.ids(Entity::Patient,
                            {{"PracticeID", "1"}, {"FromCreatedDate", "1/1/2025"}, {"ToCreatedDate", "1/31/2025"}}));
  EXPECT_THROW(
      store.ids(Entity::Patient, {{"PracticeID", "1"}, {"FromCreatedDate", "1/1/2025"}, {"ToCreatedDate", "3/1/2025"}}),
      FilterError);
  // 0 lifts GetCharges' default 60-day limit.
  EXPECT_NO_THROW(store.ids(Entity::Charge, {{"FromPostingDate", "1/1/2024"}, {"ToPostingDate", "6/1/2025"}}));
  o.window_limit_days = {{"GetPatientz", 3}};
  EXPECT_THROW(FakeServer{o}, std::invalid_argument);
}

TEST(FakeServerWindowLimits, DefaultsAreTheOperationTablesMaxWindowDays) {
  std::map<std::string, int> expected;
  for (const auto& row : kareo::optable::kTable) {
    if (table_limit(row) > 0) expected[row.name] = table_limit(row);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(kareo::testing::default_window_limits(), expected);

  // A store operation with a limit faults on a window one day wider than it on one of its limited date pairs (the
  // primary one), and on none at the limit; one without a limit faults on no window.
  const std::map<std::string, Entity> entities = {
#define KAREO_TEST_ENTITY_(E, Op) {#Op, Entity::E},
      KAREO_STORE_ENTITY_OPERATIONS(KAREO_TEST_ENTITY_)
#undef KAREO_TEST_ENTITY_
  };
  FakeServer server(small_options());
  const auto& store = server.store();
  for (const auto& row : kareo::optable::kTable) {
    const auto entity = entities.find(row.name);
    if (entity == entities.end()) continue;
    int faults = 0;
    for (const auto& pair : row.paging) {
      if (!*pair.from) continue;
      const int limit = pair.max_window_days > 0 ? pair.max_window_days : 400;
      EXPECT_NO_THROW(
          store.ids(entity->second, {{"PracticeID", "1"}, {pair.from, day_of_2024(0)}, {pair.to, day_of_2024(limit)}}))
          << row.name << " " << pair.from;
      if (pair.max_window_days == 0) continue;
      try {
        store.ids(entity->second,
                  {{"PracticeID", "1"}, {pair.from, day_of_2024(0)}, {pair.to, day_of_2024(limit + 1)}});
      } catch (const FilterError& e) {
        EXPECT_TRUE(e.fault()) << row.name << " " << pair.from;
        ++faults;
      }
    }
    EXPECT_EQ(faults > 0, expected.count(row.name) > 0) << row.name;
  }
}
