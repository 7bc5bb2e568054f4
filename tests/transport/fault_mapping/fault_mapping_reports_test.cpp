// The fault-to-exception mapping of the built-in transport (src/transport/fault_mapping.hpp), table by table and
// without sockets: the service's own reports in a response that arrived (security, throttling, errors), and
// raise(), which throws each class as itself. The failed attempts are in fault_mapping_test.cpp.
#include "transport/fault_mapping.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fault_mapping_support.hpp"

namespace kareo::detail {
namespace {

using mapping_test::scrub_secret;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------------------
// The service's own reports in a response that arrived.

struct ReportRow {
  const char* name;
  Operation operation;
  std::function<void(ServiceReport&)> facts;
  std::optional<FailureClass> expected;  // nullopt: the call succeeded
  std::string message;
  bool retryable;
  std::string server_message;
};

const char* const kThrottleText =
    "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait to try "
    "again.";

std::vector<ReportRow> report_rows() {
  return {
      {"success", Operation::GetPatients, [](ServiceReport& r) { r.authenticated = r.authorized = true; }, std::nullopt,
       "", false, ""},
      {"no result element", Operation::GetPatients, [](ServiceReport& r) { r.result_present = false; },
       FailureClass::MalformedResponse, "GetPatients: the response has no GetPatientsResult element", true, ""},
      {"throttle text", Operation::GetPatients,
       [](ServiceReport& r) {
         r.is_error = true;
         r.error_message = kThrottleText;
       },
       FailureClass::Throttled, std::string("GetPatients: throttled: ") + kThrottleText, true, kThrottleText},
      {"throttle text before a SecurityResponse of default values", Operation::GetPatients,
       [](ServiceReport& r) {
         r.is_error = true;
         r.error_message = kThrottleText;
         r.customer_key_valid = r.authenticated = r.authorized = r.security_result_success = false;
       },
       FailureClass::Throttled, std::string("GetPatients: throttled: ") + kThrottleText, true, kThrottleText},
      {"a bare 429", Operation::GetCharges,
       [](ServiceReport& r) {
         r.is_error = true;
         r.error_message = "  429 Too Many Requests";
       },
       FailureClass::Throttled, "GetCharges: throttled:   429 Too Many Requests", true, "  429 Too Many Requests"},
      {"customer key refused", Operation::GetPatients,
       [](ServiceReport& r) {
         r.customer_key_valid = false;
         r.authenticated = false;
         r.security_result = "Invalid customer key";
       },
       FailureClass::AuthenticationFailed,
       "GetPatients: authentication failed: the customer key was not accepted (Invalid customer key)", false,
       "Invalid customer key"},
      {"Authenticated=false", Operation::GetPatients,
       [](ServiceReport& r) {
         r.customer_key_valid = true;
         r.authenticated = false;
         r.security_result = "Bad user s3cret";
       },
       FailureClass::AuthenticationFailed,
       "GetPatients: authentication failed: the user name or password was not accepted (Bad user ***)", false,
       "Bad user ***"},
      {"Authorized=false with permissions missing", Operation::CreatePatient,
       [](ServiceReport& r) {
         r.authenticated = true;
         r.authorized = false;
         r.permissions_missing = {"NewPatient", "EditPatient"};
         r.practices_authorized = {"1", "2"};
       },
       FailureClass::NotAuthorized, "CreatePatient: not authorized; permissions missing: NewPatient EditPatient", false,
       ""},
      {"SecurityResultSuccess=false", Operation::GetPatients,
       [](ServiceReport& r) {
         r.security_result_success = false;
         r.security_result = "Denied";
       },
       FailureClass::NotAuthorized, "GetPatients: not authorized (Denied)", false, "Denied"},
      {"security before the service's error", Operation::GetPatients,
       [](ServiceReport& r) {
         r.authorized = false;
         r.is_error = true;
         r.error_message = "Object reference not set";
       },
       FailureClass::NotAuthorized, "GetPatients: not authorized", false, ""},
      {"ErrorResponse", Operation::GetPatients,
       [](ServiceReport& r) {
         r.is_error = true;
         r.error_message = "Object reference not set to an instance of an object.";
         r.stack_trace = "at X";
       },
       FailureClass::ServiceError,
       "GetPatients: the service reported an error: Object reference not set to an instance of an object.", false,
       "Object reference not set to an instance of an object."},
      {"ErrorResponse without a message", Operation::UpdatePatient, [](ServiceReport& r) { r.is_error = true; },
       FailureClass::ServiceError, "UpdatePatient: the service reported an error: (no message)", false, ""},
      {"a message without IsError", Operation::GetPatients, [](ServiceReport& r) { r.error_message = "informational"; },
       std::nullopt, "", false, ""},
      {"GetCustomerIdFromKey: IsAuthorized=false", Operation::GetCustomerIdFromKey,
       [](ServiceReport& r) {
         r.customer_id_result = true;
         r.is_authorized = false;
         r.customer_id = 42;
       },
       FailureClass::AuthenticationFailed,
       "GetCustomerIdFromKey: the service did not authorize the customer key, user and password", false, ""},
      {"GetCustomerIdFromKey: a negative CustomerId", Operation::GetCustomerIdFromKey,
       [](ServiceReport& r) {
         r.customer_id_result = true;
         r.is_authorized = true;
         r.customer_id = -1;
       },
       FailureClass::AuthenticationFailed,
       "GetCustomerIdFromKey: the service did not authorize the customer key, user and password", false, ""},
      {"GetCustomerIdFromKey: authorized", Operation::GetCustomerIdFromKey,
       [](ServiceReport& r) {
         r.customer_id_result = true;
         r.is_authorized = true;
         r.customer_id = 42;
       },
       std::nullopt, "", false, ""},
  };
}

TEST(FaultMapping, ServiceReports) {
  Error::Details base;
  base.http_status = 200;
  base.retryable = true;  // kept by the classes that do not decide it (Throttled, a missing result)
  for (const auto& row : report_rows()) {
    SCOPED_TRACE(row.name);
    ServiceReport r;
    row.facts(r);
    const auto f = map_service_report(row.operation, r, base, scrub_secret);
    ASSERT_EQ(f.has_value(), row.expected.has_value());
    if (!f) continue;
    EXPECT_EQ(f->what_class, *row.expected);
    EXPECT_EQ(f->message, row.message);
    EXPECT_EQ(f->details.retryable, row.retryable);
    EXPECT_EQ(f->details.server_message, row.server_message);
    EXPECT_EQ(f->details.operation, row.operation);
    EXPECT_EQ(f->details.http_status, 200);
  }
}

TEST(FaultMapping, ServiceReportFacts) {
  ServiceReport r;
  r.is_error = true;
  r.error_message = kThrottleText;
  auto f = map_service_report(Operation::GetPatients, r, {}, scrub_secret);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->interval, milliseconds(1000));
  EXPECT_EQ(f->throttled_endpoint, "GetPatients");

