// The streaming reader of list results (src/transport/fast_reader.hpp) against the generated deserializer: for the same
// bytes it must build the same objects, and for anything but the expected response it must step aside so that
// the generated code reports it as before.
#include <gtest/gtest.h>

#include <functional>
#include <sstream>
#include <string>

#include "kareo/client.hpp"
#include "kareo/json.hpp"
#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"
#include "scripted_server.hpp"
#include "shared_fake_server_suite.hpp"
#include "support.hpp"
#include "transport/fast_reader.hpp"

namespace kareo {
namespace {

using testing::FakeServer;

const Credentials kCredentials("test-customer-key", "test-user@example.test", "test-password");

// A client whose every response is `respond`'s, recorded in `bodies`.
struct Recorder {
  std::vector<std::string> bodies;
  std::function<wire::CannedResponse(const wire::CannedRequest&)> respond;
  Client client() {
    return Client(Options{}
                      .credentials(kCredentials)
                      .policies(CallPolicies::none())
                      .connection(wire::make_canned_connection([this](const wire::CannedRequest& r) {
                        auto answer = respond(r);
                        bodies.push_back(answer.body);
                        return answer;
                      })));
  }
};

// The canned answers of the fake server: each request posted to it, its answer returned as it came.
std::function<wire::CannedResponse(const wire::CannedRequest&)> forward_to(const FakeServer& server) {
  return [&server](const wire::CannedRequest& r) {
    const auto http = fake_test::http_post(server.port(), r.soap_action, r.xml);
    return wire::CannedResponse{http.status, http.body};
  };
}

// The same body read by the generated deserializer, as JSON.
template <Operation Op>
nlohmann::json generated_reading(const std::string& body, int status = 200, int* refused = nullptr) {
  using T = wire::Traits<Op>;
  kareo_wire::KareoServicesProxy proxy;
  soap_set_imode(proxy.soap, SOAP_C_UTFSTRING);
  std::istringstream in("HTTP/1.1 " + std::to_string(status) +
                        " OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body);
  proxy.soap->is = &in;
  typename T::Response response;
  int rc = SOAP_ERR;
#define KAREO_RECV_(Name) \
  if constexpr (Op == Operation::Name) rc = proxy.recv_##Name(response);
  KAREO_RECV_(GetAllPatients)
  KAREO_RECV_(GetAppointments)
  KAREO_RECV_(GetCharges)
  KAREO_RECV_(GetPatients)
  KAREO_RECV_(GetPayments)
  KAREO_RECV_(GetTransactions)
#undef KAREO_RECV_
  if (refused) {
    *refused = rc;
    return nlohmann::json();
  }
  EXPECT_EQ(rc, SOAP_OK) << "the generated deserializer refused the body";
  return to_json(T::result(response));
}

// The body read by the streaming reader directly, fed `step` bytes at a time, as JSON.
template <Operation Op>
nlohmann::json streamed_reading(const std::string& body, std::size_t step, const char* response_element,
                                const char* result_element) {
  using T = wire::Traits<Op>;
  auto result = std::make_shared<typename T::Result>();
  detail::fast::Reader reader(*detail::fast::table_of<typename T::Result>(), result.get(), response_element,
                              result_element);
  auto state = detail::fast::Reader::State::Reading;
  for (std::size_t at = 0; at < body.size() && state == detail::fast::Reader::State::Reading; at += step) {
    state = reader.feed(body.data() + at, std::min(step, body.size() - at));
  }
  if (state == detail::fast::Reader::State::Reading) state = reader.finish();
  EXPECT_EQ(state, detail::fast::Reader::State::Done) << reader.error();
  return reader.result_absent() ? nlohmann::json() : to_json(result);
}

class Streaming : public test_support::SharedFakeServerSuite<Streaming> {
 public:
  static testing::FakeServerOptions server_options() {
    testing::DataSizes s;
    s.practices = 1;
    s.patients = 40;
    s.appointments = 60;
    s.encounters = 30;
    s.charges = 60;
    s.payments = 30;
    s.transactions = 80;
    return unthrottled_options(s);
  }

 protected:
  // Calls the operation through a Client (the streaming reader), then reads the recorded body with the
  // generated deserializer, and compares the two results member by member.
  template <Operation Op>
  void expect_same(const std::function<void(Client&)>& call, std::size_t min_rows) {
    Recorder r;
    r.respond = forward_to(*server_);
    Client client = r.client();
    const auto before = detail::fast::stats();
    call(client);
    EXPECT_EQ(detail::fast::stats().read, before.read + 1) << "the streaming reader did not read the response";
    ASSERT_EQ(r.bodies.size(), 1u);
    const std::string& body = r.bodies.front();
    const nlohmann::json generated = generated_reading<Op>(body);
    const std::string op(operation_name(Op));
    const nlohmann::json streamed =
        streamed_reading<Op>(body, body.size(), (op + "Response").c_str(), (op + "Result").c_str());
    EXPECT_EQ(streamed, generated);
    // Fed in pieces of every size from one byte up, the reader builds the same objects.
    for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
      EXPECT_EQ(streamed_reading<Op>(body, step, (op + "Response").c_str(), (op + "Result").c_str()), generated)
          << "fed " << step << " bytes at a time";
    }
    EXPECT_GE(generated.dump().size(), min_rows * 50) << "too little data to compare: " << generated.dump();
  }
};

TEST_F(Streaming, GetPatientsReadsWhatTheGeneratedCodeReads) {
  expect_same<Operation::GetPatients>(
      [](Client& c) {
        PatientFilter f;
        f.PracticeName = "Testpractice Alpha";
        EXPECT_EQ(c.patients({f}).collect().size(), 40u);
      },
      40);
}

TEST_F(Streaming, GetAllPatientsReadsWhatTheGeneratedCodeReads) {
  expect_same<Operation::GetAllPatients>(
      [](Client& c) {
        GetAllPatientsReq request;
        request.Filter = std::make_shared<PatientBatchGetFilter>();
        request.Filter->PracticeID = 1;
        request.Filter->BatchSize = 25;
        const auto result = c.call<Operation::GetAllPatients>(std::move(request));
        ASSERT_TRUE(result.Patients);
        EXPECT_EQ(result.Patients->PatientBatchData.size(), 25u);
      },
      25);
}

TEST_F(Streaming, GetAppointmentsReadsWhatTheGeneratedCodeReads) {
  expect_same<Operation::GetAppointments>(
      [](Client& c) {
        AppointmentQuery f;
        f.filter.PracticeName = "Testpractice Alpha";
        f.service_date = TimeRange{Date(2025, 4, 1), Date(2025, 5, 30)};
        f.paging.window = std::chrono::hours(24 * 59);
        EXPECT_FALSE(c.appointments(f).collect().empty());
      },
      10);
}

TEST_F(Streaming, GetChargesReadsWhatTheGeneratedCodeReads) {
  expect_same<Operation::GetCharges>(
      [](Client& c) {
        ChargeFilter f;
        f.PracticeName = "Testpractice Alpha";
        EXPECT_FALSE(c.charges({f}).collect().empty());
      },
      10);
}

TEST_F(Streaming, GetPaymentsReadsWhatTheGeneratedCodeReads) {
  expect_same<Operation::GetPayments>(
      [](Client& c) {
        PaymentFilter f;
        f.PracticeName = "Testpractice Alpha";
        EXPECT_FALSE(c.payments({f}).collect().empty());
      },
      10);
}

TEST_F(Streaming, GetTransactionsReadsWhatTheGeneratedCodeReads) {
  expect_same<Operation::GetTransactions>(
      [](Client& c) {
        TransactionFilter f;
        f.PracticeName = "Testpractice Alpha";
        EXPECT_FALSE(c.transactions({f}).collect().empty());
      },
      10);
}

// ---- hand-written responses -------------------------------------------------------------------------------

const char kEnvelopeStart[] =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
    "<GetPatientsResponse xmlns=\"http://www.kareo.com/api/schemas/\">"
    "<GetPatientsResult xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
    "<ErrorResponse><IsError>false</IsError></ErrorResponse>"
    "<SecurityResponse><Authenticated>true</Authenticated><Authorized> true </Authorized>"
    "<CustomerId>\n 42 \n</CustomerId><CustomerKeyValid>1</CustomerKeyValid>"
    "<PermissionsMissing xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">"
    "<Permission><a:string>Read</a:string><a:string></a:string><a:string>Write &amp; more</a:string></Permission>"
    "</PermissionsMissing>"
    "<PracticesAuthorized><PracticeID xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">"
    "<a:int>1</a:int><a:int> 2 </a:int></PracticeID></PracticesAuthorized>"
    "<SecurityResult>Success</SecurityResult><SecurityResultSuccess>true</SecurityResultSuccess>"
    "</SecurityResponse>";
const char kEnvelopeEnd[] = "</GetPatientsResult></GetPatientsResponse></s:Body></s:Envelope>";

std::string patients_body(const std::string& rows) {
  return std::string(kEnvelopeStart) + "<Patients>" + rows + "</Patients>" + kEnvelopeEnd;
}

// Each of these the generated deserializer reads one way; the streaming reader must read it the same way.
TEST(StreamingEdgeCases, ReadLikeTheGeneratedCode) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nil, empty and missing members",
       "<PatientData><AddressLine1 i:nil=\"true\"/><AddressLine2/><City></City><ID>1</ID></PatientData>"},
      {"entities, character references and CDATA",
       "<PatientData><FirstName>Test&#233;&lt;&gt;&quot;&apos;</FirstName><ID>2</ID>"
       "<LastName><![CDATA[Testpatient <one> & two]]></LastName></PatientData>"},
      {"whitespace and line breaks kept in strings",
       "<PatientData><ID> 3 </ID><Notes xmlns:x=\"urn:x\">  line one\r\nline two  </Notes></PatientData>"},
      {"unknown elements, nested, reusing member names",
       "<PatientData><Unknown><FirstName>not me</FirstName><Deeper><ID>9</ID></Deeper></Unknown><ID>4</ID>"
       "<FirstName>Testpatient</FirstName></PatientData>"},
      {"a member in another namespace is not the member",
       "<PatientData><FirstName xmlns=\"urn:other\">wrong</FirstName><ID>5</ID></PatientData>"},
      {"a repeated member: the first counts",
       "<PatientData><ID>6</ID><FirstName>First</FirstName><FirstName>Second</FirstName></PatientData>"},
      {"nested cases, policies and authorizations",
       "<PatientData><Cases><PatientCaseData><IsPrimaryCase>true</IsPrimaryCase><Name>Case</Name>"
       "<InsurancePolicies><PatientInsurancePolicyData><Authorizations>"
       "<PatientInsurancePolicyAuthorizationData><Number>A1</Number></PatientInsurancePolicyAuthorizationData>"
       "</Authorizations><CompanyName>Testinsurer</CompanyName></PatientInsurancePolicyData></InsurancePolicies>"
       "</PatientCaseData><PatientCaseData i:nil=\"true\"/></Cases><ID>7</ID></PatientData>"},
      {"comments, processing instructions and a nil row",
       "<!-- a comment --><PatientData><?pi data?><ID>8</ID></PatientData><PatientData i:nil=\"true\"/>"},
      {"no rows", ""},
  };
  for (const auto& [name, rows] : cases) {
    SCOPED_TRACE(name);
    const std::string body = patients_body(rows);
    const auto generated = generated_reading<Operation::GetPatients>(body);
    for (std::size_t step : {body.size(), std::size_t{1}, std::size_t{5}}) {
      EXPECT_EQ(streamed_reading<Operation::GetPatients>(body, step, "GetPatientsResponse", "GetPatientsResult"),
                generated)
          << "fed " << step << " bytes at a time";
    }
  }
  // A result the response names nil, and one it does not have.
  for (const std::string& result : {std::string("<GetPatientsResult i:nil=\"true\" "
                                                "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"/>"),
                                    std::string()}) {
    const std::string body =
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetPatientsResponse "
        "xmlns=\"http://www.kareo.com/api/schemas/\">" +
        result + "</GetPatientsResponse></s:Body></s:Envelope>";
    EXPECT_EQ(streamed_reading<Operation::GetPatients>(body, 3, "GetPatientsResponse", "GetPatientsResult"),
              generated_reading<Operation::GetPatients>(body));
  }
}

