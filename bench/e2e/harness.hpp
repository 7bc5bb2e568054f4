// What the end-to-end benchmark programs share: their command line, the three workloads, timing with
// wall and CPU clocks, and the one JSON line each run prints.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>

namespace kareo_bench {

/// --name value pairs from the command line, with defaults.
class Args {
 public:
  Args(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a.rfind("--", 0) != 0 || i + 1 >= argc) throw std::invalid_argument("expected --name value, got " + a);
      values_[a.substr(2)] = argv[++i];
    }
  }
  std::string get(const std::string& name, const std::string& fallback = {}) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  long number(const std::string& name, long fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : std::stol(it->second);
  }

 private:
  std::map<std::string, std::string> values_;
};

/// The workload every program runs, from the common flags:
///   --scenario patients      one GetPatients call for the practice (every column)
///   --scenario allpatients   GetAllPatients batches of --batch-size until --total records
///   --scenario practices     --calls GetPractices calls, one after the other
struct Workload {
  std::string endpoint, ca_file, scenario;
  std::string customer_key, user, password;
  std::string practice_name;
  long practice_id, batch_size, total, calls, expect;

  explicit Workload(const Args& a)
      : endpoint(a.get("endpoint")),
        ca_file(a.get("ca-file")),
        scenario(a.get("scenario", "patients")),
        customer_key(a.get("customer-key", "test-customer-key")),
        user(a.get("user", "test-user@example.test")),
        password(a.get("password", "test-password")),
        practice_name(a.get("practice-name")),
        practice_id(a.number("practice-id", 1)),
        batch_size(a.number("batch-size", 1000)),
        total(a.number("total", 50000)),
        calls(a.number("calls", 1000)),
        expect(a.number("expect", -1)) {
    if (endpoint.empty()) throw std::invalid_argument("--endpoint is required");
    if (scenario != "patients" && scenario != "allpatients" && scenario != "practices")
      throw std::invalid_argument("unknown --scenario " + scenario);
  }
};

/// Wall and CPU time of the measured section.
class Stopwatch {
 public:
  Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(cpu_now()) {}
  double wall_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
  }
  double cpu_seconds() const { return cpu_now() - cpu_; }
  static double cpu_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  static long max_rss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
  }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

/// Prints the result line (JSON) on stdout and checks the record count when --expect was given.
inline int report(const char* program, const Workload& w, long records, long calls, const Stopwatch& clock,
                  const std::string& extra = {}) {
  const double wall = clock.wall_seconds(), cpu = clock.cpu_seconds();
  std::printf(
      "{\"program\":\"%s\",\"scenario\":\"%s\",\"records\":%ld,\"calls\":%ld,\"seconds\":%.6f,"
      "\"cpu_seconds\":%.6f,\"max_rss_kb\":%ld%s%s}\n",
      program, w.scenario.c_str(), records, calls, wall, cpu, Stopwatch::max_rss_kb(), extra.empty() ? "" : ",",
      extra.c_str());
  std::fflush(stdout);
  if (w.expect >= 0 && records != w.expect) {
    std::fprintf(stderr, "%s: expected %ld records, received %ld\n", program, w.expect, records);
    return 1;
  }
  return 0;
}

}  // namespace kareo_bench