  r.error_message = "429";
  f = map_service_report(Operation::GetAppointments, r, {}, scrub_secret);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->interval, published_interval(Operation::GetAppointments));
  EXPECT_EQ(f->throttled_endpoint, "GetAppointments");

  r = {};
  r.customer_key_valid = false;
  f = map_service_report(Operation::GetPatients, r, {}, scrub_secret);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->customer_key_valid);
  EXPECT_TRUE(f->authenticated);

  r = {};
  r.authorized = false;
  r.permissions_missing = {"NewPatient"};
  r.practices_authorized = {"7"};
  f = map_service_report(Operation::CreatePatient, r, {}, scrub_secret);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->permissions_missing, std::vector<std::string>{"NewPatient"});
  EXPECT_EQ(f->practices_authorized, std::vector<std::string>{"7"});

  r = {};
  r.is_error = true;
  r.error_message = "x";
  r.stack_trace = "at s3cret";
  f = map_service_report(Operation::GetPatients, r, {}, scrub_secret);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->stack_trace, "at ***");

  r = {};
  r.customer_id_result = true;
  r.is_authorized = false;  // CustomerId absent: the key is not known to be valid
  f = map_service_report(Operation::GetCustomerIdFromKey, r, {}, scrub_secret);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->customer_key_valid);
  EXPECT_FALSE(f->authenticated);
  r.customer_id = 3;
  f = map_service_report(Operation::GetCustomerIdFromKey, r, {}, scrub_secret);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->customer_key_valid);
}

