// The XML sent for each of the 28 operations, captured by a loopback server and checked structurally (body
// wrapper, namespaces, RequestHeader first with its members in contract order, the UpdatePatientReq wrapper,
// the no-slash namespace of GetServiceLocations/GetProcedureCodes members, SOAPAction, Content-Type), then
// validated against the contract's XSDs with xmllint when the reference contract is present.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "kareo/client.hpp"
#include "kareo/version.hpp"
#include "library_invocations.hpp"
#include "mini_xml.hpp"
#include "scripted_server.hpp"
#include "wcf.hpp"

namespace kareo {
namespace {

using test::HttpRequest;
using test::ScriptedServer;
using test::XmlNode;

constexpr const char* kSoapEnv = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kKareo = "http://www.kareo.com/api/schemas/";
constexpr const char* kKareoNoSlash = "http://www.kareo.com/api/schemas";

const char* kPassword = "test-password&<>\"'";

using test::invocations;
using test::Invoke;

bool is_list_call(Operation op) {
  switch (op) {
    case Operation::GetAllPatients:
    case Operation::GetAppointments:
    case Operation::GetCharges:
    case Operation::GetEncounterDetails:
    case Operation::GetPatients:
    case Operation::GetPayments:
    case Operation::GetPractices:
    case Operation::GetProcedureCodes:
    case Operation::GetProviders:
    case Operation::GetServiceLocations:
    case Operation::GetTransactions:
      return true;
    default:
      return false;
  }
}

struct Captured {
  HttpRequest request;
  std::unique_ptr<XmlNode> doc;
};

class Wire : public ::testing::TestWithParam<Operation> {
 protected:
  static void SetUpTestSuite() {
    ScriptedServer server(test::empty_success);
    Client client(Options{}
                      .policies(CallPolicies::none())
                      .endpoint(server.url())
                      .credentials(Credentials("test-customer-key", "test-user@example.com", kPassword))
                      .receive_timeout(std::chrono::seconds(5)));
    const auto calls = invocations();
    ASSERT_EQ(calls.size(), kOperationCount);
    for (const auto& [op, invoke] : calls) invoke(client);
    for (const auto& req : server.requests()) {
      const auto op = operation_from_name(test::action_of(req));
      ASSERT_TRUE(op) << req.head;
      captured_[*op] = Captured{req, test::parse_xml(req.body)};
    }
  }
  static void TearDownTestSuite() { captured_.clear(); }

  const Captured& captured() {
    auto it = captured_.find(GetParam());
    if (it == captured_.end()) throw std::runtime_error("no request captured");
    return it->second;
  }