// Rows handed over as they are read: a row the receiver lets go lends its strings' buffers to the next rows,
// one it keeps is never touched again, and a member a row does not have stays absent whatever earlier rows had.
TEST(StreamingEdgeCases, RowsHandedOverKeepTheirValues) {
  std::string rows;
  for (int i = 1; i <= 60; ++i) {
    const std::string n = std::to_string(i);
    rows += "<PatientData>";
    if (i % 2 == 1)
      rows += "<AddressLine1>" + std::string(static_cast<std::size_t>(20 + i), 'a') + n + "</AddressLine1>";
    if (i % 5 != 0) rows += "<City>Testcity number " + n + " with a long name</City>";
    rows += "<FirstName>" + std::string(i % 3 == 0 ? "Al" : "Testpatient-with-a-long-first-name-") + n + "</FirstName>";
    rows += "<ID>" + n + "</ID>";
    if (i % 7 == 0) rows += "<Notes>" + std::string(static_cast<std::size_t>(200 + i), 'n') + "</Notes>";
    rows += "</PatientData>";
  }
  const std::string body = patients_body(rows);
  const nlohmann::json generated = generated_reading<Operation::GetPatients>(body);
  const nlohmann::json& expected = generated["Patients"];
  ASSERT_EQ(expected.size(), 60u);

  for (std::size_t step : {body.size(), std::size_t{1}, std::size_t{97}}) {
    SCOPED_TRACE("fed " + std::to_string(step) + " bytes at a time");
    using T = wire::Traits<Operation::GetPatients>;
    auto result = std::make_shared<T::Result>();
    detail::fast::Reader reader(*detail::fast::table_of<T::Result>(), result.get(), "GetPatientsResponse",
                                "GetPatientsResult");
    std::vector<nlohmann::json> received;
    std::vector<std::shared_ptr<kareo_wire::kareo__PatientData>> kept;
    reader.hand_rows("Patients", "PatientData", [&](std::shared_ptr<void> row) {
      auto patient = std::static_pointer_cast<kareo_wire::kareo__PatientData>(row);
      received.push_back(to_json(*patient));
      if (received.size() % 3 == 0) kept.push_back(patient);  // the rest are let go
    });
    auto state = detail::fast::Reader::State::Reading;
    for (std::size_t at = 0; at < body.size() && state == detail::fast::Reader::State::Reading; at += step) {
      state = reader.feed(body.data() + at, std::min(step, body.size() - at));
    }
    if (state == detail::fast::Reader::State::Reading) state = reader.finish();
    ASSERT_EQ(state, detail::fast::Reader::State::Done) << reader.error();
    ASSERT_EQ(received.size(), 60u);
    for (std::size_t i = 0; i < received.size(); ++i) EXPECT_EQ(received[i], expected[i]) << "row " << i + 1;
    ASSERT_EQ(kept.size(), 20u);
    for (std::size_t k = 0; k < kept.size(); ++k) {
      EXPECT_EQ(to_json(*kept[k]), expected[3 * k + 2]) << "kept row " << 3 * k + 3 << " changed after it was kept";
    }
  }
}

