// The ranged reads of each list call through a Client: which filter pair each DateField sets, the 59-day windows
// of GetCharges and of GetAppointments by service date, records edited while a read goes on (the newest version
// wins, with bounded memory), and the GetAllPatients cursor.
#include <gtest/gtest.h>

#include <set>

#include "by_date.hpp"
#include "kareo/client.hpp"
#include "kareo/paging.hpp"
#include "mock_service.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using policy_test::MockConnection;

DateTime at(int y, int m, int d) { return DateTime(Date(y, m, d)); }
const TimeRange kYear{at(2024, 1, 1), at(2025, 1, 1)};

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<MockConnection> mock = std::make_shared<MockConnection>(clock);
  Client client{Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(mock)};
  // The (From, To) texts of every call, per member name pair.
  std::vector<std::map<std::string, std::string>> filters;
  Fixture() {
    mock->handler = [this](Exchange& ex) { record(ex); };
  }

  template <typename Filter>
  static std::map<std::string, std::string> dates(const Filter& f) {
    std::map<std::string, std::string> out;
    auto put = [&](const char* name, const std::optional<std::string>& v) {
      if (v) out[name] = *v;
    };
    if constexpr (std::is_same_v<Filter, ChargeFilter>) {
      put("FromPostingDate", f.FromPostingDate);
      put("ToPostingDate", f.ToPostingDate);
      put("FromServiceDate", f.FromServiceDate);
      put("ToServiceDate", f.ToServiceDate);
    }
    if constexpr (std::is_same_v<Filter, AppointmentFilter>) {
      put("StartDate", f.StartDate);
      put("EndDate", f.EndDate);
    }
    if constexpr (std::is_same_v<Filter, PaymentFilter>) {
      put("FromPostDate", f.FromPostDate);
      put("ToPostDate", f.ToPostDate);
    }
    if constexpr (std::is_same_v<Filter, TransactionFilter>) {
      put("FromTransactionDate", f.FromTransactionDate);
      put("ToTransactionDate", f.ToTransactionDate);
      put("FromPostingDate", f.FromPostingDate);
      put("ToPostingDate", f.ToPostingDate);
      put("FromServiceDate", f.FromServiceDate);
      put("ToServiceDate", f.ToServiceDate);
      put("FromLastModifiedDate", f.FromLastModifiedDate);
      put("ToLastModifiedDate", f.ToLastModifiedDate);
    } else {
      put("FromLastModifiedDate", f.FromLastModifiedDate);
      put("ToLastModifiedDate", f.ToLastModifiedDate);
      put("FromCreatedDate", f.FromCreatedDate);
      put("ToCreatedDate", f.ToCreatedDate);
    }
    return out;
  }

  void record(Exchange& ex) {
    switch (ex.operation) {
#define KAREO_RECORD_(Op)                                                   \
  case Operation::Op:                                                       \
    filters.push_back(dates(*ex.request<Operation::Op>().request->Filter)); \
    break;
      KAREO_RECORD_(GetPatients)
      KAREO_RECORD_(GetAppointments)
      KAREO_RECORD_(GetCharges)
      KAREO_RECORD_(GetPayments)
      KAREO_RECORD_(GetTransactions)
      KAREO_RECORD_(GetProviders)
      KAREO_RECORD_(GetPractices)
      KAREO_RECORD_(GetServiceLocations)
      KAREO_RECORD_(GetProcedureCodes)
#undef KAREO_RECORD_
      default:
        break;
    }
    policy_test::succeed(ex);
  }

  // Every call set exactly the pair `from`/`to`, with windows no wider than `max_days`, covering the year.
  void expect_pair(const std::string& from, const std::string& to, long max_days) {
    ASSERT_FALSE(filters.empty());
    std::optional<DateTime> previous_end;
    for (const auto& f : filters) {
      ASSERT_EQ(f.size(), 2u) << "members set: " << f.begin()->first;
      ASSERT_EQ(f.count(from), 1u);
      ASSERT_EQ(f.count(to), 1u);
      const auto a = DateTime::parse(f.at(from)), b = DateTime::parse(f.at(to));
      ASSERT_TRUE(a && b);
      EXPECT_LE(detail::to_seconds(*b) - detail::to_seconds(*a), max_days * 86400);
      if (previous_end) {
        EXPECT_EQ(*a, *previous_end);  // windows share their edges
      }
      previous_end = b;
    }
    EXPECT_EQ(DateTime::parse(filters.front().at(from)), kYear.from);
    EXPECT_EQ(DateTime::parse(filters.back().at(to)), kYear.to);
  }
};

