// Secrets: the test credentials and the synthetic patients' names never appear in an exception message, a log
// event or a wire trace unless the caller opted in (WireTrace::WithPatientData shows patient data, never
// credentials). Two parts:
//  - every failure class, provoked through a real socket by a server that echoes the secrets back wherever it
//    can, with every output channel scanned;
//  - the suite-wide scan (capture/secret_capture.hpp) that every test executable links: it sees the library's
//    own throws, and its negative control (a child process that leaks on purpose) must fail.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "raw_server.hpp"
#include "secret_capture.hpp"
#include "test_pki.hpp"

namespace kareo {
namespace {

using reliability::http_response;
using reliability::RawConnection;
using reliability::RawServer;
using reliability::soap_envelope;

const char* kKey = "test-customer-key";
const char* kUser = "test-user@example.test";
const char* kPassword = "test-password";
const char* kPatient = "Testpatient Alpha";

// Everything one failed call produced, by channel.
struct Channels {
  std::vector<std::pair<std::string, std::string>> strict;    // no credentials, no patient names
  std::vector<std::pair<std::string, std::string>> capture;   // opted-in support captures: no credentials
  std::vector<std::pair<std::string, std::string>> opted_in;  // WithPatientData traces: no credentials
};

void expect_clean(const Channels& c, const std::string& label) {
  for (const auto& [channel, text] : c.strict) {
    for (const auto& leak : secret_scan::scan_text(text, false))
      ADD_FAILURE() << label << ": " << leak << " in " << channel << ": " << text.substr(0, 400);
  }
  for (const auto& [channel, text] : c.capture) {
    for (const auto& leak : secret_scan::scan_text(text, true))
      ADD_FAILURE() << label << ": " << leak << " in " << channel;
  }
  for (const auto& [channel, text] : c.opted_in) {
    for (const auto& leak : secret_scan::scan_text(text, true))
      ADD_FAILURE() << label << ": " << leak << " in " << channel;
  }
}

// Runs `call` on a client of `url` once per wire-trace mode and gathers every channel.
Channels provoke(const std::string& url, const std::function<void(Client&)>& call,
                 const std::function<void(Options&)>& tweak = {}) {
  Channels out;
  for (WireTrace mode : {WireTrace::Off, WireTrace::Redacted, WireTrace::WithPatientData}) {
    std::vector<CallEvent> events;
    Options o;
    o.endpoint(url)
        .credentials(Credentials(kKey, kUser, kPassword))
        .connect_timeout(std::chrono::seconds(3))
        .receive_timeout(std::chrono::seconds(3))
        .call_timeout(std::chrono::seconds(5))
        .policies(CallPolicies::none())
        .event_sink([&](const CallEvent& e) { events.push_back(e); })
        .wire_trace(mode);
    if (tweak) tweak(o);
    Client client(o);
    try {
      call(client);
      ADD_FAILURE() << "the call succeeded";
    } catch (const Error& e) {
      out.strict.push_back({"what()", e.what()});
      out.strict.push_back({"server_message()", e.server_message()});
      out.strict.push_back({"hint()", e.hint()});
      if (const auto* h = dynamic_cast<const HttpError*>(&e))
        out.strict.push_back({"body_excerpt()", h->body_excerpt()});
      if (const auto* a = dynamic_cast<const AmbiguousOutcome*>(&e)) out.strict.push_back({"cause()", a->cause()});
      if (const auto* s = dynamic_cast<const ServiceError*>(&e))
        out.strict.push_back({"stack_trace()", s->stack_trace()});
      if (const auto* f = dynamic_cast<const SoapFault*>(&e))
        out.strict.push_back({"fault_string()", f->fault_string()});
      // A support capture keeps patient data only when the client was told to (Options::support_capture).
      auto& capture = e.support_capture().patient_data ? out.capture : out.strict;
      capture.push_back({"support_capture().request_xml", e.support_capture().request_xml});
      capture.push_back({"support_capture().response_xml", e.support_capture().response_xml});
      out.strict.push_back({"support_capture().endpoint", e.support_capture().endpoint});
    }
    EXPECT_FALSE(events.empty());
    for (const auto& ev : events) {
      out.strict.push_back({"CallEvent.message", ev.message});
      auto& bucket = mode == WireTrace::WithPatientData ? out.opted_in : out.strict;
      bucket.push_back({"CallEvent.request_xml", ev.request_xml});
      bucket.push_back({"CallEvent.response_xml", ev.response_xml});
    }
  }
  return out;
}

void read_patients(Client& c) {
  PatientFilter f;
  f.PracticeName = "Testpractice Alpha";
  c.patients({f}).collect();
}

void create_patient(Client& c) {
  PatientCreate p;
  p.FirstName = "Testpatient";
  p.LastName = "Alpha";
  p.EmailAddress = "testpatient.alpha@example.test";
  c.create_patient(p);
}

std::string patients_result(const std::string& extra_error, const std::string& security) {
  return soap_envelope(
      "<GetPatientsResponse xmlns=\"http://www.kareo.com/api/schemas/\"><GetPatientsResult "
      "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">" +
      extra_error + security +
      "<Patients><PatientData><FirstName>Testpatient</FirstName><ID>7</ID><LastName>Alpha</LastName>"
      "<PatientFullName>Testpatient Alpha</PatientFullName></PatientData></Patients></GetPatientsResult>"
      "</GetPatientsResponse>");
}

const std::string kSecure =
    "<SecurityResponse><Authenticated>true</Authenticated><Authorized>true</Authorized><CustomerKeyValid>true"
    "</CustomerKeyValid><SecurityResult>Success</SecurityResult><SecurityResultSuccess>true</SecurityResultSuccess>"
    "</SecurityResponse>";
const std::string kNoError = "<ErrorResponse><IsError>false</IsError></ErrorResponse>";

RawServer replying(std::string bytes) {
  return RawServer([bytes = std::move(bytes)](RawConnection& c) { c.send(bytes); });
}

// The server echoes the credentials wherever a real one might (messages naming the user, a gateway page
// quoting the request).
const std::string kEcho = std::string(" (user ") + kUser + ", key " + kKey + ", password " + kPassword + ")";

TEST(SecretChannels, AuthenticationFailed) {
  auto server = replying(
      http_response(200, "OK", "text/xml",
                    patients_result(kNoError,
                                    "<SecurityResponse><Authenticated>false</Authenticated><CustomerKeyValid>true"
                                    "</CustomerKeyValid><SecurityResult>Invalid user name and/or password" +
                                        kEcho + "</SecurityResult></SecurityResponse>")));
  expect_clean(provoke(server.url(), read_patients), "AuthenticationFailed");
}

TEST(SecretChannels, NotAuthorized) {
  auto server = replying(
      http_response(200, "OK", "text/xml",
                    patients_result(kNoError,
                                    "<SecurityResponse><Authenticated>true</Authenticated><Authorized>false"
                                    "</Authorized><CustomerKeyValid>true</CustomerKeyValid><SecurityResult>Not "
                                    "authorized" +
                                        kEcho + "</SecurityResult></SecurityResponse>")));
  expect_clean(provoke(server.url(), read_patients), "NotAuthorized");
}

TEST(SecretChannels, Throttled) {
  auto server = replying(http_response(
      200, "OK", "text/xml",
      patients_result("<ErrorResponse><ErrorMessage>429: GetPatients endpoint requested more than allowed over time "
                      "interval 1000 milliseconds. Please wait to try again.</ErrorMessage><IsError>true</IsError>"
                      "</ErrorResponse>",
                      kSecure)));
  expect_clean(provoke(server.url(), read_patients), "Throttled");
}

TEST(SecretChannels, ServiceErrorEchoingCredentials) {
  auto server =
      replying(http_response(200, "OK", "text/xml",
                             patients_result("<ErrorResponse><ErrorMessage>Invalid request" + kEcho +
                                                 "</ErrorMessage><IsError>true</IsError><StackTrace>at Kareo.Api" +
                                                 kEcho + "</StackTrace></ErrorResponse>",
                                             kSecure)));
  expect_clean(provoke(server.url(), read_patients), "ServiceError");
}

TEST(SecretChannels, SoapFaultEchoingCredentials) {
  auto server = replying(http_response(
      500, "Internal Server Error", "text/xml",
      soap_envelope("<s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/net/2005/12/windowscommunication"
                    "foundation/dispatcher\">a:InternalServiceFault</faultcode><faultstring xml:lang=\"en-US\">The "
                    "server was unable to process the request" +
                    kEcho + "</faultstring></s:Fault>")));
  expect_clean(provoke(server.url(), read_patients), "SoapFault");
}

TEST(SecretChannels, HttpErrorPageQuotingTheRequest) {
  auto server =
      replying(http_response(502, "Bad Gateway", "text/html",
                             std::string("<html><body>Bad gateway while forwarding <pre>&lt;CustomerKey&gt;") + kKey +
                                 "&lt;/CustomerKey&gt;&lt;User&gt;" + kUser + "&lt;/User&gt;&lt;Password&gt;" +
                                 kPassword + "&lt;/Password&gt;</pre></body></html>"));
  expect_clean(provoke(server.url(), read_patients), "HttpError");
}

TEST(SecretChannels, MalformedResponseCutInsideAPatient) {
  const std::string body = patients_result(kNoError, kSecure);
  auto server = replying(http_response(200, "OK", "text/xml", body.substr(0, body.find("</LastName>"))));
  expect_clean(provoke(server.url(), read_patients), "MalformedResponse");
}

TEST(SecretChannels, ConnectionAndTimeoutErrors) {
  {
    RawServer server([](RawConnection&) {});  // closes without answering
    expect_clean(provoke(server.url(), read_patients), "ConnectionError");
  }
  {
    RawServer server([](RawConnection& c) { c.pause(std::chrono::seconds(10)); });
    expect_clean(
        provoke(server.url(), read_patients, [](Options& o) { o.receive_timeout(std::chrono::milliseconds(300)); }),
        "TimeoutError");
  }
}

TEST(SecretChannels, AmbiguousWriteWithPatientData) {
  RawServer server([](RawConnection&) {});  // the write went out; no answer
  CallPolicies retrying;
  retrying.pace = false;
  const Channels c = provoke(server.url(), create_patient, [&](Options& o) { o.policies(retrying); });
  expect_clean(c, "AmbiguousOutcome");
}

TEST(SecretChannels, TlsRefusal) {
  reliability::TempDir dir;
  const auto cert = reliability::self_signed(dir.path(), "self", "localhost");
  RawServer server([](RawConnection&) {}, reliability::RawTls{cert.cert, cert.key});
  expect_clean(provoke(server.url("localhost"), read_patients), "TlsError");
}

TEST(SecretChannels, InvalidArgumentNamesNoValue) {
  // Incomplete credentials: the message names what is missing, never the values given.
  Client client(Options{}.endpoint("http://127.0.0.1:9/").credentials(Credentials(kKey, kUser, "")));
  try {
    client.practices().collect();
    FAIL() << "incomplete credentials were accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_TRUE(secret_scan::scan_text(e.what()).empty()) << e.what();
  }
}

TEST(SecretChannels, OptedInTracesShowPatientDataButNeverCredentials) {
  // The one place patient names may appear: a trace the caller asked for with WithPatientData.
  auto server = replying(http_response(200, "OK", "text/xml", patients_result(kNoError, kSecure)));
  std::vector<CallEvent> events;
  Client client(Options{}
                    .endpoint(server.url())
                    .credentials(Credentials(kKey, kUser, kPassword))
                    .policies(CallPolicies::none())
                    .event_sink([&](const CallEvent& e) { events.push_back(e); })
                    .wire_trace(WireTrace::WithPatientData));
  read_patients(client);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].response_xml.find(kPatient), std::string::npos) << "the opted-in trace lost the patient data";
  EXPECT_FALSE(secret_scan::scan_text(events[0].response_xml, false).empty()) << "the scan does not see names";
  EXPECT_TRUE(secret_scan::scan_text(events[0].request_xml, true).empty()) << events[0].request_xml;
  EXPECT_NE(events[0].request_xml.find("***"), std::string::npos);
}