  static std::map<Operation, Captured> captured_;
};

std::map<Operation, Captured> Wire::captured_;

TEST_P(Wire, HttpHeaders) {
  const auto& c = captured();
  EXPECT_EQ(c.request.method, "POST");
  EXPECT_EQ(c.request.target, "/services/soap/2.1/KareoServices.svc");
  EXPECT_EQ(c.request.header("SOAPAction"),
            "\"http://www.kareo.com/api/schemas/KareoServices/" + std::string(operation_name(GetParam())) + "\"");
  EXPECT_EQ(c.request.header("Content-Type").rfind("text/xml", 0), 0u) << c.request.header("Content-Type");
}

TEST_P(Wire, EnvelopeAndBodyWrapper) {
  const XmlNode& env = *captured().doc;
  EXPECT_EQ(env.local, "Envelope");
  EXPECT_EQ(env.ns, kSoapEnv);  // SOAP 1.1
  const XmlNode* body = env.child("Body");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->ns, kSoapEnv);
  ASSERT_EQ(body->children.size(), 1u);
  const XmlNode& wrapper = *body->children[0];
  EXPECT_EQ(wrapper.local, operation_name(GetParam()));
  EXPECT_EQ(wrapper.ns, kKareo);
  ASSERT_EQ(wrapper.children.size(), 1u);
  const XmlNode& payload = *wrapper.children[0];
  EXPECT_EQ(payload.local, GetParam() == Operation::UpdatePatient ? "UpdatePatientReq" : "request");
  EXPECT_EQ(payload.ns, kKareo);
  EXPECT_TRUE(env.child("Header") == nullptr || env.child("Header")->children.empty());  // no SOAP header
}

TEST_P(Wire, CredentialsFirstInContractOrder) {
  const XmlNode& payload = *captured().doc->child("Body")->children[0]->children[0];
  ASSERT_FALSE(payload.children.empty());
  const XmlNode* creds = &payload;
  if (GetParam() == Operation::GetCustomerIdFromKey) {
    EXPECT_EQ(payload.child_names(), (std::vector<std::string>{"CustomerKey", "Password", "User"}));
  } else {
    const XmlNode& header = *payload.children[0];
    EXPECT_EQ(header.local, "RequestHeader");
    EXPECT_EQ(header.ns, kKareo);
    EXPECT_EQ(header.child_names(), (std::vector<std::string>{"ClientVersion", "CustomerKey", "Password", "User"}));
    EXPECT_EQ(header.child("ClientVersion")->text, std::string("kareo-cpp/") + version());
    creds = &header;
  }
  EXPECT_EQ(creds->child("CustomerKey")->text, "test-customer-key");
  EXPECT_EQ(creds->child("User")->text, "test-user@example.com");
  EXPECT_EQ(creds->child("Password")->text, kPassword);  // escaped on the wire, intact once parsed
  for (const auto& c : creds->children) EXPECT_EQ(c->ns, kKareo) << c->local;
}

TEST_P(Wire, FieldsAndFilterOfListCalls) {
  const XmlNode& payload = *captured().doc->child("Body")->children[0]->children[0];
  if (!is_list_call(GetParam())) {
    EXPECT_EQ(payload.child("Fields"), nullptr);
    return;
  }
  const XmlNode* fields = payload.child("Fields");
  const XmlNode* filter = payload.child("Filter");
  ASSERT_NE(fields, nullptr);
  ASSERT_NE(filter, nullptr);
  EXPECT_EQ(payload.child_names(), (std::vector<std::string>{"RequestHeader", "Fields", "Filter"}));
  EXPECT_TRUE(fields->attribute("http://www.w3.org/2001/XMLSchema-instance", "nil").empty());
  EXPECT_TRUE(filter->attribute("http://www.w3.org/2001/XMLSchema-instance", "nil").empty());
  const bool no_slash = GetParam() == Operation::GetServiceLocations || GetParam() == Operation::GetProcedureCodes;
  const std::string expected_ns = no_slash ? kKareoNoSlash : kKareo;
  EXPECT_EQ(fields->ns, expected_ns);
  EXPECT_EQ(filter->ns, expected_ns);
  for (const auto& c : fields->children) EXPECT_EQ(c->ns, expected_ns) << c->local;
  for (const auto& c : filter->children) EXPECT_EQ(c->ns, expected_ns) << c->local;
  if (GetParam() == Operation::GetServiceLocations) {
    EXPECT_EQ(fields->child_names(), std::vector<std::string>{"Name"});
    EXPECT_EQ(filter->child("PracticeName")->text, "Main Street Clinic");
  } else if (GetParam() != Operation::GetEncounterDetails) {
    EXPECT_TRUE(fields->children.empty());  // <Fields/>: every column
  }
}

// The body's element as a document of its own, with the envelope's namespace declarations.
std::string standalone_payload(const std::string& body) {
  const auto env = body.find("Envelope");
  const auto env_end = body.find('>', env);
  std::string decls = body.substr(env + 8, env_end - env - 8);
  const auto open = body.find("Body>") + 5;
  const auto close = body.rfind("</", body.rfind("Body>"));
  std::string inner = body.substr(open, close - open);
  const auto name_end = inner.find_first_of(" />", 1);
  inner.insert(name_end, " " + decls);
  return inner;
}

INSTANTIATE_TEST_SUITE_P(AllOperations, Wire, ::testing::ValuesIn(all_operations()),
                         [](const ::testing::TestParamInfo<Operation>& info) {
                           return std::string(operation_name(info.param));
                         });

// All 28 requests in one xmllint run (the contract's schema is large; loading it once keeps this fast).
TEST(WireSchema, EveryRequestValidAgainstTheContractSchemas) {
  const std::filesystem::path xsd = std::filesystem::path(KAREO_REFERENCE_DIR) / "contract-2025" / "xsd0.xsd";
  if (!std::filesystem::exists(xsd)) GTEST_SKIP() << "reference contract not found at " << xsd;
  if (std::system("xmllint --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed (libxml2-utils)";
  ScriptedServer server(test::empty_success);
  Client client(Options{}
                    .policies(CallPolicies::none())
                    .endpoint(server.url())
                    .credentials(Credentials("test-customer-key", "test-user@example.com", kPassword))
                    .receive_timeout(std::chrono::seconds(5)));
  for (const auto& [op, invoke] : invocations()) invoke(client);
  test::TempDir dir;
  std::string files;
  std::map<std::string, std::string> payloads;
  for (const auto& req : server.requests()) {
    const std::string name = dir.file(test::action_of(req) + ".xml");
    payloads[name] = standalone_payload(req.body);
    std::ofstream(name) << payloads[name];
    files += " '" + name + "'";
  }
  ASSERT_EQ(payloads.size(), kOperationCount);
  const std::string log = dir.file("xmllint.log");
  const std::string cmd = "xmllint --noout --schema '" + xsd.string() + "'" + files + " >'" + log + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(log);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& [name, xml] : payloads) {
    EXPECT_NE(output.find(name + " validates"), std::string::npos) << output << "\n" << xml;
  }
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << output;
}

}  // namespace
}  // namespace kareo
