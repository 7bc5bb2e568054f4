// The list reads of kareo::Client and kareo::CallOptions against the fake Tebra server (loopback HTTP, real
// sockets): every list read of the operation table is reachable, a query's typed bounds become the wire dates,
// and a call's timeout and cancellation token are honoured within a bounded time.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

#include "kareo/client.hpp"
#include "kareo/testing/fake_server.hpp"
#include "kareo/wire.hpp"
#include "kareo_optable.hpp"
#include "kareo_reads.hpp"
#include "shared_fake_server_suite.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

constexpr const char* kPractice = "Testpractice Alpha";

class Reads : public test_support::SharedFakeServerSuite<Reads> {
 public:
  static testing::FakeServerOptions server_options() {
    testing::DataSizes s;
    s.patients = 60;
    s.appointments = 80;
    s.encounters = 20;
    s.charges = 60;
    s.payments = 40;
    s.transactions = 60;
    return unthrottled_options(s);
  }

 protected:
  static Options options() {
    return Options{}.endpoint(server_->url()).credentials(credentials()).policies(CallPolicies::none());
  }
};

template <typename Filter, typename = void>
struct HasPracticeName : std::false_type {};
template <typename Filter>
struct HasPracticeName<Filter, std::void_t<decltype(std::declval<Filter&>().PracticeName)>> : std::true_type {};

// A query of list read `Op` the fake server answers with rows: the practice, and a last-modified range when the
// operation is paged.
template <Operation Op>
typename reads::Read<Op>::Query query_of() {
  typename reads::Read<Op>::Query query;
  if constexpr (HasPracticeName<typename reads::Read<Op>::Filter>::value) query.filter.PracticeName = kPractice;
  if constexpr (reads::Read<Op>::paged) {
    *date_range(query, DateField::LastModified) = TimeRange{Date(2020, 1, 1), Date(2025, 6, 2)};
  }
  return query;
}