PagingOptions wide() {
  PagingOptions o;
  o.window = std::chrono::hours(24 * 365);
  return o;
}

TEST(PagingCalls, ChargesByPostingOrServiceDateStayADayBelowSixtyDays) {
  {
    // Both ends are sent: a window of 59 days spans 60 calendar days if the service counts both.
    Fixture f;
    f.client.charges(by_date<kareo::ChargeQuery>({}, DateField::Posting, kYear, wide())).collect();
    f.expect_pair("FromPostingDate", "ToPostingDate", 59);
    EXPECT_EQ(f.filters.size(), 7u);
  }
  {
    Fixture f;
    f.client.charges(by_date<kareo::ChargeQuery>({}, DateField::Service, kYear)).collect();  // by default, the widest
    f.expect_pair("FromServiceDate", "ToServiceDate", 59);
    EXPECT_EQ(f.filters.size(), 7u);
  }
}

TEST(PagingCalls, AppointmentsByServiceDateUseStartAndEndDate) {
  Fixture f;
  f.client.appointments(by_date<kareo::AppointmentQuery>({}, DateField::Service, kYear, wide())).collect();
  f.expect_pair("StartDate", "EndDate", 59);
  Fixture g;
  g.client.appointments(by_date<kareo::AppointmentQuery>({}, DateField::LastModified, kYear, wide())).collect();
  g.expect_pair("FromLastModifiedDate", "ToLastModifiedDate", 366);
  EXPECT_EQ(g.filters.size(), 2u);
}

TEST(PagingCalls, EachListCallSetsTheChosenPair) {
  Fixture f1;
  PatientFilter pf;
  pf.PracticeName = "Testpractice Alpha";
  f1.client.patients(by_date<kareo::PatientQuery>(pf, DateField::Created, kYear)).collect();
  f1.expect_pair("FromCreatedDate", "ToCreatedDate", 366);
  EXPECT_EQ(f1.filters.size(), 1u);  // no window limit: the whole year at once
  Fixture f2;
  f2.client.payments(by_date<kareo::PaymentQuery>({}, DateField::Posting, kYear)).collect();
  f2.expect_pair("FromPostDate", "ToPostDate", 366);
  Fixture f3;
  f3.client.transactions(by_date<kareo::TransactionQuery>({}, DateField::Transaction, kYear)).collect();
  f3.expect_pair("FromTransactionDate", "ToTransactionDate", 366);
  Fixture f4;
  f4.client.transactions(by_date<kareo::TransactionQuery>({}, DateField::LastModified, kYear)).collect();
  f4.expect_pair("FromLastModifiedDate", "ToLastModifiedDate", 366);
  Fixture f5;
  f5.client.providers(by_date<kareo::ProviderQuery>({}, DateField::LastModified, kYear, wide())).collect();
  f5.expect_pair("FromLastModifiedDate", "ToLastModifiedDate", 366);
  Fixture f6;
  f6.client.practices(by_date<kareo::PracticeQuery>({}, DateField::Created, kYear)).collect();
  f6.expect_pair("FromCreatedDate", "ToCreatedDate", 366);
  Fixture f7;
  f7.client.service_locations(by_date<kareo::ServiceLocationQuery>({}, DateField::Created, kYear)).collect();
  f7.expect_pair("FromCreatedDate", "ToCreatedDate", 366);
  Fixture f8;
  f8.client.procedure_codes(by_date<kareo::ProcedureCodeQuery>({}, DateField::LastModified, kYear)).collect();
  f8.expect_pair("FromLastModifiedDate", "ToLastModifiedDate", 366);
}

