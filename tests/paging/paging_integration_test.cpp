// Ranged reads, pacing and the change feed against the fake server, with its rate limits on and the client and
// the server on one virtual clock: every ranged read returns exactly the server's set, a paced client never sees
// a throttle error, windows that fault are narrowed, and a change feed killed at any point loses nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "by_date.hpp"
#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"
#include "kareo/pacing.hpp"
#include "kareo/paging.hpp"
#include "kareo/policies.hpp"
#include "kareo/retry.hpp"
#include "kareo/testing/fake_server.hpp"
#include "kareo/writes.hpp"
#include "scratch_dir.hpp"
#include "shared_fake_server_suite.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using testing::Entity;
using testing::FakeServer;

constexpr const char* kPractice = "Testpractice Alpha";

DateTime at(int y, int m, int d) { return DateTime(Date(y, m, d)); }

// The server's rate limiter reads the client's manual clock.
// The generated data lies in the two years before 2025-06-01.
const TimeRange kAll{at(2023, 5, 1), at(2025, 6, 3)};

// A client of `endpoint` whose policies are decorators put on by hand (Options::policies does the same: the layers
// are public building blocks): paced by `limiter`, and above that a retry layer that sends a throttled call again
// (the pacing layer only waits), on `clock`.
Client hand_decorated_client(const std::string& endpoint, const kareo::Credentials& credentials,
                             std::shared_ptr<RateLimiter> limiter, std::shared_ptr<Clock> clock) {
  return Client(Options{}
                    .endpoint(endpoint)
                    .credentials(credentials)
                    .policies(CallPolicies::none())  // the decorators below are the policies
                    .add_decorator([limiter](std::shared_ptr<Connection> inner) {
                      return std::make_shared<PacedConnection>(std::move(inner), limiter);
                    })
                    .add_decorator([clock](std::shared_ptr<Connection> inner) {
                      RetryPolicy retry;
                      retry.seed = 3;
                      return std::make_shared<RetryingConnection>(std::move(inner), retry, clock);
                    }));
}

class PagingIntegration : public test_support::SharedFakeServerSuite<PagingIntegration> {
 public:
  static testing::FakeServerOptions server_options() {
    testing::DataSizes s;
    s.providers = 30;
    s.service_locations = 12;
    s.procedure_codes = 60;
    s.patients = 2400;
    s.appointments = 3000;
    s.encounters = 400;
    s.charges = 2500;
    s.payments = 1500;
    s.transactions = 3000;
    return throttled_options(s);
  }

 protected:
  static PagingOptions paging(std::chrono::hours window = std::chrono::hours(24 * 30)) {
    PagingOptions p;
    p.window = window;
    p.clock = clock_;
    return p;
  }

  // The union of the server's answers over consecutive windows of at most `days` days sharing their edges: the
  // server's set for the whole period, asked in pieces it accepts.
  static std::set<std::string> server_set(Entity entity, testing::Filter base, const std::string& from_member,
                                          const std::string& to_member, const TimeRange& range, int days = 30) {
    std::set<std::string> out;
    long long a = detail::to_seconds(range.from);
    const long long end = detail::to_seconds(range.to);
    do {
      const long long b = std::min(end, a + days * 86400LL);
      testing::Filter f = base;
      f[from_member] = detail::from_seconds(a).date().filter_text();
      f[to_member] = detail::from_seconds(b).date().filter_text();
      for (auto id : server_->store().ids(entity, f)) out.insert(std::to_string(id));
      a = b;
    } while (a < end);
    return out;
  }
};

TEST_F(PagingIntegration, TheServerThrottlesAnUnpacedClient) {
  // The control experiment: without pacing, two quick calls on the virtual clock are refused.
  Client bare(Options{}.endpoint(server_->endpoint()).credentials(credentials()).policies(CallPolicies::none()));
  PatientQuery f;
  f.filter.PracticeName = kPractice;
  f.last_modified = TimeRange{Date(2025, 5, 1), Date(2025, 5, 2)};
  bare.patients(f).collect();
  EXPECT_THROW(bare.patients(f).collect(), Throttled);
}

