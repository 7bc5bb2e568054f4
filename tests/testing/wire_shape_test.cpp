// The bytes on the wire look like what WCF writes: "s:" envelope, default namespace on the response element,
// xmlns:i with i:nil, Arrays-namespace lists, .NET text forms, placeholder rows, WCF fault shapes.
#include <regex>

#include "support.hpp"

using namespace fake_test;

namespace {

class FakeServerWire : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto o = small_options();
    o.sizes.patients = 200;  // a GetPatients answer over 1 MB is sent chunked
    server_ = started(o).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  FakeServer& server() { return *server_; }
  HttpResponse post(const std::string& op, const std::string& inner, const std::string& wrapper = "request") {
    return http_post(server_->port(), soap_action(op), envelope(*server_, op, inner, wrapper));
  }
  static FakeServer* server_;
};
FakeServer* FakeServerWire::server_ = nullptr;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_F(FakeServerWire, ResponseEnvelopeAsWcfWritesIt) {
  auto r = post("GetPractices", "<k:Fields/><k:Filter/>");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("Content-Type: text/xml; charset=utf-8"), std::string::npos);
  EXPECT_NE(r.headers.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(r.body.rfind("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                         "<GetPracticesResponse xmlns=\"http://www.kareo.com/api/schemas/\">"
                         "<GetPracticesResult xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
                         "<ErrorResponse><ErrorMessage i:nil=\"true\"/><IsError>false</IsError>"
                         "<StackTrace i:nil=\"true\"/></ErrorResponse>"
                         "<SecurityResponse><Authenticated>true</Authenticated><Authorized>true</Authorized>"
                         "<CustomerId>31337</CustomerId><CustomerKeyValid>true</CustomerKeyValid>"
                         "<PermissionsMissing i:nil=\"true\"/><PracticesAuthorized>"
                         "<PracticeID xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">"
                         "<a:int>1</a:int><a:int>2</a:int></PracticeID></PracticesAuthorized>"
                         "<SecurityResult>Success</SecurityResult><SecurityResultSuccess>true</SecurityResultSuccess>"
                         "</SecurityResponse><Practices><PracticeData><Active>True</Active>",
                         0),
            0u)
      << r.body.substr(0, 1500);
  const std::string tail =
      "</PracticeData></Practices></GetPracticesResult></GetPracticesResponse></s:Body></s:Envelope>";
  ASSERT_GT(r.body.size(), tail.size());
  EXPECT_EQ(r.body.substr(r.body.size() - tail.size()), tail);
  EXPECT_EQ(r.body.find("<?xml"), std::string::npos);
}

TEST_F(FakeServerWire, RowMembersUseDotNetTextForms) {
  auto r = post("GetPatients", "<k:Fields/><k:Filter><k:PracticeID>1</k:PracticeID></k:Filter>");
  ASSERT_EQ(r.status, 200);
  std::smatch m;
  EXPECT_TRUE(std::regex_search(
      r.body, m, std::regex("<CreatedDate>\\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d\\d:\\d\\d (AM|PM)</CreatedDate>")));
  EXPECT_TRUE(std::regex_search(r.body, m, std::regex("<PatientBalance>\\d+\\.\\d\\d</PatientBalance>")));
  EXPECT_TRUE(std::regex_search(r.body, m, std::regex("<AlertShowWhenDisplayingPatientDetails>(True|False)<")));
  // Members in contract order: AddressLine1 first, ZipCode last, Cases (a list) in its place.
  auto first = r.body.find("<PatientData>");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(r.body.compare(first, 27, "<PatientData><AddressLine1>"), 0);
  auto a = r.body.find("<AlertShowWhenViewingClaimDetails>", first), c = r.body.find("<Cases>", first),
       ch = r.body.find("<Charges>", first);
  EXPECT_LT(a, c);
  EXPECT_LT(c, ch);
  EXPECT_EQ(count(r.body, "<PatientData>"), server().store().ids(Entity::Patient, {{"PracticeID", "1"}}).size());
}

