// The facade's logic without a network: credentials, options, errors, response checks, redaction, the
// composition of the connection stack, request defaults and validation, and owned results.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <type_traits>

#include "kareo/client.hpp"
#include "kareo/version.hpp"
#include "kareo/wire.hpp"
#include "scripted_server.hpp"

namespace kareo {
namespace {

const Credentials kCredentials("test-customer-key", "test-user@example.com", "test-password");

// Records every exchange and answers with a response built by `respond` (default: an empty success).
class MockConnection : public Connection {
 public:
  using Responder = std::function<void(Exchange&)>;
  explicit MockConnection(Responder respond = {}) : respond_(std::move(respond)) {}

  void call(Exchange& ex) override {
    calls.push_back(ex.operation);
    attempts.push_back(ex.attempt);
    // The request lives only during the call: keep its payload.
    switch (ex.operation) {
#define KAREO_KEEP_(Name, M, P, R)                                                        \
  case Operation::Name:                                                                   \
    last_payload = wire::Traits<Operation::Name>::payload(ex.request<Operation::Name>()); \
    break;
      KAREO_OPERATION_LIST(KAREO_KEEP_)
#undef KAREO_KEEP_
    }
    if (respond_) {
      respond_(ex);
    } else {
      fill_empty(ex);
    }
  }

  static void fill_empty(Exchange& ex) {
    switch (ex.operation) {
#define KAREO_FILL_(Name, M, P, R)                                                                         \
  case Operation::Name: {                                                                                  \
    auto* r = &ex.response<Operation::Name>();                                                             \
    wire::Traits<Operation::Name>::result(*r) = std::make_shared<wire::Traits<Operation::Name>::Result>(); \
    break;                                                                                                 \
  }
      KAREO_OPERATION_LIST(KAREO_FILL_)
#undef KAREO_FILL_
    }
    if (ex.operation == Operation::GetCustomerIdFromKey) {
      auto* r = &ex.response<Operation::GetCustomerIdFromKey>();
      r->GetCustomerIdFromKeyResult->CustomerId = 4321;
      r->GetCustomerIdFromKeyResult->IsAuthorized = true;
    }
  }

  template <Operation Op>
  const typename wire::Traits<Op>::Payload& payload() const {
    return *static_cast<const typename wire::Traits<Op>::Payload*>(last_payload.get());
  }

  std::vector<Operation> calls;
  std::vector<int> attempts;
  std::shared_ptr<const void> last_payload;

