#include "core.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "generate.hpp"
#include "kareo_optable.hpp"

namespace kareo::testing::detail {
namespace {

// The operation table (src/operations/operations.toml): names, writes, published limits, permissions.
const optable::Row* info(std::string_view name) {
  for (const auto& o : optable::kTable) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

void require_operation(const std::string& name, const char* what) {
  if (!is_operation(name)) throw std::invalid_argument(std::string(what) + ": unknown operation \"" + name + "\"");
}

class SteadyClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
};

CivilTime parse_today(const std::string& text) {
  auto t = parse_time(text);
  if (!t || text.size() != 10 || text[4] != '-') {
    throw std::invalid_argument("today must be a date YYYY-MM-DD, got \"" + text + "\"");
  }
  return *t;
}

}  // namespace

const std::vector<std::string>& operation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& o : optable::kTable) v.emplace_back(o.name);
    return v;
  }();
  return names;
}

bool is_operation(std::string_view name) { return info(name) != nullptr; }
bool is_write_operation(std::string_view name) {
  const optable::Row* o = info(name);
  return o && o->write;
}
std::chrono::milliseconds published_interval(std::string_view name) {
  const optable::Row* o = info(name);
  return std::chrono::milliseconds(o ? o->interval_ms : 0);
}
std::string permission_name(std::string_view operation) {
  const optable::Row* o = info(operation);
  return o ? o->permission : "Unknown";
}

std::optional<double> widest_window_days(const Filter& filter) {
  std::optional<double> widest;
  auto consider = [&](const std::string& from_key, const std::string& to_key) {
    auto f = filter.find(from_key), t = filter.find(to_key);
    std::optional<CivilTime> from, to;
    if (f != filter.end()) from = parse_time(f->second);
    if (t != filter.end()) to = parse_time(t->second);
    if (!from && !to) return;
    double days = from && to ? static_cast<double>(*to - *from) / kDay : 7.0;
    if (!widest || days > *widest) widest = days;
  };
  for (const auto& [key, value] : filter) {
    if (key.rfind("From", 0) == 0) consider(key, "To" + key.substr(4));
  }
  consider("StartDate", "EndDate");
  return widest;
}

}  // namespace kareo::testing::detail

namespace kareo::testing {

std::map<std::string, int> default_window_limits() {
  // The widest window the table allows on any date field of the operation.
  std::map<std::string, int> limits;
  for (const auto& op : optable::kTable) {
    int days = 0;
    for (const auto& pair : op.paging) days = std::max(days, pair.max_window_days);
    if (days > 0) limits[op.name] = days;
  }
  return limits;
}

}  // namespace kareo::testing