TEST_F(PagingIntegration, EveryRangedReadReturnsExactlyTheServersSet) {
  Client client = paced_client();
  std::size_t n = 0;
  {
    PatientFilter f;
    f.PracticeName = kPractice;
    const auto got =
        ids_of(client.patients(by_date<kareo::PatientQuery>(f, DateField::LastModified, kAll, paging())), &n);
    const auto want =
        server_set(Entity::Patient, {{"PracticeName", kPractice}}, "FromLastModifiedDate", "ToLastModifiedDate", kAll);
    EXPECT_EQ(got, want);
    EXPECT_EQ(n, want.size());  // no duplicates
    EXPECT_GT(want.size(), 1000u);
    // Every patient of the practice was last modified in the period.
    EXPECT_EQ(want.size(), server_->store().ids(Entity::Patient, {{"PracticeName", kPractice}}).size());
  }
  {
    const auto got =
        ids_of(client.appointments(by_date<kareo::AppointmentQuery>({}, DateField::Service, kAll, paging())), &n);
    const auto want = server_set(Entity::Appointment, {}, "StartDate", "EndDate", kAll);
    EXPECT_EQ(got, want);
    EXPECT_EQ(n, want.size());
    EXPECT_GT(want.size(), 2000u);
  }
  {
    const auto got = ids_of(client.charges(by_date<kareo::ChargeQuery>({}, DateField::Posting, kAll, paging())), &n);
    const auto want = server_set(Entity::Charge, {}, "FromPostingDate", "ToPostingDate", kAll);
    EXPECT_EQ(got, want);
    EXPECT_EQ(n, want.size());
    EXPECT_GT(want.size(), 2000u);
  }
  {
    const auto got = ids_of(client.payments(by_date<kareo::PaymentQuery>({}, DateField::Posting, kAll, paging())), &n);
    const auto want = server_set(Entity::Payment, {}, "FromPostDate", "ToPostDate", kAll);
    EXPECT_EQ(got, want);
    EXPECT_EQ(n, want.size());
    EXPECT_GT(want.size(), 1000u);
  }
  {
    const auto got =
        ids_of(client.transactions(by_date<kareo::TransactionQuery>({}, DateField::Transaction, kAll, paging())), &n);
    const auto want = server_set(Entity::Transaction, {}, "FromTransactionDate", "ToTransactionDate", kAll);
    EXPECT_EQ(got, want);
    EXPECT_EQ(n, want.size());
    EXPECT_GT(want.size(), 2000u);
  }
  {
    const auto got = ids_of(client.providers(by_date<kareo::ProviderQuery>({}, DateField::Created, kAll, paging())));
    EXPECT_EQ(got, server_set(Entity::Provider, {}, "FromCreatedDate", "ToCreatedDate", kAll));
    const auto practices =
        ids_of(client.practices(by_date<kareo::PracticeQuery>({}, DateField::Created, kAll, paging())));
    EXPECT_EQ(practices, server_set(Entity::Practice, {}, "FromCreatedDate", "ToCreatedDate", kAll));
    const auto locations =
        ids_of(client.service_locations(by_date<kareo::ServiceLocationQuery>({}, DateField::Created, kAll, paging())));
    EXPECT_EQ(locations, server_set(Entity::ServiceLocation, {}, "FromCreatedDate", "ToCreatedDate", kAll));
    const auto codes =
        ids_of(client.procedure_codes(by_date<kareo::ProcedureCodeQuery>({}, DateField::Created, kAll, paging())));
    EXPECT_EQ(codes, server_set(Entity::ProcedureCode, {}, "FromCreatedDate", "ToCreatedDate", kAll));
  }
  // Paced to the published limits: not one call was refused, and none faulted.
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::Throttled), 0u);
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::SoapFault), 0u);
  EXPECT_GT(server_->call_count(), 100u);
}