TEST_F(FakeServerWire, SecondKareoNamespaceGetsAPrefix) {
  // Fields and Filter of GetServiceLocations are in the namespace without the trailing slash; with the slashed
  // one they are not recognized and the service faults.
  auto wrong = post("GetServiceLocations", "<k:Fields/><k:Filter/>");
  EXPECT_EQ(wrong.status, 500);
  auto r = post("GetServiceLocations",
                "<n:Fields xmlns:n=\"http://www.kareo.com/api/schemas\"/><n:Filter "
                "xmlns:n=\"http://www.kareo.com/api/schemas\"/>");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<GetServiceLocationsResult xmlns:a=\"http://www.kareo.com/api/schemas\" "
                        "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><ErrorResponse>"),
            std::string::npos)
      << r.body.substr(0, 600);
  // Inside, the Arrays namespace takes the next free prefix.
  EXPECT_NE(
      r.body.find("<PracticeID xmlns:b=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\"><b:int>1</b:int>"),
      std::string::npos);
  EXPECT_NE(r.body.find("<a:ServiceLocations><a:ServiceLocationData><a:AddressLine1>"), std::string::npos);
  EXPECT_NE(r.body.find("</a:ServiceLocationData></a:ServiceLocations></GetServiceLocationsResult>"),
            std::string::npos);
}

TEST_F(FakeServerWire, EmptyResultIsOnePlaceholderRow) {
  auto r = post("GetPatients",
                "<k:Fields/><k:Filter><k:LastName>Nobody</k:LastName><k:PracticeID>1</k:PracticeID></k:Filter>");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(count(r.body, "<PatientData>"), 1u);
  EXPECT_NE(r.body.find("<ID/>"), std::string::npos);
  EXPECT_NE(r.body.find("<FirstName i:nil=\"true\"/>"), std::string::npos);
}

TEST_F(FakeServerWire, LargeAnswersAreStreamedChunked) {
  auto r = post("GetPatients", "<k:Fields/><k:Filter><k:PracticeID>2</k:PracticeID></k:Filter>");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_TRUE(r.complete);
  EXPECT_GT(r.body.size(), 1000000u);
  EXPECT_EQ(count(r.body, "<PatientData>"), server().store().ids(Entity::Patient, {{"PracticeID", "2"}}).size());
  EXPECT_EQ(r.body.substr(r.body.size() - 22), "</s:Body></s:Envelope>");
}

TEST_F(FakeServerWire, InternalServiceFaultShape) {
  auto r = post("GetPatients", "<k:Fields/>");  // no Filter: the service dereferences null
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("<s:Body><s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/net/2005/12/"
                        "windowscommunicationfoundation/dispatcher\">a:InternalServiceFault</faultcode>"
                        "<faultstring xml:lang=\"en-US\">The server was unable to process the request due to an "
                        "internal error."),
            std::string::npos)
      << r.body;
}

TEST_F(FakeServerWire, SoapActionWithoutTheServiceSegmentIsRefused) {
  auto r = http_post(server().port(), "http://www.kareo.com/api/schemas/GetPatients",
                     envelope(server(), "GetPatients", "<k:Fields/><k:Filter/>"));
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("a:ActionNotSupported"), std::string::npos);
  EXPECT_NE(r.body.find("ContractFilter mismatch"), std::string::npos);
}

TEST_F(FakeServerWire, Soap12IsRefusedWith415) {
  auto r =
      http_post(server().port(), soap_action("GetPractices"),
                envelope(server(), "GetPractices", "<k:Fields/><k:Filter/>"), "application/soap+xml; charset=utf-8");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.reason.find("application/soap+xml"), std::string::npos);
}

