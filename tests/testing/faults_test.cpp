// Every kind of injected fault, seen through the generated proxy and on the raw wire.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "support.hpp"

using namespace fake_test;
using kareo::testing::CallRecord;
using kareo::testing::Fault;

namespace {

int call_get_patients(Client& c, _kareo__GetPatientsResponse& out, const std::string& practice = "1") {
  _kareo__GetPatients in;
  in.request = patients_request(c, practice);
  return c.proxy.GetPatients(c.endpoint(), nullptr, &in, out);
}

int call_create_patient(Client& c, const std::string& external_id) {
  _kareo__CreatePatient in;
  in.request = c.request<kareo__CreatePatientReq>();
  in.request->Patient = std::make_shared<kareo__PatientCreate>();
  in.request->Patient->FirstName = "Oscar";
  in.request->Patient->LastName = "Testambiguous";
  in.request->Patient->Practice = std::make_shared<kareo__PracticeIdentifierReq>();
  in.request->Patient->Practice->PracticeID = 1;
  in.request->Patient->PatientExternalID = external_id;
  in.request->Patient->ExternalVendorID = 1;
  _kareo__CreatePatientResponse out;
  return c.proxy.CreatePatient(c.endpoint(), nullptr, &in, out);
}

std::string patients_body(const FakeServer& server) {
  return envelope(server, "GetPatients", "<k:Fields/><k:Filter><k:PracticeID>1</k:PracticeID></k:Filter>");
}

class FakeServerFaults : public ::testing::Test {
 protected:
  std::unique_ptr<FakeServer> holder = started(small_options());
  FakeServer& server = *holder;
  Client client{server};
};

}  // namespace

TEST_F(FakeServerFaults, InternalForTheNextCalls) {
  server.add_fault("internal:count=2");
  for (int i = 0; i < 2; ++i) {
    _kareo__GetPatientsResponse out;
    ASSERT_EQ(call_get_patients(client, out), SOAP_FAULT);
    ASSERT_TRUE(client.proxy.soap->fault);
    EXPECT_NE(std::string(*soap_faultcode(client.proxy.soap)).find("InternalServiceFault"), std::string::npos);
    EXPECT_NE(std::string(*soap_faultstring(client.proxy.soap))
                  .find("The server was unable to process the request due to an internal error."),
              std::string::npos);
  }
  _kareo__GetPatientsResponse out;
  EXPECT_EQ(call_get_patients(client, out), SOAP_OK) << client.fault();
  EXPECT_TRUE(server.faults().empty());
  EXPECT_EQ(server.calls()[0].outcome, CallRecord::Outcome::SoapFault);
  EXPECT_EQ(server.calls()[0].http_status, 500);
}

TEST_F(FakeServerFaults, InternalForOneOperation) {
  server.add_fault(Fault::parse("internal:op=GetCharges"));
  _kareo__GetPatientsResponse out;
  EXPECT_EQ(call_get_patients(client, out), SOAP_OK) << client.fault();
  _kareo__GetCharges in;
  in.request = client.request<kareo__GetChargesReq>();
  in.request->Fields = std::make_shared<kareo__ChargeFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__ChargeFilter>();
  in.request->Filter->PracticeName = "Testpractice Alpha";
  _kareo__GetChargesResponse charges;
  EXPECT_EQ(client.proxy.GetCharges(client.endpoint(), nullptr, &in, charges), SOAP_FAULT);
  EXPECT_EQ(server.faults().size(), 1u);  // unlimited: still there
  server.clear_faults();
  EXPECT_EQ(client.proxy.GetCharges(client.endpoint(), nullptr, &in, charges), SOAP_OK) << client.fault();
}

TEST_F(FakeServerFaults, SkipLetsCallsThroughFirst) {
  server.add_fault("internal:op=GetPatients:skip=1:count=1");
  _kareo__GetPatientsResponse out;
  EXPECT_EQ(call_get_patients(client, out), SOAP_OK);
  EXPECT_EQ(call_get_patients(client, out), SOAP_FAULT);
  EXPECT_EQ(call_get_patients(client, out), SOAP_OK);
}

TEST_F(FakeServerFaults, HttpErrorWithAnHtmlBody) {
  server.add_fault("http:status=503:count=1");
  auto raw = http_post(server.port(), soap_action("GetPatients"), patients_body(server));
  EXPECT_EQ(raw.status, 503);
  EXPECT_NE(raw.headers.find("Content-Type: text/html"), std::string::npos);
  EXPECT_NE(raw.body.find("<html>"), std::string::npos);
  server.add_fault("http:status=500:count=1");
  _kareo__GetPatientsResponse out;
  EXPECT_NE(call_get_patients(client, out), SOAP_OK);
  EXPECT_EQ(server.calls().back().outcome, CallRecord::Outcome::HttpError);
  EXPECT_EQ(server.calls().back().http_status, 500);
}

TEST_F(FakeServerFaults, LatencyDelaysTheAnswer) {
  server.add_fault("latency:ms=150:count=1");
  auto start = std::chrono::steady_clock::now();
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(call_get_patients(client, out), SOAP_OK) << client.fault();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  EXPECT_EQ(out.GetPatientsResult->Patients->PatientData.size(), 20u);
}

