#include "kareo/pacing.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "kareo/errors.hpp"
#include "kareo_optable.hpp"
#include "kareo_wireH.h"
#include "operations/exchange_access.hpp"

namespace kareo {

using std::chrono::milliseconds;

milliseconds with_margin(milliseconds interval, const PacingOptions& options) noexcept {
  if (interval < milliseconds::zero()) interval = milliseconds::zero();
  const double ratio = options.margin_ratio > 0 ? options.margin_ratio : 0.0;
  const auto proportional =
      milliseconds(static_cast<long long>(std::ceil(static_cast<double>(interval.count()) * ratio)));
  const milliseconds floor = options.min_margin > milliseconds::zero() ? options.min_margin : milliseconds::zero();
  return interval + std::max(proportional, floor);
}

// ---------------------------------------------------------------------------------------------------------------
// ThrottleTable

ThrottleTable::ThrottleTable() {
  for (Operation op : all_operations()) intervals_[index(op)] = published_interval(op);
}

void ThrottleTable::set_interval(Operation op, milliseconds interval) noexcept {
  intervals_[index(op)] = std::max(interval, milliseconds::zero());
}

void ThrottleTable::set_all(milliseconds interval) noexcept {
  for (auto& i : intervals_) i = std::max(interval, milliseconds::zero());
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::optional<Operation> ThrottleTable::operation_for_endpoint(const std::string& endpoint) noexcept {
  try {
    // The operation's name, or the other spelling the operation table gives for throttle messages.
    const std::string name = lower(trim(endpoint));
    for (std::size_t i = 0; i < optable::kRows; ++i) {
      const optable::Row& row = optable::kTable[i];
      if (lower(row.name) == name || (*row.throttle_endpoint && lower(row.throttle_endpoint) == name)) {
        return all_operations()[i];
      }
    }
  } catch (...) {
  }
  return std::nullopt;
}

std::vector<std::string> ThrottleTable::apply(const std::vector<ThrottleLimit>& limits) {
  std::vector<std::string> unknown;
  for (const auto& d : limits) {
    if (d.interval < milliseconds::zero()) continue;
    if (auto op = operation_for_endpoint(d.endpoint)) {
      set_interval(*op, d.interval);
    } else {
      unknown.push_back(d.endpoint);
    }
  }
  return unknown;
}

std::vector<ThrottleLimit> throttle_limits(const std::vector<kareo_wire::kareo__ThrottleDetail>& rows) {
  std::vector<ThrottleLimit> out;
  for (const auto& row : rows) {
    if (!row.Endpoint || !row.ThrottleTimeMs) continue;
    const double ms = *row.ThrottleTimeMs;
    if (!std::isfinite(ms) || ms < 0 || ms > 86400000.0) continue;
    const std::string endpoint = trim(*row.Endpoint);
    if (endpoint.empty()) continue;
    out.push_back({endpoint, milliseconds(static_cast<long long>(std::ceil(ms)))});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// IntervalRateLimiter

IntervalRateLimiter::IntervalRateLimiter(std::shared_ptr<Clock> clock, PacingOptions options, ThrottleTable table)
    : clock_(clock ? std::move(clock) : SystemClock::instance()), options_(options), table_(table) {}

Clock::time_point IntervalRateLimiter::acquire(const std::string& account, Operation op) {
  Clock::time_point slot;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = clock_->now();
    auto& next = next_[{account, op}];
    slot = std::max(now, next);
    next = slot + with_margin(table_.interval(op), options_);
  }
  clock_->sleep_until(slot);
  return slot;
}

std::optional<Clock::time_point> IntervalRateLimiter::acquire(const std::string& account, Operation op,
                                                              const CancellationToken& cancel) {
  if (cancel.cancelled()) return std::nullopt;
  Clock::time_point slot, before, after;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = clock_->now();
    auto& next = next_[{account, op}];
    before = next;
    slot = std::max(now, next);
    after = next = slot + with_margin(table_.interval(op), options_);
  }
  if (clock_->sleep_until(slot, cancel)) return slot;
  // Give the turn back unless someone queued behind it meanwhile (then it stays a gap: their turn is theirs).
  std::lock_guard<std::mutex> lock(mutex_);
  auto& next = next_[{account, op}];
  if (next == after) next = before;
  return std::nullopt;
}

void IntervalRateLimiter::defer(const std::string& account, Operation op, milliseconds wait) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& next = next_[{account, op}];
  next = std::max(next, clock_->now() + with_margin(wait, options_));
}

void IntervalRateLimiter::update_limits(const ThrottleTable& table) {
  std::lock_guard<std::mutex> lock(mutex_);
  table_ = table;
}

ThrottleTable IntervalRateLimiter::limits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return table_;
}

