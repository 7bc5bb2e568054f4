// One test per failure class, through a real socket on loopback: every way a call can fail arrives as the
// typed exception, with the operation, retryability, HTTP status, server message and a support capture whose
// credentials are masked.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kareo/client.hpp"
#include "mini_xml.hpp"
#include "scripted_server.hpp"
#include "wcf.hpp"

namespace kareo {
namespace {

using test::HttpReply;
using test::HttpRequest;
using test::ScriptedServer;

const char* kKey = "test-customer-key";
const char* kUser = "test-user@example.com";
const char* kPassword = "test-password&<>\"'";

Options test_options(const ScriptedServer& server) {
  return Options{}
      .policies(CallPolicies::none())
      .endpoint(server.url())
      .credentials(Credentials(kKey, kUser, kPassword))
      .connect_timeout(std::chrono::seconds(5))
      .receive_timeout(std::chrono::seconds(5));
}

PatientFilter practice_filter() {
  PatientFilter f;
  f.PracticeName = "Main Street Clinic";
  return f;
}

// No credential may appear in what the error says or carries.
void expect_no_secrets(const Error& e) {
  for (const std::string& secret : {std::string(kKey), std::string(kUser), std::string("test-password")}) {
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
    EXPECT_EQ(e.server_message().find(secret), std::string::npos) << e.server_message();
    EXPECT_EQ(e.support_capture().request_xml.find(secret), std::string::npos);
    EXPECT_EQ(e.support_capture().response_xml.find(secret), std::string::npos);
  }
}

// Calls get_patients and returns the exception of type E it must throw.
template <typename E>
E expect_failure(Client& client) {
  try {
    client.patients({practice_filter()}).collect();
  } catch (const E& e) {
    expect_no_secrets(e);
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception " << typeid(e).name() << ": " << e.what();
    throw;
  }
  ADD_FAILURE() << "no exception";
  throw std::logic_error("no exception");
}

HttpReply security_reply(const std::string& security) {
  return test::xml_reply(test::result_envelope(
      "GetPatients", "<ErrorResponse><ErrorMessage i:nil=\"true\"/><IsError>false</IsError></ErrorResponse>",
      security));
}

TEST(Failure, AuthenticationFailed) {
  ScriptedServer server([](const HttpRequest&) {
    return security_reply(
        "<SecurityResponse><Authenticated>false</Authenticated><Authorized>false</Authorized>"
        "<CustomerKeyValid>true</CustomerKeyValid><SecurityResult>Invalid user name and/or password</SecurityResult>"
        "<SecurityResultSuccess>false</SecurityResultSuccess></SecurityResponse>");
  });
  Client client(test_options(server));
  const auto e = expect_failure<AuthenticationFailed>(client);
  EXPECT_FALSE(e.authenticated());
  EXPECT_TRUE(e.customer_key_valid());
  EXPECT_EQ(e.operation(), Operation::GetPatients);
  EXPECT_EQ(e.http_status(), 200);
  EXPECT_FALSE(e.retryable());
  EXPECT_EQ(e.server_message(), "Invalid user name and/or password");
  EXPECT_EQ(e.exit_code(), 3);
  // The support capture holds the exchange, credentials masked.
  EXPECT_NE(e.support_capture().request_xml.find("<kareo:CustomerKey>***</kareo:CustomerKey>"), std::string::npos);
  EXPECT_NE(e.support_capture().request_xml.find("<kareo:Password>***</kareo:Password>"), std::string::npos);
  EXPECT_NE(e.support_capture().request_xml.find("<kareo:User>***</kareo:User>"), std::string::npos);
  EXPECT_NE(e.support_capture().response_xml.find("Invalid user name"), std::string::npos);
  EXPECT_EQ(e.support_capture().endpoint, server.url());
}

TEST(Failure, CustomerKeyRefused) {
  ScriptedServer server([](const HttpRequest&) {
    return security_reply(
        "<SecurityResponse><Authenticated>false</Authenticated><CustomerKeyValid>false</CustomerKeyValid>"
        "<SecurityResult>Invalid customer key</SecurityResult></SecurityResponse>");
  });
  Client client(test_options(server));
  EXPECT_FALSE(expect_failure<AuthenticationFailed>(client).customer_key_valid());
}

TEST(Failure, NotAuthorized) {
  ScriptedServer server([](const HttpRequest&) {
    return security_reply(
        "<SecurityResponse><Authenticated>true</Authenticated><Authorized>false</Authorized>"
        "<CustomerKeyValid>true</CustomerKeyValid><PermissionsMissing><Permission "
        "xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\"><a:string>ReadPatient</a:string>"
        "</Permission></PermissionsMissing><PracticesAuthorized><PracticeID "
        "xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\"><a:int>7</a:int></PracticeID>"
        "</PracticesAuthorized><SecurityResult>Not authorized</SecurityResult></SecurityResponse>");
  });
  Client client(test_options(server));
  const auto e = expect_failure<NotAuthorized>(client);
  EXPECT_EQ(e.permissions_missing(), std::vector<std::string>{"ReadPatient"});
  EXPECT_EQ(e.practices_authorized(), std::vector<std::string>{"7"});
  EXPECT_EQ(e.exit_code(), 4);
}

TEST(Failure, ThrottledInAnErrorResponse) {
  ScriptedServer server([](const HttpRequest&) {
    return test::xml_reply(test::result_envelope(
        "GetPatients",
        "<ErrorResponse><ErrorMessage>429: GetPatients endpoint requested more than allowed over time interval 1000 "
        "milliseconds. Please wait to try again.</ErrorMessage><IsError>true</IsError><StackTrace i:nil=\"true\"/>"
        "</ErrorResponse>",
        "<SecurityResponse i:nil=\"true\"/>"));
  });
  Client client(test_options(server));
  const auto e = expect_failure<Throttled>(client);
  EXPECT_EQ(e.interval(), std::chrono::milliseconds(1000));
  EXPECT_EQ(e.endpoint(), "GetPatients");
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.http_status(), 200);
  EXPECT_EQ(e.exit_code(), 5);
}

TEST(Failure, ThrottledWithADefaultSecurityResponse) {
  // The throttle text decides, whatever the SecurityResponse of default (false) values beside it says.
  ScriptedServer server([](const HttpRequest&) {
    return test::xml_reply(test::result_envelope(
        "GetPatients",
        "<ErrorResponse><ErrorMessage>429: GetPatients endpoint requested more than allowed over time interval 1000 "
        "milliseconds. Please wait to try again.</ErrorMessage><IsError>true</IsError><StackTrace i:nil=\"true\"/>"
        "</ErrorResponse>",
        "<SecurityResponse><Authenticated>false</Authenticated><Authorized>false</Authorized><CustomerId>0"
        "</CustomerId><CustomerKeyValid>false</CustomerKeyValid><PermissionsMissing i:nil=\"true\"/>"
        "<PracticesAuthorized i:nil=\"true\"/><SecurityResult i:nil=\"true\"/><SecurityResultSuccess>false"
        "</SecurityResultSuccess></SecurityResponse>"));
  });
  Client client(test_options(server));
  const auto e = expect_failure<Throttled>(client);
  EXPECT_EQ(e.interval(), std::chrono::milliseconds(1000));
  EXPECT_EQ(e.exit_code(), 5);
}

TEST(Failure, ThrottledByHttp429) {
  ScriptedServer server([](const HttpRequest&) {
    HttpReply r;
    r.status = 429;
    r.reason = "Too Many Requests";
    r.headers = {{"Content-Type", "text/html"}, {"Retry-After", "2"}};
    r.body = "<html><body>Too many requests</body></html>";
    return r;
  });
  Client client(test_options(server));
  const auto e = expect_failure<Throttled>(client);
  EXPECT_EQ(e.interval(), std::chrono::seconds(2));
  EXPECT_EQ(e.http_status(), 429);
  EXPECT_TRUE(e.retryable());
}

TEST(Failure, ServiceError) {
  ScriptedServer server([](const HttpRequest& req) {
    // The server echoes the user name: it must still not reach the message.
    (void)req;
    return test::xml_reply(test::result_envelope(
        "GetPatients",
        "<ErrorResponse><ErrorMessage>Practice 'Nowhere Clinic' is not available to test-user@example.com"
        "</ErrorMessage><IsError>true</IsError><StackTrace>at KareoServices.GetPatients()</StackTrace>"
        "</ErrorResponse>",
        "<SecurityResponse><Authenticated>true</Authenticated><Authorized>true</Authorized>"
        "<CustomerKeyValid>true</CustomerKeyValid></SecurityResponse>"));
  });
  Client client(test_options(server));
  const auto e = expect_failure<ServiceError>(client);
  EXPECT_EQ(e.server_message(), "Practice 'Nowhere Clinic' is not available to ***");
  EXPECT_EQ(e.stack_trace(), "at KareoServices.GetPatients()");
  EXPECT_FALSE(e.retryable());
  EXPECT_EQ(e.exit_code(), 6);
}

TEST(Failure, InternalServiceFault) {
  ScriptedServer server([](const HttpRequest&) { return test::internal_fault_reply(); });
  Client client(test_options(server));
  const auto e = expect_failure<SoapFault>(client);
  EXPECT_EQ(e.fault_code(), "a:InternalServiceFault");
  EXPECT_TRUE(e.internal_service_fault());
  EXPECT_EQ(e.fault_string(), "The server was unable to process the request due to an internal error.");
  EXPECT_EQ(e.http_status(), 500);
  EXPECT_TRUE(e.retryable());  // a read: once
  EXPECT_EQ(e.exit_code(), 7);
  // The service failed while handling a write: it may have stored part of it. The caller is told so.
  try {
    client.create_patient(PatientCreate{});
    FAIL() << "expected AmbiguousOutcome";
  } catch (const AmbiguousOutcome& w) {
    EXPECT_FALSE(w.retryable());  // a write is never resent automatically
    EXPECT_EQ(w.operation(), Operation::CreatePatient);
    EXPECT_EQ(w.cause_kind(), ErrorKind::SoapFault);
    EXPECT_NE(w.cause().find("InternalServiceFault"), std::string::npos) << w.cause();
    EXPECT_EQ(w.exit_code(), 10);
  }
}

TEST(Failure, HttpErrorWithHtmlBody) {
  for (int status : {500, 503}) {
    ScriptedServer server([status](const HttpRequest&) {
      HttpReply r;
      r.status = status;
      r.reason = status == 503 ? "Service Unavailable" : "Internal Server Error";
      r.headers = {{"Content-Type", "text/html"}};
      r.body = "<html><head><title>Service Unavailable</title></head><body>Down for maintenance</body></html>";
      return r;
    });
    Client client(test_options(server));
    const auto e = expect_failure<HttpError>(client);
    EXPECT_EQ(e.http_status(), status);
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(e.body_excerpt().find("Down for maintenance"), std::string::npos);
    EXPECT_EQ(e.exit_code(), 8);
  }
}

TEST(Failure, ConnectionRefused) {
  // A port that was just free: nothing listens on it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  Client client(Options{}
                    .policies(CallPolicies::none())
                    .endpoint("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/KareoServices.svc")
                    .credentials(Credentials(kKey, kUser, kPassword))
                    .connect_timeout(std::chrono::seconds(2)));
  const auto e = expect_failure<ConnectionError>(client);
  EXPECT_TRUE(e.retryable());
  EXPECT_FALSE(e.http_status());
  EXPECT_EQ(e.exit_code(), 8);
}