namespace kareo::testing::detail {

ServerCore::ServerCore(FakeServerOptions opts)
    : options(std::move(opts)), data(std::make_shared<Store::Impl>()), store(data) {
  const auto& o = options;
  CivilTime real_today = utc_today();
  data->synth.today = o.today.empty() ? real_today : parse_today(o.today);
  data->clock_offset = data->synth.today - real_today;
  data->customer_id = o.customer_id;
  data->window_limits.days = default_window_limits();
  for (const auto& limit : data->window_limits.days) data->window_limits.primary_window_only.insert(limit.first);
  for (const auto& [op, days] : o.window_limit_days) {
    require_operation(op, "window limit");
    if (days < 0) throw std::invalid_argument("window limit for " + op + " must not be negative");
    data->window_limits.days[op] = days;
  }
  const DataSizes& s = o.sizes;
  for (int n : {s.practices, s.providers, s.service_locations, s.procedure_codes, s.patients, s.appointments,
                s.encounters, s.charges, s.payments, s.transactions, s.external_vendors}) {
    if (n < 0) throw std::invalid_argument("data set sizes must not be negative");
  }
  if (!o.data_file.empty()) {
    std::ifstream f(o.data_file, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read the data file " + o.data_file);
    std::stringstream text;
    text << f.rdbuf();
    data->load_json(text.str());
  } else {
    generate(*data, o.seed, s);
  }
  for (const auto& op : o.denied_operations) {
    require_operation(op, "deny");
    denied_operations_.insert(op);
  }
  for (const auto& name : o.denied_practices) {
    auto id = data->practice_id_by_name(name);
    if (!id) throw std::invalid_argument("deny-practice: no practice named \"" + name + "\"");
    denied_practices_.insert(*id);
  }
  throttle_on_ = o.throttle;
  for (const auto& op : optable::kTable) {
    if (op.interval_ms) throttle_table_[op.name] = std::chrono::milliseconds(op.interval_ms);
  }
  for (const auto& [op, ms] : o.throttle_ms) {
    require_operation(op, "throttle-ms");
    if (ms < 0) throw std::invalid_argument("throttle-ms for " + op + " must not be negative");
    if (ms == 0) {
      throttle_table_.erase(op);
    } else {
      throttle_table_[op] = std::chrono::milliseconds(ms);
    }
  }
  clock_ = o.clock ? o.clock : std::make_shared<SteadyClock>();
  for (const auto& f : o.faults) add_fault(f);
}

PickedFaults ServerCore::pick_faults(const std::string& operation) {
  std::lock_guard lock(mutex_);
  PickedFaults picked;
  for (auto it = faults_.begin(); it != faults_.end();) {
    FaultSlot& slot = *it;
    const Fault& f = slot.fault;
    bool applies = f.kind != Fault::Kind::WideWindow && (f.operation.empty() || f.operation == operation) &&
                   (f.kind == Fault::Kind::Latency || !picked.decisive);
    if (!applies) {
      ++it;
      continue;
    }
    if (slot.skip_left > 0) {
      --slot.skip_left;
      ++it;
      continue;
    }
    if (f.kind == Fault::Kind::Latency) {
      picked.latency_ms += f.latency_ms;
    } else {
      picked.decisive = f;
    }
    if (slot.count_left > 0 && --slot.count_left == 0) {
      it = faults_.erase(it);
    } else {
      ++it;
    }
  }
  return picked;
}

std::optional<Fault> ServerCore::wide_window_fault(const std::string& operation, const Filter& filter) {
  auto widest = widest_window_days(filter);
  if (!widest) return std::nullopt;
  std::lock_guard lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    const Fault& f = it->fault;
    if (f.kind != Fault::Kind::WideWindow || (!f.operation.empty() && f.operation != operation)) continue;
    if (*widest <= f.days) continue;
    if (it->skip_left > 0) {
      --it->skip_left;
      continue;
    }
    Fault out = f;
    if (it->count_left > 0 && --it->count_left == 0) faults_.erase(it);
    return out;
  }
  return std::nullopt;
}

void ServerCore::add_fault(const Fault& f) {
  if (!f.operation.empty()) require_operation(f.operation, "fault");
  std::lock_guard lock(mutex_);
  faults_.push_back(FaultSlot{f, f.skip, f.count > 0 ? f.count : -1});
}

void ServerCore::clear_faults() {
  std::lock_guard lock(mutex_);
  faults_.clear();
}

std::vector<Fault> ServerCore::faults() const {
  std::lock_guard lock(mutex_);
  std::vector<Fault> out;
  for (const auto& s : faults_) {
    Fault f = s.fault;
    f.skip = s.skip_left;
    f.count = s.count_left < 0 ? 0 : s.count_left;
    out.push_back(f);
  }
  return out;
}

bool ServerCore::throttled(const std::string& customer_key, const std::string& operation,
                           std::chrono::milliseconds& interval) {
  std::lock_guard lock(mutex_);
  if (!throttle_on_) return false;
  auto limit = throttle_table_.find(operation);
  if (limit == throttle_table_.end()) return false;
  interval = limit->second;
  auto now = clock_->now();
  auto key = std::make_pair(customer_key, operation);
  auto last = last_call_.find(key);
  // A call exactly one interval after the previous one is still refused, as observed on the service.
  if (last != last_call_.end() && now - last->second <= interval) return true;
  last_call_[key] = now;
  return false;
}

void ServerCore::set_throttle(bool on) {
  std::lock_guard lock(mutex_);
  throttle_on_ = on;
}

void ServerCore::reset_throttle() {
  std::lock_guard lock(mutex_);
  last_call_.clear();
}

std::map<std::string, std::chrono::milliseconds> ServerCore::throttle_table() const {
  std::lock_guard lock(mutex_);
  return throttle_table_;
}

void ServerCore::record(CallRecord call) {
  if (options.on_call) options.on_call(call);
  std::lock_guard lock(mutex_);
  calls_.push_back(std::move(call));
}

std::vector<CallRecord> ServerCore::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::size_t ServerCore::call_count(std::string_view operation) const {
  std::lock_guard lock(mutex_);
  if (operation.empty()) return calls_.size();
  return static_cast<std::size_t>(
      std::count_if(calls_.begin(), calls_.end(), [&](const CallRecord& c) { return c.operation == operation; }));
}

void ServerCore::clear_calls() {
  std::lock_guard lock(mutex_);
  calls_.clear();
}

std::vector<std::int64_t> ServerCore::authorized_practices() const {
  std::shared_lock lock(data->mutex);
  std::vector<std::int64_t> out;
  for (const auto& [id, row] : data->table(Entity::Practice).rows) {
    if (!denied_practices_.count(id)) out.push_back(id);
  }
  return out;
}

}  // namespace kareo::testing::detail