 private:
  Responder respond_;
};

Options mock_options(std::shared_ptr<MockConnection> mock) {
  return Options{}.policies(CallPolicies::none()).connection(std::move(mock)).credentials(kCredentials);
}

PatientFilter practice_filter() {
  PatientFilter f;
  f.PracticeName = "Main Street Clinic";
  return f;
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
  const std::string path = dir.file("credentials");
  {
    std::ofstream out(path);
    out << "# Tebra API user\n customer_key = file-customer-key \nuser=file-user@example.com\n\npassword=p=ss&word\n";
  }
  ::chmod(path.c_str(), 0600);
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
  const std::string path = dir.file("credentials");
  {
    std::ofstream out(path);
    out << "customer_key=file-customer-key\nuser=file-user@example.com\n";
  }
  ::chmod(path.c_str(), 0600);
  try {
    Credentials::from_file(path);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("password"), std::string::npos);
  }
  {
    std::ofstream out(path);
    out << "customer_key=k\nuser=u\npassword=p\npasword=secret-typo\n";
  }
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
  auto t = patients_response([](GetPatientsResp& p) {
    p.ErrorResponse = std::make_shared<ErrorResponse>();
    p.ErrorResponse->IsError = true;
    p.ErrorResponse->ErrorMessage =
        "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait to "
        "try again.";
  });
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
    p.ErrorResponse = std::make_shared<ErrorResponse>();
    p.ErrorResponse->IsError = true;
    p.ErrorResponse->ErrorMessage =
        "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait to "
        "try again.";
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

// ---- the Client over a mock connection -----------------------------------------------------------------

TEST(Client, InjectsTheRequestHeader) {
  auto mock = std::make_shared<MockConnection>();
  Client client(mock_options(mock));
  client.patients({practice_filter()}).collect();
  const auto& p = mock->payload<Operation::GetPatients>();
  ASSERT_TRUE(p.RequestHeader);
  EXPECT_EQ(p.RequestHeader->ClientVersion.value_or(""), std::string("kareo-cpp/") + version());
  EXPECT_EQ(p.RequestHeader->CustomerKey.value_or(""), "test-customer-key");
  EXPECT_EQ(p.RequestHeader->User.value_or(""), "test-user@example.com");
  EXPECT_EQ(p.RequestHeader->Password.value_or(""), "test-password");
  ASSERT_TRUE(p.Fields);  // empty Fields: every column
  EXPECT_FALSE(p.Fields->FirstName.has_value());
  ASSERT_TRUE(p.Filter);
  EXPECT_EQ(p.Filter->PracticeName.value_or(""), "Main Street Clinic");

  EXPECT_EQ(client.get_customer_id_from_key(), 4321);
  const auto& c = mock->payload<Operation::GetCustomerIdFromKey>();
  EXPECT_EQ(c.CustomerKey.value_or(""), "test-customer-key");
  EXPECT_EQ(c.User.value_or(""), "test-user@example.com");
  EXPECT_EQ(c.Password.value_or(""), "test-password");
}

TEST(Client, RefusesBeforeSending) {
  auto mock = std::make_shared<MockConnection>();
  Client no_credentials(Options{}.policies(CallPolicies::none()).connection(mock));
  EXPECT_THROW(no_credentials.practices().collect(), InvalidArgument);
  Client partial(Options{}
                     .policies(CallPolicies::none())
                     .connection(mock)
                     .credentials(Credentials("test-customer-key", "test-user", "")));
  try {
    partial.throttles().collect();
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.operation(), Operation::GetThrottles);
    EXPECT_EQ(e.exit_code(), 2);
  }
  Client client(mock_options(mock));
  EXPECT_THROW(client.patients({PatientFilter{}}).collect(), InvalidArgument);  // no practice
  PatientFilter half = practice_filter();
  half.FromDateOfBirth = "3/1/2024";
  EXPECT_THROW(client.patients({half}).collect(), InvalidArgument);  // a range needs both ends
  EXPECT_THROW(client.charges({ChargeFilter{}}).collect(), InvalidArgument);
  EXPECT_THROW(client.appointments({AppointmentFilter{}}).collect(), InvalidArgument);
  EXPECT_THROW(client.encounter_details({EncounterDetailsFilter{}}).collect(), InvalidArgument);
  EXPECT_THROW(client.get_patient(SinglePatientFilter{}), InvalidArgument);
  AllPatientsQuery batch;
  batch.practice_id = 1;
  batch.paging.batch_size = 5000;
  EXPECT_THROW(client.all_patients(batch), InvalidArgument);
  EXPECT_TRUE(mock->calls.empty());

  half.ToDateOfBirth = "3/31/2024";
  EXPECT_NO_THROW(client.patients({half}).collect());
  EXPECT_EQ(mock->calls.size(), 1u);
}

TEST(Client, RawCallsGetRequiredDefaults) {
  auto mock = std::make_shared<MockConnection>();
  Client client(mock_options(mock));
  client.call<kareo::Operation::GetServiceLocations>(GetServiceLocationsReq{});
  const auto& s = mock->payload<Operation::GetServiceLocations>();
  EXPECT_TRUE(s.Fields);
  EXPECT_TRUE(s.Filter);
  EXPECT_TRUE(s.RequestHeader);
  client.all_patients({1, {}, {}}).collect();
  const auto& a = mock->payload<Operation::GetAllPatients>();
  ASSERT_TRUE(a.Filter);
  EXPECT_EQ(a.Filter->BatchSize, 1000);
}

TEST(Client, UpdatePatientUsesItsOwnWrapper) {
  auto mock = std::make_shared<MockConnection>();
  Client client(mock_options(mock));
  PatientUpdate p;
  p.PatientID = 101;
  client.update_patient(p);
  const auto& payload = mock->payload<Operation::UpdatePatient>();  // the body's UpdatePatientReq member
  ASSERT_TRUE(payload.RequestHeader);
  ASSERT_TRUE(payload.Patient);
  EXPECT_EQ(payload.Patient->PatientID, 101);
}

TEST(Client, PaymentWithoutAPaymentMethodIsRefusedBeforeSending) {
  // The service requires Payment/PaymentMethod although the contract lets it be nil: the caller hears it at once,
  // with the values it accepts, and nothing is sent.
  auto mock = std::make_shared<MockConnection>();
  Client client(mock_options(mock));
  PaymentCreate payment;
  payment.PayerType = "Patient";
  payment.Payment = std::make_shared<PaymentPaymentCreate>();
  payment.Payment->AmountPaid = "25.00";
  for (const std::optional<std::string>& method :
       {std::optional<std::string>(), std::optional<std::string>(""), std::optional<std::string>("cash")}) {
    payment.Payment->PaymentMethod = method;
    try {
      client.create_payment(payment);
      FAIL() << "expected InvalidArgument for " << method.value_or("(absent)");
    } catch (const InvalidArgument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("PaymentMethod"), std::string::npos) << m;
      EXPECT_NE(m.find("Cash, ElectronicFundsTransfer, Check, Other, CreditCard, Unknown"), std::string::npos) << m;
      EXPECT_EQ(e.operation(), Operation::CreatePayment);
    }
  }
  EXPECT_TRUE(mock->calls.empty());
  payment.Payment->PaymentMethod = "CreditCard";
  client.create_payment(payment);
  ASSERT_EQ(mock->calls.size(), 1u);
  EXPECT_EQ(*mock->payload<Operation::CreatePayment>().Payment->Payment->PaymentMethod, "CreditCard");
}

