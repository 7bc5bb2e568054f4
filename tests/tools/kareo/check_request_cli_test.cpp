// `kareo check-request` end to end: the real program on captured requests (files and standard input), its exit
// codes (0 accepted, 1 errors, 2 usage), the JSON format, --response, and credentials never in its output; and
// `kareo doctor` pointing to it when a call fails.
#include <gtest/gtest.h>

#include "cli_support.hpp"

namespace {

using namespace cli_test;

const std::string kKareo = KAREO_CLI_PATH;
const std::string kKey = "synthetic-key-5e1d";
const std::string kUser = "integrator@example.com";
const std::string kPassword = "Synthetic-Pass-17";

std::string request(const std::string& action, const std::string& ns, bool credentials_in_header) {
  const std::string creds = "<tns:RequestHeader><tns:CustomerKey>" + kKey + "</tns:CustomerKey><tns:Password>" +
                            kPassword + "</tns:Password><tns:User>" + kUser + "</tns:User></tns:RequestHeader>";
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope "
      "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:tns=\"" +
      ns + "\">\n" + (credentials_in_header ? "<soap:Header>" + creds + "</soap:Header>\n" : "") +
      "<soap:Body><tns:GetPatients><tns:request>" + (credentials_in_header ? "" : creds) +
      "<tns:Fields/><tns:Filter><tns:PracticeName>Main Street Clinic</tns:PracticeName></tns:Filter></tns:request>"
      "</tns:GetPatients></soap:Body>\n</soap:Envelope>\n";
  return "POST /services/soap/2.1/KareoServices.svc HTTP/1.1\r\nHost: webservice.kareo.com\r\n"
         "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"" +
         action + "\"\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string kRight =
    request("http://www.kareo.com/api/schemas/KareoServices/GetPatients", "http://www.kareo.com/api/schemas/", false);
// The Node.js ticket: credentials in a SOAP header, the wrong namespace, a SOAPAction in that namespace.
const std::string kTicket = request("http://www.kareo.com/ServiceContracts/2.1/KareoServices/GetPatients",
                                    "http://www.kareo.com/ServiceContracts/2.1", true);

class CheckRequestCli : public ::testing::Test {
 protected:
  RunResult kareo(const std::vector<std::string>& args, const std::string& input = {}) {
    return run_program(kKareo, args, {}, input, tmp_.path());
  }
  void expect_no_credentials(const RunResult& r) {
    for (const auto& secret : {kKey, kUser, kPassword}) {
      EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
      EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
    }
  }
  TempDir tmp_;
};

TEST_F(CheckRequestCli, AcceptedRequestExitsZero) {
  auto r = kareo({"check-request", tmp_.write("right.txt", kRight)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("no findings"), std::string::npos) << r.out;
  expect_no_credentials(r);
}

TEST_F(CheckRequestCli, TicketReportsThreeErrorsAndACorrectedRequest) {
  auto r = kareo({"check-request", tmp_.write("ticket.txt", kTicket)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (const char* code : {"[soap-action]", "[credentials-in-soap-header]", "[namespace]"})
    EXPECT_NE(r.out.find(code), std::string::npos) << code << "\n" << r.out;
  EXPECT_NE(r.out.find("ticket.txt:4: error [soap-action]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Corrected request (credentials masked)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<Password>***</Password>"), std::string::npos) << r.out;
  expect_no_credentials(r);
}

TEST_F(CheckRequestCli, JsonIsOneObjectPerFinding) {
  auto r = kareo({"check-request", "--format", "json", tmp_.write("ticket.txt", kTicket)});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_no_credentials(r);
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 3u) << r.out;
  std::vector<std::string> codes;
  for (const auto& f : lines) {
    std::vector<std::string> keys;
    for (const auto& item : f.items()) keys.push_back(item.key());
    EXPECT_EQ(keys.size(), 6u) << f.dump();
    for (const char* key : {"code", "severity", "message", "line", "path", "fix"}) EXPECT_TRUE(f.contains(key)) << key;
    EXPECT_EQ(f["severity"], "error");
    EXPECT_TRUE(f["line"].is_number_integer());
    codes.push_back(f["code"]);
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"soap-action", "credentials-in-soap-header", "namespace"}));
  // The members in the documented order.
  EXPECT_EQ(r.text_lines()[0].rfind("{\"code\":\"soap-action\",\"severity\":\"error\",\"message\":", 0), 0u) << r.out;
  // The global --format json (before the command) means the same.
  auto global = kareo({"--format", "json", "check-request", tmp_.write("ticket.txt", kTicket)});
  EXPECT_EQ(global.out, r.out);
  // An accepted request prints nothing in JSON.
  auto ok = kareo({"check-request", "--format", "json", tmp_.write("right.txt", kRight)});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.out, "");
}

TEST_F(CheckRequestCli, StandardInputAndABodyWithItsSoapAction) {
  const std::string body = kRight.substr(kRight.find("\r\n\r\n") + 4);
  auto r = kareo(
      {"check-request", "--soap-action", "\"http://www.kareo.com/api/schemas/KareoServices/GetPatient\"", "-"}, body);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("<stdin>:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[soap-action]"), std::string::npos) << r.out;
  auto ok = kareo({"check-request", "-"}, body);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
}

