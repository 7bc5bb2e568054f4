// The fault-to-exception mapping of the built-in transport (src/transport/fault_mapping.hpp), table by table and
// without sockets: one row per case the transport distinguishes, with the exact class, message, retry verdict
// and server message the transport has always produced for it. Here the failed attempts (no response, or one
// that is not the service's); the service's own reports and raise() are in fault_mapping_reports_test.cpp.
#include "transport/fault_mapping.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "fault_mapping_support.hpp"

namespace kareo::detail {
namespace {

using mapping_test::scrub_secret;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------------------
// Failed attempts.

struct AttemptRow {
  const char* name;
  std::function<void(FailedAttempt&)> facts;
  FailureClass expected;
  std::string message;
  bool retryable;
  std::string server_message;
};

FailedAttempt read_attempt() {
  FailedAttempt a;
  a.operation = Operation::GetPatients;
  a.write = false;
  a.elapsed = milliseconds(1234);
  a.connect_timeout = milliseconds(10000);
  a.max_response_bytes = 1000;
  return a;
}

const char* const kEnvelope =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
    "<faultcode xmlns:a=\"urn:x\"> a:InternalServiceFault </faultcode><faultstring>boom</faultstring>"
    "</s:Fault></s:Body></s:Envelope>";

std::vector<AttemptRow> attempt_rows() {
  auto write = [](FailedAttempt& a) {
    a.operation = Operation::CreatePatient;
    a.write = true;
  };
  return {
      {"broken framing", [](FailedAttempt& a) { a.framing_error = "a chunk size is not a hexadecimal number"; },
       FailureClass::MalformedResponse,
       "GetPatients: response refused: its HTTP framing is broken: a chunk size is not a hexadecimal number", false,
       ""},
      {"broken framing before a timeout",
       [](FailedAttempt& a) {
         a.framing_error = "a chunk is longer than its size";
         a.timed_out = true;
       },
       FailureClass::MalformedResponse,
       "GetPatients: response refused: its HTTP framing is broken: a chunk is longer than its size", false, ""},
      {"receive timeout, read", [](FailedAttempt& a) { a.timed_out = true; }, FailureClass::TimeoutError,
       "GetPatients: no data received within the receive timeout after 1234 ms", true, ""},
      {"receive timeout, write",
       [&](FailedAttempt& a) {
         write(a);
         a.timed_out = true;
       },
       FailureClass::TimeoutError, "CreatePatient: no data received within the receive timeout after 1234 ms", false,
       ""},
      {"call timeout",
       [](FailedAttempt& a) {
         a.timed_out = true;
         a.deadline_hit = true;
       },
       FailureClass::TimeoutError, "GetPatients: the whole-call timeout (Options::call_timeout) expired after 1234 ms",
       true, ""},
      {"the call's time budget", [](FailedAttempt& a) { a.timed_out = a.deadline_hit = a.deadline_is_budget = true; },
       FailureClass::TimeoutError,
       "GetPatients: the whole-call timeout (the call's time budget, RetryPolicy::max_elapsed) expired after 1234 ms",
       true, ""},
      {"a timeout keeps no fault string",
       [](FailedAttempt& a) {
         a.timed_out = true;
         a.outcome = TransportOutcome::Eof;
         a.fault_string = "End of file or no input";
       },
       FailureClass::TimeoutError, "GetPatients: no data received within the receive timeout after 1234 ms", true, ""},
      {"response too large", [](FailedAttempt& a) { a.too_large = true; }, FailureClass::MalformedResponse,
       "GetPatients: response larger than the limit of 1000 bytes (Options::max_response_bytes)", false, ""},
      {"TLS: the CA store could not be loaded",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tls;
         a.ssl_setup_error = "Can't read CA file";
         a.fault_string = "SSL error";
       },
       FailureClass::TlsError, "GetPatients: TLS failed: Can't read CA file", false, ""},
      {"TLS: certificate refused",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tls;
         a.fault_string = "SSL_ERROR_SSL";
         a.fault_detail = "error:0A000086:SSL routines::certificate verify failed\n";
         a.tls_reason = "certificate verification failed: self-signed certificate";
       },
       FailureClass::TlsError,
       "GetPatients: TLS failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed ; "
       "certificate verification failed: self-signed certificate",
       false, ""},
      {"TLS: the reason already said",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tls;
         a.fault_string = "certificate verification failed: expired";
         a.tls_reason = "certificate verification failed: expired";
       },
       FailureClass::TlsError, "GetPatients: TLS failed: certificate verification failed: expired", false, ""},
      {"TLS: nothing said", [](FailedAttempt& a) { a.outcome = TransportOutcome::Tls; }, FailureClass::TlsError,
       "GetPatients: TLS failed: handshake refused", false, ""},
      {"TLS: secrets scrubbed",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tls;
         a.fault_string = "refused for s3cret";
       },
       FailureClass::TlsError, "GetPatients: TLS failed: refused for ***", false, ""},
      {"SOAP fault: the faultcode as written",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::SoapFault;
         a.http_status = 500;
         a.fault_code = "SOAP-ENV:Server";
         a.fault_string = "boom for s3cret";
         a.body = kEnvelope;
       },
       FailureClass::SoapFault, "GetPatients: SOAP fault a:InternalServiceFault: boom for ***", true, "boom for ***"},
      {"SOAP fault: gSOAP's faultcode when the body has none",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::SoapFault;
         a.http_status = 500;
         a.fault_code = "s:Client";
         a.fault_string = "bad request";
       },
       FailureClass::SoapFault, "GetPatients: SOAP fault s:Client: bad request", true, "bad request"},
      {"SOAP fault, write",
       [&](FailedAttempt& a) {
         write(a);
         a.outcome = TransportOutcome::SoapFault;
         a.http_status = 500;
         a.fault_code = "s:Server";
         a.fault_string = "x";
       },
       FailureClass::SoapFault, "CreatePatient: SOAP fault s:Server: x", false, "x"},
      {"HTTP 429 with Retry-After",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.http_status = 429;
         a.retry_after = "3";
         a.body = "Too Many Requests";
       },
       FailureClass::Throttled, "GetPatients: HTTP 429 Too Many Requests; wait 3000 ms", false, "Too Many Requests"},
      {"HTTP 429 without Retry-After: the published interval",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.http_status = 429;
       },
       FailureClass::Throttled, "GetPatients: HTTP 429 Too Many Requests; wait 1000 ms", false, ""},
      {"HTTP 429 with a Retry-After that is no number",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.http_status = 429;
         a.retry_after = "Wed, 21 Oct 2026 07:28:00 GMT";
       },
       FailureClass::Throttled, "GetPatients: HTTP 429 Too Many Requests; wait 1000 ms", false, ""},
      {"HTTP 503, read",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.http_status = 503;
         a.body = "<html>\r\nService\tUnavailable</html>";
       },
       FailureClass::HttpError, "GetPatients: HTTP 503 with a non-SOAP body", true,
       "<html>  Service Unavailable</html>"},
      {"HTTP 503, write",
       [&](FailedAttempt& a) {
         write(a);
         a.outcome = TransportOutcome::Http;
         a.http_status = 503;
       },
       FailureClass::HttpError, "CreatePatient: HTTP 503 with a non-SOAP body", false, ""},
      {"HTTP 500, read",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Other;
         a.http_status = 500;
         a.body = "oops s3cret";
       },
       FailureClass::HttpError, "GetPatients: HTTP 500 with a non-SOAP body", true, "oops ***"},
      {"HTTP 408, read",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.http_status = 408;
       },
       FailureClass::HttpError, "GetPatients: HTTP 408 with a non-SOAP body", true, ""},
      {"HTTP 404",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.http_status = 404;
         a.body = "Not Found";
       },
       FailureClass::HttpError, "GetPatients: HTTP 404 with a non-SOAP body", false, "Not Found"},
      {"HTTP 302",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.http_status = 302;
       },
       FailureClass::HttpError, "GetPatients: HTTP 302 with a non-SOAP body", false, ""},
      {"HTTP 500 with a SOAP body that could not be parsed",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Other;
         a.http_status = 500;
         a.body = "<s:Envelope><s:Body><Unexpected/></s:Body></s:Envelope>";
       },
       FailureClass::MalformedResponse,
       "GetPatients: response could not be parsed (truncated, or not the expected GetPatientsResponse element)", false,
       ""},
      {"connecting ran out of the call's deadline",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tcp;
         a.deadline_passed = true;
       },
       FailureClass::TimeoutError,
       "GetPatients: connecting timed out after 1234 ms (the whole-call timeout (Options::call_timeout) expired)", true,
       ""},
      {"connecting ran out of the call's budget, write",
       [&](FailedAttempt& a) {
         write(a);
         a.outcome = TransportOutcome::Tcp;
         a.deadline_passed = a.deadline_is_budget = true;
       },
       FailureClass::TimeoutError,
       "CreatePatient: connecting timed out after 1234 ms (the whole-call timeout (the call's time budget, "
       "RetryPolicy::max_elapsed) expired)",
       false, ""},
      {"connect timeout",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tcp;
         a.connect_timeout = milliseconds(1250);
       },
       FailureClass::TimeoutError, "GetPatients: connecting timed out after 1234 ms", true, ""},
      {"connect timeout not reached: refused",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tcp;
         a.connect_timeout = milliseconds(1300);
         a.fault_string = "connect failed in tcp_connect()";
         a.errnum = ECONNREFUSED;
       },
       FailureClass::ConnectionError, "GetPatients: connect failed in tcp_connect() (Connection refused)", true, ""},
      {"no connect timeout",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Tcp;
         a.connect_timeout = milliseconds(0);
       },
       FailureClass::ConnectionError, "GetPatients: connection failed", true, ""},
      {"closed after the request, read",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Eof;
         a.sent_anything = true;
         a.fault_string = "End of file or no input";
       },
       FailureClass::ConnectionError,
       "GetPatients: End of file or no input; the connection closed before a response arrived", true, ""},
      {"closed after the request, write: may have been applied",
       [&](FailedAttempt& a) {
         write(a);
         a.outcome = TransportOutcome::Eof;
         a.sent_anything = true;
       },
       FailureClass::ConnectionError,
       "CreatePatient: connection failed; the connection closed before a response arrived", false, ""},
      {"reset before the request, write: never sent",
       [&](FailedAttempt& a) {
         write(a);
         a.outcome = TransportOutcome::Tcp;
         a.errnum = ECONNRESET;
       },
       FailureClass::ConnectionError, "CreatePatient: connection failed (Connection reset by peer)", true, ""},
      {"reset after the request, write",
       [&](FailedAttempt& a) {
         write(a);
         a.outcome = TransportOutcome::Tcp;
         a.sent_anything = true;
         a.http_status = 200;
       },
       FailureClass::ConnectionError, "CreatePatient: connection failed", false, ""},
      {"HTTP error without a status line",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Http;
         a.sent_anything = true;
         a.fault_string = "HTTP Error";
       },
       FailureClass::ConnectionError, "GetPatients: HTTP Error; the connection closed before a response arrived", true,
       ""},
      {"end of input with a status: not a connection failure",
       [](FailedAttempt& a) {
         a.outcome = TransportOutcome::Eof;
         a.sent_anything = true;
         a.http_status = 200;
         a.body = "<s:Envelope><s:Body><GetPatientsResponse>";
       },
       FailureClass::MalformedResponse,
       "GetPatients: response could not be parsed (truncated, or not the expected GetPatientsResponse element)", false,
       ""},
      {"empty response",
       [](FailedAttempt& a) {
         a.http_status = 200;
         a.fault_string = "Validation constraint violation for s3cret";
       },
       FailureClass::MalformedResponse, "GetPatients: empty response: Validation constraint violation for ***", false,
       "Validation constraint violation for ***"},
      {"not XML",
       [](FailedAttempt& a) {
         a.http_status = 200;
         a.body = "hello";
       },
       FailureClass::MalformedResponse, "GetPatients: response is not XML", false, ""},
      {"not a SOAP envelope",
       [](FailedAttempt& a) {
         a.http_status = 200;
         a.body = "<html>hello</html>";
       },
       FailureClass::MalformedResponse, "GetPatients: response is not a SOAP envelope", false, ""},
  };
}