TEST(Client, EveryOperationIsCallable) {
  auto mock = std::make_shared<MockConnection>();
  Client client(mock_options(mock));
  client.all_patients({1, {}, {}}).collect();
  client.get_appointment(55);
  AppointmentQuery af;
  af.service_date = TimeRange{Date(2024, 3, 1), Date(2024, 3, 31)};
  client.appointments(af).collect();
  ChargeFilter cf;
  cf.PracticeName = "Main Street Clinic";
  client.charges({cf}).collect();
  client.get_customer_id_from_key();
  EncounterDetailsFilter ef;
  ef.EncounterID = "77";
  client.encounter_details({ef}).collect();
  client.external_vendors().collect();
  client.get_patient(101);
  client.patients({practice_filter()}).collect();
  PaymentFilter pf;
  pf.PracticeName = "Main Street Clinic";
  client.payments({pf}).collect();
  client.practices().collect();
  client.procedure_codes().collect();
  client.providers().collect();
  client.service_locations().collect();
  client.throttles().collect();
  TransactionFilter tf;
  tf.PracticeName = "Main Street Clinic";
  client.transactions({tf}).collect();
  AppointmentCreate appointment;
  EXPECT_THROW(client.create_appointment(appointment), InvalidArgument);  // no AppointmentType
  appointment.AppointmentType = AppointmentType::P;
  client.create_appointment(appointment);
  client.create_document(DocumentCreateRequest{});
  client.create_encounter(EncounterCreate{});
  client.create_patient(PatientCreate{});
  client.create_payment(PaymentCreate{});
  client.delete_appointment(55);
  client.delete_document(66);
  ExternalVendorReq vendor;
  vendor.ExternalVendorName = "Test Vendor";
  client.register_external_vendor(vendor);
  client.update_appointment(AppointmentUpdate{});
  client.update_encounter_status(EncounterUpdateStatus{});
  client.update_patient(PatientUpdate{});
  client.update_patients_external_id(PatientExternalIDSettingBatch{});
  std::vector<Operation> expected(all_operations().begin(), all_operations().end());
  std::vector<Operation> called = mock->calls;
  std::sort(called.begin(), called.end());
  EXPECT_EQ(called, expected);
}