TEST_F(FakeServerWire, UpdatePatientWithTheUsualWrapperFaults) {
  auto wrong = post("UpdatePatient", "<k:Patient><k:PatientID>1</k:PatientID></k:Patient>", "request");
  EXPECT_EQ(wrong.status, 500);
  EXPECT_NE(wrong.body.find("InternalServiceFault"), std::string::npos);
  auto right = post("UpdatePatient", "<k:Patient><k:City>Othertown</k:City><k:PatientID>1</k:PatientID></k:Patient>",
                    "UpdatePatientReq");
  EXPECT_EQ(right.status, 200);
  EXPECT_EQ(server().store().get(Entity::Patient, 1)->at("City"), "Othertown");
}

TEST_F(FakeServerWire, CustomerIdFromKeyWithARequestHeaderIsMinusOne) {
  // The credentials belong directly in <request>; wrapped in RequestHeader they are not seen.
  auto r = post("GetCustomerIdFromKey", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<CustomerId>-1</CustomerId><IsAuthorized>false</IsAuthorized>"), std::string::npos) << r.body;
}

TEST_F(FakeServerWire, ModifyPatientResultLeavesOutAbsentMembers) {
  auto r = post("CreatePatient",
                "<k:Patient><k:FirstName>Echo</k:FirstName><k:LastName>Testwire</k:LastName>"
                "<k:Practice><k:PracticeID>1</k:PracticeID></k:Practice></k:Patient>");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("<Cases"), std::string::npos);
  EXPECT_EQ(r.body.find("<EmployerID"), std::string::npos);
  const std::string id = std::to_string(server().store().ids(Entity::Patient).back());
  EXPECT_NE(r.body.find("<PatientID>" + id +
                        "</PatientID><PracticeID>1</PracticeID><PracticeName>Testpractice Alpha</PracticeName>"),
            std::string::npos)
      << r.body;
}

TEST_F(FakeServerWire, UnknownBodyElementIsRefused) {
  auto r = http_post(server().port(), soap_action("GetWidgets"),
                     "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
                     "<GetWidgets xmlns=\"http://www.kareo.com/api/schemas/\"/></soapenv:Body></soapenv:Envelope>");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("a:ActionNotSupported"), std::string::npos);
}

TEST_F(FakeServerWire, MembersOutOfOrderAreSkippedAsWcfDoes) {
  const auto& c = server().options().credentials;
  // Password after User: WCF never sees the password.
  std::string body =
      "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:k=\"http://www.kareo.com/api/schemas/\"><soapenv:Body><k:GetPractices><k:request><k:RequestHeader>"
      "<k:CustomerKey>" +
      c.customer_key + "</k:CustomerKey><k:User>" + c.user + "</k:User><k:Password>" + c.password +
      "</k:Password></k:RequestHeader><k:Fields/><k:Filter/></k:request></k:GetPractices></soapenv:Body>"
      "</soapenv:Envelope>";
  auto r = http_post(server().port(), soap_action("GetPractices"), body);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Authenticated>false</Authenticated>"), std::string::npos);

  // A filter member after a later one is no filter: FirstName (F) after PracticeID (P).
  auto filtered = post(
      "GetPatients", "<k:Fields/><k:Filter><k:FirstName>Alpha</k:FirstName><k:PracticeID>1</k:PracticeID></k:Filter>");
  auto misplaced = post(
      "GetPatients", "<k:Fields/><k:Filter><k:PracticeID>1</k:PracticeID><k:FirstName>Alpha</k:FirstName></k:Filter>");
  EXPECT_EQ(count(filtered.body, "<PatientData>"), 8u);  // 200 patients: IDs 1, 27, 53, ..., 183
  EXPECT_EQ(count(misplaced.body, "<PatientData>"),
            server().store().ids(Entity::Patient, {{"PracticeID", "1"}}).size());  // the whole practice
}

TEST_F(FakeServerWire, ARequestThatIsNotSoapIsABadRequest) {
  auto r = http_post(server().port(), soap_action("GetPatients"), "this is not XML");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(server().calls().back().http_status, 400);
  // The server keeps serving.
  EXPECT_EQ(post("GetPractices", "<k:Fields/><k:Filter/>").status, 200);
}
