// The facade's logic without a network: credentials, options, errors, response checks and redaction. The
// Client over a mock connection is in client_calls_test.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "kareo/client.hpp"
#include "kareo/version.hpp"
#include "kareo/wire.hpp"
#include "scripted_server.hpp"

namespace kareo {
namespace {

const Credentials kCredentials("test-customer-key", "test-user@example.com", "test-password");

// Writes the credentials file `content` in `dir`, readable and writable by its owner only; returns its path.
std::string write_credentials(const test::TempDir& dir, const std::string& content) {
  const std::string path = dir.file("credentials");
  std::ofstream(path) << content;
  ::chmod(path.c_str(), 0600);
  return path;
}

// ---- credentials ---------------------------------------------------------------------------------------

TEST(Credentials, CompleteAndValidate) {
  EXPECT_TRUE(kCredentials.complete());
  EXPECT_NO_THROW(kCredentials.validate());
  const Credentials partial("test-customer-key", "", "test-password");
  EXPECT_FALSE(partial.complete());
  try {
    partial.validate();
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("user"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("test-password"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("test-customer-key"), std::string::npos);
  }
}

TEST(Credentials, FromEnvironment) {
  ::setenv("KAREO_CUSTOMER_KEY", "env-customer-key", 1);
  ::setenv("KAREO_USER", "env-user@example.com", 1);
  ::setenv("KAREO_PASSWORD", "env-password", 1);
  const Credentials c = Credentials::from_environment();
  EXPECT_EQ(c.customer_key(), "env-customer-key");
  EXPECT_EQ(c.user(), "env-user@example.com");
  EXPECT_EQ(c.password(), "env-password");
  ::setenv("KAREO_PASSWORD", "", 1);
  try {
    Credentials::from_environment();
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("KAREO_PASSWORD"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("env-customer-key"), std::string::npos);
  }
  ::unsetenv("KAREO_CUSTOMER_KEY");
  ::unsetenv("KAREO_USER");
  ::unsetenv("KAREO_PASSWORD");
}

TEST(Credentials, FromFileRequiresPrivatePermissions) {
  test::TempDir dir;
  const std::string path = write_credentials(
      dir, "# Tebra API user\n customer_key = file-customer-key \nuser=file-user@example.com\n\npassword=p=ss&word\n");
  const Credentials c = Credentials::from_file(path);
  EXPECT_EQ(c.customer_key(), "file-customer-key");
  EXPECT_EQ(c.user(), "file-user@example.com");
  EXPECT_EQ(c.password(), "p=ss&word");

  ::chmod(path.c_str(), 0640);
  EXPECT_THROW(Credentials::from_file(path), InvalidArgument);
  ::chmod(path.c_str(), 0604);
  try {
    Credentials::from_file(path);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
  EXPECT_THROW(Credentials::from_file(dir.file("missing")), InvalidArgument);
}

TEST(Credentials, FromFileRefusesIncompleteOrUnknownKeys) {
  test::TempDir dir;
  const std::string path = write_credentials(dir, "customer_key=file-customer-key\nuser=file-user@example.com\n");
  try {
    Credentials::from_file(path);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("password"), std::string::npos);
  }
  write_credentials(dir, "customer_key=k\nuser=u\npassword=p\npasword=secret-typo\n");
  try {
    Credentials::from_file(path);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("pasword"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("secret-typo"), std::string::npos);
  }
}

// ---- options -------------------------------------------------------------------------------------------

TEST(Options, Defaults) {
  ::unsetenv("KAREO_ENDPOINT");
  const Options o;
  EXPECT_EQ(o.endpoint(), "https://webservice.kareo.com/services/soap/2.1/KareoServices.svc");
  EXPECT_EQ(o.client_version(), std::string("kareo-cpp/") + version());
  EXPECT_EQ(o.max_response_bytes(), 512ull * 1024 * 1024);
  EXPECT_TRUE(o.keep_alive());
  EXPECT_TRUE(o.gzip());
  EXPECT_TRUE(o.ca_file().empty());
  EXPECT_EQ(o.wire_trace(), WireTrace::Off);
  EXPECT_GT(o.connect_timeout().count(), 0);
  EXPECT_GT(o.receive_timeout().count(), 0);
}

TEST(Options, EnvironmentEndpointOverrides) {
  ::setenv("KAREO_ENDPOINT", "https://sandbox.example.test/KareoServices.svc", 1);
  EXPECT_EQ(Options{}.endpoint(), "https://sandbox.example.test/KareoServices.svc");
  ::unsetenv("KAREO_ENDPOINT");
}

TEST(Options, RefusesBadValues) {
  EXPECT_THROW(Options{}.endpoint("ftp://example.test/"), InvalidArgument);
  EXPECT_THROW(Options{}.receive_timeout(std::chrono::milliseconds(-1)), InvalidArgument);
  EXPECT_THROW(Options{}.max_response_bytes(0), InvalidArgument);
  EXPECT_THROW(Options{}.add_decorator({}), InvalidArgument);
}

// ---- errors --------------------------------------------------------------------------------------------

TEST(Errors, ExitCodesAndRetryability) {
  Error::Details d;
  d.operation = Operation::GetPatients;
  EXPECT_EQ(InvalidArgument("x").exit_code(), 2);
  EXPECT_EQ(AuthenticationFailed("x", d, false, true).exit_code(), 3);
  EXPECT_EQ(NotAuthorized("x", d, {}, {}).exit_code(), 4);
  const Throttled t("x", d, std::chrono::milliseconds(1000), "GetPatients");
  EXPECT_EQ(t.exit_code(), 5);
  EXPECT_TRUE(t.retryable());
  EXPECT_EQ(ServiceError("x", d).exit_code(), 6);
  const SoapFault f("x", d, "a:InternalServiceFault", "internal error");
  EXPECT_EQ(f.exit_code(), 7);
  EXPECT_TRUE(f.internal_service_fault());
  EXPECT_FALSE(SoapFault("x", d, "s:Client", "bad").internal_service_fault());
  EXPECT_EQ(ConnectionError("x", d).exit_code(), 8);
  EXPECT_EQ(TimeoutError("x", d).kind(), ErrorKind::Transport);
  EXPECT_EQ(HttpError("x", d, "<html>").exit_code(), 8);
  EXPECT_EQ(MalformedResponse("x", d).exit_code(), 9);
  const AmbiguousOutcome a("x", d, ErrorKind::Transport, "reset");
  EXPECT_EQ(a.exit_code(), 10);
  EXPECT_FALSE(a.retryable());
  EXPECT_EQ(a.operation_name(), "GetPatients");
  EXPECT_FALSE(a.hint().empty());
  EXPECT_EQ(error_kind_name(ErrorKind::NotAuthorized), "not authorized");
}

TEST(Errors, ThrottleMessageParsed) {
  const auto n = wire::parse_throttle_message(
      "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait to "
      "try again.");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->endpoint, "GetPatients");
  EXPECT_EQ(n->interval, std::chrono::milliseconds(1000));
  const auto m = wire::parse_throttle_message(
      "429: GetAllPatients endpoint requested more than allowed over time interval 5000 milliseconds.");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->endpoint, "GetAllPatients");
  EXPECT_EQ(m->interval, std::chrono::milliseconds(5000));
  EXPECT_FALSE(wire::parse_throttle_message("Practice not found"));
}

// ---- check_response: the service's own failure reports ---------------------------------------------------

using PatientsResponse = wire::Traits<Operation::GetPatients>::Response;

PatientsResponse patients_response(std::function<void(GetPatientsResp&)> edit) {
  PatientsResponse r;
  r.GetPatientsResult = std::make_shared<GetPatientsResp>();
  edit(*r.GetPatientsResult);
  return r;
}

// Makes `p` the service's refusal of a call over GetPatients' rate limit (one call a second).
void throttle(GetPatientsResp& p) {
  p.ErrorResponse = std::make_shared<ErrorResponse>();
  p.ErrorResponse->IsError = true;
  p.ErrorResponse->ErrorMessage =
      "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait to "
      "try again.";
}

TEST(CheckResponse, AuthenticationFailed) {
  auto r = patients_response([](GetPatientsResp& p) {
    p.SecurityResponse = std::make_shared<SecurityResponse>();
    p.SecurityResponse->Authenticated = false;
    p.SecurityResponse->CustomerKeyValid = true;
    p.SecurityResponse->SecurityResult = "Invalid user name and/or password";
  });
  try {
    wire::check_response(Operation::GetPatients, &r);
    FAIL() << "expected AuthenticationFailed";
  } catch (const AuthenticationFailed& e) {
    EXPECT_FALSE(e.authenticated());
    EXPECT_TRUE(e.customer_key_valid());
    EXPECT_EQ(e.server_message(), "Invalid user name and/or password");
    EXPECT_EQ(e.operation(), Operation::GetPatients);
    EXPECT_FALSE(e.retryable());
  }
  auto k = patients_response([](GetPatientsResp& p) {
    p.SecurityResponse = std::make_shared<SecurityResponse>();
    p.SecurityResponse->CustomerKeyValid = false;
  });
  try {
    wire::check_response(Operation::GetPatients, &k);
    FAIL() << "expected AuthenticationFailed";
  } catch (const AuthenticationFailed& e) {
    EXPECT_FALSE(e.customer_key_valid());
  }
}

TEST(CheckResponse, NotAuthorizedCarriesLists) {
  auto r = patients_response([](GetPatientsResp& p) {
    p.SecurityResponse = std::make_shared<SecurityResponse>();
    p.SecurityResponse->Authenticated = true;
    p.SecurityResponse->Authorized = false;
    p.SecurityResponse->PermissionsMissing = std::make_shared<PermissionsMissing>();
    p.SecurityResponse->PermissionsMissing->Permission = std::make_shared<ArrayOfstring>();
    p.SecurityResponse->PermissionsMissing->Permission->string = {"ReadPatient", "ReadPatientDemographics"};
    p.SecurityResponse->PracticesAuthorized = std::make_shared<PracticiesAuthorized>();
    p.SecurityResponse->PracticesAuthorized->PracticeID = std::make_shared<ArrayOfint>();
    p.SecurityResponse->PracticesAuthorized->PracticeID->int_ = {1, 7};
  });
  try {
    wire::check_response(Operation::GetPatients, &r);
    FAIL() << "expected NotAuthorized";
  } catch (const NotAuthorized& e) {
    EXPECT_EQ(e.permissions_missing(), (std::vector<std::string>{"ReadPatient", "ReadPatientDemographics"}));
    EXPECT_EQ(e.practices_authorized(), (std::vector<std::string>{"1", "7"}));
    EXPECT_NE(std::string(e.what()).find("ReadPatient"), std::string::npos);
  }
}

TEST(CheckResponse, ThrottledAndServiceError) {
  auto t = patients_response(throttle);
  try {
    wire::check_response(Operation::GetPatients, &t);
    FAIL() << "expected Throttled";
  } catch (const Throttled& e) {
    EXPECT_EQ(e.interval(), std::chrono::milliseconds(1000));
    EXPECT_EQ(e.endpoint(), "GetPatients");
    EXPECT_TRUE(e.retryable());
  }
  auto s = patients_response([](GetPatientsResp& p) {
    p.ErrorResponse = std::make_shared<ErrorResponse>();
    p.ErrorResponse->IsError = true;
    p.ErrorResponse->ErrorMessage = "Practice 'Nowhere Clinic' was not found";
    p.ErrorResponse->StackTrace = "at KareoServices.GetPatients()";
  });
  try {
    wire::check_response(Operation::GetPatients, &s);
    FAIL() << "expected ServiceError";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.server_message(), "Practice 'Nowhere Clinic' was not found");
    EXPECT_EQ(e.stack_trace(), "at KareoServices.GetPatients()");
  }
  auto fine = patients_response([](GetPatientsResp& p) {
    p.ErrorResponse = std::make_shared<ErrorResponse>();
    p.ErrorResponse->IsError = false;
  });
  EXPECT_NO_THROW(wire::check_response(Operation::GetPatients, &fine));
}