TEST_F(FakeServerFaults, DropMidResponse) {
  server.add_fault("drop:count=1");
  auto raw = http_post(server.port(), soap_action("GetPatients"), patients_body(server));
  EXPECT_EQ(raw.status, 200);
  EXPECT_FALSE(raw.complete);
  EXPECT_FALSE(raw.body.empty());
  server.add_fault("drop:count=1");
  _kareo__GetPatientsResponse out;
  EXPECT_NE(call_get_patients(client, out), SOAP_OK);
  EXPECT_EQ(server.calls().back().outcome, CallRecord::Outcome::Dropped);
  // The next call (on a new connection) is served.
  Client fresh(server);
  EXPECT_EQ(call_get_patients(fresh, out), SOAP_OK) << fresh.fault();
}

TEST_F(FakeServerFaults, DropBeforeApplyChangesNothing) {
  server.add_fault("drop:op=CreatePatient:before-apply:count=1");
  EXPECT_NE(call_create_patient(client, "AMBIG-BEFORE"), SOAP_OK);
  EXPECT_EQ(server.store().count(Entity::Patient), 40u);
  EXPECT_FALSE(server.store().find_by_external_id(Entity::Patient, "AMBIG-BEFORE"));
  EXPECT_FALSE(server.calls().back().applied);
}

TEST_F(FakeServerFaults, DropAfterApplyLeavesTheWriteApplied) {
  server.add_fault("drop:op=CreatePatient:after-apply:count=1");
  EXPECT_NE(call_create_patient(client, "AMBIG-AFTER"), SOAP_OK);
  EXPECT_EQ(server.store().count(Entity::Patient), 41u);
  EXPECT_EQ(server.store().find_by_external_id(Entity::Patient, "AMBIG-AFTER", 1), 41);
  EXPECT_TRUE(server.calls().back().applied);
  EXPECT_EQ(server.calls().back().outcome, CallRecord::Outcome::Dropped);
}

namespace {

// Sends `request` on `fd` and reads one response by its Content-Length: {status, body}; status 0 on failure.
std::pair<int, std::string> exchange_on(int fd, const std::string& request) {
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return {};
  std::string raw;
  char buf[65536];
  std::size_t head_end = std::string::npos, need = 0;
  for (;;) {
    if (head_end == std::string::npos && (head_end = raw.find("\r\n\r\n")) != std::string::npos) {
      std::string head = raw.substr(0, head_end);
      for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      const auto cl = head.find("content-length:");
      if (cl == std::string::npos) return {};
      need = head_end + 4 + std::strtoull(head.c_str() + cl + 15, nullptr, 10);
    }
    if (head_end != std::string::npos && raw.size() >= need) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return {};
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {};
    raw.append(buf, static_cast<std::size_t>(n));
  }
  if (raw.size() != need) return {};  // nothing may follow the response
  return {std::atoi(raw.c_str() + raw.find(' ') + 1), raw.substr(head_end + 4)};
}

}  // namespace

TEST_F(FakeServerFaults, TruncatedXmlOnAConnectionKeptOpen) {
  // truncate:keep-open: the damaged response has its right Content-Length and the connection stays open for the
  // next request, as a server that keeps connections alive leaves it. Only the length tells where it ends.
  server.add_fault("truncate:keep-open:count=1");
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string body = patients_body(server);
  const std::string request =
      "POST /services/soap/2.1/KareoServices.svc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; "
      "charset=utf-8\r\nSOAPAction: \"" +
      soap_action("GetPatients") + "\"\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  const auto [status, cut] = exchange_on(fd, request);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(cut.rfind("<s:Envelope", 0), 0u);
  EXPECT_EQ(cut.find("</s:Envelope>"), std::string::npos);
  // The connection is neither closed nor sent anything more...
  pollfd p{fd, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 300), 0) << "the server closed the connection or sent more";
  // ...and it serves the next request.
  const auto [status2, whole] = exchange_on(fd, request);
  ::close(fd);
  EXPECT_EQ(status2, 200);
  EXPECT_NE(whole.find("</s:Envelope>"), std::string::npos);
  ASSERT_EQ(server.calls().size(), 2u);
  EXPECT_EQ(server.calls()[0].outcome, CallRecord::Outcome::Corrupted);
  EXPECT_EQ(server.calls()[1].outcome, CallRecord::Outcome::Ok);
}

TEST_F(FakeServerFaults, DropWithReset) {
  server.add_fault("drop:before-apply:rst:count=1");
  auto raw = http_post(server.port(), soap_action("GetPatients"), patients_body(server));
  EXPECT_EQ(raw.status, 0);
  EXPECT_TRUE(raw.body.empty());
}

TEST_F(FakeServerFaults, TruncatedXml) {
  server.add_fault("truncate:count=1");
  auto raw = http_post(server.port(), soap_action("GetPatients"), patients_body(server));
  EXPECT_EQ(raw.status, 200);
  EXPECT_TRUE(raw.complete);  // the HTTP message is whole, the XML is not
  EXPECT_EQ(raw.body.rfind("</s:Envelope>"), std::string::npos);
  EXPECT_EQ(raw.body.rfind("<s:Envelope", 0), 0u);
  server.add_fault("truncate:count=1");
  _kareo__GetPatientsResponse out;
  EXPECT_NE(call_get_patients(client, out), SOAP_OK);
  EXPECT_EQ(server.calls().back().outcome, CallRecord::Outcome::Corrupted);
}