// Every list read of the operation table, by name.
std::map<std::string, std::function<std::size_t(Client&)>> every_read() {
  std::map<std::string, std::function<std::size_t(Client&)>> reads;
#define KAREO_TEST_QUERY_READ_(Name, method, Query, Row) \
  reads[#Name] = [](Client& c) { return c.method(query_of<Operation::Name>()).collect().size(); };
  KAREO_QUERY_READS(KAREO_TEST_QUERY_READ_)
#undef KAREO_TEST_QUERY_READ_
#define KAREO_TEST_PLAIN_READ_(Name, method, Row) reads[#Name] = [](Client& c) { return c.method().collect().size(); };
  KAREO_PLAIN_READS(KAREO_TEST_PLAIN_READ_)
#undef KAREO_TEST_PLAIN_READ_
  reads["GetAllPatients"] = [](Client& c) {
    PracticeQuery practices;
    practices.filter.PracticeName = kPractice;
    const int practice = std::stoi(c.practices(practices).collect().at(0).ID.value());
    return c.all_patients({practice, {}, {}}).collect().size();
  };
  return reads;
}

// Every list operation of the table has a read, and each read sends its operation and returns its rows.
TEST_F(Reads, EveryListOperationOfTheTableIsReachable) {
  Client client(options());
  auto reads = every_read();
  std::size_t lists = 0;
  for (const optable::Row& row : optable::kTable) {
    if (!*row.rows_array) continue;  // not a list operation
    const std::string name(row.name);
    ++lists;
    ASSERT_EQ(reads.count(name), 1u) << name << " has no list read";
  }
  EXPECT_EQ(reads.size(), lists);
  EXPECT_EQ(reads.size(), 13u);
  for (auto& [name, read] : reads) {
    if (name == "GetEncounterDetails") continue;  // needs an encounter ID: below
    server_->clear_calls();
    SCOPED_TRACE(name);
    EXPECT_NO_THROW(read(client));
    EXPECT_GE(server_->call_count(name), 1u);
  }
  // The rows of a ranged read are the rows of the one-call read.
  PatientQuery all;
  all.filter.PracticeName = kPractice;
  const auto one_call = client.patients(all).collect();
  all.last_modified = TimeRange{Date(2020, 1, 1), Date(2025, 6, 2)};
  all.paging.window = std::chrono::hours(24 * 90);
  server_->clear_calls();
  const auto windows = client.patients(all).collect();
  EXPECT_GT(server_->call_count("GetPatients"), 1u);
  EXPECT_EQ(windows.size(), one_call.size());
  EXPECT_GT(one_call.size(), 0u);
  // GetEncounterDetails by the ID of a charge's encounter.
  ChargeQuery charges;
  charges.filter.PracticeName = kPractice;
  const auto charge_rows = client.charges(charges).collect();
  ASSERT_FALSE(charge_rows.empty());
  EncounterDetailsFilter encounter;
  encounter.EncounterID = charge_rows.front().EncounterID;
  EXPECT_EQ(client.encounter_details(encounter).collect().size(), 1u);
}

// A decorator that records the date pairs of the GetCharges filters sent.
struct SentDates {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> posting, service;
};

class RecordingConnection final : public Connection {
 public:
  RecordingConnection(std::shared_ptr<Connection> inner, std::shared_ptr<SentDates> sent)
      : inner_(std::move(inner)), sent_(std::move(sent)) {}
  void call(Exchange& ex) override {
    if (ex.operation == Operation::GetCharges) {
      const auto& f = *ex.request<Operation::GetCharges>().request->Filter;
      std::lock_guard<std::mutex> lock(sent_->mutex);
      sent_->posting.emplace_back(f.FromPostingDate.value_or(""), f.ToPostingDate.value_or(""));
      sent_->service.emplace_back(f.FromServiceDate.value_or(""), f.ToServiceDate.value_or(""));
    }
    inner_->call(ex);
  }

 private:
  std::shared_ptr<Connection> inner_;
  std::shared_ptr<SentDates> sent_;
};

// A query's typed bounds become the filter's wire dates: midnight as a date, other times with the time of day; the
// range paged by is cut into windows (59 days at most for GetCharges), the other is sent whole with every call.
TEST_F(Reads, TypedBoundsBecomeTheWireDates) {
  auto sent = std::make_shared<SentDates>();
  Client client(options().add_decorator(
      [sent](std::shared_ptr<Connection> inner) { return std::make_shared<RecordingConnection>(inner, sent); }));
  ChargeQuery query;
  query.filter.PracticeName = kPractice;
  query.posting_date = TimeRange{Date(2025, 1, 1), Date(2025, 4, 1)};  // 90 days
  query.service_date = TimeRange{DateTime(Date(2025, 2, 1), 8, 30, 0), DateTime(Date(2025, 3, 15), 17, 0, 5)};
  query.paging.window = std::chrono::hours(24 * 365);  // capped at 59 days
  client.charges(query).collect();
  ASSERT_EQ(sent->posting.size(), 2u);
  EXPECT_EQ(sent->posting[0], std::make_pair(std::string("1/1/2025"), std::string("3/1/2025")));
  EXPECT_EQ(sent->posting[1], std::make_pair(std::string("3/1/2025"), std::string("4/1/2025")));
  for (const auto& s : sent->service) {
    EXPECT_EQ(s, std::make_pair(std::string("02/01/2025 8:30:00 AM"), std::string("03/15/2025 5:00:05 PM")));
  }
  // page_by picks the other range; no range at all: one call without dates.
  sent->posting.clear();
  sent->service.clear();
  query.page_by = DateField::Service;
  query.posting_date = TimeRange{Date(2025, 1, 1), Date(2025, 2, 15)};
  query.paging.window = std::chrono::hours(24 * 20);
  client.charges(query).collect();
  ASSERT_EQ(sent->service.size(), 3u);  // 42 days in windows of 20
  for (const auto& p : sent->posting) EXPECT_EQ(p, std::make_pair(std::string("1/1/2025"), std::string("2/15/2025")));
  EXPECT_EQ(sent->service.front().first, "02/01/2025 8:30:00 AM");
  EXPECT_EQ(sent->service.front().second, "02/21/2025 8:30:00 AM");
  EXPECT_EQ(sent->service.back().second, "03/15/2025 5:00:05 PM");
  // The filter's own text for a pair the query types is refused, as is a reversed range or page_by without range.
  ChargeQuery text;
  text.filter.PracticeName = kPractice;
  text.filter.FromPostingDate = "1/1/2025";
  text.filter.ToPostingDate = "2/1/2025";
  EXPECT_THROW(client.charges(text), InvalidArgument);
  ChargeQuery reversed;
  reversed.filter.PracticeName = kPractice;
  reversed.posting_date = TimeRange{Date(2025, 2, 1), Date(2025, 1, 1)};
  EXPECT_THROW(client.charges(reversed), InvalidArgument);
  ChargeQuery no_range;
  no_range.filter.PracticeName = kPractice;
  no_range.page_by = DateField::Created;
  EXPECT_THROW(client.charges(no_range), InvalidArgument);
}

// CallOptions::timeout bounds a call whose response is late, for a single call and for each call of a range.
TEST_F(Reads, APerCallTimeoutEndsALateCall) {
  Client client(options().receive_timeout(std::chrono::seconds(30)));
  server_->add_fault("latency:op=GetPractices:ms=2500:count=1");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.practices({}, CallOptions{}.with_timeout(300ms)).collect(), TimeoutError);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 2000ms);
  // With retries on, the timeout bounds the call as a whole (retries included).
  Client retrying(options().policies(CallPolicies{}).receive_timeout(std::chrono::seconds(30)));
  server_->add_fault("latency:op=GetProviders:ms=2500:count=3");
  const auto start2 = std::chrono::steady_clock::now();
  EXPECT_THROW(retrying.providers({}, CallOptions{}.with_timeout(400ms)).collect(), TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - start2, 2000ms);
  // Without the option the same late call succeeds.
  server_->clear_faults();
  server_->add_fault("latency:op=GetPractices:ms=200:count=1");
  EXPECT_NO_THROW(client.practices().collect());
}