// ---------------------------------------------------------------------------------------------------------------
// SharedFileRateLimiter

namespace {

// Schedules further ahead than this are stale (e.g. written before a reboot reset the monotonic clock).
constexpr auto kStaleAhead = std::chrono::hours(1);

std::string errno_text() { return std::strerror(errno); }

// An open, exclusively locked schedule file; unlocked and closed on destruction.
class LockedFile {
 public:
  explicit LockedFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) throw InvalidArgument("cannot open the pacing schedule " + path + ": " + errno_text());
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const std::string why = errno_text();
        ::close(fd_);
        throw InvalidArgument("cannot lock the pacing schedule " + path + ": " + why);
      }
    }
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  ~LockedFile() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

  // Lines "<OperationName> <nanoseconds of monotonic time>".
  std::map<std::string, long long> read() {
    std::string text;
    char buf[4096];
    off_t off = 0;
    for (;;) {
      const ssize_t n = ::pread(fd_, buf, sizeof buf, off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      off += n;
    }
    std::map<std::string, long long> schedule;
    std::istringstream in(text);
    std::string name;
    long long value = 0;
    while (in >> name >> value) schedule[name] = value;
    return schedule;
  }

  void write(const std::map<std::string, long long>& schedule) {
    std::string text;
    for (const auto& [name, value] : schedule) text += name + " " + std::to_string(value) + "\n";
    if (::ftruncate(fd_, 0) != 0) return;  // best effort: a lost update only makes a later call less paced
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_ = -1;
};

long long to_ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Clock::time_point from_ns(long long ns) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}

