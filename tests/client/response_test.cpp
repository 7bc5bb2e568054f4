// Responses written the way WCF writes them, parsed through the real transport over loopback.
#include <gtest/gtest.h>

#include "kareo/client.hpp"
#include "kareo/datetime.hpp"
#include "kareo/wire.hpp"
#include "scripted_server.hpp"
#include "wcf.hpp"

namespace kareo {
namespace {

using test::HttpReply;
using test::HttpRequest;
using test::ScriptedServer;

Options test_options(const ScriptedServer& server) {
  return Options{}
      .policies(CallPolicies::none())
      .endpoint(server.url())
      .credentials(Credentials("test-customer-key", "test-user@example.com", "test-password"))
      .connect_timeout(std::chrono::seconds(5))
      .receive_timeout(std::chrono::seconds(5));
}

PatientFilter practice_filter() {
  PatientFilter f;
  f.PracticeName = "Main Street Clinic";
  return f;
}

const char* kPatients =
    "<Patients>"
    "<PatientData><DOB>5/1/1980 12:00:00 AM</DOB><FirstName>Testpatient</FirstName><ID>101</ID>"
    "<LastName>Alpha</LastName><PatientFullName>Testpatient Alpha</PatientFullName></PatientData>"
    "<PatientData><DOB i:nil=\"true\"/><FirstName>Testpatient</FirstName><ID>102</ID>"
    "<LastName>Beta</LastName></PatientData>"
    "<PatientData><ID></ID></PatientData>"
    "</Patients>";

TEST(Response, PatientsWithDefaultNamespaceNilAndPlaceholderRow) {
  ScriptedServer server(
      [](const HttpRequest&) { return test::xml_reply(test::ok_envelope("GetPatients", kPatients)); });
  Client client(test_options(server));
  const std::vector<PatientData> rows = client.patients({practice_filter()}).collect();
  ASSERT_EQ(rows.size(), 2u);  // the placeholder row with an empty ID is dropped
  EXPECT_EQ(rows[0].ID.value_or(""), "101");
  EXPECT_EQ(rows[0].PatientFullName.value_or(""), "Testpatient Alpha");
  EXPECT_EQ(rows[0].soap, nullptr);
  const auto dob = parse_date(rows[0].DOB);
  ASSERT_TRUE(dob);
  EXPECT_EQ(*dob, Date(1980, 5, 1));
  EXPECT_FALSE(rows[1].DOB.has_value());  // i:nil
  EXPECT_EQ(rows[1].LastName.value_or(""), "Beta");
}
}  // namespace
}  // namespace kareo

