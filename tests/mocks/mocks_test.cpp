// Kareo::mocks as a user's test uses it: a Client over a MockConnection or a Responder.
#include <gtest/gtest.h>
#include <kareo/mocks/mock_connection.hpp>

#include <string>

namespace {

using kareo::Operation;
using kareo::mocks::Request;
using kareo::mocks::Result;
using ::testing::_;

TEST(Mocks, ClientCallsReachTheMockOnceWithCredentialsInPlace) {
  auto mock = std::make_shared<kareo::mocks::MockConnection>();
  EXPECT_CALL(*mock, call(kareo::mocks::IsOperation(Operation::GetPractices)))
      .WillOnce(kareo::mocks::Answer<Operation::GetPractices>([](const Request<Operation::GetPractices>& request) {
        // The client put the credentials where the service reads them.
        EXPECT_EQ(request.RequestHeader->CustomerKey.value_or(""), "test-customer-key");
        EXPECT_EQ(request.RequestHeader->User.value_or(""), "test-user");
        return Result<Operation::GetPractices>{};
      }));
  kareo::Client client = kareo::mocks::make_client(mock);
  EXPECT_TRUE(client.practices().collect().empty());
}

TEST(Mocks, ErrorsThrownByTheMockReachTheCaller) {
  auto mock = std::make_shared<kareo::mocks::MockConnection>();
  EXPECT_CALL(*mock, call(_)).WillOnce(::testing::Throw(kareo::mocks::authentication_failed(Operation::GetPractices)));
  kareo::Client client = kareo::mocks::make_client(mock);
  EXPECT_THROW(client.practices().collect(), kareo::AuthenticationFailed);
}

TEST(Mocks, AnAmbiguousWriteIsNotSentAgain) {
  auto responder = std::make_shared<kareo::mocks::Responder>();
  responder->fail(Operation::CreatePatient, kareo::mocks::ambiguous_outcome(Operation::CreatePatient));
  kareo::Client client = kareo::mocks::make_client(responder);
  EXPECT_THROW(client.create_patient(kareo::PatientCreate{}), kareo::AmbiguousOutcome);
  EXPECT_EQ(responder->calls(Operation::CreatePatient), 1u);
}

TEST(Mocks, AnOperationWithoutAnAnswerIsNamed) {
  auto responder = std::make_shared<kareo::mocks::Responder>();
  responder->answer<Operation::GetPractices>({});
  kareo::Client client = kareo::mocks::make_client(responder);
  try {
    client.providers().collect();
    FAIL() << "expected InvalidArgument";
  } catch (const kareo::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no answer for GetProviders"), std::string::npos) << e.what();
  }
}

TEST(Mocks, TypedAccessRefusesAnotherOperation) {
  kareo::wire::Traits<Operation::GetPatients>::Body body;
  kareo::wire::Traits<Operation::GetPatients>::Response response;
  kareo::Exchange exchange{body, response};
  EXPECT_THROW(kareo::mocks::request_of<Operation::GetProviders>(exchange), kareo::InvalidArgument);
  EXPECT_THROW(kareo::mocks::request_of<Operation::GetPatients>(exchange), kareo::InvalidArgument);  // no request
  EXPECT_THROW(kareo::mocks::respond<Operation::GetProviders>(exchange, {}), kareo::InvalidArgument);
  kareo::mocks::respond<Operation::GetPatients>(exchange, {});
  EXPECT_TRUE(response.GetPatientsResult);
}

}  // namespace