// ---- through the client: what steps aside and what fails --------------------------------------------------

struct Outcome {
  std::string error;  // the exception's class, or "" when the call succeeded
  std::string message;
  std::size_t rows = 0;
};

Outcome call_with(const std::string& body, int status = 200) {
  Recorder r;
  r.respond = [&](const wire::CannedRequest&) { return wire::CannedResponse{status, body}; };
  Client client = r.client();
  PatientFilter f;
  f.PracticeName = "Testpractice Alpha";
  Outcome o;
  try {
    o.rows = client.patients({f}).collect().size();
  } catch (const Error& e) {
    o.error = std::string(error_kind_name(e.kind()));
    o.message = e.what();
  }
  return o;
}

// A nil item of a string list (WCF writes `<a:string i:nil="true"/>` for a null string in an array): the
// generated deserializer keeps it as an empty string, so the list keeps its length; so must the streaming reader.
TEST(StreamingEdgeCases, NilItemsOfListsAreKeptLikeTheGeneratedCodeKeepsThem) {
  const auto body_with = [](const std::string& strings, const std::string& ints) {
    return std::string(
               "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
               "<GetPatientsResponse xmlns=\"http://www.kareo.com/api/schemas/\">"
               "<GetPatientsResult xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
               "<ErrorResponse><IsError>false</IsError></ErrorResponse><SecurityResponse>"
               "<Authenticated>true</Authenticated><Authorized>true</Authorized><CustomerKeyValid>true"
               "</CustomerKeyValid><PermissionsMissing xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/"
               "Arrays\"><Permission>") +
           strings +
           "</Permission></PermissionsMissing><PracticesAuthorized><PracticeID "
           "xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">" +
           ints + "</PracticeID></PracticesAuthorized></SecurityResponse>" +
           "<Patients><PatientData><ID>1</ID></PatientData></Patients>" + kEnvelopeEnd;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a nil string between two", body_with("<a:string>Read</a:string><a:string i:nil=\"true\"/>"
                                             "<a:string>Write</a:string>",
                                             "<a:int>1</a:int>")},
      {"only nil strings", body_with("<a:string i:nil=\"true\"/><a:string i:nil=\"1\"></a:string>", "")},
      {"a nil string first and last", body_with("<a:string i:nil=\"true\"/><a:string>Read</a:string>"
                                                "<a:string i:nil=\"true\" />",
                                                "<a:int>1</a:int><a:int>2</a:int>")},
      {"a nil string with text", body_with("<a:string i:nil=\"true\">ignored</a:string>", "")},
  };
  for (const auto& [name, body] : cases) {
    SCOPED_TRACE(name);
    const auto generated = generated_reading<Operation::GetPatients>(body);
    for (std::size_t step : {body.size(), std::size_t{1}, std::size_t{6}}) {
      EXPECT_EQ(streamed_reading<Operation::GetPatients>(body, step, "GetPatientsResponse", "GetPatientsResult"),
                generated)
          << "fed " << step << " bytes at a time";
    }
  }
  // What the generated code reads, spelled out: the nil item is an empty string in its place.
  const auto generated = generated_reading<Operation::GetPatients>(cases.front().second);
  EXPECT_EQ(generated["SecurityResponse"]["PermissionsMissing"]["Permission"],
            nlohmann::json::parse(R"(["Read", "", "Write"])"))
      << generated.dump();

  // An integer cannot be nil: the generated code refuses the response, and so does the streaming reader.
  const std::string nil_int =
      body_with("<a:string>Read</a:string>", "<a:int>1</a:int><a:int i:nil=\"true\"/><a:int>3</a:int>");
  int rc = SOAP_OK;
  generated_reading<Operation::GetPatients>(nil_int, 200, &rc);
  EXPECT_NE(rc, SOAP_OK);
  const auto result = std::make_shared<GetPatientsResp>();
  detail::fast::Reader reader(*detail::fast::table_of<GetPatientsResp>(), result.get(), "GetPatientsResponse",
                              "GetPatientsResult");
  EXPECT_EQ(reader.feed(nil_int.data(), nil_int.size()), detail::fast::Reader::State::Failed);
  EXPECT_NE(reader.error().find("nil"), std::string::npos) << reader.error();
  const Outcome o = call_with(nil_int);
  EXPECT_EQ(o.error, "malformed response") << o.message;
}