TEST_F(CheckRequestCli, UsageErrorsExitTwo) {
  EXPECT_EQ(kareo({"check-request"}).exit_code, 2);
  EXPECT_EQ(kareo({"check-request", tmp_.file("absent.txt")}).exit_code, 2);
  EXPECT_EQ(kareo({"check-request", "--format", "csv", tmp_.write("right.txt", kRight)}).exit_code, 2);
  EXPECT_EQ(kareo({"check-request", "--response", tmp_.file("absent.txt"), tmp_.write("right.txt", kRight)}).exit_code,
            2);
}

TEST_F(CheckRequestCli, ResponseIsReadTheWayTheLibraryReadsIt) {
  const std::string fault =
      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n"
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode "
      "xmlns:a=\"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher\">"
      "a:InternalServiceFault</faultcode><faultstring xml:lang=\"en-US\">The server was unable to process the request "
      "due to an internal error.</faultstring></s:Fault></s:Body></s:Envelope>";
  const std::string response = tmp_.write("response.txt", fault);
  auto r = kareo({"check-request", "--response", response, tmp_.write("ticket.txt", kTicket)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("kareo::SoapFault (kareo exit code 7)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("caused by the request's findings: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("credentials-in-soap-header"), std::string::npos) << r.out;
  auto j = kareo({"check-request", "--format", "json", "--response", response, tmp_.write("ticket.txt", kTicket)});
  const auto lines = j.lines();
  ASSERT_EQ(lines.size(), 4u) << j.out;
  const auto& reading = lines.back()["response"];
  EXPECT_EQ(reading["exception"], "SoapFault");
  EXPECT_EQ(reading["exit_code"], 7);
  EXPECT_EQ(reading["http_status"], 500);
  EXPECT_FALSE(reading["causes"].empty());
}

TEST_F(CheckRequestCli, DoctorPointsToCheckRequestWhenACallFails) {
  kareo::testing::FakeServer server(small_server());
  server.start();
  auto env = server_env(server, tmp_);
  env["KAREO_PASSWORD"] = "wrong";
  auto r = run_program(kKareo, {"--no-pacing", "--max-retries", "0", "doctor"}, env, {}, tmp_.path());
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("kareo check-request FILE"), std::string::npos) << r.out;
  auto healthy =
      run_program(kKareo, {"--no-pacing", "--max-retries", "0", "doctor"}, server_env(server, tmp_), {}, tmp_.path());
  EXPECT_EQ(healthy.out.find("check-request"), std::string::npos) << healthy.out;
}

}  // namespace