bool safe_file_name(const std::string& s) {
  if (s.empty() || s.size() > 64 || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

std::string SharedFileRateLimiter::default_directory() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  return base + "/kareo-pacing-" + std::to_string(::geteuid());
}

SharedFileRateLimiter::SharedFileRateLimiter(std::string directory, std::shared_ptr<Clock> clock, PacingOptions options,
                                             ThrottleTable table)
    : clock_(clock ? std::move(clock) : SystemClock::instance()),
      options_(options),
      directory_(directory.empty() ? default_directory() : std::move(directory)),
      table_(table) {
  const bool is_default = directory_ == default_directory();
  if (::mkdir(directory_.c_str(), 0700) != 0 && errno != EEXIST) {
    throw InvalidArgument("cannot create the pacing directory " + directory_ + ": " + errno_text());
  }
  struct stat st {};
  if (::lstat(directory_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw InvalidArgument("the pacing directory " + directory_ + " is not a directory");
  }
  // In a shared temporary directory, refuse a folder someone else prepared.
  if (is_default && st.st_uid != ::geteuid()) {
    throw InvalidArgument("the pacing directory " + directory_ + " belongs to another user");
  }
}

std::string SharedFileRateLimiter::file_for(const std::string& account) const {
  const std::string name = safe_file_name(account) ? account : detail::account_id(account);
  return directory_ + "/" + name + ".schedule";
}

Clock::time_point SharedFileRateLimiter::acquire(const std::string& account, Operation op) {
  const milliseconds spacing = with_margin(limits().interval(op), options_);
  const std::string key(operation_name(op));
  Clock::time_point slot;
  {
    LockedFile file(file_for(account));
    auto schedule = file.read();
    const auto now = clock_->now();
    Clock::time_point next = now;
    if (auto it = schedule.find(key); it != schedule.end()) {
      next = from_ns(it->second);
      if (next > now + kStaleAhead) next = now;
    }
    slot = std::max(now, next);
    schedule[key] = to_ns(slot + spacing);
    file.write(schedule);
  }
  clock_->sleep_until(slot);
  return slot;
}

std::optional<Clock::time_point> SharedFileRateLimiter::acquire(const std::string& account, Operation op,
                                                                const CancellationToken& cancel) {
  if (cancel.cancelled()) return std::nullopt;
  const milliseconds spacing = with_margin(limits().interval(op), options_);
  const std::string key(operation_name(op));
  Clock::time_point slot;
  std::optional<long long> before;
  long long after = 0;
  {
    LockedFile file(file_for(account));
    auto schedule = file.read();
    const auto now = clock_->now();
    Clock::time_point next = now;
    if (auto it = schedule.find(key); it != schedule.end()) {
      before = it->second;
      next = from_ns(it->second);
      if (next > now + kStaleAhead) next = now;
    }
    slot = std::max(now, next);
    after = schedule[key] = to_ns(slot + spacing);
    file.write(schedule);
  }
  if (clock_->sleep_until(slot, cancel)) return slot;
  // Give the turn back unless another caller (of this process or another) queued behind it meanwhile.
  LockedFile file(file_for(account));
  auto schedule = file.read();
  if (auto it = schedule.find(key); it != schedule.end() && it->second == after) {
    if (before) {
      it->second = *before;
    } else {
      schedule.erase(it);
    }
    file.write(schedule);
  }
  return std::nullopt;
}

void SharedFileRateLimiter::defer(const std::string& account, Operation op, milliseconds wait) {
  const std::string key(operation_name(op));
  LockedFile file(file_for(account));
  auto schedule = file.read();
  const auto until = clock_->now() + with_margin(wait, options_);
  auto it = schedule.find(key);
  if (it == schedule.end() || from_ns(it->second) < until || from_ns(it->second) > until + kStaleAhead) {
    schedule[key] = to_ns(until);
    file.write(schedule);
  }
}

void SharedFileRateLimiter::update_limits(const ThrottleTable& table) {
  std::lock_guard<std::mutex> lock(mutex_);
  table_ = table;
}

ThrottleTable SharedFileRateLimiter::limits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return table_;
}

// ---------------------------------------------------------------------------------------------------------------
// PacedConnection

PacedConnection::PacedConnection(std::shared_ptr<Connection> inner, std::shared_ptr<RateLimiter> limiter,
                                 PacingOptions options)
    : inner_(std::move(inner)), limiter_(std::move(limiter)), options_(options) {
  if (!inner_) throw InvalidArgument("PacedConnection needs an inner connection");
  if (!limiter_) limiter_ = std::make_shared<IntervalRateLimiter>(SystemClock::instance(), options_);
}

void PacedConnection::call(Exchange& exchange) {
  const std::string account = detail::account_id(detail::customer_key_of(exchange));
  if (exchange.cancel) {
    if (!limiter_->acquire(account, exchange.operation, *exchange.cancel)) {
      throw Cancelled(std::string(operation_name(exchange.operation)) +
                      ": cancelled while waiting for its turn under the rate limit; not sent");
    }
  } else {
    limiter_->acquire(account, exchange.operation);
  }
  try {
    inner_->call(exchange);
  } catch (const Throttled& throttled) {
    // The service names the endpoint it throttled; normally the one called. Later turns of both wait the
    // interval it named; sending the call again is the retry layer's decision, not this one's.
    Operation op = exchange.operation;
    if (auto named = ThrottleTable::operation_for_endpoint(throttled.endpoint())) op = *named;
    milliseconds wait = throttled.interval();
    if (wait <= milliseconds::zero()) wait = limiter_->limits().interval(op);
    limiter_->defer(account, op, wait);
    if (op != exchange.operation) limiter_->defer(account, exchange.operation, wait);
    throw;
  }
}

}  // namespace kareo