// WCF's answer to a request it could not process.
const std::string kInternalFault =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
    "<faultcode xmlns:a=\"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher\">"
    "a:InternalServiceFault</faultcode><faultstring xml:lang=\"en-US\">The server was unable to process the "
    "request due to an internal error.</faultstring></s:Fault></s:Body></s:Envelope>";

TEST(StreamingThroughTheClient, OtherShapesAreLeftToTheGeneratedCode) {
  const std::string with_header =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><Activity "
      "xmlns=\"urn:diagnostics\">1</Activity></s:Header><s:Body><GetPatientsResponse "
      "xmlns=\"http://www.kareo.com/api/schemas/\"><GetPatientsResult><Patients><PatientData><ID>1</ID>"
      "</PatientData></Patients></GetPatientsResult></GetPatientsResponse></s:Body></s:Envelope>";
  const std::string must_understand =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><Activity "
      "s:mustUnderstand=\"1\" xmlns=\"urn:diagnostics\">1</Activity></s:Header><s:Body><GetPatientsResponse "
      "xmlns=\"http://www.kareo.com/api/schemas/\"><GetPatientsResult/></GetPatientsResponse></s:Body></s:Envelope>";
  const std::string dtd = "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY a \"aaaa\">]>" + patients_body("");

  struct Case {
    const char* name;
    std::string body;
    int status;
    const char* error;  // expected class ("" for success)
    bool aside;
  };
  const std::vector<Case> cases = {
      {"a SOAP fault", kInternalFault, 500, "SOAP fault", true},
      {"an HTML page with status 200", "<html><body>Down for maintenance</body></html>", 200, "malformed response",
       true},
      {"not XML at all", "Service Unavailable", 200, "malformed response", true},
      {"another operation's response",
       "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetPracticesResponse "
       "xmlns=\"http://www.kareo.com/api/schemas/\"/></s:Body></s:Envelope>",
       200, "malformed response", true},
      {"a document type declaration", dtd, 200, "malformed response", true},
      {"a header the client may ignore", with_header, 200, "", false},
      {"a header the client must understand", must_understand, 200, "malformed response", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto before = detail::fast::stats();
    const Outcome o = call_with(c.body, c.status);
    EXPECT_EQ(o.error, c.error) << o.message;
    const auto after = detail::fast::stats();
    EXPECT_EQ(after.aside - before.aside, c.aside ? 1u : 0u);
    EXPECT_EQ(after.read - before.read, c.aside ? 0u : 1u);
  }
}

TEST(StreamingThroughTheClient, MalformedRowsAreMalformedResponses) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a flag that is not a boolean",
       patients_body("<PatientData><ID>1</ID></PatientData><PatientData><Cases><PatientCaseData><IsPrimaryCase>"
                     "perhaps</IsPrimaryCase></PatientCaseData></Cases><ID>2</ID></PatientData>")},
      {"crossed tags in a row", patients_body("<PatientData><ID>1</FirstName></ID></PatientData>")},
      {"cut inside a row", patients_body("<PatientData><ID>1</ID><FirstName>Test").substr(0, 900)},
      {"an undeclared entity", patients_body("<PatientData><ID>&nothing;</ID></PatientData>")},
      {"NUL bytes in a row", patients_body("<PatientData><ID>1" + std::string(20, '\0') + "</ID></PatientData>")},
  };
  const auto nested = [](int levels) {
    std::string deep = "<PatientData><Unknown>";
    for (int i = 0; i < levels; ++i) deep += "<a>";
    for (int i = 0; i < levels; ++i) deep += "</a>";
    return patients_body(deep + "</Unknown><ID>1</ID></PatientData>");
  };
  auto all = cases;
  all.emplace_back("nested 20,000 levels deep", nested(20000));
  for (const auto& [name, body] : all) {
    SCOPED_TRACE(name);
    const auto before = detail::fast::stats();
    const Outcome o = call_with(body);
    EXPECT_EQ(o.error, "malformed response") << o.message;
    EXPECT_EQ(detail::fast::stats().failed, before.failed + 1);
  }
  // Unknown markup nested a few hundred levels is skipped, as the generated code skips it.
  const Outcome o = call_with(nested(400));
  EXPECT_EQ(o.error, "") << o.message;
  EXPECT_EQ(o.rows, 1u);
}