TEST_F(PagingIntegration, ChargesOfUnapprovedEncountersOnlyWhenAsked) {
  // The service leaves out the charges of encounters that are not approved unless IncludeUnapprovedCharges is
  // "T" (the fake server answers the same way).
  Client client = paced_client();
  const auto approved = ids_of(client.charges(by_date<kareo::ChargeQuery>({}, DateField::Posting, kAll, paging())));
  EXPECT_EQ(approved, server_set(Entity::Charge, {}, "FromPostingDate", "ToPostingDate", kAll));
  ChargeFilter filter;
  const auto all = ids_of(client.charges(
      by_date<kareo::ChargeQuery>(include_unapproved_charges(filter), DateField::Posting, kAll, paging())));
  EXPECT_EQ(all,
            server_set(Entity::Charge, {{"IncludeUnapprovedCharges", "T"}}, "FromPostingDate", "ToPostingDate", kAll));
  EXPECT_GT(all.size(), approved.size());
  for (const auto& id : approved) EXPECT_EQ(all.count(id), 1u) << id;

  // A boolean spelled another way is sent as the service expects it; a value it would not understand is refused.
  auto ids = [&](ChargeFilter f) {
    std::set<std::string> out;
    for (const auto& row : client.charges({std::move(f)}).collect()) out.insert(*row.ID);
    return out;
  };
  ChargeFilter practice;
  practice.PracticeName = kPractice;
  ChargeFilter practice_all = practice;
  include_unapproved_charges(practice_all);
  EXPECT_EQ(practice_all.IncludeUnapprovedCharges, std::optional<std::string>("T"));
  const auto practice_approved = ids(practice);
  const auto practice_every = ids(practice_all);
  EXPECT_GT(practice_every.size(), practice_approved.size());
  for (const char* yes : {"true", "True", " t ", "1", "YES"}) {
    ChargeFilter f = practice;
    f.IncludeUnapprovedCharges = yes;
    EXPECT_EQ(ids(f), practice_every) << yes;
  }
  for (const char* no : {"false", "F", "0", "no", ""}) {
    ChargeFilter f = practice;
    f.IncludeUnapprovedCharges = no;
    EXPECT_EQ(ids(f), practice_approved) << no;
  }
  ChargeFilter odd = practice;
  odd.IncludeUnapprovedCharges = "maybe";
  EXPECT_THROW(client.charges({odd}).collect(), InvalidArgument);
  EXPECT_EQ(include_unapproved_charges(practice_all, false).IncludeUnapprovedCharges, std::nullopt);
}

TEST_F(PagingIntegration, GetChargesWindowsStayWithinSixtyDaysWhateverIsAsked) {
  Client client = paced_client();
  const auto got = ids_of(
      client.charges(by_date<kareo::ChargeQuery>({}, DateField::Posting, kAll, paging(std::chrono::hours(24 * 365)))));
  EXPECT_EQ(got, server_set(Entity::Charge, {}, "FromPostingDate", "ToPostingDate", kAll));
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::SoapFault), 0u);
  EXPECT_EQ(server_->call_count("GetCharges"), 13u);  // 764 days in windows of 60
}

TEST_F(PagingIntegration, AServerThatFaultsOnWideWindowsStillYieldsTheFullSet) {
  server_->add_fault("wide-window:op=GetPatients:days=12");
  server_->add_fault("wide-window:op=GetTransactions:days=5");
  Client client = paced_client();
  PatientFilter f;
  f.PracticeName = kPractice;
  std::vector<PagingProgress> reports;
  PagingOptions p = paging(std::chrono::hours(24 * 90));
  p.on_progress = [&](const PagingProgress& r) { reports.push_back(r); };
  std::size_t n = 0;
  const auto got = ids_of(client.patients(by_date<kareo::PatientQuery>(f, DateField::LastModified, kAll, p)), &n);
  EXPECT_EQ(got, server_set(Entity::Patient, {{"PracticeName", kPractice}}, "FromLastModifiedDate",
                            "ToLastModifiedDate", kAll));
  EXPECT_EQ(n, got.size());
  EXPECT_GT(outcomes(testing::CallRecord::Outcome::SoapFault), 0u);
  ASSERT_FALSE(reports.empty());
  EXPECT_GT(reports.back().splits, 0u);
  EXPECT_EQ(reports.back().windows_done, reports.back().windows_total);

  const auto transactions =
      ids_of(client.transactions(by_date<kareo::TransactionQuery>({}, DateField::Transaction, kAll, paging())));
  EXPECT_EQ(transactions, server_set(Entity::Transaction, {}, "FromTransactionDate", "ToTransactionDate", kAll));
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::Throttled), 0u);
}

