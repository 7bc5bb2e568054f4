// testing-with-mocks: tests of clinic::register_patient (registration.cpp) with Kareo::mocks: no server, no
// network, no credentials. Copy this pattern for your own code.
#include <gtest/gtest.h>
#include <kareo/mocks/mock_connection.hpp>

#include "registration.hpp"

namespace {

using kareo::Operation;
using kareo::mocks::Request;
using kareo::mocks::Result;

const clinic::NewPatient kAda{"Ada", "Lovelace", "1980-05-01", "CH-1001", "Synthetic Family Practice"};

// GoogleMock: the request the code sent is checked, and answered with the new patient's ID.
TEST(RegisterPatient, SendsThePatientAndReturnsItsId) {
  auto mock = std::make_shared<kareo::mocks::MockConnection>();
  EXPECT_CALL(*mock, call(kareo::mocks::IsOperation(Operation::CreatePatient)))
      .WillOnce(kareo::mocks::Answer<Operation::CreatePatient>([](const Request<Operation::CreatePatient>& request) {
        EXPECT_EQ(request.Patient->FirstName.value_or(""), "Ada");
        EXPECT_EQ(request.Patient->PatientExternalID.value_or(""), "CH-1001");
        EXPECT_EQ(request.Patient->Practice->PracticeName.value_or(""), "Synthetic Family Practice");
        Result<Operation::CreatePatient> created;
        created.PatientID = 4711;
        return created;
      }));
  kareo::Client client = kareo::mocks::make_client(mock);

  clinic::Registration r = clinic::register_patient(client, kAda);
  EXPECT_EQ(r.patient_id, 4711);
  EXPECT_FALSE(r.needs_review);
}

// The typed handler: a write whose outcome is unknown is flagged, and sent once only.
TEST(RegisterPatient, AnUnknownOutcomeIsFlaggedNotRepeated) {
  auto responder = std::make_shared<kareo::mocks::Responder>();
  responder->fail(Operation::CreatePatient, kareo::mocks::ambiguous_outcome(Operation::CreatePatient));
  kareo::Client client = kareo::mocks::make_client(responder);

  clinic::Registration r = clinic::register_patient(client, kAda);
  EXPECT_TRUE(r.needs_review);
  EXPECT_FALSE(r.patient_id);
  EXPECT_NE(r.message.find("CH-1001"), std::string::npos);
  EXPECT_EQ(responder->calls(Operation::CreatePatient), 1u);
}

// Other failures reach the caller as the library's exception types.
TEST(RegisterPatient, ThrottlingPropagates) {
  auto responder = std::make_shared<kareo::mocks::Responder>();
  responder->fail(Operation::CreatePatient, kareo::mocks::throttled(Operation::CreatePatient));
  kareo::Client client = kareo::mocks::make_client(responder);

  EXPECT_THROW(clinic::register_patient(client, kAda), kareo::Throttled);
}

}  // namespace