TEST(Client, ResultsAreOwnedAndPlaceholdersDropped) {
  static int fake_context;  // stands in for a context the rows must not point at
  auto* bogus = reinterpret_cast<struct soap*>(&fake_context);
  auto mock = std::make_shared<MockConnection>([bogus](Exchange& ex) {
    auto* r = &ex.response<Operation::GetPatients>();
    r->GetPatientsResult = std::make_shared<GetPatientsResp>();
    r->GetPatientsResult->soap = bogus;
    r->GetPatientsResult->Patients = std::make_shared<ArrayOfPatientData>();
    r->GetPatientsResult->Patients->soap = bogus;
    for (const char* id : {"101", "", "102"}) {
      auto row = std::make_shared<PatientData>();
      row->soap = bogus;
      row->ID = std::string(id);
      row->Cases = std::make_shared<ArrayOfPatientCaseData>();
      row->Cases->soap = bogus;
      row->Cases->PatientCaseData.push_back(std::make_shared<PatientCaseData>());
      row->Cases->PatientCaseData.back()->soap = bogus;
      r->GetPatientsResult->Patients->PatientData.push_back(row);
    }
    auto missing_id = std::make_shared<PatientData>();
    r->GetPatientsResult->Patients->PatientData.push_back(missing_id);
  });
  Client client(mock_options(mock));
  const auto rows = client.patients({practice_filter()}).collect();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].ID.value_or(""), "101");
  EXPECT_EQ(rows[1].ID.value_or(""), "102");
  for (const auto& row : rows) {
    EXPECT_EQ(row.soap, nullptr);
    ASSERT_TRUE(row.Cases);
    EXPECT_EQ(row.Cases->soap, nullptr);
    EXPECT_EQ(row.Cases->PatientCaseData.front()->soap, nullptr);
  }
  const auto raw = client.call<kareo::Operation::GetPatients>(GetPatientsReq{});
  EXPECT_EQ(raw.soap, nullptr);
  ASSERT_TRUE(raw.Patients);
  EXPECT_EQ(raw.Patients->soap, nullptr);
  EXPECT_EQ(raw.Patients->PatientData.size(), 4u);  // the raw call keeps every row as sent
}

TEST(Client, ServiceFailureFromAQuietTransportStillThrows) {
  auto mock = std::make_shared<MockConnection>([](Exchange& ex) {
    auto* r = &ex.response<Operation::GetPractices>();
    r->GetPracticesResult = std::make_shared<GetPracticesResp>();
    r->GetPracticesResult->ErrorResponse = std::make_shared<ErrorResponse>();
    r->GetPracticesResult->ErrorResponse->IsError = true;
    r->GetPracticesResult->ErrorResponse->ErrorMessage = "Something went wrong";
  });
  Client client(mock_options(mock));
  EXPECT_THROW(client.practices().collect(), ServiceError);
}

// A decorator that records its name and retries once on a retryable error.
class TaggingConnection : public Connection {
 public:
  TaggingConnection(std::shared_ptr<Connection> inner, std::string tag, std::vector<std::string>& log, bool retry)
      : inner_(std::move(inner)), tag_(std::move(tag)), log_(log), retry_(retry) {}
  void call(Exchange& ex) override {
    log_.push_back(tag_);
    try {
      inner_->call(ex);
    } catch (const Error& e) {
      if (!retry_ || !e.retryable()) throw;
      ++ex.attempt;
      inner_->call(ex);
    }
  }

 private:
  std::shared_ptr<Connection> inner_;
  std::string tag_;
  std::vector<std::string>& log_;
  bool retry_;
};

TEST(Client, DecoratorsWrapObservabilityInOrder) {
  int calls = 0;
  auto mock = std::make_shared<MockConnection>([&calls](Exchange& ex) {
    if (++calls == 1) {
      Error::Details d;
      d.operation = ex.operation;
      d.retryable = true;
      throw ConnectionError("GetPractices: connection reset", d);
    }
    MockConnection::fill_empty(ex);
  });
  std::vector<std::string> log;
  std::vector<CallEvent> events;
  Options options = mock_options(mock);
  options.event_sink([&events](const CallEvent& e) { events.push_back(e); })
      .add_decorator([&log](std::shared_ptr<Connection> inner) {
        return std::make_shared<TaggingConnection>(std::move(inner), "inner", log, true);
      })
      .add_decorator([&log](std::shared_ptr<Connection> inner) {
        return std::make_shared<TaggingConnection>(std::move(inner), "outer", log, false);
      });
  Client client(std::move(options));
  client.practices().collect();
  EXPECT_EQ(log, (std::vector<std::string>{"outer", "inner"}));
  ASSERT_EQ(events.size(), 2u);  // one per attempt, below the retrying decorator
  EXPECT_EQ(events[0].attempt, 1);
  EXPECT_FALSE(events[0].ok);
  EXPECT_EQ(events[0].error, ErrorKind::Transport);
  EXPECT_EQ(events[0].operation, Operation::GetPractices);
  EXPECT_EQ(events[1].attempt, 2);
  EXPECT_TRUE(events[1].ok);
  EXPECT_EQ(mock->attempts, (std::vector<int>{1, 2}));
}