TEST(CheckResponse, ThrottleComesBeforeADefaultSecurityResponse) {
  // The service refuses a throttled call before it looks at the credentials: its SecurityResponse may then carry
  // default (false) values. The call is Throttled (retry after the interval), not AuthenticationFailed.
  auto t = patients_response([](GetPatientsResp& p) {
    throttle(p);
    p.SecurityResponse = std::make_shared<SecurityResponse>();
    p.SecurityResponse->Authenticated = false;
    p.SecurityResponse->Authorized = false;
    p.SecurityResponse->CustomerKeyValid = false;
    p.SecurityResponse->SecurityResultSuccess = false;
  });
  try {
    wire::check_response(Operation::GetPatients, &t);
    FAIL() << "expected Throttled";
  } catch (const Throttled& e) {
    EXPECT_EQ(e.interval(), std::chrono::milliseconds(1000));
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.exit_code(), 5);
  } catch (const Error& e) {
    FAIL() << "expected Throttled, got " << error_kind_name(e.kind()) << ": " << e.what();
  }
  // A bare "429" text as well.
  auto bare = t;
  bare.GetPatientsResult->ErrorResponse->ErrorMessage = "429 Too Many Requests";
  EXPECT_THROW(wire::check_response(Operation::GetPatients, &bare), Throttled);
  // Another error with a failed SecurityResponse is still the security failure.
  auto denied = t;
  denied.GetPatientsResult->ErrorResponse->ErrorMessage = "Invalid user name and/or password.";
  EXPECT_THROW(wire::check_response(Operation::GetPatients, &denied), AuthenticationFailed);
}