TEST(Failure, ConnectionDroppedWithoutAnswer) {
  ScriptedServer server([](const HttpRequest&) {
    HttpReply r;
    r.action = HttpReply::Action::Drop;
    return r;
  });
  Client client(test_options(server));
  const auto e = expect_failure<ConnectionError>(client);
  EXPECT_TRUE(e.retryable());
  try {
    client.create_patient(PatientCreate{});
    FAIL() << "expected AmbiguousOutcome";
  } catch (const AmbiguousOutcome& w) {
    EXPECT_FALSE(w.retryable());  // the request went out: the write may have been applied
    EXPECT_EQ(w.cause_kind(), ErrorKind::Transport);
    EXPECT_EQ(server.requests().size(), 2u) << "the write was sent once (after the read)";
  }
}

TEST(Failure, ReceiveTimeout) {
  ScriptedServer server([](const HttpRequest&) {
    HttpReply r;
    r.action = HttpReply::Action::Stall;
    return r;
  });
  Client client(test_options(server).receive_timeout(std::chrono::milliseconds(300)));
  const auto start = std::chrono::steady_clock::now();
  const auto e = expect_failure<TimeoutError>(client);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(e.retryable());
  EXPECT_NE(std::string(e.what()).find("receive timeout"), std::string::npos);
}

