// The kareo tool end to end: doctor (each step and its fix) and sync (changes once, checkpoints), run as a child
// process against an in-process fake server.
#include <gtest/gtest.h>

#include <fstream>

#include "cli_fixture.hpp"

namespace {

using namespace cli_test;
using kareo::testing::Entity;

// ---- doctor ----

TEST_F(Cli, DoctorPassesAgainstAHealthyServer) {
  auto r = kareo({"doctor"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("[ok]   4. Customer key: accepted (customer ID 31337)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Testpractice Alpha"), std::string::npos);
  EXPECT_NE(r.out.find("GetAllPatients"), std::string::npos) << "the live throttle table";
  EXPECT_EQ(r.out.find("[FAIL]"), std::string::npos) << r.out;
}

TEST_F(Cli, DoctorNamesTheWrongPassword) {
  auto r = kareo({"doctor"}, {}, {{"KAREO_PASSWORD", "wrong"}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("[ok]   4. Customer key"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[FAIL] 5. User authenticated"), std::string::npos) << r.out;
  auto key = kareo({"doctor"}, {}, {{"KAREO_CUSTOMER_KEY", "wrong"}});
  EXPECT_EQ(key.exit_code, 3);
  EXPECT_NE(key.out.find("[FAIL] 4. Customer key"), std::string::npos) << key.out;
  auto missing = kareo({"doctor"}, {}, {{"KAREO_USER", ""}});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("[FAIL] 1. Credentials"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("KAREO_USER"), std::string::npos) << missing.out;
}

TEST_F(Cli, DoctorListsMissingPermissions) {
  auto options = small_server();
  options.denied_operations = {"GetCharges", "GetPayments"};
  start(options);
  auto r = kareo({"doctor"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.out.find("GetCharges is not allowed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GetPayments is not allowed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("allowed: GetProviders"), std::string::npos) << r.out;
}

TEST_F(Cli, DoctorSaysWhenTheEndpointIsUnreachable) {
  auto env = server_env(server(), tmp_);
  env["KAREO_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(closed_port()) + "/svc";
  auto r = run_program(kKareo, {"--no-pacing", "doctor"}, env);
  EXPECT_EQ(r.exit_code, 8);
  EXPECT_NE(r.out.find("[FAIL] 2. Endpoint reachable"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refused"), std::string::npos) << r.out;
}

TEST_F(Cli, DoctorShowsACorrectRedactedRequest) {
  auto r = kareo({"doctor", "--show-request", "--skip-permissions"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string& out = r.out;
  EXPECT_NE(out.find("SOAPAction: \"http://www.kareo.com/api/schemas/KareoServices/GetPractices\""), std::string::npos);
  EXPECT_EQ(out.find("<SOAP-ENV:Header"), std::string::npos) << "no SOAP header: credentials go in the request";
  auto at = [&](const std::string& s) { return out.find(s); };
  ASSERT_NE(at("<kareo:ClientVersion>"), std::string::npos) << out;
  EXPECT_LT(at("<kareo:request>"), at("<kareo:RequestHeader>"));
  EXPECT_LT(at("<kareo:ClientVersion>"), at("<kareo:CustomerKey>***</kareo:CustomerKey>"));
  EXPECT_LT(at("<kareo:CustomerKey>"), at("<kareo:Password>***</kareo:Password>"));
  EXPECT_LT(at("<kareo:Password>"), at("<kareo:User>***</kareo:User>"));
  EXPECT_LT(at("</kareo:RequestHeader>"), at("<kareo:Fields"));
  EXPECT_LT(at("<kareo:Fields"), at("<kareo:Filter"));
  EXPECT_EQ(out.find(server().options().credentials.password), std::string::npos);
}

// The TLS step against an HTTPS fake server with a self-signed certificate made for this test.
TEST_F(Cli, DoctorChecksTheTlsCertificate) {
  std::string cert = tmp_.file("cert.pem"), key = tmp_.file("key.pem");
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) GTEST_SKIP() << "the openssl program is needed to make a certificate";
  auto options = small_server();
  options.tls_cert = cert;
  options.tls_key = key;
  start(options);
  auto env = server_env(server(), tmp_);
  env["KAREO_ENDPOINT"] = "https://localhost:" + std::to_string(server().port()) + "/svc";

  auto untrusted = run_program(kKareo, {"--no-pacing", "doctor", "--skip-permissions"}, env);
  EXPECT_EQ(untrusted.exit_code, 8) << untrusted.out;
  EXPECT_NE(untrusted.out.find("[FAIL] 3. TLS certificate"), std::string::npos) << untrusted.out;
  EXPECT_NE(untrusted.out.find("not issued by a certificate authority this machine trusts"), std::string::npos);
  EXPECT_NE(untrusted.out.find("--ca-file"), std::string::npos);

  auto trusted = run_program(kKareo, {"--no-pacing", "--ca-file", cert, "doctor", "--skip-permissions"}, env);
  EXPECT_EQ(trusted.exit_code, 0) << trusted.out << trusted.err;
  EXPECT_NE(trusted.out.find("[ok]   3. TLS certificate: valid certificate for \"localhost\""), std::string::npos)
      << trusted.out;

  env["KAREO_ENDPOINT"] = "https://127.0.0.1:" + std::to_string(server().port()) + "/svc";
  auto mismatch = run_program(kKareo, {"--no-pacing", "--ca-file", cert, "doctor"}, env);
  EXPECT_EQ(mismatch.exit_code, 8);
  EXPECT_NE(mismatch.out.find("issued for \"localhost\", not for 127.0.0.1"), std::string::npos) << mismatch.out;
}

// ---- sync ----

TEST_F(Cli, SyncDeliversChangesOnceAndResumesFromTheCheckpoint) {
  std::string state = tmp_.file("patients.checkpoint");
  const std::string since = three_years_ago();
  auto first =
      kareo({"sync", "patients", "--practice", "Testpractice Alpha", "--state", state, "--once", "--since", since});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(ids_of(first.lines()), ids_of(server().store().ids(Entity::Patient, {{"PracticeID", "1"}})));

  auto second =
      kareo({"sync", "patients", "--practice", "Testpractice Alpha", "--state", state, "--once", "--since", since});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(second.lines().empty()) << second.out;

  server().store().update(Entity::Patient, 1, {{"FirstName", "Changed"}});
  auto third =
      kareo({"sync", "patients", "--practice", "Testpractice Alpha", "--state", state, "--once", "--since", since});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  ASSERT_EQ(third.lines().size(), 1u) << third.out;
  EXPECT_EQ(third.lines()[0].at("FirstName"), "Changed");

  auto appointments = kareo({"sync", "appointments", "--practice", "Testpractice Bravo", "--state",
                             tmp_.file("appointments.checkpoint"), "--once", "--since", since});
  ASSERT_EQ(appointments.exit_code, 0) << appointments.err;
  EXPECT_GT(appointments.lines().size(), 0u);
  expect_error(kareo({"sync", "charges", "--practice", "x", "--state", state, "--once"}), 2, "usage");
}

TEST_F(Cli, SyncRefusesACheckpointFarInTheFutureUnlessTold) {
  const std::string state = tmp_.file("future.checkpoint");
  // Written when this machine's clock was years ahead.
  std::ofstream(state) << "kareo-change-feed 1\nentity Patients\ncursor 2099-01-01T00:00:00\nend 0\n";
  const std::vector<std::string> args{"sync",    "patients", "--practice", "Testpractice Alpha",
                                      "--state", state,      "--once"};
  auto refused = kareo(args);
  expect_error(refused, 2, "invalid argument");
  EXPECT_NE(refused.err.find("2099-01-01"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--accept-future-checkpoint"), std::string::npos) << refused.err;
  EXPECT_EQ(server().call_count("GetPatients"), 0u);

  std::vector<std::string> forced = args;
  forced.push_back("--accept-future-checkpoint");
  auto accepted = kareo(forced);
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_NE(accepted.err.find("kareo: warning: "), std::string::npos) << accepted.err;
}

}  // namespace