TEST_F(FakeServerFaults, MalformedXml) {
  server.add_fault("malformed:count=1");
  auto raw = http_post(server.port(), soap_action("GetPatients"), patients_body(server));
  EXPECT_EQ(raw.status, 200);
  EXPECT_TRUE(raw.complete);
  EXPECT_NE(raw.body.find("<IsError>false < 1 </IsError>"), std::string::npos);
  server.add_fault("malformed:count=1");
  _kareo__GetPatientsResponse out;
  EXPECT_NE(call_get_patients(client, out), SOAP_OK);
  Client fresh(server);
  EXPECT_EQ(call_get_patients(fresh, out), SOAP_OK) << fresh.fault();
}

TEST_F(FakeServerFaults, ThrottleAll) {
  server.add_fault("throttle:all");
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(call_get_patients(client, out), SOAP_OK) << client.fault();
  EXPECT_EQ(out.GetPatientsResult->ErrorResponse->IsError, true);
  EXPECT_EQ(out.GetPatientsResult->ErrorResponse->ErrorMessage,
            "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait "
            "to try again.");
  _kareo__GetThrottles t;
  t.request = client.request<kareo__GetThrottlesReq>();
  _kareo__GetThrottlesResponse tout;
  ASSERT_EQ(client.proxy.GetThrottles(client.endpoint(), nullptr, &t, tout), SOAP_OK);
  EXPECT_NE(tout.GetThrottlesResult->ErrorResponse->ErrorMessage->find("GetThrottles endpoint"), std::string::npos);
}

TEST_F(FakeServerFaults, WideWindowFaultsOnlyWideWindows) {
  server.add_fault("wide-window:op=GetPatients:days=30");
  auto ask = [&](const char* from, const char* to, _kareo__GetPatientsResponse& out) {
    _kareo__GetPatients in;
    in.request = patients_request(client, "1");
    in.request->Filter->FromLastModifiedDate = from;
    in.request->Filter->ToLastModifiedDate = to;
    return client.proxy.GetPatients(client.endpoint(), nullptr, &in, out);
  };
  _kareo__GetPatientsResponse wide, narrow;
  EXPECT_EQ(ask("1/1/2025", "3/1/2025", wide), SOAP_FAULT);
  EXPECT_EQ(ask("1/1/2025", "1/21/2025", narrow), SOAP_OK) << client.fault();

  server.clear_faults();
  server.add_fault("wide-window:op=GetPatients:days=30:empty");
  _kareo__GetPatientsResponse empty;
  ASSERT_EQ(ask("1/1/2024", "6/1/2025", empty), SOAP_OK) << client.fault();
  // One placeholder row with an empty ID, as the service answers an empty result.
  ASSERT_EQ(empty.GetPatientsResult->Patients->PatientData.size(), 1u);
  EXPECT_EQ(empty.GetPatientsResult->Patients->PatientData[0]->ID, "");
}

TEST(FakeServerFaultSpec, ParsesAndPrintsTheGrammar) {
  for (const char* spec :
       {"internal:count=3", "internal:op=GetCharges", "http:status=503", "latency:ms=200",
        "drop:op=CreatePatient:after-apply", "drop:before-apply:rst", "truncate", "malformed", "throttle:all",
        "truncate:keep-open", "malformed:op=GetPractices:keep-open", "wide-window:op=GetPatients:days=30",
        "wide-window:days=7:empty", "internal:op=GetPatients:skip=1:count=1"}) {
    Fault f = Fault::parse(spec);
    EXPECT_EQ(Fault::parse(f.spec()).spec(), f.spec()) << spec;
  }
  Fault f = Fault::parse("drop:op=CreatePatient:after-apply");
  EXPECT_EQ(f.kind, Fault::Kind::Drop);
  EXPECT_EQ(f.operation, "CreatePatient");
  EXPECT_EQ(f.drop, Fault::DropPoint::AfterApply);
  EXPECT_EQ(Fault::parse("http").status, 503);
  EXPECT_EQ(Fault::parse("latency:ms=20").latency_ms, 20);
  EXPECT_TRUE(Fault::parse("truncate:keep-open").keep_open);
  EXPECT_FALSE(Fault::parse("truncate").keep_open);
  for (const char* bad : {"", "boom", "latency", "latency:ms=x", "http:status=42", "internal:count=0",
                          "wide-window:op=GetPatients", "drop:after", "internal:op=Get-Patients", "truncate:ms=3",
                          "internal:keep-open", "drop:keep-open", "truncate:keep-open=1"}) {
    EXPECT_THROW(Fault::parse(bad), std::invalid_argument) << bad;
  }
  auto server = started(small_options());
  EXPECT_THROW(server->add_fault("internal:op=NoSuchOperation"), std::invalid_argument);
}