TEST(Failure, WholeCallTimeout) {
  // Half the body arrives, then nothing: the stall timeout is long, the whole-call limit is not.
  ScriptedServer server([](const HttpRequest&) {
    HttpReply r = test::xml_reply(test::ok_envelope("GetPatients", "<Patients/>"));
    r.action = HttpReply::Action::StallBody;
    return r;
  });
  Client client(
      test_options(server).receive_timeout(std::chrono::seconds(30)).call_timeout(std::chrono::milliseconds(400)));
  const auto start = std::chrono::steady_clock::now();
  const auto e = expect_failure<TimeoutError>(client);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_NE(std::string(e.what()).find("whole-call"), std::string::npos);
}

TEST(Failure, MalformedResponses) {
  struct Case {
    const char* name;
    std::function<HttpReply()> reply;
  };
  const std::vector<Case> cases = {
      {"not XML", [] { return test::xml_reply("Hello, this is not XML"); }},
      {"empty", [] { return test::xml_reply(""); }},
      {"truncated",
       [] {
         HttpReply r = test::xml_reply(test::ok_envelope("GetPatients",
                                                         "<Patients><PatientData><ID>1</ID>"
                                                         "</PatientData></Patients>"));
         r.action = HttpReply::Action::Truncate;
         return r;
       }},
      {"not the expected element", [] { return test::xml_reply(test::ok_envelope("GetPractices", "")); }},
      {"not a SOAP envelope", [] { return test::xml_reply("<html><body>Welcome</body></html>"); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedServer server([&](const HttpRequest&) { return c.reply(); });
    Client client(test_options(server));
    const auto e = expect_failure<MalformedResponse>(client);
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(e.exit_code(), 9);
  }
}

TEST(Failure, ResponseLargerThanTheLimit) {
  std::string rows = "<Patients>";
  for (int i = 0; i < 200; ++i) rows += "<PatientData><ID>" + std::to_string(i) + "</ID></PatientData>";
  rows += "</Patients>";
  ScriptedServer server([&](const HttpRequest&) { return test::xml_reply(test::ok_envelope("GetPatients", rows)); });
  Client client(test_options(server).max_response_bytes(2000));
  const auto e = expect_failure<MalformedResponse>(client);
  EXPECT_NE(std::string(e.what()).find("larger than"), std::string::npos);
  Client roomy(test_options(server));
  EXPECT_EQ(roomy.patients({practice_filter()}).collect().size(), 200u);
}

TEST(Failure, PasswordIsEscapedOnTheWire) {
  ScriptedServer server(test::empty_success);
  Client client(test_options(server));
  client.practices().collect();
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string& body = requests[0].body;
  EXPECT_EQ(body.find(kPassword), std::string::npos);  // never raw
  const auto doc = test::parse_xml(body);
  const auto* header = doc->child("Body")->child("GetPractices")->child("request")->child("RequestHeader");
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->child("Password")->text, kPassword);
  EXPECT_EQ(header->child("User")->text, kUser);
}

TEST(Failure, EventsAndWireTraceKeepSecretsAndPatientDataOut) {
  ScriptedServer server([](const HttpRequest&) {
    return test::xml_reply(
        test::ok_envelope("GetPatients",
                          "<Patients><PatientData><FirstName>Testpatient</FirstName><ID>101</ID>"
                          "<LastModifiedDate>3/1/2024 10:00:00 AM</LastModifiedDate></PatientData></Patients>"));
  });
  std::vector<CallEvent> events;
  Client client(test_options(server)
                    .event_sink([&](const CallEvent& e) { events.push_back(e); })
                    .wire_trace(WireTrace::Redacted));
  client.patients({practice_filter()}).collect();
  ASSERT_EQ(events.size(), 1u);
  const CallEvent& e = events[0];
  EXPECT_TRUE(e.ok);
  EXPECT_EQ(e.operation, Operation::GetPatients);
  EXPECT_EQ(e.attempt, 1);
  EXPECT_EQ(e.http_status, 200);
  EXPECT_GT(e.bytes_sent, 500u);
  EXPECT_GT(e.bytes_received, 500u);
  EXPECT_GT(e.duration.count(), 0);
  EXPECT_EQ(e.endpoint, server.url());
  for (const std::string& secret : {std::string(kKey), std::string(kUser), std::string("test-password")}) {
    EXPECT_EQ(e.request_xml.find(secret), std::string::npos);
    EXPECT_EQ(e.response_xml.find(secret), std::string::npos);
  }
  EXPECT_NE(e.request_xml.find("<kareo:PracticeName>Main Street Clinic</kareo:PracticeName>"), std::string::npos);
  EXPECT_NE(e.response_xml.find("<ID>101</ID>"), std::string::npos);
  EXPECT_NE(e.response_xml.find("<LastModifiedDate>3/1/2024 10:00:00 AM</LastModifiedDate>"), std::string::npos);
  EXPECT_NE(e.response_xml.find("<FirstName>***</FirstName>"), std::string::npos);

  // A failed attempt reports its class of failure.
  ScriptedServer failing([](const HttpRequest&) { return test::internal_fault_reply(); });
  std::vector<CallEvent> failures;
  Client client2(test_options(failing).event_sink([&](const CallEvent& ev) { failures.push_back(ev); }));
  EXPECT_THROW(client2.patients({practice_filter()}).collect(), SoapFault);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_FALSE(failures[0].ok);
  EXPECT_EQ(failures[0].error, ErrorKind::SoapFault);
  EXPECT_EQ(failures[0].http_status, 500);
  EXPECT_TRUE(failures[0].request_xml.empty());  // tracing is off
}

}  // namespace
}  // namespace kareo