TEST_F(PagingIntegration, GetAllPatientsWalksTheWholePractice) {
  Client client = paced_client();
  const auto practice_ids = server_->store().ids(Entity::Practice, {{"PracticeName", kPractice}});
  ASSERT_EQ(practice_ids.size(), 1u);
  AllPatientsOptions o;
  o.batch_size = 300;
  o.clock = clock_;
  const auto before = clock_->now();
  std::size_t n = 0;
  const auto got = ids_of(client.all_patients(kareo::AllPatientsQuery{static_cast<int>(practice_ids[0]), {}, o}), &n);
  std::set<std::string> want;
  for (auto id : server_->store().ids(Entity::Patient, {{"PracticeName", kPractice}})) want.insert(std::to_string(id));
  EXPECT_EQ(got, want);
  EXPECT_EQ(n, want.size());
  const std::size_t calls = server_->call_count("GetAllPatients");
  EXPECT_GE(calls, want.size() / 300);
  // One call per 5.5 s of virtual time, and never refused.
  EXPECT_GE(clock_->now() - before, (calls - 1) * 5500ms);
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::Throttled), 0u);
}

TEST_F(PagingIntegration, APacedClientAbsorbsThrottlesItDidNotCause) {
  // Another process of the account used up the budget: the service refuses the next calls.
  server_->add_fault("throttle:op=GetPatients:count=3");
  Client client = paced_client();
  PatientQuery f;
  f.filter.PracticeName = kPractice;
  f.last_modified = TimeRange{Date(2025, 5, 1), Date(2025, 5, 15)};
  EXPECT_NO_THROW(client.patients(f).collect());
  EXPECT_EQ(outcomes(testing::CallRecord::Outcome::Throttled), 3u);
}

TEST_F(PagingIntegration, LimitsRefreshedFromGetThrottlesAreObeyed) {
  // A server whose live limits are stricter than the published ones: GetPatients one call per 2.5 s.
  testing::FakeServerOptions o = test_support::virtual_time_options(clock_);
  o.sizes = testing::DataSizes{};
  o.throttle_ms["GetPatients"] = 2500;
  FakeServer strict(o);
  strict.start();
  auto client_for = [&](std::shared_ptr<RateLimiter> limiter) {
    return hand_decorated_client(strict.endpoint(), credentials(), std::move(limiter), clock_);
  };
  PatientQuery f;
  f.filter.PracticeName = kPractice;
  f.last_modified = TimeRange{Date(2025, 5, 1), Date(2025, 5, 15)};

  // Paced by the published table, the client is refused (and recovers by waiting as told).
  {
    Client client = client_for(std::make_shared<IntervalRateLimiter>(clock_));
    for (int i = 0; i < 4; ++i) client.patients(f).collect();
    std::size_t refused = 0;
    for (const auto& c : strict.calls()) refused += c.outcome == testing::CallRecord::Outcome::Throttled;
    EXPECT_GT(refused, 0u);
  }
  strict.clear_calls();
  strict.reset_throttle();
  // Refreshed from GetThrottles, it is not.
  auto limiter = std::make_shared<IntervalRateLimiter>(clock_);
  Client client = client_for(limiter);
  const auto limits = refresh_limits(client, *limiter);
  EXPECT_FALSE(limits.empty());
  EXPECT_EQ(limiter->limits().interval(Operation::GetPatients), 2500ms);
  EXPECT_EQ(limiter->limits().interval(Operation::GetCharges), strict.throttle_table().at("GetCharges"));
  for (int i = 0; i < 4; ++i) client.patients(f).collect();
  for (const auto& c : strict.calls()) EXPECT_NE(c.outcome, testing::CallRecord::Outcome::Throttled) << c.operation;
  EXPECT_EQ(strict.call_count("GetPatients"), 4u);
}

