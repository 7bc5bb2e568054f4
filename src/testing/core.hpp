// The state every connection of a fake server shares: options, records, faults, rate limiter, call log.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kareo/testing/fake_server.hpp"
#include "store_impl.hpp"

namespace kareo::testing::detail {

/// The 28 operation names of the contract.
const std::vector<std::string>& operation_names();
bool is_operation(std::string_view name);
bool is_write_operation(std::string_view name);
/// The published rate limit of an operation (0 when the guide lists none).
std::chrono::milliseconds published_interval(std::string_view name);
/// The permission the service reports missing when a user may not call the operation.
std::string permission_name(std::string_view operation);

/// The widest date window of a filter (From/To pairs, StartDate/EndDate), in days; nothing when it has none.
std::optional<double> widest_window_days(const Filter& filter);

struct FaultSlot {
  Fault fault;
  int skip_left = 0;
  int count_left = 0;  ///< -1: unlimited
};

/// The faults that apply to one call.
struct PickedFaults {
  int latency_ms = 0;
  std::optional<Fault> decisive;  ///< the first non-latency, non-window fault that matched
};

class ServerCore {
 public:
  explicit ServerCore(FakeServerOptions options);

  FakeServerOptions options;
  std::shared_ptr<Store::Impl> data;
  Store store;

  PickedFaults pick_faults(const std::string& operation);
  /// A wide-window fault that applies to this call (consumed), if the filter's widest window is too wide.
  std::optional<Fault> wide_window_fault(const std::string& operation, const Filter& filter);
  void add_fault(const Fault& f);
  void clear_faults();
  std::vector<Fault> faults() const;

  /// True when the account called the operation too recently; sets `interval` to its limit. A call that is
  /// let through starts a new interval.
  bool throttled(const std::string& customer_key, const std::string& operation, std::chrono::milliseconds& interval);
  void set_throttle(bool on);
  void reset_throttle();
  std::map<std::string, std::chrono::milliseconds> throttle_table() const;

  void record(CallRecord call);
  std::vector<CallRecord> calls() const;
  std::size_t call_count(std::string_view operation) const;
  void clear_calls();

  bool operation_denied(const std::string& operation) const { return denied_operations_.count(operation) > 0; }
  const std::set<std::int64_t>& denied_practices() const { return denied_practices_; }
  /// Practice IDs the user may see (every practice not denied), ascending.
  std::vector<std::int64_t> authorized_practices() const;

 private:
  mutable std::mutex mutex_;
  std::vector<FaultSlot> faults_;
  std::vector<CallRecord> calls_;
  bool throttle_on_ = true;
  std::map<std::string, std::chrono::milliseconds> throttle_table_;
  std::map<std::pair<std::string, std::string>, std::chrono::steady_clock::time_point> last_call_;
  std::shared_ptr<Clock> clock_;
  std::set<std::string> denied_operations_;
  std::set<std::int64_t> denied_practices_;
};

}  // namespace kareo::testing::detail