// ---------------------------------------------------------------------------------------------------------
// raise(): every class is thrown as itself, with its kind and members.

template <typename E>
E caught(const Failure& f) {
  try {
    raise(f);
  } catch (const E& e) {
    return e;
  } catch (...) {
    ADD_FAILURE() << "raise threw another class for: " << f.message;
  }
  throw std::logic_error("unreachable");
}

Failure failure(FailureClass c) {
  Failure f;
  f.what_class = c;
  f.message = "m";
  f.details.operation = Operation::GetPatients;
  f.details.server_message = "said";
  return f;
}

TEST(FaultMapping, RaiseThrowsEachClass) {
  EXPECT_EQ(caught<MalformedResponse>(failure(FailureClass::MalformedResponse)).kind(), ErrorKind::MalformedResponse);
  EXPECT_EQ(caught<TimeoutError>(failure(FailureClass::TimeoutError)).kind(), ErrorKind::Transport);
  EXPECT_EQ(caught<TlsError>(failure(FailureClass::TlsError)).kind(), ErrorKind::Transport);
  EXPECT_EQ(caught<ConnectionError>(failure(FailureClass::ConnectionError)).kind(), ErrorKind::Transport);
  EXPECT_EQ(std::string(caught<MalformedResponse>(failure(FailureClass::MalformedResponse)).what()), "m");

  Failure f = failure(FailureClass::SoapFault);
  f.fault_code = "a:InternalServiceFault";
  const SoapFault soap = caught<SoapFault>(f);
  EXPECT_EQ(soap.kind(), ErrorKind::SoapFault);
  EXPECT_EQ(soap.fault_code(), "a:InternalServiceFault");
  EXPECT_EQ(soap.fault_string(), "said");

  f = failure(FailureClass::Throttled);
  f.interval = milliseconds(500);
  f.throttled_endpoint = "GetPatients";
  const Throttled throttled = caught<Throttled>(f);
  EXPECT_EQ(throttled.kind(), ErrorKind::Throttled);
  EXPECT_EQ(throttled.interval(), milliseconds(500));
  EXPECT_EQ(throttled.endpoint(), "GetPatients");

  f = failure(FailureClass::HttpError);
  f.body_excerpt = "<html>";
  EXPECT_EQ(caught<HttpError>(f).body_excerpt(), "<html>");

  f = failure(FailureClass::AuthenticationFailed);
  f.customer_key_valid = false;
  const AuthenticationFailed auth = caught<AuthenticationFailed>(f);
  EXPECT_EQ(auth.kind(), ErrorKind::AuthenticationFailed);
  EXPECT_FALSE(auth.customer_key_valid());
  EXPECT_TRUE(auth.authenticated());

  f = failure(FailureClass::NotAuthorized);
  f.permissions_missing = {"NewPatient"};
  f.practices_authorized = {"1"};
  const NotAuthorized denied = caught<NotAuthorized>(f);
  EXPECT_EQ(denied.kind(), ErrorKind::NotAuthorized);
  EXPECT_EQ(denied.permissions_missing(), std::vector<std::string>{"NewPatient"});
  EXPECT_EQ(denied.practices_authorized(), std::vector<std::string>{"1"});

  f = failure(FailureClass::ServiceError);
  f.stack_trace = "at X";
  const ServiceError service = caught<ServiceError>(f);
  EXPECT_EQ(service.kind(), ErrorKind::ServiceError);
  EXPECT_EQ(service.stack_trace(), "at X");
}

}  // namespace
}  // namespace kareo::detail