TEST_F(PagingIntegration, AnIdempotentCreateSurvivesALostResponse) {
  server_->add_fault("drop:op=CreatePatient:after-apply:count=1");
  Client client = paced_client();
  PatientCreate p;
  p.FirstName = "Testpatient";
  p.LastName = "Idempotent";
  p.PatientExternalID = "EXT-IDEMPOTENT-1";
  p.ExternalVendorID = 1;
  p.Practice = std::make_shared<PracticeIdentifierReq>();
  p.Practice->PracticeName = kPractice;
  IdempotentCreateOptions o;
  o.clock = clock_;
  const auto r = create_patient_idempotent(client, p, o);
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.create_calls, 1);
  const auto found = server_->store().find_by_external_id(Entity::Patient, "EXT-IDEMPOTENT-1", 1);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, r.patient_id);
  EXPECT_EQ(server_->call_count("CreatePatient"), 1u);
  // Asking again finds it.
  const auto again = create_patient_idempotent(client, p, o);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.patient_id, r.patient_id);
  EXPECT_EQ(server_->call_count("CreatePatient"), 1u);
}

// ---- the change feed ---------------------------------------------------------------------------------------------

struct Killed {};

// A smaller practice for the change feed (every test syncs it many times), and one rate budget for every client
// of the account: restarted "processes" share a SharedFileRateLimiter, as separate processes would.
class ChangeFeedIntegration : public test_support::SharedFakeServerSuite<ChangeFeedIntegration> {
 public:
  static testing::FakeServerOptions server_options() {
    testing::DataSizes s;
    s.patients = 500;
    return throttled_options(s);
  }