TEST(SecretChannels, SupportCapturesKeepPatientDataOnlyWhenAsked) {
  // A response cut inside a patient: the capture holds the patient's name unless it is redacted.
  const std::string body = patients_result(kNoError, kSecure);
  const std::string cut = body.substr(0, body.find("</PatientFullName>"));
  auto server = replying(http_response(200, "OK", "text/xml", cut));
  const auto capture_of = [&](std::optional<WireTrace> mode) {
    Options o = Options{}
                    .endpoint(server.url())
                    .credentials(Credentials(kKey, kUser, kPassword))
                    .policies(CallPolicies::none());
    if (mode) o.support_capture(*mode);
    Client client(o);
    try {
      read_patients(client);
    } catch (const MalformedResponse& e) {
      return e.support_capture();
    }
    ADD_FAILURE() << "the cut response was accepted";
    return SupportCapture{};
  };

  const SupportCapture redacted = capture_of(std::nullopt);  // the default
  EXPECT_FALSE(redacted.patient_data);
  EXPECT_EQ(redacted.response_xml.find(kPatient), std::string::npos) << redacted.response_xml;
  EXPECT_NE(redacted.response_xml.find("<ID>7</ID>"), std::string::npos) << "IDs are kept: " << redacted.response_xml;
  EXPECT_NE(redacted.response_xml.find("***"), std::string::npos);
  EXPECT_TRUE(secret_scan::scan_text(redacted.request_xml + redacted.response_xml, false).empty());

  const SupportCapture full = capture_of(WireTrace::WithPatientData);  // opted in: the scan allows the names
  EXPECT_TRUE(full.patient_data);
  EXPECT_NE(full.response_xml.find(kPatient), std::string::npos) << "the opted-in capture lost the patient data";
  EXPECT_TRUE(secret_scan::scan_text(full.request_xml + full.response_xml, true).empty()) << "credentials leaked";

  EXPECT_THROW(Options{}.support_capture(WireTrace::Off), InvalidArgument);
}

