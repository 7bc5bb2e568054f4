// One Client shared by 8 threads against a loopback server: every call gets its own answer back (no
// cross-talk between pooled contexts), connections are kept alive and reused. Run it under ThreadSanitizer
// (-DKAREO_SANITIZE=thread): ctest -L concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "kareo/client.hpp"
#include "mini_xml.hpp"
#include "scripted_server.hpp"
#include "wcf.hpp"

namespace kareo {
namespace {

using test::HttpReply;
using test::HttpRequest;
using test::ScriptedServer;

// Answers GetPatients with one row whose ID echoes the request's PracticeName, so that each caller can check
// it got its own response.
HttpReply echo_practice(const HttpRequest& req) {
  const auto doc = test::parse_xml(req.body);
  const auto* filter = doc->child("Body")->child("GetPatients")->child("request")->child("Filter");
  const std::string practice = filter->child("PracticeName")->text;
  HttpReply r = test::xml_reply(test::ok_envelope("GetPatients", "<Patients><PatientData><ID>" + practice +
                                                                     "</ID><PracticeName>" + practice +
                                                                     "</PracticeName></PatientData></Patients>"));
  r.gzip = true;
  return r;
}

TEST(Concurrency, EightThreadsShareOneClient) {
  ScriptedServer server(echo_practice);
  std::atomic<int> events{0};
  Client client(Options{}
                    .policies(CallPolicies::none())
                    .endpoint(server.url())
                    .credentials(Credentials("test-customer-key", "test-user@example.com", "test-password"))
                    .receive_timeout(std::chrono::seconds(10))
                    .event_sink([&](const CallEvent& e) {
                      if (e.ok) ++events;
                    }));
  constexpr int kThreads = 8;
  constexpr int kCalls = 25;
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const std::string practice = "P" + std::to_string(t) + "-" + std::to_string(i);
        PatientFilter filter;
        filter.PracticeName = practice;
        try {
          const auto rows = client.patients({filter}).collect();
          if (rows.size() == 1 && rows[0].ID.value_or("") == practice && rows[0].soap == nullptr) {
            ++good;
          } else {
            ++bad;
          }
        } catch (const std::exception&) {
          ++bad;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(good.load(), kThreads * kCalls);
  EXPECT_EQ(events.load(), kThreads * kCalls);
  EXPECT_EQ(server.requests().size(), static_cast<std::size_t>(kThreads * kCalls));
  // Pooled contexts keep their connections: far fewer connections than calls.
  EXPECT_LE(server.connections(), kThreads * 2);
}

TEST(Concurrency, ClientsAndFailuresInParallel) {
  ScriptedServer server([](const HttpRequest& req) {
    if (req.body.find("Fail") != std::string::npos) return test::internal_fault_reply();
    return test::empty_success(req);
  });
  Client client(Options{}
                    .policies(CallPolicies::none())
                    .endpoint(server.url())
                    .credentials(Credentials("test-customer-key", "test-user@example.com", "test-password")));
  std::atomic<int> faults{0};
  std::atomic<int> oks{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        PracticeFilter filter;
        filter.PracticeName = (t + i) % 2 ? "Fail" : "Main Street Clinic";
        try {
          client.practices({filter}).collect();
          ++oks;
        } catch (const SoapFault&) {
          ++faults;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(oks.load(), 40);
  EXPECT_EQ(faults.load(), 40);
}

}  // namespace
}  // namespace kareo
