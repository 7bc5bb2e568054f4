#include "wcf.hpp"

namespace kareo::test {

std::string envelope(const std::string& body) {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>" + body + "</s:Body></s:Envelope>";
}

std::string result_envelope(const std::string& op, const std::string& error_response,
                            const std::string& security_response, const std::string& payload) {
  return envelope("<" + op + "Response xmlns=\"http://www.kareo.com/api/schemas/\"><" + op +
                  "Result xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">" + error_response + security_response +
                  payload + "</" + op + "Result></" + op + "Response>");
}

std::string ok_body(const std::string& op, const std::string& payload) {
  return "<" + op + "Response xmlns=\"http://www.kareo.com/api/schemas/\"><" + op +
         "Result xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
         "<ErrorResponse><ErrorMessage i:nil=\"true\"/><IsError>false</IsError><StackTrace i:nil=\"true\"/>"
         "</ErrorResponse>"
         "<SecurityResponse><Authenticated>true</Authenticated><Authorized>true</Authorized>"
         "<CustomerId>1234</CustomerId><CustomerKeyValid>true</CustomerKeyValid>"
         "<PermissionsMissing i:nil=\"true\"/><PracticesAuthorized i:nil=\"true\"/>"
         "<SecurityResult>Success</SecurityResult><SecurityResultSuccess>true</SecurityResultSuccess>"
         "</SecurityResponse>" +
         payload + "</" + op + "Result></" + op + "Response>";
}

std::string ok_envelope(const std::string& op, const std::string& payload) { return envelope(ok_body(op, payload)); }

HttpReply xml_reply(const std::string& xml) {
  HttpReply r;
  r.body = xml;
  return r;
}

HttpReply internal_fault_reply() {
  HttpReply r;
  r.status = 500;
  r.reason = "Internal Server Error";
  r.body = envelope(
      "<s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/"
      "dispatcher\">a:InternalServiceFault</faultcode><faultstring xml:lang=\"en-US\">The server was unable to "
      "process the request due to an internal error.</faultstring></s:Fault>");
  return r;
}

std::string action_of(const HttpRequest& request) {
  std::string a = request.header("SOAPAction");
  if (!a.empty() && a.front() == '"') a = a.substr(1, a.size() - 2);
  const auto slash = a.rfind('/');
  return slash == std::string::npos ? a : a.substr(slash + 1);
}

HttpReply empty_success(const HttpRequest& request) {
  const std::string op = action_of(request);
  if (op == "GetCustomerIdFromKey") {
    return xml_reply(
        envelope("<GetCustomerIdFromKeyResponse xmlns=\"http://www.kareo.com/api/schemas/\">"
                 "<GetCustomerIdFromKeyResult xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
                 "<CustomerId>1234</CustomerId><IsAuthorized>true</IsAuthorized>"
                 "</GetCustomerIdFromKeyResult></GetCustomerIdFromKeyResponse>"));
  }
  return xml_reply(ok_envelope(op, ""));
}

}  // namespace kareo::test
