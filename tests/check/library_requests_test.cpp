// Every operation's request as the library sends it (captured by a loopback server, HTTP headers included) gives
// no finding: the checker and the client are built from the same contract and must agree.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "kareo/check.hpp"
#include "kareo/client.hpp"
#include "library_invocations.hpp"
#include "scripted_server.hpp"
#include "wcf.hpp"

namespace kareo {
namespace {

using test::invocations;

TEST(CheckLibraryRequests, EveryOperationAsTheLibrarySendsItHasNoFinding) {
  test::ScriptedServer server(test::empty_success);
  // A password with every character XML must escape: the library escapes it, the checker must read it as text.
  Client client(Options{}
                    .policies(CallPolicies::none())
                    .endpoint(server.url())
                    .credentials(Credentials("synthetic-customer-key", "integrator@example.com", "p&ss<w>rd\"'"))
                    .receive_timeout(std::chrono::seconds(5)));
  const auto calls = invocations();
  ASSERT_EQ(calls.size(), kOperationCount);
  for (const auto& [op, invoke] : calls) invoke(client);
  std::map<std::string, int> seen;
  for (const auto& req : server.requests()) {
    const std::string raw = req.head + "\r\n" + req.body;  // head ends with its last CRLF
    const auto check = check_request(raw, CheckOptions{});
    ++seen[check.operation];
    EXPECT_TRUE(check.findings.empty()) << test::action_of(req) << ": " << check.findings.size()
                                        << " finding(s), first: "
                                        << (check.findings.empty()
                                                ? ""
                                                : check.findings[0].code + " " + check.findings[0].message + " at " +
                                                      check.findings[0].path);
    EXPECT_TRUE(check.accepted());
    EXPECT_TRUE(check.corrected_request.empty());
    // The body alone, with the SOAPAction given separately, reads the same.
    CheckOptions options;
    options.soap_action = req.header("SOAPAction");
    EXPECT_TRUE(check_request(req.body, options).findings.empty()) << test::action_of(req);
  }
  for (Operation op : all_operations()) EXPECT_EQ(seen[std::string(operation_name(op))], 1) << operation_name(op);
}

}  // namespace
}  // namespace kareo
