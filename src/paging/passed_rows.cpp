// The rows a one-call read passed on one at a time (PagedRange::for_each_row), kept compactly so that a call
// made again after a failure skips them (kareo/paging.hpp).
#include <algorithm>
#include <charconv>
#include <climits>

#include "kareo/paging.hpp"

namespace kareo::detail {
namespace {

std::optional<long long> number(const std::string& s) {
  long long v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// The version as seconds; LLONG_MIN for none; empty when it is not a date (kept as text instead).
std::optional<long long> seconds_of(const std::optional<std::string>& version) {
  if (!version || version->empty()) return LLONG_MIN;
  if (const auto t = DateTime::parse(*version)) return to_seconds(*t);
  return std::nullopt;
}

}  // namespace

bool PassedRows::pass(const std::string& id, const std::optional<std::string>& version) {
  const std::optional<long long> key = number(id);
  const std::optional<long long> when = seconds_of(version);
  if (key && when) {
    if (looking_) {
      const auto end = numeric_.begin() + static_cast<std::ptrdiff_t>(sorted_);
      const auto it = std::lower_bound(numeric_.begin(), end, std::make_pair(*key, LLONG_MIN));
      if (it != end && it->first == *key) {
        if (*when <= it->second || *when == LLONG_MIN) return false;  // the same version, or an older one
        it->second = *when;                                           // a newer version: passed again
        return true;
      }
    }
    numeric_.emplace_back(*key, *when);
    return true;
  }
  if (looking_) {
    const auto it = other_.find(id);
    if (it != other_.end() && !newer_version(version, it->second)) return false;
  }
  other_[id] = version.value_or("");
  return true;
}

void PassedRows::failed() {
  std::sort(numeric_.begin(), numeric_.end());
  // One entry per ID, the newest version (the list is sorted by ID, then version).
  auto last =
      std::unique(numeric_.rbegin(), numeric_.rend(), [](const auto& a, const auto& b) { return a.first == b.first; });
  numeric_.erase(numeric_.begin(), last.base());
  sorted_ = numeric_.size();
  looking_ = true;
}

void PassedRows::clear() {
  numeric_ = {};
  other_ = {};
  sorted_ = 0;
  looking_ = false;
}

}  // namespace kareo::detail