namespace kareo {
namespace {

TEST(Response, VaryingPrefixesAndExplicitNamespaces) {
  // The same response with the Kareo namespace bound to a prefix instead of the default namespace.
  const std::string xml =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header/><s:Body>"
      "<a:GetPracticesResponse xmlns:a=\"http://www.kareo.com/api/schemas/\">"
      "<a:GetPracticesResult xmlns:b=\"http://www.w3.org/2001/XMLSchema-instance\">"
      "<a:ErrorResponse><a:ErrorMessage b:nil=\"true\"/><a:IsError>false</a:IsError></a:ErrorResponse>"
      "<a:SecurityResponse b:nil=\"true\"/>"
      "<a:Practices><a:PracticeData><a:Active>True</a:Active><a:ID>7</a:ID>"
      "<a:PracticeName>Main Street Clinic</a:PracticeName></a:PracticeData></a:Practices>"
      "</a:GetPracticesResult></a:GetPracticesResponse></s:Body></s:Envelope>";
  ScriptedServer server([&](const HttpRequest&) { return test::xml_reply(xml); });
  Client client(test_options(server));
  const auto practices = client.practices().collect();
  ASSERT_EQ(practices.size(), 1u);
  EXPECT_EQ(practices[0].ID.value_or(""), "7");
  EXPECT_EQ(parse_bool(practices[0].Active.value_or("")), true);  // .NET boolean text
  EXPECT_EQ(practices[0].PracticeName.value_or(""), "Main Street Clinic");
}

TEST(Response, ServiceLocationsInTheNamespaceWithoutSlash) {
  const std::string payload =
      "<ServiceLocations xmlns=\"http://www.kareo.com/api/schemas\"><ServiceLocationData>"
      "<ID>3</ID><Name>Main Street Office</Name><PracticeID>7</PracticeID></ServiceLocationData>"
      "<ServiceLocationData><ID i:nil=\"true\"/></ServiceLocationData></ServiceLocations>";
  ScriptedServer server(
      [&](const HttpRequest&) { return test::xml_reply(test::ok_envelope("GetServiceLocations", payload)); });
  Client client(test_options(server));
  const std::vector<ServiceLocationData> rows = client.service_locations().collect();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ID.value_or(""), "3");
  EXPECT_EQ(rows[0].Name.value_or(""), "Main Street Office");
}

TEST(Response, AllPatientsCursorThroughTheRawCall) {
  const std::string payload =
      "<Key><nextStartKey>5001</nextStartKey></Key><Patients><PatientBatchData><ID>5000</ID>"
      "<LastName>Gamma</LastName></PatientBatchData></Patients>";
  ScriptedServer server(
      [&](const HttpRequest&) { return test::xml_reply(test::ok_envelope("GetAllPatients", payload)); });
  Client client(test_options(server));
  GetAllPatientsReq request;
  request.Filter = std::make_shared<PatientBatchGetFilter>();
  request.Filter->BatchSize = 1;
  request.Filter->PracticeID = 7;
  request.Filter->StartKey = 5000;
  const GetAllPatientsResp r = client.call<kareo::Operation::GetAllPatients>(request);
  ASSERT_TRUE(r.Key);
  EXPECT_EQ(r.Key->nextStartKey, 5001);
  ASSERT_TRUE(r.Patients);
  ASSERT_EQ(r.Patients->PatientBatchData.size(), 1u);
  EXPECT_EQ(r.Patients->PatientBatchData[0]->LastName.value_or(""), "Gamma");
  EXPECT_EQ(r.Patients->PatientBatchData[0]->soap, nullptr);
}

TEST(Response, ArraysNamespaceIdListsAndDotNetDates) {
  const std::string payload =
      "<Appointments><AppointmentData><CreatedDate>3/4/2024 9:15:00 AM</CreatedDate><ID>9001</ID>"
      "<StartDate>2024-03-05T14:30:00</StartDate></AppointmentData></Appointments>";
  ScriptedServer server(
      [&](const HttpRequest&) { return test::xml_reply(test::ok_envelope("GetAppointments", payload)); });
  Client client(test_options(server));
  AppointmentQuery filter;
  filter.service_date = TimeRange{Date(2024, 3, 1), Date(2024, 3, 31)};
  const auto rows = client.appointments(filter).collect();
  ASSERT_EQ(rows.size(), 1u);
  const auto created = DateTime::parse(rows[0].CreatedDate.value_or(""));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->iso(), "2024-03-04T09:15:00");
  EXPECT_EQ(Date::parse(rows[0].StartDate.value_or("")), Date(2024, 3, 5));

  // Arrays-namespace lists inside a SecurityResponse, as a refused call sends them.
  const std::string refused = test::result_envelope(
      "GetProviders", "<ErrorResponse><IsError>false</IsError></ErrorResponse>",
      "<SecurityResponse><Authenticated>true</Authenticated><Authorized>false</Authorized>"
      "<CustomerKeyValid>true</CustomerKeyValid><PermissionsMissing><Permission "
      "xmlns:d4p1=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\"><d4p1:string>ReadProvider"
      "</d4p1:string></Permission></PermissionsMissing><PracticesAuthorized><PracticeID "
      "xmlns:d4p1=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\"><d4p1:int>7</d4p1:int>"
      "<d4p1:int>9</d4p1:int></PracticeID></PracticesAuthorized><SecurityResult>Not authorized</SecurityResult>"
      "<SecurityResultSuccess>false</SecurityResultSuccess></SecurityResponse>");
  ScriptedServer server2([&](const HttpRequest&) { return test::xml_reply(refused); });
  Client client2(test_options(server2));
  try {
    client2.providers().collect();
    FAIL() << "expected NotAuthorized";
  } catch (const NotAuthorized& e) {
    EXPECT_EQ(e.permissions_missing(), std::vector<std::string>{"ReadProvider"});
    EXPECT_EQ(e.practices_authorized(), (std::vector<std::string>{"7", "9"}));
  }
}

