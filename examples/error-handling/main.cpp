// error-handling: what to do about each way a call to Tebra can fail.
//
// What it shows: one catch clause per class of kareo::Error, most specific first, each with the action an
// integration should take:
//
//   InvalidArgument       fix the input; nothing was sent
//   AuthenticationFailed  check the customer key / user / password (customer_key_valid(), authenticated())
//   NotAuthorized         ask for the permissions (permissions_missing()) or practice access
//   Throttled             wait interval() and try again (the library's pacing normally prevents this)
//   ServiceError          the service refused the values: read server_message()
//   SoapFault             the service failed (often a too-wide date range): narrow the request
//   TimeoutError, TlsError, ConnectionError, HttpError (TransportError)
//                         network trouble: reads may be retried later; check certificates for TlsError
//   MalformedResponse     the answer could not be read: keep support_capture() for Tebra support
//   AmbiguousOutcome      a write may or may not have happened: look the record up before resending
//
// and how to keep the redacted request/response of a failed call (support_capture()) for a support ticket.
//
// Run:  ./error-handling [practices|patients PRACTICE|create-patient PRACTICE]
//       (create-patient with a practice that does not exist shows a ServiceError)
//       (credentials in KAREO_CUSTOMER_KEY, KAREO_USER, KAREO_PASSWORD; KAREO_ENDPOINT optional)
// The exit code is the kareo tool's code for the failure class (0 when the call succeeded).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "kareo/kareo.hpp"
#include "kareo/policies.hpp"

namespace {

void save_capture(const kareo::Error& e) {
  if (e.support_capture().empty()) return;
  // Redacted by default, it still holds IDs and dates (and everything with WireTrace::WithPatientData): readable
  // by its owner only (mode 0600 whatever the umask; an older copy is replaced, not reused with its mode).
  const char* path = "kareo-support-capture.xml";
  ::unlink(path);
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::cerr << "  cannot write " << path << ": " << std::strerror(errno) << "\n";
    return;
  }
  ::close(fd);
  std::ofstream out(path);
  out << "<!-- " << e.operation_name() << " at " << e.support_capture().endpoint << " -->\n"
      << e.support_capture().request_xml << "\n"
      << e.support_capture().response_xml << "\n";
  std::cerr << "  the redacted request and response are in kareo-support-capture.xml\n";
}

void call(kareo::Client& client, const std::string& what, const std::string& practice) {
  if (what == "practices") {
    std::cout << client.practices().collect().size() << " practices\n";
  } else if (what == "patients") {
    kareo::PatientQuery query;
    query.filter.PracticeName = practice;
    std::cout << client.patients(query).collect().size() << " patients\n";
  } else if (what == "create-patient") {
    kareo::PatientCreate patient;
    patient.FirstName = "Testpatient";
    patient.LastName = "Errorhandling";
    patient.Practice = std::make_shared<kareo::PracticeIdentifierReq>();
    patient.Practice->PracticeName = practice;
    auto created = client.create_patient(patient);
    std::cout << "created patient " << created.PatientID.value_or(0) << '\n';
  } else {
    throw kareo::InvalidArgument("unknown call \"" + what + "\" (use practices, patients or create-patient)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "practices";
  const std::string practice = argc > 2 ? argv[2] : "";
  try {
    kareo::Options options;
    options.credentials(kareo::Credentials::from_environment());
    // Pace to the rate limits, but make one attempt only: this program shows each failure as it happens. In
    // production keep the retries (CallPolicies{} as it is): they absorb the transient failures of reads, and
    // a throttled call is sent again after the interval the service names.
    kareo::CallPolicies policies;
    policies.retry_policy.max_attempts = 1;
    options.policies(policies);
    kareo::Client client(options);
    call(client, what, practice);
    return 0;
  } catch (const kareo::InvalidArgument& e) {
    std::cerr << "invalid argument: " << e.what() << "\n  fix the input; nothing was sent\n";
    return e.exit_code();
  } catch (const kareo::AuthenticationFailed& e) {
    std::cerr << "authentication failed: " << e.what() << '\n'
              << (e.customer_key_valid() ? "  the user name or password was refused\n"
                                         : "  the customer key was refused\n");
    return e.exit_code();
  } catch (const kareo::NotAuthorized& e) {
    std::cerr << "not authorized: " << e.what() << '\n';
    for (const auto& permission : e.permissions_missing()) std::cerr << "  missing permission: " << permission << '\n';
    std::cerr << "  ask the account administrator for these permissions\n";
    return e.exit_code();
  } catch (const kareo::Throttled& e) {
    std::cerr << "throttled: " << e.what() << "\n  wait " << e.interval().count() << " ms before calling "
              << e.endpoint() << " again\n";
    return e.exit_code();
  } catch (const kareo::ServiceError& e) {
    std::cerr << "service error: " << e.server_message() << "\n  the service refused the request's values\n";
    return e.exit_code();
  } catch (const kareo::SoapFault& e) {
    std::cerr << "SOAP fault " << e.fault_code() << ": " << e.fault_string() << '\n'
              << (e.internal_service_fault() ? "  often a too-wide date range or a malformed filter: narrow it\n"
                                             : "  the request was not understood\n");
    save_capture(e);
    return e.exit_code();
  } catch (const kareo::TimeoutError& e) {
    std::cerr << "timeout: " << e.what() << "\n  the service was slow: try again later, or raise the timeouts\n";
    return e.exit_code();
  } catch (const kareo::TlsError& e) {
    std::cerr << "TLS: " << e.what() << "\n  the certificate is not trusted: check the CA store or Options::ca_file\n";
    return e.exit_code();
  } catch (const kareo::HttpError& e) {
    std::cerr << "HTTP " << e.http_status().value_or(0) << ": " << e.body_excerpt().substr(0, 80)
              << "\n  the service's front door failed: try again later\n";
    return e.exit_code();
  } catch (const kareo::TransportError& e) {  // ConnectionError and any other network failure
    std::cerr << "network: " << e.what() << "\n  check connectivity and the endpoint; reads can be retried\n";
    return e.exit_code();
  } catch (const kareo::MalformedResponse& e) {
    std::cerr << "malformed response: " << e.what() << "\n  keep the capture for Tebra support\n";
    save_capture(e);
    return e.exit_code();
  } catch (const kareo::AmbiguousOutcome& e) {
    std::cerr << "ambiguous outcome: " << e.what() << '\n'
              << "  the write may have been applied: look the record up (by its ExternalID) before sending it "
                 "again\n";
    return e.exit_code();
  } catch (const kareo::Error& e) {  // any class added in the future
    std::cerr << kareo::error_kind_name(e.kind()) << ": " << e.what() << '\n';
    return e.exit_code();
  }
}