TEST(PagingCalls, RefusesDateFieldsACallDoesNotHave) {
  Fixture f;
  PatientFilter pf;
  pf.PracticeName = "Testpractice Alpha";
  EXPECT_THROW(f.client.patients(by_date<kareo::PatientQuery>(pf, DateField::Service, kYear)), InvalidArgument);
  EXPECT_THROW(f.client.providers(by_date<kareo::ProviderQuery>({}, DateField::Posting, kYear)), InvalidArgument);
  EXPECT_THROW(f.client.transactions(by_date<kareo::TransactionQuery>({}, DateField::Created, kYear)), InvalidArgument);
  EXPECT_THROW(f.client.charges(by_date<kareo::ChargeQuery>({}, DateField::Posting, {kYear.to, kYear.from})),
               InvalidArgument);
  EXPECT_TRUE(f.filters.empty());
}

// ---- records that change while a read goes on ---------------------------------------------------------------------

struct ServiceFixture {
  std::shared_ptr<policy_test::MockService> service = std::make_shared<policy_test::MockService>();
  Client client{Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(service)};
  PatientFilter filter;
  ServiceFixture() { filter.PracticeName = "Testpractice Alpha"; }
};

TEST(PagingNewestVersion, ARecordEditedAfterItsWindowWasReadComesAgainWithItsNewData) {
  ServiceFixture f;
  const long long jan = detail::to_seconds(at(2024, 1, 1));
  for (int i = 0; i < 40; ++i)
    f.service->patients[100 + i] = {detail::from_seconds(jan + i * 3 * 86400LL + 5 * 3600), "", 0,
                                    "Testpatient " + std::to_string(i)};
  f.service->patients[200] = {at(2024, 1, 31), "", 0, "Testpatient Edge"};  // on the edge of two windows
  PagingOptions o;
  o.window = std::chrono::hours(24 * 30);
  o.on_progress = [&](const PagingProgress& p) {
    if (p.windows_done != 1) return;
    // Patient 101 (January 4) is edited once its window was read.
    f.service->patients[101].last_modified = DateTime(Date(2024, 3, 15), 9, 30, 0);
    f.service->patients[101].name = "Testpatient Edited";
  };
  std::map<std::string, std::string> latest;  // ID -> FirstName of the last copy returned
  std::map<std::string, int> copies;
  for (auto& p : f.client.patients(
           by_date<kareo::PatientQuery>(f.filter, DateField::LastModified, {at(2024, 1, 1), at(2024, 6, 1)}, o))) {
    latest[*p.ID] = p.FirstName.value_or("");
    ++copies[*p.ID];
  }
  EXPECT_EQ(latest.size(), 41u);
  EXPECT_EQ(latest["101"], "Testpatient Edited");
  EXPECT_EQ(copies["101"], 2);
  EXPECT_EQ(copies["200"], 1) << "the same version, returned by two windows, is returned once";
  EXPECT_EQ(copies["100"], 1);
}

// for_each_row() over a connection that fills whole responses (a mock): the same rows as iterating, window by
// window, with the newest version winning and edge duplicates dropped.
TEST(PagingNewestVersion, RowByRowOverAWholeResponseConnectionGivesTheSameRows) {
  ServiceFixture f;
  const long long jan = detail::to_seconds(at(2024, 1, 1));
  for (int i = 0; i < 40; ++i)
    f.service->patients[100 + i] = {detail::from_seconds(jan + i * 3 * 86400LL + 5 * 3600), "", 0,
                                    "Testpatient " + std::to_string(i)};
  f.service->patients[200] = {at(2024, 1, 31), "", 0, "Testpatient Edge"};
  PagingOptions o;
  o.window = std::chrono::hours(24 * 30);
  o.on_progress = [&](const PagingProgress& p) {
    if (p.windows_done != 1) return;
    f.service->patients[101].last_modified = DateTime(Date(2024, 3, 15), 9, 30, 0);
    f.service->patients[101].name = "Testpatient Edited";
  };
  std::map<std::string, std::string> latest;
  std::map<std::string, int> copies;
  f.client
      .patients(by_date<kareo::PatientQuery>(f.filter, DateField::LastModified, {at(2024, 1, 1), at(2024, 6, 1)}, o))
      .for_each_row([&](PatientData& p) {
        latest[*p.ID] = p.FirstName.value_or("");
        ++copies[*p.ID];
      });
  EXPECT_EQ(latest.size(), 41u);
  EXPECT_EQ(latest["101"], "Testpatient Edited");
  EXPECT_EQ(copies["101"], 2);
  EXPECT_EQ(copies["200"], 1);
  EXPECT_EQ(copies["100"], 1);
}

