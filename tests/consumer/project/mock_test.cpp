// Uses the installed Kareo::mocks the way a user's test does.
#include <gtest/gtest.h>
#include <kareo/mocks/mock_connection.hpp>

TEST(Consumer, MocksAnswerAClient) {
  auto responder = std::make_shared<kareo::mocks::Responder>();
  kareo::mocks::Result<kareo::Operation::CreatePatient> created;
  created.PatientID = 7;
  responder->answer<kareo::Operation::CreatePatient>(created);
  kareo::Client client = kareo::mocks::make_client(responder);
  EXPECT_EQ(client.create_patient(kareo::PatientCreate{}).PatientID, 7);
}