// ---- the suite-wide scan ------------------------------------------------------------------------------------

TEST(SecretScan, SeesWhatTheLibraryThrows) {
  const std::size_t before = secret_scan::stats().errors;
  Client client(Options{}.endpoint("http://127.0.0.1:9/"));  // no credentials: refused inside libkareo
  EXPECT_THROW(client.practices().collect(), InvalidArgument);
  EXPECT_EQ(secret_scan::stats().errors, before + 1) << "the __cxa_throw wrapper is not linked in";
}

TEST(SecretScan, SeesEveryEventAClientEmits) {
  auto server = replying(http_response(200, "OK", "text/xml", patients_result(kNoError, kSecure)));
  const std::size_t before = secret_scan::stats().events;
  int seen = 0;
  Client client(Options{}
                    .endpoint(server.url())
                    .credentials(Credentials(kKey, kUser, kPassword))
                    .policies(CallPolicies::none())
                    .event_sink([&](const CallEvent&) { ++seen; })
                    .wire_trace(WireTrace::Redacted));
  read_patients(client);
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(secret_scan::stats().events, before + 1) << "the event wrapper is not linked in";
}

TEST(SecretScan, ScanFindsEachMarker) {
  EXPECT_TRUE(secret_scan::scan_text("GetPatients: not authorized").empty());
  EXPECT_FALSE(secret_scan::scan_text(std::string("password ") + kPassword).empty());
  EXPECT_FALSE(secret_scan::scan_text(std::string("key ") + kKey).empty());
  EXPECT_FALSE(secret_scan::scan_text("user test-user@example.com").empty());
  EXPECT_FALSE(secret_scan::scan_text("patient ALPHA TESTPATIENT12").empty());
  EXPECT_FALSE(secret_scan::scan_text("mail testpatient3@example.test").empty());
  EXPECT_TRUE(secret_scan::scan_text("patient Testpatient7", true).empty());
}

}  // namespace
namespace detail {
// The library's hand-over of an event to its sink (src/client/client.cpp), which the scan wraps.
void deliver_event(const EventSink& sink, const CallEvent& event, WireTrace mode);
}  // namespace detail
namespace {

// The children of the negative control: skipped unless started by it.
TEST(SecretScanChild, Throws) {
  const char* what = std::getenv("KAREO_SECRET_SCAN_CHILD");
  if (!what) GTEST_SKIP() << "run by SecretScan.NegativeControl only";
  if (std::string(what).rfind("event", 0) == 0) {
    // An event as a client hands it to its sink: the password in its message, or a patient's name in a trace
    // redacted for WireTrace::Redacted (a leak) or asked for with WithPatientData (allowed).
    CallEvent e;
    const std::string mode = what;
    if (mode == "event") e.message = std::string("login failed for password ") + kPassword;
    if (mode != "event") e.response_xml = std::string("<FirstName>") + kPatient + "</FirstName>";
    int delivered = 0;
    detail::deliver_event([&](const CallEvent&) { ++delivered; }, e,
                          mode == "event-opted-in" ? WireTrace::WithPatientData : WireTrace::Redacted);
    EXPECT_EQ(delivered, 1);
    return;
  }
  Error::Details d;
  d.kind = ErrorKind::ServiceError;
  const std::string mode = what;
  const std::string message = mode == "credential"            ? std::string("login failed for password ") + kPassword
                              : mode == "patient"             ? std::string("duplicate patient ") + kPatient
                              : mode.rfind("capture", 0) == 0 ? std::string("duplicate patient")
                                                              : std::string("nothing secret here");
  if (mode == "capture") d.capture.request_xml = std::string("<Password>") + kPassword + "</Password>";
  // A patient's name in a capture: a leak unless the capture says it was asked for.
  if (mode == "capture-patient" || mode == "capture-opted-in") {
    d.capture.response_xml = std::string("<FirstName>") + kPatient + "</FirstName>";
    d.capture.patient_data = mode == "capture-opted-in";
  }
  try {
    throw ServiceError(message, d);
  } catch (const ServiceError&) {
  }
}

struct ChildResult {
  int status = -1;
  std::string output;
  std::string summary;
};

ChildResult run_child(const std::string& mode) {
  reliability::TempDir dir;
  const std::string out = dir.file("out.txt");
  const std::string cmd = "KAREO_SECRET_SCAN_CHILD=" + mode + " KAREO_SECRET_SCAN_DIR=" + dir.path() + " /proc/" +
                          std::to_string(::getpid()) + "/exe --gtest_filter=SecretScanChild.Throws > " + out + " 2>&1";
  ChildResult r;
  const int rc = std::system(cmd.c_str());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
    if (f.path().filename() == "out.txt") continue;
    std::ifstream s(f.path());
    std::stringstream t;
    t << s.rdbuf();
    r.summary += t.str();
  }
  return r;
}