TEST(PagingNewestVersion, CountsNewerVersionsAndDuplicates) {
  ServiceFixture f;
  // Both on the edge of windows 1 and 2; patient 2 is edited after window 1 was read.
  f.service->patients[1] = {at(2024, 1, 31), "", 0, "Testpatient Edge"};
  f.service->patients[2] = {at(2024, 1, 31), "", 0, "Testpatient Edited"};
  PagingOptions o;
  o.window = std::chrono::hours(24 * 30);
  PagingProgress last;
  o.on_progress = [&](const PagingProgress& p) {
    last = p;
    if (p.windows_done == 1) f.service->patients[2].last_modified = DateTime(Date(2024, 1, 31), 0, 0, 1);
  };
  const auto rows = f.client
                        .patients(by_date<kareo::PatientQuery>(f.filter, DateField::LastModified,
                                                               {at(2024, 1, 1), at(2024, 4, 1)}, o))
                        .collect();
  EXPECT_EQ(rows.size(), 3u);  // 1 once, 2 twice
  EXPECT_EQ(last.rows, 3u);
  EXPECT_EQ(last.duplicates, 1u);
  EXPECT_EQ(last.newer_versions, 1u);
}

TEST(PagingNewestVersion, RemembersOnlyTheRowsNearTheEndOfTheLastWindow) {
  ServiceFixture f;
  // 20,000 patients modified over three years: about 18 a day.
  const long long start = detail::to_seconds(at(2021, 1, 1));
  const long long span = detail::to_seconds(at(2024, 1, 1)) - start;
  for (int i = 0; i < 20000; ++i)
    f.service->patients[100 + i] = {detail::from_seconds(start + span * i / 20000), "", 0, "Testpatient"};
  PagingOptions o;
  o.window = std::chrono::hours(24 * 30);
  std::size_t most = 0, reports = 0;
  o.on_progress = [&](const PagingProgress& p) {
    most = std::max(most, p.remembered);
    ++reports;
  };
  std::set<std::string> ids;
  std::size_t rows = 0;
  for (auto& p : f.client.patients(
           by_date<kareo::PatientQuery>(f.filter, DateField::LastModified, {at(2021, 1, 1), at(2024, 1, 1)}, o))) {
    ids.insert(*p.ID);
    ++rows;
  }
  EXPECT_EQ(ids.size(), 20000u);
  EXPECT_EQ(rows, 20000u);
  EXPECT_EQ(reports, 37u);
  // The rows of the last two days of a window (the edge margin), about 37, not the 20,000 of the range.
  EXPECT_GT(most, 0u);
  EXPECT_LE(most, 60u);
}

// ---- GetAllPatients ------------------------------------------------------------------------------------------------

struct Batch {
  std::vector<std::string> ids;
  std::optional<int> next;
};