TEST(Client, AThrowingSinkDoesNotChangeTheOutcome) {
  auto mock = std::make_shared<MockConnection>();
  Client client(mock_options(mock).event_sink([](const CallEvent&) { throw std::runtime_error("sink failed"); }));
  EXPECT_NO_THROW(client.practices().collect());
}

// A Connection written by a user of the library (not its transport) that reports what it saw of each attempt in
// the Exchange's wire record.
class UserTransport : public Connection {
 public:
  bool fail = false;

  void call(Exchange& ex) override {
    WireRecord& wire = ex.wire();
    wire.endpoint = "https://user-transport.invalid/soap";
    wire.bytes_sent = 321;
    wire.bytes_received = 654;
    wire.http_status = fail ? 503 : 200;
    if (wire.want_xml) {
      wire.request_xml =
          "<Envelope><Body><GetPractices><request><RequestHeader><CustomerKey>test-customer-key</CustomerKey>"
          "</RequestHeader></request></GetPractices></Body></Envelope>";
      wire.response_xml =
          "<Envelope><Body><GetPracticesResponse><GetPracticesResult><Practices><PracticeData><ID>7</ID>"
          "<PracticeName>Example Clinic</PracticeName></PracticeData></Practices></GetPracticesResult>"
          "</GetPracticesResponse></Body></Envelope>";
    }
    if (fail) {
      Error::Details d;
      d.operation = ex.operation;
      d.http_status = 503;
      throw HttpError("GetPractices: HTTP 503 with a non-SOAP body", d, "busy");
    }
    auto& response = ex.response<Operation::GetPractices>();
    response.GetPracticesResult = std::make_shared<wire::Traits<Operation::GetPractices>::Result>();
  }
};

TEST(Client, ObservesTheWireRecordOfAUserConnection) {
  auto transport = std::make_shared<UserTransport>();
  std::vector<CallEvent> events;
  Client client(Options{}
                    .credentials(kCredentials)
                    .connection(transport)
                    .policies(CallPolicies::none())
                    .event_sink([&events](const CallEvent& e) { events.push_back(e); })
                    .wire_trace(WireTrace::Redacted));
  client.practices().collect();
  transport->fail = true;
  EXPECT_THROW(client.practices().collect(), HttpError);
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) {
    EXPECT_EQ(e.endpoint, "https://user-transport.invalid/soap");
    EXPECT_EQ(e.bytes_sent, 321u);
    EXPECT_EQ(e.bytes_received, 654u);
    // Redacted by the observability layer like the built-in transport's XML: credentials and names masked.
    EXPECT_NE(e.request_xml.find("<CustomerKey>***</CustomerKey>"), std::string::npos) << e.request_xml;
    EXPECT_EQ(e.request_xml.find("test-customer-key"), std::string::npos);
    EXPECT_NE(e.response_xml.find("<ID>7</ID>"), std::string::npos) << e.response_xml;
  }
  EXPECT_TRUE(events[0].ok);
  EXPECT_EQ(events[0].http_status, 200);
  EXPECT_FALSE(events[1].ok);
  EXPECT_EQ(events[1].http_status, 503);
}

TEST(Exchange, GivesCheckedTypedAccessToItsRequestAndResponse) {
  kareo_wire::_kareo__GetPatients body;
  kareo_wire::_kareo__GetPatientsResponse response;
  Exchange ex{body, response};
  EXPECT_EQ(ex.operation, Operation::GetPatients);
  EXPECT_EQ(ex.attempt, 1);
  EXPECT_EQ(&ex.request<Operation::GetPatients>(), &body);
  EXPECT_EQ(&ex.response<Operation::GetPatients>(), &response);
  const Exchange& view = ex;
  EXPECT_EQ(&view.response<Operation::GetPatients>(), &response);
  EXPECT_THROW(ex.request<Operation::GetCharges>(), InvalidArgument);
  EXPECT_THROW(ex.response<Operation::CreatePatient>(), InvalidArgument);
  EXPECT_THROW(view.response<Operation::GetPatient>(), InvalidArgument);
  // A request and a response of different operations make no Exchange.
  static_assert(!std::is_constructible_v<Exchange, const kareo_wire::_kareo__GetPatients&,
                                         kareo_wire::_kareo__GetChargesResponse&>);
  static_assert(std::is_constructible_v<Exchange, const kareo_wire::_kareo__GetCharges&,
                                        kareo_wire::_kareo__GetChargesResponse&>);
}

}  // namespace
}  // namespace kareo