TEST(Response, GzipAndChunkedResponsesAndUtf8Text) {
  const std::string payload =
      "<Patients><PatientData><FirstName>Jos\xC3\xA9</FirstName><ID>103</ID><LastName>M\xC3\xBCller-Test"
      "</LastName></PatientData></Patients>";
  ScriptedServer server([&](const HttpRequest& req) {
    HttpReply r = test::xml_reply(test::ok_envelope("GetPatients", payload));
    r.gzip = req.header("Accept-Encoding").find("gzip") != std::string::npos;
    r.chunked = true;
    return r;
  });
  Client client(test_options(server));
  const auto rows = client.patients({practice_filter()}).collect();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].FirstName.value_or(""), "Jos\xC3\xA9");
  EXPECT_EQ(rows[0].LastName.value_or(""), "M\xC3\xBCller-Test");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].header("Accept-Encoding").find("gzip"), std::string::npos);

  Client plain(test_options(server).gzip(false));
  plain.patients({practice_filter()}).collect();
  EXPECT_EQ(server.requests().back().header("Accept-Encoding"), "");
}

TEST(Response, KeepAliveReusesTheConnection) {
  ScriptedServer server(test::empty_success);
  Client client(test_options(server));
  for (int i = 0; i < 3; ++i) client.practices().collect();
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.requests()[0].header("Connection"), "keep-alive");

  ScriptedServer server2(test::empty_success);
  Client no_reuse(test_options(server2).keep_alive(false));
  for (int i = 0; i < 3; ++i) no_reuse.practices().collect();
  EXPECT_EQ(server2.connections(), 3);
}

TEST(Response, ConnectionsClosedByTheServerAreReplaced) {
  for (const bool announced : {true, false}) {
    ScriptedServer server([announced](const HttpRequest& req) {
      HttpReply r = test::empty_success(req);
      r.close = announced;
      r.hangup = !announced;
      return r;
    });
    Client client(test_options(server));
    for (int i = 0; i < 3; ++i) {
      EXPECT_NO_THROW(client.practices().collect()) << "announced=" << announced;
      ASSERT_TRUE(server.wait_closed(i + 1));  // the server has hung up before the next call
    }
    EXPECT_EQ(server.connections(), 3);
    // Each call found the closed connection before it sent anything: no attempt was lost and sent again.
    EXPECT_EQ(server.requests().size(), 3u) << "announced=" << announced;
  }
}

TEST(Response, WritesReturnTheResponsePayload) {
  ScriptedServer server([](const HttpRequest& req) {
    const std::string op = test::action_of(req);
    if (op == "CreatePatient") {
      return test::xml_reply(
          test::ok_envelope("CreatePatient",
                            "<PatientExternalID>EXT-1</PatientExternalID><PatientID>555</PatientID>"
                            "<PracticeID>7</PracticeID><PracticeName>Main Street Clinic</PracticeName>"));
    }
    return test::xml_reply(test::ok_envelope(op, "<AppointmentId>55</AppointmentId><Deleted>true</Deleted>"));
  });
  Client client(test_options(server));
  PatientCreate patient;
  patient.FirstName = "Testpatient";
  patient.LastName = "Delta";
  const ModifyPatientResp created = client.create_patient(patient);
  EXPECT_EQ(created.PatientID, 555);
  EXPECT_EQ(created.PatientExternalID.value_or(""), "EXT-1");
  const DeleteAppointmentResp deleted = client.delete_appointment(55);
  EXPECT_EQ(deleted.Deleted, true);
  EXPECT_EQ(deleted.AppointmentId, 55);
}