TEST(SecretScan, NegativeControlALeakFailsTheExecutable) {
  const ChildResult clean = run_child("clean");
  EXPECT_EQ(clean.status, 0) << clean.output;
  EXPECT_NE(clean.summary.find("leaks=0"), std::string::npos) << clean.summary;
  for (const std::string mode : {"capture-opted-in", "event-opted-in"}) {
    const ChildResult opted_in = run_child(mode);
    EXPECT_EQ(opted_in.status, 0) << mode << ": " << opted_in.output;
    EXPECT_NE(opted_in.summary.find("leaks=0"), std::string::npos) << mode << ": " << opted_in.summary;
  }

  for (const std::string mode : {"credential", "patient", "capture", "capture-patient", "event", "event-trace"}) {
    SCOPED_TRACE(mode);
    const ChildResult leak = run_child(mode);
    EXPECT_NE(leak.status, 0) << "a leaked " << mode << " went unnoticed:\n" << leak.output;
    EXPECT_NE(leak.output.find("secrets scan:"), std::string::npos) << leak.output;
    EXPECT_NE(leak.summary.find("leaks=1"), std::string::npos) << leak.summary;
    // The report names the leak without repeating the secret.
    EXPECT_EQ(leak.output.find(kPassword), std::string::npos);
  }
}

}  // namespace
}  // namespace kareo
