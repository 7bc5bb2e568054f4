// Credentials, permissions and practices as the service reports them, and the per-account rate limits.
#include "support.hpp"

using namespace fake_test;

namespace {

std::shared_ptr<kareo__GetPatientsResp> get_patients(Client& c, std::shared_ptr<kareo__RequestHeader> header,
                                                     const std::string& practice = "1") {
  _kareo__GetPatients in;
  in.request = patients_request(c, practice);
  in.request->RequestHeader = std::move(header);
  _kareo__GetPatientsResponse out;
  EXPECT_EQ(c.proxy.GetPatients(c.endpoint(), nullptr, &in, out), SOAP_OK) << c.fault();
  return out.GetPatientsResult;
}

}  // namespace

TEST(FakeServerSecurity, WrongCustomerKey) {
  auto server = started(small_options());
  Client c(*server);
  auto h = c.header();
  h->CustomerKey = "not-the-key";
  auto res = get_patients(c, h);
  ASSERT_TRUE(res && res->SecurityResponse);
  const auto& s = *res->SecurityResponse;
  EXPECT_EQ(s.Authenticated, false);
  EXPECT_EQ(s.Authorized, false);
  EXPECT_EQ(s.CustomerKeyValid, false);
  EXPECT_EQ(s.SecurityResultSuccess, false);
  ASSERT_TRUE(s.SecurityResult);
  EXPECT_FALSE(s.SecurityResult->empty());
  EXPECT_FALSE(res->Patients);
  EXPECT_EQ(server->calls().back().outcome, kareo::testing::CallRecord::Outcome::Denied);
}

TEST(FakeServerSecurity, WrongPassword) {
  auto server = started(small_options());
  Client c(*server);
  auto h = c.header();
  h->Password = "wrong & <escaped>";
  auto res = get_patients(c, h);
  ASSERT_TRUE(res && res->SecurityResponse);
  EXPECT_EQ(res->SecurityResponse->Authenticated, false);
  EXPECT_EQ(res->SecurityResponse->CustomerKeyValid, true);
  EXPECT_EQ(res->SecurityResponse->SecurityResultSuccess, false);
  EXPECT_FALSE(res->Patients);
}

TEST(FakeServerSecurity, PasswordsWithXmlSpecialCharactersWork) {
  auto o = small_options();
  o.credentials.password = "p&ss<w>rd\"'";
  auto server = started(o);
  Client c(*server);
  auto res = get_patients(c, c.header());
  ASSERT_TRUE(res && res->SecurityResponse);
  EXPECT_EQ(res->SecurityResponse->Authenticated, true);
  ASSERT_TRUE(res->Patients);
}

TEST(FakeServerSecurity, DeniedOperationListsTheMissingPermission) {
  auto o = small_options();
  o.denied_operations = {"GetPatients"};
  auto server = started(o);
  Client c(*server);
  auto res = get_patients(c, c.header());
  ASSERT_TRUE(res && res->SecurityResponse);
  const auto& s = *res->SecurityResponse;
  EXPECT_EQ(s.Authenticated, true);
  EXPECT_EQ(s.Authorized, false);
  EXPECT_EQ(s.SecurityResultSuccess, false);
  ASSERT_TRUE(s.PermissionsMissing && s.PermissionsMissing->Permission);
  EXPECT_EQ(s.PermissionsMissing->Permission->string, (std::vector<std::string>{"ReadPatient"}));

  // Other operations still work.
  _kareo__GetPractices in;
  in.request = c.request<kareo__GetPracticesReq>();
  in.request->Fields = std::make_shared<kareo__PracticeFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__PracticeFilter>();
  _kareo__GetPracticesResponse out;
  ASSERT_EQ(c.proxy.GetPractices(c.endpoint(), nullptr, &in, out), SOAP_OK) << c.fault();
  EXPECT_EQ(out.GetPracticesResult->SecurityResponse->Authorized, true);
}

TEST(FakeServerSecurity, DeniedPracticeIsInvisibleAndRefusedWhenAskedFor) {
  auto o = small_options();
  o.denied_practices = {"Testpractice Bravo"};
  auto server = started(o);
  Client c(*server);
  auto res = get_patients(c, c.header(), "2");
  ASSERT_TRUE(res && res->SecurityResponse);
  EXPECT_EQ(res->SecurityResponse->Authorized, false);
  ASSERT_TRUE(res->SecurityResponse->PracticesAuthorized && res->SecurityResponse->PracticesAuthorized->PracticeID);
  EXPECT_EQ(res->SecurityResponse->PracticesAuthorized->PracticeID->int_, std::vector<int>{1});

  _kareo__GetPractices in;
  in.request = c.request<kareo__GetPracticesReq>();
  in.request->Fields = std::make_shared<kareo__PracticeFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__PracticeFilter>();
  _kareo__GetPracticesResponse out;
  ASSERT_EQ(c.proxy.GetPractices(c.endpoint(), nullptr, &in, out), SOAP_OK) << c.fault();
  EXPECT_EQ(row_ids(out.GetPracticesResult->Practices->PracticeData), std::vector<std::int64_t>{1});
}