struct CursorFixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<MockConnection> mock = std::make_shared<MockConnection>(clock);
  Client client{Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(mock)};
  std::map<int, Batch> batches;  // by StartKey
  std::vector<kareo_wire::kareo__PatientBatchGetFilter> sent;
  CursorFixture() {
    mock->handler = [this](Exchange& ex) {
      const auto* body = &ex.request<Operation::GetAllPatients>();
      sent.push_back(*body->request->Filter);
      const Batch& b = batches.at(body->request->Filter->StartKey.value_or(0));
      auto* out = &ex.response<Operation::GetAllPatients>();
      out->GetAllPatientsResult = std::make_shared<kareo_wire::kareo__GetAllPatientsResp>();
      out->GetAllPatientsResult->Patients = std::make_shared<kareo_wire::kareo__ArrayOfPatientBatchData>();
      for (const auto& id : b.ids) {
        auto row = std::make_shared<kareo_wire::kareo__PatientBatchData>();
        row->ID = id;
        out->GetAllPatientsResult->Patients->PatientBatchData.push_back(row);
      }
      if (b.next) {
        out->GetAllPatientsResult->Key = std::make_shared<kareo_wire::kareo__PatientBatchKey>();
        out->GetAllPatientsResult->Key->nextStartKey = *b.next;
      }
    };
  }
  std::vector<std::string> ids(const AllPatientsOptions& o = {}) {
    std::vector<std::string> out;
    for (auto& p : client.all_patients(kareo::AllPatientsQuery{3, {}, o})) out.push_back(*p.ID);
    return out;
  }
};

TEST(PagingAllPatients, FollowsTheCursorToTheEnd) {
  CursorFixture f;
  f.batches[0] = {{"1", "2", "3"}, 3};
  f.batches[3] = {{"3", "4", "", "5"}, 6};  // "3" again, and a placeholder
  f.batches[6] = {{"6"}, std::nullopt};
  AllPatientsOptions o;
  o.batch_size = 3;
  std::vector<PagingProgress> reports;
  o.on_progress = [&](const PagingProgress& p) { reports.push_back(p); };
  EXPECT_EQ(f.ids(o), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
  ASSERT_EQ(f.sent.size(), 3u);
  EXPECT_EQ(f.sent[0].BatchSize, 3);
  EXPECT_EQ(f.sent[0].PracticeID, 3);
  EXPECT_EQ(f.sent[1].StartKey, 3);
  EXPECT_EQ(f.sent[2].StartKey, 6);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports.back().windows_done, 3u);
  EXPECT_EQ(reports.back().rows, 6u);
  EXPECT_EQ(reports.back().duplicates, 1u);
}

TEST(PagingAllPatients, StopsAtAnEmptyBatchAZeroKeyOrARepeatedKey) {
  CursorFixture a;
  a.batches[0] = {{"1"}, 1};
  a.batches[1] = {{}, 2};
  EXPECT_EQ(a.ids().size(), 1u);
  EXPECT_EQ(a.sent.size(), 2u);
  CursorFixture b;
  b.batches[0] = {{"1"}, 0};
  EXPECT_EQ(b.ids().size(), 1u);
  EXPECT_EQ(b.sent.size(), 1u);
  CursorFixture c;
  c.batches[0] = {{"1"}, 5};
  c.batches[5] = {{"2"}, 5};  // a cursor that does not move
  EXPECT_EQ(c.ids().size(), 2u);
  EXPECT_EQ(c.sent.size(), 2u);
}