TEST(StreamingThroughTheClient, RowsArriveWhole) {
  std::string rows;
  for (int i = 1; i <= 500; ++i) {
    rows += "<PatientData><FirstName>Testpatient" + std::to_string(i) + "</FirstName><ID>" + std::to_string(i) +
            "</ID></PatientData>";
  }
  rows += "<PatientData><ID/></PatientData>";  // a placeholder row: dropped by the client
  const Outcome o = call_with(patients_body(rows));
  EXPECT_EQ(o.error, "") << o.message;
  EXPECT_EQ(o.rows, 500u);
}

// The built-in transport hands the reader what gSOAP made of the HTTP message: de-chunked and inflated; and
// the connection stays usable for the next call.
TEST(StreamingOverTheNetwork, CompressedChunkedAndKeptAlive) {
  std::string rows;
  for (int i = 1; i <= 300; ++i) {
    rows += "<PatientData><FirstName>Testpatient" + std::to_string(i) + "</FirstName><ID>" + std::to_string(i) +
            "</ID><LastName>" + std::string(40, 'x') + "</LastName></PatientData>";
  }
  const std::string body = patients_body(rows);
  for (bool gzip : {false, true}) {
    for (bool chunked : {false, true}) {
      SCOPED_TRACE(std::string(gzip ? "gzip" : "plain") + (chunked ? ", chunked" : ", with a length"));
      test::ScriptedServer server([&](const test::HttpRequest&) {
        test::HttpReply r;
        r.body = body;
        r.gzip = gzip;
        r.chunked = chunked;
        return r;
      });
      Client client(
          Options{}.endpoint(server.url()).credentials(kCredentials).policies(CallPolicies::none()).gzip(true));
      PatientFilter f;
      f.PracticeName = "Testpractice Alpha";
      const auto before = detail::fast::stats();
      for (int call = 0; call < 3; ++call) {
        const auto got = client.patients({f}).collect();
        ASSERT_EQ(got.size(), 300u);
        EXPECT_EQ(got.back().FirstName.value_or(""), "Testpatient300");
      }
      EXPECT_EQ(detail::fast::stats().read - before.read, 3u);
      EXPECT_EQ(server.connections(), 1) << "the connection was not kept";
    }
  }
}

