#include "secret_capture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cxxabi.h>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <typeinfo>

#include "kareo/errors.hpp"
#include "kareo/observability.hpp"

#ifndef KAREO_SECRET_SCAN_DEFAULT_DIR
#define KAREO_SECRET_SCAN_DEFAULT_DIR ""
#endif

// The linker sends every call of __cxa_throw in the test executable and the static libraries it links
// (libkareo among them) here first (-Wl,--wrap=__cxa_throw), and __real___cxa_throw is the runtime's own.
extern "C" [[noreturn]] void __real___cxa_throw(void* object, std::type_info* type, void (*destroy)(void*));
extern "C" [[noreturn]] void __wrap___cxa_throw(void* object, std::type_info* type, void (*destroy)(void*));
// Likewise every CallEvent a client hands to its sink (-Wl,--wrap=kareo::detail::deliver_event, mangled). The
// reference is weak: test executables that do not link libkareo have no events and no such function.
extern "C" __attribute__((weak)) void
__real__ZN5kareo6detail13deliver_eventERKSt8functionIFvRKNS_9CallEventEEES4_NS_9WireTraceE(
    const kareo::EventSink& sink, const kareo::CallEvent& event, kareo::WireTrace mode);
extern "C" void __wrap__ZN5kareo6detail13deliver_eventERKSt8functionIFvRKNS_9CallEventEEES4_NS_9WireTraceE(
    const kareo::EventSink& sink, const kareo::CallEvent& event, kareo::WireTrace mode);

namespace kareo::secret_scan {
namespace {

std::mutex& mu() {
  static std::mutex m;
  return m;
}
Stats& state() {
  static Stats s;
  return s;
}
std::atomic<int> g_allow{0};

std::string mangled(const char* name) { return "N5kareo" + std::to_string(std::strlen(name)) + name + "E"; }

// The kareo class names of `type` and its bases (single inheritance only, as every kareo::Error is), most
// derived first; empty when it is not a kareo::Error.
std::vector<std::string> kareo_chain(const std::type_info* type) {
  std::vector<std::string> chain;
  bool is_error = false;
  static const std::string error_name = mangled("Error");
  while (type) {
    const std::string name = type->name();
    chain.push_back(name);
    if (name == error_name) is_error = true;
    const auto* si = dynamic_cast<const abi::__si_class_type_info*>(type);
    type = si ? si->__base_type : nullptr;
  }
  if (!is_error) chain.clear();
  return chain;
}

std::string current_test() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (!info) return "(outside a test)";
  return std::string(info->test_suite_name()) + "." + info->name();
}

std::string shown(const std::string& marker) { return marker.substr(0, 6) + "..."; }

void scan_into(std::vector<std::string>& out, std::string_view text, bool names_allowed, const char* channel,
               const std::string& type, Stats& s) {
  s.bytes += text.size();
  bool names = false;
  for (const std::string& leak : scan_text(text, false)) {
    if (leak.rfind("patient", 0) == 0 && names_allowed) {
      names = true;
      continue;
    }
    out.push_back(leak + " in " + channel + " of " + type);
  }
  if (names) ++s.capture_patient_data;
}

void record(const void* object, const std::type_info* type) {
  const std::vector<std::string> chain = kareo_chain(type);
  if (chain.empty()) return;
  const auto* error = static_cast<const kareo::Error*>(object);  // single inheritance: same address
  std::string type_name = chain.front();
  if (char* d = abi::__cxa_demangle(type_name.c_str(), nullptr, nullptr, nullptr)) {
    type_name = d;
    std::free(d);
  }
  std::lock_guard<std::mutex> lock(mu());
  Stats& s = state();
  ++s.errors;
  std::vector<std::string> leaks;
  scan_into(leaks, error->what(), false, "what()", type_name, s);
  scan_into(leaks, error->server_message(), false, "server_message()", type_name, s);
  scan_into(leaks, error->support_capture().endpoint, false, "support_capture().endpoint", type_name, s);
  // Patient names may appear in a support capture only when the client was told to keep them.
  const bool opted_in = error->support_capture().patient_data;
  scan_into(leaks, error->support_capture().request_xml, opted_in, "support_capture().request_xml", type_name, s);
  scan_into(leaks, error->support_capture().response_xml, opted_in, "support_capture().response_xml", type_name, s);
  const std::string& most_derived = chain.front();
  if (most_derived == mangled("HttpError")) {
    scan_into(leaks, static_cast<const kareo::HttpError*>(error)->body_excerpt(), false, "body_excerpt()", type_name,
              s);
  } else if (most_derived == mangled("AmbiguousOutcome")) {
    scan_into(leaks, static_cast<const kareo::AmbiguousOutcome*>(error)->cause(), false, "cause()", type_name, s);
  } else if (most_derived == mangled("ServiceError")) {
    scan_into(leaks, static_cast<const kareo::ServiceError*>(error)->stack_trace(), false, "stack_trace()", type_name,
              s);
  } else if (most_derived == mangled("SoapFault")) {
    const auto* f = static_cast<const kareo::SoapFault*>(error);
    scan_into(leaks, f->fault_string(), false, "fault_string()", type_name, s);
    scan_into(leaks, f->fault_code(), false, "fault_code()", type_name, s);
  } else if (most_derived == mangled("Throttled")) {
    scan_into(leaks, static_cast<const kareo::Throttled*>(error)->endpoint(), false, "endpoint()", type_name, s);
  }
  if (leaks.empty()) return;
  if (g_allow.load() > 0) {
    s.allowed += leaks.size();
    return;
  }
  const std::string test = current_test();
  for (auto& l : leaks) s.findings.push_back(Finding{std::move(l), test});
}

void record_event(const kareo::CallEvent& event, bool patient_data) {
  std::lock_guard<std::mutex> lock(mu());
  Stats& s = state();
  ++s.events;
  std::vector<std::string> leaks;
  const std::string type = "CallEvent of operation " + std::to_string(static_cast<int>(event.operation));
  scan_into(leaks, event.message, false, "message", type, s);
  scan_into(leaks, event.endpoint, false, "endpoint", type, s);
  // Patient names may appear in the XML of an event only when the client asked for WireTrace::WithPatientData.
  const std::size_t before = s.capture_patient_data;
  scan_into(leaks, event.request_xml, patient_data, "request_xml", type, s);
  scan_into(leaks, event.response_xml, patient_data, "response_xml", type, s);
  s.trace_patient_data += s.capture_patient_data - before;
  s.capture_patient_data = before;
  if (leaks.empty()) return;
  if (g_allow.load() > 0) {
    s.allowed += leaks.size();
    return;
  }
  const std::string test = current_test();
  for (auto& l : leaks) s.findings.push_back(Finding{std::move(l), test});
}

std::string scan_dir() {
  const char* env = std::getenv("KAREO_SECRET_SCAN_DIR");
  if (env && *env) return env;
  return KAREO_SECRET_SCAN_DEFAULT_DIR;
}

std::string program_name() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("unknown") : exe.filename().string();
}