TEST(FaultMapping, FailedAttempts) {
  Error::Details base;
  base.capture.endpoint = "https://example.invalid/svc";
  base.server_message = "left over";
  for (const auto& row : attempt_rows()) {
    SCOPED_TRACE(row.name);
    FailedAttempt a = read_attempt();
    row.facts(a);
    const Failure f = map_failed_attempt(a, base, scrub_secret);
    EXPECT_EQ(f.what_class, row.expected);
    EXPECT_EQ(f.message, row.message);
    EXPECT_EQ(f.details.retryable, row.retryable);
    EXPECT_EQ(f.details.operation, a.operation);
    EXPECT_EQ(f.details.http_status, a.http_status);
    EXPECT_EQ(f.details.capture.endpoint, "https://example.invalid/svc");
    // Only the classes that speak of the server's words replace the base's.
    const bool speaks = row.expected == FailureClass::SoapFault || row.expected == FailureClass::Throttled ||
                        row.expected == FailureClass::HttpError ||
                        (row.expected == FailureClass::TimeoutError && a.timed_out) ||
                        (row.expected == FailureClass::MalformedResponse && a.framing_error.empty() && !a.too_large);
    EXPECT_EQ(f.details.server_message, speaks ? row.server_message : "left over");
  }
}

TEST(FaultMapping, ThrottledOverHttpNamesTheIntervalAndOperation) {
  FailedAttempt a = read_attempt();
  a.operation = Operation::GetAppointments;
  a.outcome = TransportOutcome::Http;
  a.http_status = 429;
  Failure f = map_failed_attempt(a, {}, scrub_secret);
  EXPECT_EQ(f.interval, published_interval(Operation::GetAppointments));
  EXPECT_EQ(f.throttled_endpoint, "GetAppointments");
  a.retry_after = "7";
  f = map_failed_attempt(a, {}, scrub_secret);
  EXPECT_EQ(f.interval, milliseconds(7000));
}