TEST(CheckResponse, MissingResultAndCustomerIdFromKey) {
  PatientsResponse empty;
  EXPECT_THROW(wire::check_response(Operation::GetPatients, &empty), MalformedResponse);
  wire::Traits<Operation::GetCustomerIdFromKey>::Response c;
  c.GetCustomerIdFromKeyResult = std::make_shared<GetCustomerIdFromKeyResp>();
  c.GetCustomerIdFromKeyResult->CustomerId = -1;
  c.GetCustomerIdFromKeyResult->IsAuthorized = false;
  EXPECT_THROW(wire::check_response(Operation::GetCustomerIdFromKey, &c), AuthenticationFailed);
}

// ---- redaction -----------------------------------------------------------------------------------------

TEST(Redaction, CredentialsMaskedWhateverThePrefix) {
  const std::string xml =
      "<kareo:RequestHeader><kareo:ClientVersion>kareo-cpp/0.1.0</kareo:ClientVersion>"
      "<kareo:CustomerKey>test-customer-key</kareo:CustomerKey><a:Password>p&amp;ss</a:Password>"
      "<User>test-user@example.com</User></kareo:RequestHeader><FirstName>Testpatient</FirstName>";
  const std::string masked = mask_credentials(xml);
  EXPECT_EQ(masked,
            "<kareo:RequestHeader><kareo:ClientVersion>kareo-cpp/0.1.0</kareo:ClientVersion>"
            "<kareo:CustomerKey>***</kareo:CustomerKey><a:Password>***</a:Password>"
            "<User>***</User></kareo:RequestHeader><FirstName>Testpatient</FirstName>");
}