// At the end of the run: one summary line per process, and a failure for every leak.
class Report : public ::testing::Environment {
 public:
  void TearDown() override {
    const Stats s = stats();
    const std::string dir = scan_dir();
    if (!dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      std::ofstream out(dir + "/" + program_name() + "." + std::to_string(::getpid()) + ".txt");
      out << "program=" << program_name() << " errors=" << s.errors << " events=" << s.events << " bytes=" << s.bytes
          << " allowed=" << s.allowed << " capture_patient_data=" << s.capture_patient_data
          << " trace_patient_data=" << s.trace_patient_data << " leaks=" << s.findings.size() << "\n";
      for (const auto& f : s.findings) out << "LEAK " << f.test << ": " << f.what << "\n";
    }
    for (const auto& f : s.findings) {
      ADD_FAILURE() << "secrets scan: " << f.what << " (thrown during " << f.test
                    << "); credentials and patient names must never appear in messages, events or captures";
    }
  }
};

[[maybe_unused]] ::testing::Environment* const g_report = ::testing::AddGlobalTestEnvironment(new Report);

}  // namespace

const std::vector<std::string>& credential_markers() {
  // The credentials the suite's tests and the fake server use.
  static const std::vector<std::string> m = {"test-customer-key", "test-password", "test-user@example."};
  return m;
}

const std::vector<std::string>& patient_markers() {
  // The synthetic patients' names (the fake server's "Alpha Testpatient1", e-mail "testpatient1@example.test",
  // and the tests' own "Testpatient Alpha"); matched without regard to case.
  static const std::vector<std::string> m = {"testpatient"};
  return m;
}

std::vector<std::string> scan_text(std::string_view text, bool patient_names_allowed) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (const std::string& c : credential_markers()) {
    if (text.find(c) != std::string_view::npos) out.push_back("credential " + shown(c));
  }
  if (!patient_names_allowed) {
    std::string low(text);
    std::transform(low.begin(), low.end(), low.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    for (const std::string& p : patient_markers()) {
      if (low.find(p) != std::string::npos) out.push_back("patient name " + shown(p));
    }
  }
  return out;
}

Stats stats() {
  std::lock_guard<std::mutex> lock(mu());
  return state();
}

void clear_findings() {
  std::lock_guard<std::mutex> lock(mu());
  state().findings.clear();
}

AllowSecrets::AllowSecrets() { ++g_allow; }
AllowSecrets::~AllowSecrets() { --g_allow; }

}  // namespace kareo::secret_scan

extern "C" void __wrap___cxa_throw(void* object, std::type_info* type, void (*destroy)(void*)) {
  kareo::secret_scan::record(object, type);
  __real___cxa_throw(object, type, destroy);
}

extern "C" void __wrap__ZN5kareo6detail13deliver_eventERKSt8functionIFvRKNS_9CallEventEEES4_NS_9WireTraceE(
    const kareo::EventSink& sink, const kareo::CallEvent& event, kareo::WireTrace mode) {
  kareo::secret_scan::record_event(event, mode == kareo::WireTrace::WithPatientData);
  __real__ZN5kareo6detail13deliver_eventERKSt8functionIFvRKNS_9CallEventEEES4_NS_9WireTraceE(sink, event, mode);
}
