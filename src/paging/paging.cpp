#include "kareo/paging.hpp"

#include <algorithm>

#include "kareo/errors.hpp"

namespace kareo {

using std::chrono::seconds;

const char* date_field_name(DateField field) noexcept {
  switch (field) {
    case DateField::Created:
      return "Created";
    case DateField::LastModified:
      return "LastModified";
    case DateField::Service:
      return "Service";
    case DateField::Posting:
      return "Posting";
    case DateField::Transaction:
      return "Transaction";
  }
  return "?";
}

namespace detail {

namespace {
constexpr long long kDay = 86400;
constexpr long long kHour = 3600;
constexpr long long kMinute = 60;

long long floor_div(long long a, long long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

long long to_seconds(const DateTime& t) noexcept {
  return static_cast<long long>(t.date().days()) * kDay + t.hour() * kHour + t.minute() * kMinute + t.second();
}

DateTime from_seconds(long long s) {
  const long long days = floor_div(s, kDay);
  const long long rest = s - days * kDay;
  return DateTime(Date::from_days(static_cast<long>(days)), static_cast<int>(rest / kHour),
                  static_cast<int>(rest % kHour / kMinute), static_cast<int>(rest % kMinute));
}

std::string filter_text(const DateTime& t) {
  if (t.hour() == 0 && t.minute() == 0 && t.second() == 0) return t.date().filter_text();
  return t.filter_text();
}

// ---------------------------------------------------------------------------------------------------------------
// WindowPlan

WindowPlan::WindowPlan(TimeRange range, seconds width, seconds min_width)
    : widest_(std::max<long long>(1, width.count())),
      width_(widest_),
      ceiling_(widest_),
      min_width_(std::max<long long>(1, min_width.count())),
      end_(to_seconds(range.to)),
      from_(to_seconds(range.from)) {
  if (end_ < from_) throw InvalidArgument("the end of a date range is before its start");
  // The first window is planned even for an empty period [t, t].
  to_ = std::min(end_, from_ + width_);
}

TimeRange WindowPlan::current() const { return {from_seconds(from_), from_seconds(to_)}; }

void WindowPlan::complete() {
  if (done_) return;
  ++completed_;
  // The next window starts where this one ended, at the current width.
  if (to_ >= end_) {
    done_ = true;
    return;
  }
  from_ = to_;
  to_ = std::min(end_, from_ + width_);
}

namespace {
// A width rounded down to the coarsest unit (day, hour, minute, second) of which it holds at least two, so that
// window bounds stay whole days where they can (sent as dates).
long long round_width(long long w) {
  for (long long unit : {kDay, kHour, kMinute}) {
    if (w >= 2 * unit) return w / unit * unit;
  }
  return std::max<long long>(1, w);
}
}  // namespace

bool WindowPlan::complete(std::size_t rows, std::uint64_t bytes) {
  if (done_) return false;
  const long long w = std::max<long long>(1, to_ - from_);
  const bool rows_over = row_budget_ > 0 && rows > row_budget_;
  const bool bytes_over = byte_budget_ > 0 && bytes > byte_budget_;
  if (rows_over || bytes_over) {
    // Half its width, or less when it was far over: aim at half the budget at the density just seen.
    double factor = 0.5;
    if (rows_over) factor = std::min(factor, 0.5 * static_cast<double>(row_budget_) / static_cast<double>(rows));
    if (bytes_over) {
      factor = std::min(factor, 0.5 * static_cast<double>(byte_budget_) / static_cast<double>(bytes));
    }
    width_ = std::max(min_width_, round_width(static_cast<long long>(static_cast<double>(w) * factor)));
  } else if (rows == 0) {
    // An empty stretch: the next window is the widest allowed, as at the start (a width that failed before may
    // be tried again: what made it fail lay elsewhere).
    ceiling_ = width_ = widest_;
  } else if ((row_budget_ == 0 || rows <= row_budget_ / 4) && (byte_budget_ == 0 || bytes <= byte_budget_ / 4)) {
    width_ = round_width(std::max(w, width_) * 2);  // small: double
  }
  width_ = std::max(min_width_, std::min(width_, ceiling_));
  complete();
  return rows_over || bytes_over;
}

bool WindowPlan::split() {
  if (done_) return false;
  const long long a = from_, b = to_;
  if (b - a <= min_width_ || b - a < 2) return false;
  // Cut at the midpoint, rounded down to the coarsest unit (day, hour, minute, second) that still leaves two
  // non-empty halves, so that bounds stay readable and dates stay dates where possible.
  const long long mid = a + (b - a) / 2;
  long long cut = mid;
  for (long long unit : {kDay, kHour, kMinute, 1LL}) {
    const long long rounded = floor_div(mid, unit) * unit;
    if (rounded > a && rounded < b) {
      cut = rounded;
      break;
    }
  }
  to_ = cut;
  // A width that failed is not tried again until an empty window: the windows after this half are no wider than
  // the other half (so the next one is that half, unless this one narrows them further).
  ceiling_ = std::max(min_width_, std::min(ceiling_, b - cut));
  width_ = std::min(width_, ceiling_);
  return true;
}

std::size_t WindowPlan::remaining() const noexcept {
  if (done_) return 0;
  std::size_t unplanned = 0;
  if (to_ < end_) unplanned = static_cast<std::size_t>((end_ - to_ + width_ - 1) / width_);
  return 1 + unplanned;
}

// ---------------------------------------------------------------------------------------------------------------
// WindowPager

bool narrowing_helps(const std::exception_ptr& error) noexcept {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const SoapFault&) {
    return true;
  } catch (const TimeoutError&) {
    return true;
  } catch (const MalformedResponse&) {
    return true;
  } catch (const HttpError& e) {
    return e.http_status().value_or(500) >= 500;
  } catch (...) {
  }
  return false;
}

namespace {
seconds effective_width(const PagingOptions& options, seconds max_width) {
  seconds w = std::min({options.window, options.max_window, max_width});
  return std::max(w, seconds(1));
}
}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Rows returned again

const std::optional<std::string>& no_text() noexcept {
  static const std::optional<std::string> none;
  return none;
}

bool newer_version(const std::optional<std::string>& version, const std::string& before) {
  if (!version || version->empty()) return false;
  const auto now = DateTime::parse(*version), then = DateTime::parse(before);
  if (now && then) return *then < *now;
  return *version != before;
}

bool RecentRows::keep(const std::string& id, const std::optional<std::string>& version, long long horizon) {
  const auto [it, inserted] = rows_.try_emplace(id);
  Entry& e = it->second;
  if (inserted) {
    e.version = version.value_or("");
    e.horizon = horizon;
    return true;
  }
  e.horizon = std::max(e.horizon, horizon);
  if (newer_version(version, e.version)) {
    e.version = *version;
    ++newer_versions_;
    return true;
  }
  ++duplicates_;
  return false;
}

void RecentRows::forget_before(long long t) {
  for (auto it = rows_.begin(); it != rows_.end();) {
    if (it->second.horizon < t) {
      it = rows_.erase(it);
    } else {
      ++it;
    }
  }
}

WindowPager::WindowPager(std::string operation, TimeRange range, const PagingOptions& options, seconds max_width)
    : operation_(std::move(operation)),
      options_(options),
      plan_(range, effective_width(options, max_width), options.min_window),
      last_(range) {
  if (!options_.clock) options_.clock = SystemClock::instance();
  plan_.budgets(options_.row_budget, options_.byte_budget);
}

std::optional<TimeRange> WindowPager::next_window() {
  if (plan_.done()) return std::nullopt;
  if (options_.cancel.cancelled()) {
    throw Cancelled(operation_ + ": cancelled after " + std::to_string(plan_.completed()) + " of " +
                    std::to_string(plan_.completed() + plan_.remaining()) + " windows");
  }
  if (!started_) started_ = options_.clock->now();
  last_ = plan_.current();
  return last_;
}

void WindowPager::failed(std::exception_ptr error) {
  if (narrowing_helps(error) && plan_.split()) {
    ++splits_;
    return;
  }
  std::rethrow_exception(error);
}

bool WindowPager::keep(const std::optional<std::string>& id, const std::optional<std::string>& version,
                       const std::optional<std::string>& paged_at) {
  if (!id || id->empty()) return false;  // a placeholder row
  // A row is remembered while a later window may return it again: until the windows read have moved on past
  // its paging date by more than the margin. Without a paging date, the end of its window stands for it. A
  // date far past the window (a service error) is not trusted beyond the margin.
  const long long end = to_seconds(last_.to);
  const long long margin = std::max<long long>(0, options_.edge_margin.count());
  long long horizon = end;
  if (paged_at) {
    if (const auto t = DateTime::parse(*paged_at)) horizon = std::min(to_seconds(*t), end + margin);
  }
  return recent_.keep(*id, version, horizon);
}

void WindowPager::completed(std::size_t kept) {
  rows_ += kept;
  // The next windows start at this one's end: a row dated more than the margin before it cannot come again.
  recent_.forget_before(to_seconds(last_.to) - std::max<long long>(0, options_.edge_margin.count()));
  plan_.complete();
  if (options_.on_progress) options_.on_progress(progress());
}

void WindowPager::completed(std::size_t kept, std::size_t returned, std::uint64_t bytes) {
  rows_ += kept;
  recent_.forget_before(to_seconds(last_.to) - std::max<long long>(0, options_.edge_margin.count()));
  if (plan_.complete(returned, bytes)) ++over_budget_;
  if (options_.on_progress) options_.on_progress(progress());
}

PagingProgress WindowPager::progress() const {
  PagingProgress p;
  p.operation = operation_;
  p.windows_done = plan_.completed();
  p.windows_total = plan_.completed() + plan_.remaining();
  p.rows = rows_;
  p.duplicates = recent_.duplicates();
  p.newer_versions = recent_.newer_versions();
  p.remembered = recent_.size();
  p.splits = splits_;
  p.over_budget = over_budget_;
  if (started_) p.elapsed = options_.clock->now() - *started_;
  if (p.windows_done > 0) {
    p.remaining =
        p.elapsed / static_cast<long long>(p.windows_done) * static_cast<long long>(p.windows_total - p.windows_done);
  }
  p.window = last_;
  return p;
}

}  // namespace detail

}  // namespace kareo