// CallOptions::cancel: a cancelled token ends a call before it is sent, and ends a wait between two attempts.
TEST_F(Reads, CancellationEndsACallAndARange) {
  Client client(options().policies(CallPolicies{}));
  CancellationToken cancelled;
  cancelled.cancel();
  server_->clear_calls();
  EXPECT_THROW(client.practices({}, CallOptions{}.with_cancel(cancelled)).collect(), Cancelled);
  EXPECT_THROW(client.get_patient(1, CallOptions{}.with_cancel(cancelled)), Cancelled);
  EXPECT_EQ(server_->call_count(), 0u);

  // A retry that would wait 20 s is cancelled from another thread after 100 ms.
  server_->add_fault("http:op=GetProviders:status=503");
  RetryPolicy patient;
  patient.initial_backoff = std::chrono::seconds(20);
  patient.jitter = 0;
  CancellationToken token;
  std::thread canceller([token]() mutable {
    std::this_thread::sleep_for(100ms);
    token.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.providers({}, CallOptions{}.with_cancel(token).with_retry(patient)).collect(), Cancelled);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5000ms);
  EXPECT_EQ(server_->call_count("GetProviders"), 1u);

  // A range stops before its next call.
  server_->clear_faults();
  server_->clear_calls();
  CancellationToken stop;
  PatientQuery query;
  query.filter.PracticeName = kPractice;
  query.last_modified = TimeRange{Date(2023, 1, 1), Date(2025, 6, 2)};
  query.paging.window = std::chrono::hours(24 * 365);
  std::size_t rows = 0;
  auto range = client.patients(query, CallOptions{}.with_cancel(stop));
  EXPECT_THROW(
      {
        for (auto& row : range) {
          (void)row;
          ++rows;
          stop.cancel();
        }
      },
      Cancelled);
  EXPECT_EQ(server_->call_count("GetPatients"), 1u);
  EXPECT_GT(rows, 0u);
}

// CallOptions::retry replaces the client's policy for one call: max_attempts = 1 sends a failing read once.
TEST_F(Reads, APerCallRetryPolicyReplacesTheClients) {
  Client client(options().policies(CallPolicies{}));
  server_->add_fault("http:op=GetPractices:status=503:count=1");
  EXPECT_NO_THROW(client.practices().collect());  // retried by the client's policy
  EXPECT_EQ(server_->call_count("GetPractices"), 2u);
  server_->clear_calls();
  server_->add_fault("http:op=GetPractices:status=503:count=1");
  RetryPolicy once;
  once.max_attempts = 1;
  EXPECT_THROW(client.practices({}, CallOptions{}.with_retry(once)).collect(), HttpError);
  EXPECT_EQ(server_->call_count("GetPractices"), 1u);
}

}  // namespace
}  // namespace kareo