// A compressed response the reader sets aside (a fault, read again by the generated code) or refuses (a bad row)
// is abandoned part way: its decompression state must go with it (LeakSanitizer and valgrind watch this test),
// and the client goes on working.
TEST(StreamingOverTheNetwork, CompressedResponsesSetAsideOrRefusedLeaveNothingBehind) {
  const std::string bad_row = patients_body("<PatientData><ID>1</FirstName></ID></PatientData>");
  const std::string good = patients_body("<PatientData><ID>7</ID></PatientData>");
  int served = 0;
  test::ScriptedServer server([&](const test::HttpRequest&) {
    test::HttpReply r;
    r.gzip = true;
    switch (served++ % 3) {
      case 0:
        r.status = 500;
        r.body = kInternalFault;
        break;
      case 1:
        r.body = bad_row;
        break;
      default:
        r.body = good;
    }
    return r;
  });
  Client client(Options{}.endpoint(server.url()).credentials(kCredentials).policies(CallPolicies::none()).gzip(true));
  PatientFilter f;
  f.PracticeName = "Testpractice Alpha";
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    EXPECT_THROW(client.patients({f}).collect(), SoapFault);
    EXPECT_THROW(client.patients({f}).collect(), MalformedResponse);
    const auto got = client.patients({f}).collect();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got.front().ID.value_or(""), "7");
  }
}

}  // namespace
}  // namespace kareo