 protected:
  // Only the call log is cleared: the server's rate limiter remembers the earlier tests' calls.
  void SetUp() override {
    server_->clear_calls();
    dir_ = test_support::fresh_scratch_dir("paging-feed");
    limiter_ = std::make_shared<SharedFileRateLimiter>(dir_ + "/pacing", clock_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Client client() const { return hand_decorated_client(server_->endpoint(), credentials(), limiter_, clock_); }

  ChangeFeedOptions options(const std::string& name) const {
    ChangeFeedOptions o;
    o.entity = FeedEntity::Patients;
    o.patient_filter.PracticeName = kPractice;
    o.checkpoint_path = dir_ + "/" + name;
    o.start = at(2023, 1, 1);
    o.checkpoint_every = 25;
    o.clock = clock_;
    o.paging.window = std::chrono::hours(24 * 90);
    o.paging.clock = clock_;
    return o;
  }

  // ID -> LastModifiedDate of the practice's patients on the server.
  static std::map<std::string, std::string> truth() {
    std::map<std::string, std::string> out;
    for (auto id : server_->store().ids(Entity::Patient, {{"PracticeName", kPractice}})) {
      const auto rec = server_->store().get(Entity::Patient, id);
      out[std::to_string(id)] = DateTime::parse(rec->at("LastModifiedDate"))->iso();
    }
    return out;
  }

  static std::size_t throttled() { return outcomes(testing::CallRecord::Outcome::Throttled); }

  // Polls once and dies at step `kill_at` (deliveries and checkpoint-file steps, counted from 1; 0: never);
  // a killed feed is restarted from its checkpoint file and polled to the end. Returns the steps taken before
  // the kill (all of them when not killed).
  std::size_t poll_with_kill(const ChangeFeedOptions& base, std::map<std::string, std::string>& local,
                             std::size_t& deliveries, std::size_t kill_at) {
    Client c = client();
    std::size_t step = 0;
    auto tick = [&] {
      if (++step == kill_at) throw Killed{};
    };
    auto store = [&](const Change& change) {
      ++deliveries;
      local[change.id] = change.last_modified_time->iso();
    };
    ChangeFeedOptions o = base;
    o.checkpoint_store = std::make_shared<FileCheckpointStore>(o.checkpoint_path, [&](CheckpointStep) { tick(); });
    bool killed = false;
    {
      ChangeFeed feed(c, o);
      try {
        feed.poll_once([&](const Change& change) {
          tick();
          store(change);
        });
      } catch (const Killed&) {
        killed = true;
      }
    }
    o.checkpoint_store.reset();  // the killed process is gone, and its lock with it
    if (killed) {
      Client restarted_client = client();
      ChangeFeed restarted(restarted_client, base);
      restarted.poll_once(store);
    }
    return step;
  }

  std::string dir_;
  std::shared_ptr<RateLimiter> limiter_;
};

TEST_F(ChangeFeedIntegration, AFeedKilledBetweenAnyTwoStepsLosesAndDuplicatesNothing) {
  // An undisturbed first sync, to count its steps.
  std::size_t total = 0;
  {
    std::map<std::string, std::string> local;
    std::size_t deliveries = 0;
    total = poll_with_kill(options("count"), local, deliveries, 0);
    ASSERT_EQ(local, truth());
    ASSERT_EQ(deliveries, local.size());
  }
  // Kill points: every checkpoint-file step of the first windows, then spread over the whole run.
  std::set<std::size_t> kills;
  for (std::size_t k = 1; k <= 6; ++k) kills.insert(k);
  for (std::size_t k = 1; k < 10; ++k) kills.insert(total * k / 10);
  kills.insert(total - 1);
  kills.insert(total);
  for (std::size_t kill_at : kills) {
    const std::string name = "kill-" + std::to_string(kill_at);
    std::map<std::string, std::string> local;
    std::size_t deliveries = 0;
    poll_with_kill(options(name), local, deliveries, kill_at);
    EXPECT_EQ(local, truth()) << "killed at step " << kill_at << " of " << total;
    // Records delivered after the last checkpoint before the kill come again (at-least-once), no more.
    EXPECT_LE(deliveries, local.size() + 25) << "killed at step " << kill_at;
    // The restarted feed is in sync: the next poll delivers nothing.
    Client c = client();
    ChangeFeed feed(c, options(name));
    std::size_t later = 0;
    feed.poll_once([&](const Change&) { ++later; });
    EXPECT_EQ(later, 0u) << "killed at step " << kill_at;
  }
  // Killed and restarted clients shared the account's budget: not one call was refused.
  EXPECT_EQ(throttled(), 0u);
}

TEST_F(ChangeFeedIntegration, IncrementalPollsDeliverExactlyTheChanges) {
  Client client = this->client();
  std::map<std::string, std::string> local;
  {
    ChangeFeed feed(client, options("incremental"));
    feed.poll_once([&](const Change& c) { local[c.id] = c.last_modified_time->iso(); });
  }
  ASSERT_EQ(local, truth());
  // Two hours later three patients changed and one was added.
  clock_->advance(2h);
  const auto ids = server_->store().ids(Entity::Patient, {{"PracticeName", kPractice}});
  std::set<std::string> changed;
  for (std::size_t i : {std::size_t{0}, ids.size() / 2, ids.size() - 1}) {
    ASSERT_TRUE(server_->store().update(Entity::Patient, ids[i],
                                        {{"FirstName", "Changed"}, {"LastModifiedDate", "6/1/2025 1:30:00 PM"}}));
    changed.insert(std::to_string(ids[i]));
  }
  testing::Record added = *server_->store().get(Entity::Patient, ids[0]);
  added.erase("ID");
  added["LastModifiedDate"] = "6/1/2025 1:45:00 PM";
  changed.insert(std::to_string(server_->store().insert(Entity::Patient, added)));
  // A restarted process (a new feed on the same checkpoint) picks them up, and only them.
  std::set<std::string> delivered;
  ChangeFeed feed(client, options("incremental"));
  const PollResult r = feed.poll_once([&](const Change& c) {
    EXPECT_TRUE(delivered.insert(c.id).second) << "twice: " << c.id;
    local[c.id] = c.last_modified_time->iso();
  });
  EXPECT_EQ(delivered, changed);
  EXPECT_EQ(local, truth());
  EXPECT_EQ(r.cursor, DateTime(Date(2025, 6, 1), 13, 45, 0));
}

}  // namespace
}  // namespace kareo
