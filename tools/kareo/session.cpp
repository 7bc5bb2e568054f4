// The connection to Tebra as the tool configures it: credentials, endpoint, TLS, timeouts, pacing shared
// between runs, retries, the wire log and --verbose.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli.hpp"
#include "kareo/pacing.hpp"
#ifdef KAREO_CLI_POSTGRES
#include "kareo/postgres_pacing.hpp"
#endif
#include "kareo/policies.hpp"
#include "kareo/version.hpp"

namespace kareo_cli {

namespace {

// Opens the wire log for appending. It may hold patient data (--wire-log-patient-data) and always holds IDs and
// dates, so only its owner may read it: a new file is created with mode 0600 whatever the umask, and an existing
// regular file that others may read is restricted to 0600 (or refused when that fails).
std::shared_ptr<std::ofstream> open_wire_log(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw kareo::InvalidArgument("--wire-log " + path + ": cannot write the file: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw kareo::InvalidArgument("--wire-log " + path +
                                 ": the file is readable by others and cannot be restricted to "
                                 "its owner (chmod 600): " +
                                 why);
  }
  ::close(fd);
  auto file = std::make_shared<std::ofstream>(path, std::ios::app);
  if (!*file) throw kareo::InvalidArgument("--wire-log " + path + ": cannot write the file: " + std::strerror(errno));
  return file;
}

Format parse_format(const std::string& name) {
  if (name == "json") return Format::Json;
  if (name == "csv") return Format::Csv;
  if (name == "table") return Format::Table;
  return isatty(STDOUT_FILENO) ? Format::Table : Format::Json;
}

std::vector<std::string> split_columns(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string bytes_text(std::size_t n) {
  char buf[32];
  if (n < 1024)
    std::snprintf(buf, sizeof buf, "%zu B", n);
  else if (n < 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(n) / 1024);
  else
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / (1024 * 1024));
  return buf;
}

}  // namespace

std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

kareo::DateTime now_local() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return kareo::DateTime(kareo::Date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), tm.tm_hour, tm.tm_min,
                         std::min(tm.tm_sec, 59));
}

kareo::DateTime parse_date_option(const std::string& text, const std::string& option, bool end_of_day) {
  std::string normalized;
  try {
    normalized = kareo::normalize_iso_datetime(text);
  } catch (const kareo::JsonError&) {
    throw kareo::InvalidArgument(option + " " + text +
                                 ": expected a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM:SS");
  }
  auto parsed = kareo::DateTime::parse(normalized);
  if (!parsed) throw kareo::InvalidArgument(option + " " + text + ": not a date");
  if (end_of_day && text.size() == 10) return kareo::DateTime(parsed->date(), 23, 59, 59);
  return *parsed;
}