TEST(Response, CustomerIdFromKey) {
  ScriptedServer server(test::empty_success);
  Client client(test_options(server));
  EXPECT_EQ(client.get_customer_id_from_key(), 1234);
}

TEST(Response, SingleRecordCalls) {
  ScriptedServer server([](const HttpRequest& req) {
    if (req.body.find("<kareo:PatientID>404</kareo:PatientID>") != std::string::npos) {
      return test::xml_reply(test::ok_envelope("GetPatient", "<Patient i:nil=\"true\"/>"));
    }
    return test::xml_reply(test::ok_envelope("GetPatient",
                                             "<Patient><FirstName>Testpatient</FirstName><ID>101</ID>"
                                             "</Patient>"));
  });
  Client client(test_options(server));
  const auto found = client.get_patient(101);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->ID.value_or(""), "101");
  EXPECT_EQ(found->soap, nullptr);
  EXPECT_FALSE(client.get_patient(404));
}

}  // namespace
}  // namespace kareo

namespace kareo {
namespace {

TEST(Canned, ResponsesParsedAndCheckedWithoutANetwork) {
  std::vector<wire::CannedRequest> seen;
  auto canned = wire::make_canned_connection([&](const wire::CannedRequest& r) {
    seen.push_back(r);
    if (r.operation == Operation::GetPractices) {
      const auto fault = test::internal_fault_reply();
      return wire::CannedResponse{fault.status, fault.body};
    }
    return wire::CannedResponse{200, test::ok_envelope("GetPatients", kPatients)};
  });
  Client client(Options{}
                    .policies(CallPolicies::none())
                    .credentials(Credentials("test-customer-key", "test-user@example.com", "test-password"))
                    .connection(canned));
  const auto rows = client.patients({practice_filter()}).collect();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].LastName.value_or(""), "Beta");
  EXPECT_EQ(rows[0].soap, nullptr);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].operation, Operation::GetPatients);
  EXPECT_EQ(seen[0].soap_action, "http://www.kareo.com/api/schemas/KareoServices/GetPatients");
  EXPECT_NE(seen[0].xml.find("<kareo:PracticeName>Main Street Clinic</kareo:PracticeName>"), std::string::npos);
  EXPECT_EQ(seen[0].xml.rfind("<?xml", 0), 0u);

  try {
    client.practices().collect();
    FAIL() << "expected SoapFault";
  } catch (const SoapFault& e) {
    EXPECT_EQ(e.fault_code(), "a:InternalServiceFault");
    EXPECT_EQ(e.http_status(), 500);
    EXPECT_EQ(e.support_capture().request_xml.find("test-password"), std::string::npos);
    EXPECT_NE(e.support_capture().response_xml.find("InternalServiceFault"), std::string::npos);
  }
  // Several calls in a row reuse pooled contexts.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.patients({practice_filter()}).collect().size(), 2u);
}

TEST(Canned, FailingResponderAndMalformedAnswers) {
  Client failing(Options{}
                     .policies(CallPolicies::none())
                     .credentials(Credentials("test-customer-key", "test-user@example.com", "test-password"))
                     .connection(wire::make_canned_connection(
                         [](const wire::CannedRequest&) -> wire::CannedResponse { throw std::runtime_error("no"); })));
  EXPECT_THROW(failing.throttles().collect(), ConnectionError);
  Client garbage(Options{}
                     .policies(CallPolicies::none())
                     .credentials(Credentials("test-customer-key", "test-user@example.com", "test-password"))
                     .connection(wire::make_canned_connection([](const wire::CannedRequest&) {
                       return wire::CannedResponse{200, "not xml at all"};
                     })));
  EXPECT_THROW(garbage.throttles().collect(), MalformedResponse);
  EXPECT_THROW(wire::make_canned_connection({}), InvalidArgument);
}

}  // namespace
}  // namespace kareo
