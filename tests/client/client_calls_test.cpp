// The Client over a mock connection, without a network: the composition of the connection stack, request
// defaults and validation, owned results, and what decorators and event sinks see.
#include <gtest/gtest.h>

#include <functional>
#include <type_traits>

#include "kareo/client.hpp"
#include "kareo/version.hpp"
#include "kareo/wire.hpp"

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