TEST(PagingAllPatients, ResumesFromAStartKeyAndCanBeCancelled) {
  CursorFixture f;
  f.batches[4] = {{"4", "5"}, 6};
  f.batches[6] = {{"6"}, 7};
  f.batches[7] = {{"7"}, std::nullopt};
  AllPatientsOptions o;
  o.start_key = 4;
  CancellationToken token;
  o.cancel = token;
  o.on_progress = [&](const PagingProgress& p) {
    if (p.windows_done == 2) token.cancel();
  };
  std::vector<std::string> got;
  try {
    for (auto& p : f.client.all_patients(kareo::AllPatientsQuery{3, {}, o})) got.push_back(*p.ID);
    ADD_FAILURE() << "not cancelled";
  } catch (const Cancelled& e) {
    EXPECT_NE(std::string(e.what()).find("start key 7"), std::string::npos) << e.what();
  }
  EXPECT_EQ(got, (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_EQ(f.sent.size(), 2u);
}

TEST(PagingAllPatients, BeginAfterAFailedBatchFetchesThatBatchAgain) {
  CursorFixture f;
  f.batches[0] = {{"1", "2"}, 3};
  f.batches[3] = {{"3", "4"}, 5};
  f.batches[5] = {{"5"}, std::nullopt};
  int calls = 0;
  auto serve = f.mock->handler;
  f.mock->handler = [&](Exchange& ex) {
    ++calls;
    if (calls == 1 || calls == 3) throw policy_test::connection_error(Operation::GetAllPatients, true);
    serve(ex);
  };
  auto range = f.client.all_patients(kareo::AllPatientsQuery{3, {}, {}});
  EXPECT_THROW(range.begin(), ConnectionError);
  std::vector<std::string> got;
  try {
    for (auto& p : range) got.push_back(*p.ID);
    ADD_FAILURE() << "the third call did not fail";
  } catch (const ConnectionError&) {
  }
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2"}));
  for (auto& p : range) got.push_back(*p.ID);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  ASSERT_EQ(f.sent.size(), 3u);  // the calls that got through
  EXPECT_EQ(f.sent[0].StartKey, 0);
  EXPECT_EQ(f.sent[1].StartKey, 3);
  EXPECT_EQ(f.sent[2].StartKey, 5);
  EXPECT_EQ(calls, 5);
}

TEST(PagingAllPatients, APatientEditedBetweenTwoBatchesComesAgainWithItsNewData) {
  CursorFixture f;
  f.batches[0] = {{"1", "2", "3"}, 3};
  f.batches[3] = {{"3", "4"}, 4};             // "3" again, edited in the meantime
  f.batches[4] = {{"4", "5"}, std::nullopt};  // "4" again, unchanged
  auto serve = f.mock->handler;
  f.mock->handler = [&](Exchange& ex) {
    serve(ex);
    const auto* body = &ex.request<Operation::GetAllPatients>();
    auto* out = &ex.response<Operation::GetAllPatients>();
    for (auto& row : out->GetAllPatientsResult->Patients->PatientBatchData) {
      const bool edited = *row->ID == "3" && body->request->Filter->StartKey == 3;
      row->LastModifiedDate = edited ? "3/2/2024 9:00:00 AM" : "3/1/2024 9:00:00 AM";
      row->FirstName = edited ? "Testpatient Edited" : "Testpatient";
    }
  };
  std::vector<std::pair<std::string, std::string>> got;
  PagingProgress last;
  AllPatientsOptions o;
  o.on_progress = [&](const PagingProgress& p) { last = p; };
  for (auto& p : f.client.all_patients(kareo::AllPatientsQuery{3, {}, o}))
    got.emplace_back(*p.ID, p.FirstName.value_or(""));
  const std::vector<std::pair<std::string, std::string>> expected{{"1", "Testpatient"}, {"2", "Testpatient"},
                                                                  {"3", "Testpatient"}, {"3", "Testpatient Edited"},
                                                                  {"4", "Testpatient"}, {"5", "Testpatient"}};
  EXPECT_EQ(got, expected);
  EXPECT_EQ(last.newer_versions, 1u);
  EXPECT_EQ(last.duplicates, 1u);
  EXPECT_LE(last.remembered, 4u);  // the last two batches
}

TEST(PagingAllPatients, RefusesBadArguments) {
  CursorFixture f;
  AllPatientsOptions o;
  o.batch_size = 0;
  EXPECT_THROW(f.client.all_patients(kareo::AllPatientsQuery{3, {}, o}), InvalidArgument);
  o.batch_size = 1001;
  EXPECT_THROW(f.client.all_patients(kareo::AllPatientsQuery{3, {}, o}), InvalidArgument);
  EXPECT_THROW(f.client.all_patients(kareo::AllPatientsQuery{0, {}, {}}), InvalidArgument);
}

}  // namespace
}  // namespace kareo
