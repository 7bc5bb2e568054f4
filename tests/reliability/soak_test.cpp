// Soak: 20,000 calls from 8 threads against the fake server while random faults are injected (throttling off,
// retries on a manual clock, so nothing waits for real). Shows: no crash; resident memory flat after warm-up;
// every failure a typed kareo::Error; every read that succeeds is complete (exactly the server's set of IDs).
// KAREO_SOAK_CALLS scales the run (the sanitizer builds use fewer calls); the figures are printed and written to
// <build>/reliability/soak.txt for docs/reliability.md.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <typeinfo>

#include "kareo/client.hpp"
#include "kareo/clock.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "proc_status.hpp"

namespace kareo {
namespace {

using testing::Entity;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::max(1, std::atoi(v)) : fallback;
}

template <typename Rows>
std::set<std::int64_t> ids_of(const Rows& rows) {
  std::set<std::int64_t> out;
  for (const auto& r : rows) out.insert(std::stoll(r.ID.value_or("0")));
  return out;
}

// Resident memory once the allocator has returned what it can to the system (freed memory it keeps in its
// arenas would otherwise hide or fake growth).
long settled_rss_kb() {
  ::malloc_trim(0);
  return reliability::rss_kb();
}

std::set<std::int64_t> as_set(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }

struct Tally {
  std::mutex mu;
  std::map<std::string, int> outcomes;  // "ok" or the error kind
  std::map<std::string, int> faults;    // injected fault kinds
  std::vector<std::string> problems;    // untyped failures, incomplete reads
  void add(std::map<std::string, int>& m, const std::string& key) {
    std::lock_guard<std::mutex> lock(mu);
    ++m[key];
  }
  void problem(std::string what) {
    std::lock_guard<std::mutex> lock(mu);
    if (problems.size() < 20) problems.push_back(std::move(what));
  }
};

TEST(Soak, RandomFaultsManyThreads) {
  const int total_calls = env_int("KAREO_SOAK_CALLS", 20000);
  const int threads = env_int("KAREO_SOAK_THREADS", 8);
  const int calls_per_thread = std::max(1, total_calls / threads);

  testing::FakeServerOptions so;
  so.throttle = false;
  so.sizes.patients = 40;
  so.sizes.appointments = 40;
  so.sizes.encounters = 10;
  so.sizes.charges = 20;
  so.sizes.payments = 10;
  so.sizes.transactions = 20;
  so.max_connections = 64;
  testing::FakeServer server(so);
  server.start();
  const auto& creds = server.options().credentials;

  // What complete reads contain: the server's own answer to the same filters.
  const auto practices = as_set(server.store().ids(Entity::Practice));
  const auto providers = as_set(server.store().ids(Entity::Provider));
  const auto locations = as_set(server.store().ids(Entity::ServiceLocation));
  const auto vendors = as_set(server.store().ids(Entity::ExternalVendor));
  const auto alpha_patients = as_set(server.store().ids(Entity::Patient, {{"PracticeName", "Testpractice Alpha"}}));
  ASSERT_FALSE(alpha_patients.empty());

  auto clock = std::make_shared<ManualClock>();
  auto make_options = [&](bool retrying) {
    Options o = Options{}
                    .endpoint(server.endpoint())
                    .credentials(Credentials(creds.customer_key, creds.user, creds.password))
                    .connect_timeout(std::chrono::seconds(5))
                    .receive_timeout(std::chrono::seconds(5))
                    .call_timeout(std::chrono::seconds(10));
    // Throttling is off at the server, so no pacing; retries wait on the manual clock (no real sleeping).
    CallPolicies policies = CallPolicies::none();
    if (retrying) {
      policies.retry = true;
      policies.retry_policy.max_attempts = 3;
      policies.retry_policy.seed = 11;
      policies.clock = clock;
    }
    o.policies(policies);
    return o;
  };
  // Half the threads share a plain client, half a client that retries.
  Client plain(make_options(false));
  Client retrying(make_options(true));

  const std::vector<std::string> fault_kinds = {"internal", "http:status=503",   "http:status=500", "drop",
                                                "drop:rst", "drop:before-apply", "truncate",        "malformed",
                                                "throttle", "latency:ms=5"};
  Tally tally;
  std::atomic<int> done{0};
  std::atomic<long> rss_warm{-1};
  const int warm_up = total_calls / 5;
  std::mutex rss_mu;

  auto worker = [&](int index) {
    std::mt19937 rng(1000u + static_cast<unsigned>(index));
    Client& client = index % 2 ? retrying : plain;
    for (int i = 0; i < calls_per_thread; ++i) {
      if (rng() % 10 == 0) {  // about one call in ten meets a fault
        const std::string& kind = fault_kinds[rng() % fault_kinds.size()];
        server.add_fault(kind + ":count=1");
        tally.add(tally.faults, kind);
      }
      const int which = static_cast<int>(rng() % 6);
      try {
        switch (which) {
          case 0:
            if (ids_of(client.practices().collect()) != practices) tally.problem("incomplete GetPractices");
            break;
          case 1:
            if (ids_of(client.providers().collect()) != providers) tally.problem("incomplete GetProviders");
            break;
          case 2:
            if (ids_of(client.service_locations().collect()) != locations)
              tally.problem("incomplete GetServiceLocations");
            break;
          case 3: {
            std::set<std::int64_t> got;
            for (const auto& v : client.external_vendors().collect()) got.insert(v.ExternalVendorID.value_or(0));
            if (got != vendors) tally.problem("incomplete GetExternalVendors");
            break;
          }
          case 4: {
            PatientFilter filter;
            filter.PracticeName = "Testpractice Alpha";
            if (ids_of(client.patients({filter}).collect()) != alpha_patients) tally.problem("incomplete GetPatients");
            break;
          }
          default: {
            const std::int64_t id =
                *std::next(alpha_patients.begin(), static_cast<long>(rng() % alpha_patients.size()));
            const auto p = client.get_patient(static_cast<int>(id));
            if (!p || p->ID.value_or("") != std::to_string(id)) tally.problem("wrong GetPatient");
            break;
          }
        }
        tally.add(tally.outcomes, "ok");
      } catch (const Error& e) {
        tally.add(tally.outcomes, std::string(error_kind_name(e.kind())));
      } catch (const std::exception& e) {
        tally.problem(std::string("untyped ") + typeid(e).name() + ": " + e.what());
      }
      const int n = ++done;
      // The server logs every call (by design); forget the log now and then so that it does not count as
      // growth of the client.
      if (n % 1000 == 0) server.clear_calls();
      if (n == warm_up) {
        std::lock_guard<std::mutex> lock(rss_mu);
        rss_warm = settled_rss_kb();
      }
    }
  };

  const long rss_start = reliability::rss_kb();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (auto& t : pool) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  server.clear_faults();
  server.clear_calls();
  const long rss_end = settled_rss_kb();
  server.stop();

  const int calls = calls_per_thread * threads;
  std::ostringstream report;
  report << "calls=" << calls << " threads=" << threads << " seconds=" << seconds
         << " calls_per_second=" << static_cast<long>(calls / seconds) << " rss_start_kB=" << rss_start
         << " rss_after_warm_up_kB=" << rss_warm.load() << " rss_end_kB=" << rss_end
         << " sanitized=" << reliability::kSanitized << "\noutcomes:";
  for (const auto& [k, n] : tally.outcomes) report << " " << k << "=" << n;
  report << "\ninjected faults:";
  for (const auto& [k, n] : tally.faults) report << " " << k << "=" << n;
  report << "\n";
  std::cout << "SOAK " << report.str();
  std::error_code ec;
  std::filesystem::create_directories(std::string(KAREO_BINARY_DIR) + "/reliability", ec);
  std::ofstream(std::string(KAREO_BINARY_DIR) + "/reliability/soak.txt") << report.str();

  for (const auto& p : tally.problems) ADD_FAILURE() << p;
  int counted = 0;
  for (const auto& [k, n] : tally.outcomes) counted += n;
  EXPECT_EQ(counted, calls) << "a call ended without an outcome";
  EXPECT_GT(tally.outcomes["ok"], calls / 2) << "too few calls succeeded for the test to mean anything";
  EXPECT_GT(calls - tally.outcomes["ok"], 0) << "no fault surfaced: the injection is not working";
  if (!reliability::kSanitized && calls >= 10000) {
    // Flat after warm-up: a leak of 256 bytes per call would add over 4 MB here.
    EXPECT_LT(rss_end - rss_warm.load(), 4096) << "resident memory grew after warm-up (kB)";
  }
}

}  // namespace
}  // namespace kareo