TEST(Redaction, AllowListKeepsStructureIdsDatesAndFlagsOnly) {
  const std::string xml =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetPatientsResponse "
      "xmlns=\"http://www.kareo.com/api/schemas/\"><GetPatientsResult><ErrorResponse><ErrorMessage>none"
      "</ErrorMessage><IsError>false</IsError></ErrorResponse><Patients><PatientData>"
      "<AddressLine1>12 Testing Way</AddressLine1><DOB>5/1/1980 12:00:00 AM</DOB><DateOfBirth>1980-05-01"
      "</DateOfBirth><FirstName>Testpatient</FirstName><ID>101</ID><LastModifiedDate>2024-03-01T10:00:00"
      "</LastModifiedDate><PracticeName>Main Street Clinic</PracticeName><SSN>000-00-0000</SSN>"
      "<SomeFlag>True</SomeFlag><CustomerKey>test-customer-key</CustomerKey>"
      "</PatientData></Patients></GetPatientsResult></GetPatientsResponse></s:Body></s:Envelope>";
  const std::string r = redact_xml(xml);
  EXPECT_NE(r.find("<ErrorMessage>none</ErrorMessage>"), std::string::npos);
  EXPECT_NE(r.find("<IsError>false</IsError>"), std::string::npos);
  EXPECT_NE(r.find("<ID>101</ID>"), std::string::npos);
  EXPECT_NE(r.find("<LastModifiedDate>2024-03-01T10:00:00</LastModifiedDate>"), std::string::npos);
  EXPECT_NE(r.find("<PracticeName>Main Street Clinic</PracticeName>"), std::string::npos);
  EXPECT_NE(r.find("<SomeFlag>True</SomeFlag>"), std::string::npos);
  EXPECT_NE(r.find("<AddressLine1>***</AddressLine1>"), std::string::npos);
  EXPECT_NE(r.find("<FirstName>***</FirstName>"), std::string::npos);
  EXPECT_NE(r.find("<DOB>***</DOB>"), std::string::npos);
  EXPECT_NE(r.find("<DateOfBirth>***</DateOfBirth>"), std::string::npos);
  EXPECT_NE(r.find("<SSN>***</SSN>"), std::string::npos);
  EXPECT_EQ(r.find("test-customer-key"), std::string::npos);
  EXPECT_EQ(r.find("Testpatient"), std::string::npos);

  const std::string with_data = redact_xml(xml, true);
  EXPECT_NE(with_data.find("<FirstName>Testpatient</FirstName>"), std::string::npos);
  EXPECT_EQ(with_data.find("test-customer-key"), std::string::npos);
  EXPECT_TRUE(trace_allows("PatientID"));
  EXPECT_FALSE(trace_allows("CustomerKey"));
  EXPECT_FALSE(trace_allows("LastName"));
}

}  // namespace
}  // namespace kareo
