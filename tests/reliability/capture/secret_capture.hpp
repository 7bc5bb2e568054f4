// The secrets scan of the test suite. Every test executable built with kareo_add_gtest links this object: each
// kareo::Error thrown in the process (its message, server message, hint, details and support capture) is
// scanned the moment it is thrown for the test credentials and the synthetic patients' names. A finding fails
// the test executable (a global test environment reports it at the end of the run, naming the test that threw)
// and every process writes a summary line to $KAREO_SECRET_SCAN_DIR (default <build>/secret-scan).
//
// Patient names are allowed only in a support capture whose client asked for them
// (Options::support_capture(WireTrace::WithPatientData), marked SupportCapture::patient_data), and counted
// separately; credentials are allowed nowhere. A test that puts a secret
// into an error on purpose (a negative control) opts in with AllowSecrets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kareo::secret_scan {

/// One finding: which secret, where, thrown by which test.
struct Finding {
  std::string what;  ///< e.g. "credential test-p... in what() of kareo::ServiceError"
  std::string test;  ///< Suite.Name of the running test, or "(outside a test)".
};

/// What this process has scanned so far.
struct Stats {
  std::size_t errors = 0;                ///< kareo::Error objects thrown and scanned.
  std::size_t events = 0;                ///< CallEvents handed to sinks and scanned.
  std::size_t bytes = 0;                 ///< Characters scanned.
  std::size_t allowed = 0;               ///< Findings inside an AllowSecrets scope (not failures).
  std::size_t capture_patient_data = 0;  ///< Opted-in support captures that carried patient names.
  std::size_t trace_patient_data = 0;    ///< Event traces (WireTrace::WithPatientData) that carried patient names.
  std::vector<Finding> findings;         ///< Leaks.
};

/// A copy of the statistics of this process.
Stats stats();

/// Forgets the findings made so far (a negative control that checked them calls this).
void clear_findings();

/// The secrets searched for (the suite's test credentials) and the patient-name markers.
const std::vector<std::string>& credential_markers();
const std::vector<std::string>& patient_markers();

/// Leaks in `text` (credentials and patient names), described; empty when clean. Used by the scan and by
/// tests that check an output channel directly.
std::vector<std::string> scan_text(std::string_view text, bool patient_names_allowed = false);

/// While alive, findings are counted as allowed instead of failing the run.
class AllowSecrets {
 public:
  AllowSecrets();
  ~AllowSecrets();
  AllowSecrets(const AllowSecrets&) = delete;
  AllowSecrets& operator=(const AllowSecrets&) = delete;
};

}  // namespace kareo::secret_scan
