// kareo::read_response: a captured response read the way the library reads it, and which of the request's findings
// are known to cause it.
#include <gtest/gtest.h>

#include <algorithm>

#include "kareo/check.hpp"
#include "kareo_optable.hpp"

namespace kareo {
namespace {

const char* kRequestWrongWrapper =
    "POST /services/soap/2.1/KareoServices.svc HTTP/1.1\r\nContent-Type: text/xml; charset=utf-8\r\n"
    "SOAPAction: \"http://www.kareo.com/api/schemas/KareoServices/UpdatePatient\"\r\n\r\n"
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
    "<UpdatePatient xmlns=\"http://www.kareo.com/api/schemas/\"><request><RequestHeader><CustomerKey>k</CustomerKey>"
    "<Password>p</Password><User>u</User></RequestHeader><Patient><PatientID>1</PatientID></Patient></request>"
    "</UpdatePatient></s:Body></s:Envelope>";

std::string envelope(const std::string& body) {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>" + body + "</s:Body></s:Envelope>";
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ReadResponse, InternalServiceFaultNamesTheFindingsThatCauseIt) {
  const auto request = check_request(kRequestWrongWrapper, CheckOptions{});
  const std::string response =
      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n" +
      envelope(
          "<s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/"
          "dispatcher\">a:InternalServiceFault</faultcode><faultstring xml:lang=\"en-US\">The server was unable "
          "to process the request due to an internal error.</faultstring></s:Fault>");
  const auto r = read_response(response, request);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.exception, "SoapFault");
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_FALSE(r.retryable);  // UpdatePatient is a write: never resent
  EXPECT_EQ(r.http_status, 500);
  EXPECT_TRUE(has(r.causes, "wrapper"));
}

TEST(ReadResponse, AuthenticationFailedAfterAMisplacedPassword) {
  const std::string req =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetPatient "
      "xmlns=\"http://www.kareo.com/api/schemas/\"><request><RequestHeader><CustomerKey>k</CustomerKey><User>u</User>"
      "<Password>p</Password></RequestHeader><Filter><PatientID>1</PatientID></Filter></request></GetPatient>"
      "</s:Body></s:Envelope>";
  const auto request = check_request(req);
  ASSERT_EQ(request.size(), 1u);
  const auto check = check_request(req, CheckOptions{});
  const auto r = read_response(
      envelope("<GetPatientResponse xmlns=\"http://www.kareo.com/api/schemas/\"><GetPatientResult><ErrorResponse>"
               "<IsError>false</IsError></ErrorResponse><SecurityResponse><Authenticated>false</Authenticated>"
               "<Authorized>false</Authorized><CustomerKeyValid>true</CustomerKeyValid><SecurityResult>Invalid user "
               "name and/or password.</SecurityResult></SecurityResponse></GetPatientResult></GetPatientResponse>"),
      check);
  EXPECT_EQ(r.exception, "AuthenticationFailed");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(has(r.causes, "member-order"));
}

TEST(ReadResponse, ThrottledAnd415AndSuccess) {
  const auto request = check_request(kRequestWrongWrapper, CheckOptions{});
  const auto throttled = read_response(
      envelope("<UpdatePatientResponse xmlns=\"http://www.kareo.com/api/schemas/\"><UpdatePatientResult>"
               "<ErrorResponse><IsError>true</IsError><ErrorMessage>429: UpdatePatient endpoint requested more than "
               "allowed over time interval 1000 milliseconds. Please wait to try again.</ErrorMessage>"
               "</ErrorResponse></UpdatePatientResult></UpdatePatientResponse>"),
      request);
  EXPECT_EQ(throttled.exception, "Throttled");
  EXPECT_EQ(throttled.exit_code, 5);
  EXPECT_TRUE(throttled.retryable);

  const auto refused = read_response("HTTP/1.1 415 Unsupported Media Type\r\nContent-Length: 0\r\n\r\n", request);
  EXPECT_EQ(refused.kind, ErrorKind::Transport);
  EXPECT_EQ(refused.exit_code, 8);

  const auto ok = read_response(
      envelope("<UpdatePatientResponse xmlns=\"http://www.kareo.com/api/schemas/\"><UpdatePatientResult>"
               "<ErrorResponse><IsError>false</IsError></ErrorResponse><SecurityResponse><Authenticated>true"
               "</Authenticated><Authorized>true</Authorized><CustomerKeyValid>true</CustomerKeyValid>"
               "</SecurityResponse></UpdatePatientResult></UpdatePatientResponse>"),
      request);
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.exit_code, 0);
}

TEST(ReadResponse, CustomerIdMinusOneMeansAnUnreadKeyForTheInlineCredentialOperationsOnly) {
  for (const auto& row : optable::kTable) {
    RequestCheck request;
    request.operation = row.name;
    const std::string name = row.name;
    const auto r = read_response(envelope("<" + name + "Response xmlns=\"http://www.kareo.com/api/schemas/\"><" + name +
                                          "Result><CustomerId>-1</CustomerId><IsAuthorized>false</IsAuthorized></" +
                                          name + "Result></" + name + "Response>"),
                                 request);
    EXPECT_EQ(r.meaning.rfind("CustomerId = -1", 0) == 0, row.inline_credentials) << name << ": " << r.meaning;
  }
}

}  // namespace
}  // namespace kareo