TEST(FakeServerSecurity, UnknownDenyOptionsAreRefused) {
  auto o = small_options();
  o.denied_operations = {"GetPatiens"};
  EXPECT_THROW(FakeServer{o}, std::invalid_argument);
  o = small_options();
  o.denied_practices = {"No Such Practice"};
  EXPECT_THROW(FakeServer{o}, std::invalid_argument);
}

// ---- rate limits -------------------------------------------------------------------------------------------

TEST(FakeServerThrottle, SecondCallWithinTheIntervalGetsTheServiceText) {
  auto o = small_options();
  o.throttle = true;
  auto clock = std::make_shared<kareo::testing::ManualClock>();
  o.clock = clock;
  auto server = started(o);
  Client c(*server);
  auto first = get_patients(c, c.header());
  ASSERT_TRUE(first && first->Patients);
  EXPECT_EQ(first->ErrorResponse->IsError, false);

  clock->advance(std::chrono::milliseconds(999));
  auto second = get_patients(c, c.header());
  ASSERT_TRUE(second && second->ErrorResponse);
  EXPECT_EQ(second->ErrorResponse->IsError, true);
  EXPECT_EQ(second->ErrorResponse->ErrorMessage,
            "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait "
            "to try again.");
  EXPECT_FALSE(second->Patients);
  EXPECT_EQ(server->calls().back().outcome, kareo::testing::CallRecord::Outcome::Throttled);
  EXPECT_EQ(server->calls().back().http_status, 200);

  // Exactly one interval after the last accepted call is still too early; a little later is fine.
  clock->advance(std::chrono::milliseconds(1));
  EXPECT_EQ(get_patients(c, c.header())->ErrorResponse->IsError, true);
  clock->advance(std::chrono::milliseconds(1));
  EXPECT_EQ(get_patients(c, c.header())->ErrorResponse->IsError, false);
}

TEST(FakeServerThrottle, LimitsArePerOperationAndPerAccount) {
  auto o = small_options();
  o.throttle = true;
  auto clock = std::make_shared<kareo::testing::ManualClock>();
  o.clock = clock;
  auto server = started(o);
  Client c(*server);
  ASSERT_EQ(get_patients(c, c.header())->ErrorResponse->IsError, false);
  // A different operation is not limited by GetPatients.
  _kareo__GetPractices in;
  in.request = c.request<kareo__GetPracticesReq>();
  in.request->Fields = std::make_shared<kareo__PracticeFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__PracticeFilter>();
  _kareo__GetPracticesResponse out;
  ASSERT_EQ(c.proxy.GetPractices(c.endpoint(), nullptr, &in, out), SOAP_OK);
  EXPECT_EQ(out.GetPracticesResult->ErrorResponse->IsError, false);
  // GetPatient has its own 250 ms limit.
  for (int i = 0; i < 2; ++i) {
    _kareo__GetPatient one;
    one.request = c.request<kareo__GetPatientReq>();
    one.request->Filter = std::make_shared<kareo__SinglePatientFilter>();
    one.request->Filter->PatientID = 1;
    _kareo__GetPatientResponse r;
    ASSERT_EQ(c.proxy.GetPatient(c.endpoint(), nullptr, &one, r), SOAP_OK);
    EXPECT_EQ(r.GetPatientResult->ErrorResponse->IsError, i == 1);
    if (i == 1) {
      EXPECT_NE(r.GetPatientResult->ErrorResponse->ErrorMessage->find("250 milliseconds"), std::string::npos);
    }
  }
  server->set_throttle(false);
  EXPECT_EQ(get_patients(c, c.header())->ErrorResponse->IsError, false);
  server->set_throttle(true);
  server->reset_throttle();
  EXPECT_EQ(get_patients(c, c.header())->ErrorResponse->IsError, false);
}

TEST(FakeServerThrottle, OverriddenIntervalsShowInGetThrottles) {
  auto o = small_options();
  o.throttle = true;
  o.throttle_ms = {{"GetPatients", 50}, {"GetAllPatients", 0}};
  auto clock = std::make_shared<kareo::testing::ManualClock>();
  o.clock = clock;
  auto server = started(o);
  auto table = server->throttle_table();
  EXPECT_EQ(table.at("GetPatients"), std::chrono::milliseconds(50));
  EXPECT_FALSE(table.count("GetAllPatients"));
  Client c(*server);
  ASSERT_EQ(get_patients(c, c.header())->ErrorResponse->IsError, false);
  auto limited = get_patients(c, c.header());
  EXPECT_NE(limited->ErrorResponse->ErrorMessage->find("over time interval 50 milliseconds"), std::string::npos);
  clock->advance(std::chrono::milliseconds(51));
  EXPECT_EQ(get_patients(c, c.header())->ErrorResponse->IsError, false);
}