json read_json_input(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw kareo::InvalidArgument("--json " + path + ": cannot read the file: " + std::strerror(errno));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  try {
    return json::parse(text, nullptr, true, true);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    auto pos = what.find("parse error");
    throw kareo::InvalidArgument("--json " + path +
                                 ": not valid JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
  }
}

Session::Session(const Globals& globals) : globals_(globals), log_mutex_(std::make_shared<std::mutex>()) {
  output_ =
      std::make_unique<Output>(parse_format(globals_.format), split_columns(globals_.columns), std::cout, globals_.raw);
  progress_ = std::make_unique<Progress>(globals_.progress || isatty(STDERR_FILENO) != 0);
  if (!globals_.wire_log.empty()) wire_log_ = open_wire_log(globals_.wire_log);
}

Session::~Session() = default;

Output& Session::output() { return *output_; }

kareo::Credentials Session::credentials() const {
  if (!globals_.credentials_file.empty()) return kareo::Credentials::from_file(globals_.credentials_file);
  return kareo::Credentials::from_environment();
}

std::string Session::credentials_source() const {
  if (!globals_.credentials_file.empty()) return "the file " + globals_.credentials_file;
  return "the environment (KAREO_CUSTOMER_KEY, KAREO_USER, KAREO_PASSWORD)";
}

std::string Session::endpoint() const {
  if (!globals_.endpoint.empty()) return globals_.endpoint;
  return kareo::Options().endpoint();
}

std::chrono::milliseconds Session::stall_timeout(std::chrono::milliseconds fallback) const {
  if (globals_.stall_timeout_seconds > 0) {
    return std::chrono::milliseconds(static_cast<long long>(globals_.stall_timeout_seconds * 1000));
  }
  if (globals_.timeout_seconds > 0) {
    const auto third = std::chrono::milliseconds(static_cast<long long>(globals_.timeout_seconds * 1000 / 3));
    return std::max(std::chrono::milliseconds(1), std::min(fallback, third));
  }
  return fallback;
}

std::string Session::client_version() const {
  return std::string("kareo-cli/") + kareo::version() + " " + kareo::Options().client_version();
}

namespace {

// The rate-limit schedule: in PostgreSQL when --pacing-db names one (every worker of the account, on any
// machine), else in files shared by the user's kareo processes on this machine.
std::shared_ptr<kareo::RateLimiter> make_limiter(const Globals& g) {
  if (g.pacing_db.empty()) return std::make_shared<kareo::SharedFileRateLimiter>(g.pacing_dir);
#ifdef KAREO_CLI_POSTGRES
  return std::make_shared<kareo::PostgresRateLimiter>(g.pacing_db);
#else
  throw kareo::InvalidArgument("--pacing-db: this kareo was built without PostgreSQL support (KAREO_WITH_POSTGRES)");
#endif
}

}  // namespace

kareo::Options Session::options(bool with_credentials) {
  kareo::Options o;
  if (!globals_.endpoint.empty()) o.endpoint(globals_.endpoint);
  if (with_credentials) o.credentials(credentials());
  if (!globals_.ca_file.empty()) o.ca_file(globals_.ca_file);
  // Stalls first, each bounded by --stall-timeout or by a third of --timeout, so that a stalled attempt leaves
  // time for another within the whole call's bound.
  o.connect_timeout(stall_timeout(o.connect_timeout()))
      .send_timeout(stall_timeout(o.send_timeout()))
      .receive_timeout(stall_timeout(o.receive_timeout()));
  const auto whole_call = std::chrono::milliseconds(static_cast<long long>(globals_.timeout_seconds * 1000));
  if (whole_call.count() > 0) o.call_timeout(whole_call);
  o.client_version(client_version());
  if (globals_.max_response_mb > 0) {
    o.max_response_bytes(static_cast<std::uint64_t>(globals_.max_response_mb * 1024 * 1024));
  }

  // Pacing (shared by every kareo process of this user: runs in a row count against the same per-account
  // budget) and retries above it, so every attempt is paced. Throttled calls are retried by the retry layer,
  // so --max-retries counts them too.
  kareo::CallPolicies policies;
  policies.pace = !globals_.no_pacing;
  if (policies.pace) policies.limiter = make_limiter(globals_);
  policies.retry_policy.max_attempts = std::max(1, globals_.max_retries + 1);
  // --timeout bounds each call as a whole: every attempt and the waits between them.
  if (whole_call.count() > 0) policies.retry_policy.max_elapsed = whole_call;
  o.policies(policies);

  // The failure report --verbose prints carries patient data only when the user asked for it.
  if (globals_.wire_log_patient_data) o.support_capture(kareo::WireTrace::WithPatientData);
  if (wire_log_ || globals_.verbose) {
    o.event_sink([this](const kareo::CallEvent& event) { log_event(event); });
    if (wire_log_)
      o.wire_trace(globals_.wire_log_patient_data ? kareo::WireTrace::WithPatientData : kareo::WireTrace::Redacted);
  }
  return o;
}

kareo::Client& Session::client() {
  if (!client_) client_ = std::make_unique<kareo::Client>(options());
  return *client_;
}

kareo::PagingOptions Session::paging(int default_window_days) {
  kareo::PagingOptions p;
  const int days = globals_.window_days > 0 ? globals_.window_days : default_window_days;
  if (days > 0) {
    p.window = std::chrono::hours(24 * days);
    p.max_window = std::max(p.max_window, p.window);
  }
  Progress* bar = progress_.get();
  p.on_progress = [bar](const kareo::PagingProgress& progress) { bar->update(progress); };
  return p;
}

void Session::log_event(const kareo::CallEvent& e) {
  std::lock_guard<std::mutex> lock(*log_mutex_);
  long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count());
  std::string summary = std::string(kareo::operation_name(e.operation)) + " attempt " + std::to_string(e.attempt) +
                        ": " + (e.ok ? "ok" : "failed (" + one_line(e.message) + ")");
  if (e.http_status) summary += ", HTTP " + std::to_string(*e.http_status);
  summary += ", " + std::to_string(ms) + " ms, " + bytes_text(e.bytes_sent) + " sent, " + bytes_text(e.bytes_received) +
             " received";
  if (globals_.verbose) {
    progress_->finish();
    std::cerr << "kareo: " << summary << '\n';
  }
  if (wire_log_) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    *wire_log_ << "==== " << stamp << ' ' << e.endpoint << '\n'
               << "==== " << summary << '\n'
               << "---- request\n"
               << e.request_xml << (e.request_xml.empty() || e.request_xml.back() == '\n' ? "" : "\n")
               << "---- response\n"
               << e.response_xml << (e.response_xml.empty() || e.response_xml.back() == '\n' ? "" : "\n") << std::flush;
  }
}

}  // namespace kareo_cli