TEST(FaultMapping, SoapFaultKeepsItsCode) {
  FailedAttempt a = read_attempt();
  a.outcome = TransportOutcome::SoapFault;
  a.body = kEnvelope;
  a.fault_string = "boom";
  const Failure f = map_failed_attempt(a, {}, scrub_secret);
  EXPECT_EQ(f.fault_code, "a:InternalServiceFault");
}

TEST(FaultMapping, HttpErrorKeepsTheBodyExcerpt) {
  FailedAttempt a = read_attempt();
  a.outcome = TransportOutcome::Http;
  a.http_status = 502;
  a.body = std::string(600, 'x');
  const Failure f = map_failed_attempt(a, {}, scrub_secret);
  EXPECT_EQ(f.body_excerpt, std::string(512, 'x'));
}

TEST(FaultMapping, ExpiredBeforeSend) {
  Error::Details base;
  base.retryable = true;
  Failure f = expired_before_send(Operation::GetPatients, false, base);
  EXPECT_EQ(f.what_class, FailureClass::TimeoutError);
  EXPECT_EQ(f.message,
            "GetPatients: the whole-call timeout (Options::call_timeout) expired before the request was sent");
  EXPECT_FALSE(f.details.retryable);
  f = expired_before_send(Operation::CreatePatient, true, base);
  EXPECT_EQ(f.message,
            "CreatePatient: the whole-call timeout (the call's time budget, RetryPolicy::max_elapsed) expired before "
            "the request was sent");
}

}  // namespace
}  // namespace kareo::detail
