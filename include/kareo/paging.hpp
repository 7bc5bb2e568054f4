/// @file
/// @brief Reading every row of a bulk Get call: the all-patients cursor, and date windows for the calls that
/// are paged only by their date filters.
///
/// Tebra has no row limit to page by: Client::all_patients() walks a StartKey cursor, and every other list call returns
/// everything its filter matches, so large periods are read as a series of date windows. The ranges here split
/// a period into windows (never wider than the service tolerates), fetch them one after the other, halve a
/// window that faults or times out, drop placeholder rows (empty ID) and rows already returned by an earlier
/// window (unless the later copy is newer), report progress and stop when cancelled.
///
/// **Adaptive windows.** Every call is paced (one patients read a second per account, ...), so the number of calls
/// sets the time of a read. A ranged read therefore starts with the widest window allowed: the whole period
/// where the service documents no limit (patients: a two-year pull is one call), 59 days where it has its
/// 60-day one (see PagingOptions::max_window), never wider than PagingOptions::window when the caller gives one.
/// It then adapts to what comes back:
/// - a window that faults or times out is halved and fetched again; later windows are no wider than its other
///   half until a window comes back empty (what failed lay elsewhere);
/// - a window that returned more than PagingOptions::row_budget rows or PagingOptions::byte_budget bytes is kept
///   (its rows are returned: see below), and the next windows are narrower: half its width, or less when it was
///   far over the budget (aimed at half the budget, at the density just seen);
/// - a window that came back small (under a quarter of both budgets) lets the next one double, up to the
///   widest allowed; an empty window lets the next one be the widest allowed at once, so an empty stretch costs
///   one call, not one per month.
///
/// The rows of a window over the budget are used, not read again in narrower windows: they are complete and
/// correct (the window was answered whole), the edge rules below do not depend on the width of a window, and
/// reading them again would cost calls and return duplicates to drop. The budgets bound what later windows
/// hold, not the window that revealed the density; a hard limit on one response is Options::max_response_bytes
/// (a response over it fails, and the window is halved).
///
/// Ranges are lazy input ranges: nothing is sent before begin(); each increment that exhausts the rows at hand
/// fetches the next window, and a failure is thrown from there.
/// The list reads of kareo::Client return these ranges (the queries are in kareo/queries.hpp):
/// @code
/// kareo::PatientQuery query;
/// query.filter.PracticeName = "Main Street Clinic";
/// query.last_modified = kareo::TimeRange{kareo::Date(2024, 1, 1), kareo::Date(2025, 1, 1)};
/// query.paging.on_progress = [](const kareo::PagingProgress& p) {
///   std::cerr << p.windows_done << "/" << p.windows_total << "\n";
/// };
/// for (kareo::PatientData& patient : client.patients(query)) { ... }
/// @endcode
/// To hold one row at a time instead of a window's rows, hand them to a function as they arrive (the bulk list
/// responses are parsed while they are read; see PagedRange::for_each_row() for what holds after a failure):
/// @code
/// client.patients(query).for_each_row([&](kareo::PatientData& patient) { write(patient); });
/// @endcode
/// A range shares its Client's state (options and connections): it keeps working after the Client object it was
/// made from is moved from or destroyed. Making a range from a moved-from Client throws kareo::InvalidArgument.
///
/// Window edges are shared (a window starts where the previous one ended), so a row dated exactly on an edge is
/// fetched twice whether the service treats the upper bound as inclusive or not; it is returned once.
/// Bounds at midnight are sent as dates ("5/1/2024"), others as date and time ("05/01/2024 2:30:00 PM").
///
/// **Records that change during a read.** A long read takes a while, and a record may be edited after its
/// window was read: in a read by LastModified dates it then comes again in a later window, and in any read a
/// record near an edge may come again with newer data. The newest version wins: a row whose ID was returned
/// before is returned again when its LastModifiedDate (ModifiedDate for service locations and procedure codes)
/// is newer than that of the copy returned before, and dropped as a duplicate when it is the same or older (or
/// when the row type has no such date). A caller that keeps rows by ID (an upsert, a map) therefore ends with
/// the newest data it was sent. To recognise duplicates a range remembers only the rows whose paging date
/// (the date of the pair it pages by) lies within PagingOptions::edge_margin of the end of the last window
/// read, not every ID of the period: its memory does not grow with the length of the period. For
/// paged_by_date(), whose rows' paging date is not known, it remembers the rows of the windows that ended
/// within edge_margin of the last one (at least the last window). Client::all_patients() remembers the last two
/// batches.
///
/// **Failures.** A failure is thrown from begin() or operator++ and leaves the range where it was: calling
/// begin() again fetches the same window (or all-patients batch) again and goes on from there, with nothing
/// skipped and nothing returned twice. A caller may thus retry a read that failed, e.g. after waiting.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kareo/cancellation.hpp"
#include "kareo/clock.hpp"
#include "kareo/datetime.hpp"
#include "kareo/types.hpp"

namespace kareo {

class Client;

/// A period of civil time, both ends included as far as the service is concerned (both are sent).
struct TimeRange {
  /// The empty period at the epoch (fill in both ends).
  TimeRange() = default;
  /// From `from` to `to`.
  TimeRange(DateTime from, DateTime to) : from(from), to(to) {}
  /// From the start of day `from` to the start of day `to`: what the service reads as the dates from `from` to
  /// `to`, both included (a date-only bound is sent as "M/d/yyyy").
  TimeRange(Date from, Date to) : from(DateTime(from)), to(DateTime(to)) {}
  DateTime from;  ///< The start.
  DateTime to;    ///< The end; not before `from`.
};

/// Which pair of date filters a ranged read pages by.
enum class DateField {
  Created,       ///< FromCreatedDate / ToCreatedDate.
  LastModified,  ///< FromLastModifiedDate / ToLastModifiedDate.
  Service,       ///< Service dates: StartDate / EndDate for appointments, From/ToServiceDate otherwise.
  Posting,       ///< FromPostingDate / ToPostingDate (FromPostDate / ToPostDate for payments).
  Transaction,   ///< FromTransactionDate / ToTransactionDate (transactions only).
};

/// The name of a DateField, e.g. "LastModified".
const char* date_field_name(DateField field) noexcept;

/// Where a ranged read stands; passed to PagingOptions::on_progress after every call.
struct PagingProgress {
  std::string operation;         ///< The operation being paged, as the operation table names it.
  std::size_t windows_done = 0;  ///< Windows (or all-patients batches) fetched so far.
  /// Windows in all, an estimate: those done, plus what is left of the period at the current width. It changes
  /// as the windows narrow or widen (see "Adaptive windows" in the file description), and equals windows_done
  /// at the end. 0 for Client::all_patients(), whose length is not known in advance.
  std::size_t windows_total = 0;
  std::size_t rows = 0;        ///< Rows returned to the caller so far (after dropping duplicates).
  std::size_t duplicates = 0;  ///< Rows dropped because an earlier window had returned the same version.
  /// Rows returned again because they were remembered (see `remembered`) in an older version (counted in
  /// rows). A row edited after it was forgotten is returned again too, as any row not remembered is.
  std::size_t newer_versions = 0;
  /// The rows the range remembers now to recognise duplicates: those near the end of the last window (see the
  /// file description). Stays small however long the period.
  std::size_t remembered = 0;
  std::size_t splits = 0;       ///< Windows halved after a fault or timeout.
  std::size_t over_budget = 0;  ///< Windows that returned more than the row or byte budget (their rows are kept).
  std::chrono::steady_clock::duration elapsed{};  ///< Time since the first call.
  /// Estimated time to finish (from the average time per window so far); empty until one window is done, and
  /// for Client::all_patients().
  std::optional<std::chrono::steady_clock::duration> remaining;
  std::optional<TimeRange> window;  ///< The window just fetched (empty for Client::all_patients()).
};

/// No limit on the width of a window: a century, wider than any period a read asks for.
inline constexpr std::chrono::seconds kUnlimitedWindow = std::chrono::hours(24 * 366 * 100);

/// How a ranged read is split and watched.
struct PagingOptions {
  /// The widest window this read sends: the width of the first window, and the most the windows widen back to
  /// (see "Adaptive windows" in the file description). By default there is no limit but the operation's: a
  /// period with no documented window limit is asked for whole. A width given here stays a maximum; `kareo
  /// --window-days N` sets it.
  std::chrono::seconds window = kUnlimitedWindow;
  /// Another cap on every window (the narrower of `window` and this wins). The reads by service or posting
  /// date that have a 60-day limit (charges, and appointments by service date) never exceed 59 days, whatever this
  /// says: the service refuses windows over 60 days (they fault or silently return nothing), and since both ends are
  /// sent, a window of 60 days would be 61 days to a service that counts both. The limit of each operation is in the
  /// operation table.
  std::chrono::seconds max_window = kUnlimitedWindow;
  /// A window that faults or times out is halved, down to this width; a window this narrow that still fails
  /// lets the failure through. Windows are never narrowed below it for a budget either.
  std::chrono::seconds min_window = std::chrono::hours(1);
  /// A window that returns more rows than this narrows the next ones (its own rows are still returned). 10,000
  /// patients are about 130 MB of XML on the wire. 0: no row budget.
  std::size_t row_budget = 10000;
  /// A window whose response is larger than this many bytes (as read from the network) narrows the next ones
  /// (its own rows are still returned). 0: no byte budget. Only counted where the transport reports the bytes
  /// it read (the built-in one does).
  std::uint64_t byte_budget = std::uint64_t{64} * 1024 * 1024;
  /// Rows whose paging date lies within this margin of the end of the last window read are remembered, to
  /// recognise them when a later window returns them again. It covers a service that reads a date-only bound
  /// ("5/1/2024") as the whole day, and appointments that span an edge.
  std::chrono::seconds edge_margin = std::chrono::hours(48);
  /// Called after every call with the progress so far (on the iterating thread; must not throw).
  std::function<void(const PagingProgress&)> on_progress;
  /// When cancelled, the range stops before its next call and throws kareo::Cancelled.
  CancellationToken cancel;
  /// Measures elapsed time for the progress reports.
  std::shared_ptr<Clock> clock = SystemClock::instance();
};

/// A lazy input range of rows fetched batch by batch. Iterators are single-pass; a failure while fetching the
/// next batch is thrown from `operator++` (or from begin() for the first batch), and begin() called after it
/// asks the source for that batch again. Moving the range keeps iterators valid.
template <typename Row>
class PagedRange {
 public:
  /// Fills its argument with the next batch of rows and returns true, or returns false when there are no more.
  using Source = std::function<bool(std::vector<Row>&)>;

  /// Receives rows one at a time (it may move from the row).
  using RowSink = std::function<void(Row&)>;
  /// Hands the rows of the next batch to its argument one by one, as they are read, and returns true, or returns
  /// false when there are no more.
  using StreamSource = std::function<bool(const RowSink&)>;

  /// A range reading from `source`.
  explicit PagedRange(Source source) : state_(std::make_shared<State>()) { state_->source = std::move(source); }
  /// A range that reads its batches whole with `source` when iterated, and row by row with `stream` in
  /// for_each_row(); both continue the same read.
  PagedRange(Source source, StreamSource stream) : PagedRange(std::move(source)) { state_->stream = std::move(stream); }

 private:
  struct State;  // declared before the iterator names it (clang requires it)

 public:
  /// The single-pass iterator of a PagedRange.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;  ///< Single pass.
    using value_type = Row;                             ///< The row type.
    using difference_type = std::ptrdiff_t;             ///< Required by the iterator concept.
    using pointer = Row*;                               ///< Pointer to a row.
    using reference = Row&;                             ///< Rows may be moved from.

    /// The end iterator.
    iterator() = default;

    /// The current row.
    reference operator*() const { return state_->batch[state_->position]; }
    /// The current row.
    pointer operator->() const { return &state_->batch[state_->position]; }
    /// Moves to the next row, fetching the next batch when needed (may throw).
    iterator& operator++() {
      if (!state_->advance()) state_ = nullptr;
      return *this;
    }
    /// Moves to the next row (may throw).
    void operator++(int) { ++*this; }
    /// Iterators are equal when both are at the end, or both are not (there is only one position).
    friend bool operator==(const iterator& a, const iterator& b) { return a.state_ == b.state_; }
    /// See operator==.
    friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }

   private:
    friend class PagedRange;
    explicit iterator(std::shared_ptr<typename PagedRange::State> state) : state_(std::move(state)) {}
    std::shared_ptr<typename PagedRange::State> state_;
  };

  /// Starts reading (fetches the first batch; may throw) and returns the first row's position. Calling it
  /// again continues where the previous iteration stopped: at the next row, or, when fetching a batch failed
  /// (the failure was thrown from begin() or operator++), by fetching that batch again (may throw again).
  iterator begin() {
    State& s = *state_;
    // Nothing at hand (not started yet, or the last fetch failed): fetch.
    if (!s.finished && s.position >= s.batch.size() && !s.refill()) return end();
    return s.finished ? end() : iterator(state_);
  }
  /// The end position.
  iterator end() { return iterator(); }

  /// Hands every remaining row to `f` (called as `f(row)` with a `Row&` it may move from), in order, holding one
  /// row at a time: the ranges of kareo::Client pass each row on while the response is still being read (the
  /// built-in transport parses the bulk list responses as their bytes arrive), so memory does not grow with the
  /// size of a response. The same rows as iterating: placeholder rows dropped, a row an earlier window returned
  /// passed again only in a newer version, progress reported after each window.
  ///
  /// It continues where an iteration or an earlier for_each_row() stopped. When PagingOptions::cancel is
  /// cancelled it stops between two rows (and before each call) with kareo::Cancelled.
  ///
  /// **A failure after some rows of a window (or of a one-call read) were passed to `f`**: the rows passed stay
  /// passed, and the failure is thrown (after the retry layer's resends, and after halving the window when that
  /// may help, as for iteration). Calling for_each_row() again (or begin()) reads that window again from its
  /// start and skips the rows already passed, unless the service now returns them in a newer version (a newer
  /// LastModifiedDate), which are passed again; a resend by the retry layer skips them the same way. So nothing
  /// is skipped and nothing is passed twice in the same version. A row counts as passed once `f` was called
  /// with it, also when `f` threw; an exception from `f` ends the read (the response is abandoned) and comes
  /// out of for_each_row() unchanged. The service's own failure reports (ErrorResponse, SecurityResponse) are
  /// checked when the response is complete: a response that reports one after rows throws after passing them.
  template <typename F>
  void for_each_row(F&& f) {
    State& s = *state_;
    while (!s.finished) {
      // The rows at hand first: an iteration stopped part way, or a range without a row-by-row source.
      while (s.position < s.batch.size()) f(s.batch[s.position++]);
      if (s.stream) {
        s.batch.clear();
        s.position = 0;
        if (!s.stream(RowSink(std::ref(f)))) s.finished = true;
      } else if (!s.refill()) {
        break;
      }
    }
  }

  /// Reads every remaining row into a vector. A batch read whole (a one-call read's rows) becomes the vector
  /// without a row being moved; later batches are appended.
  std::vector<Row> collect() {
    State& s = *state_;
    std::vector<Row> out;
    while (!s.finished) {
      if (s.position >= s.batch.size() && !s.refill()) break;
      if (out.empty() && s.position == 0) {
        out = std::move(s.batch);
      } else {
        out.reserve(out.size() + (s.batch.size() - s.position));
        for (std::size_t i = s.position; i < s.batch.size(); ++i) out.push_back(std::move(s.batch[i]));
      }
      s.batch.clear();
      s.position = 0;
    }
    return out;
  }

 private:
  struct State {
    Source source;
    StreamSource stream;
    std::vector<Row> batch;
    std::size_t position = 0;
    bool finished = false;
    // Loads the next non-empty batch; false at the end. A source that throws leaves the batch empty, and is
    // called again by the next begin().
    bool refill() {
      batch.clear();
      position = 0;
      while (!finished) {
        if (!source(batch)) {
          finished = true;
          batch.clear();
          return false;
        }
        if (!batch.empty()) return true;
      }
      return false;
    }
    bool advance() {
      if (++position < batch.size()) return true;
      return refill();
    }
  };
  std::shared_ptr<State> state_;
};

namespace detail {

/// Civil seconds since 1970-01-01T00:00:00 (no time zone).
long long to_seconds(const DateTime& t) noexcept;
/// The inverse of to_seconds().
DateTime from_seconds(long long seconds);
/// The text a Filter date member gets: "M/d/yyyy" at midnight, "MM/dd/yyyy h:mm:ss tt" otherwise.
std::string filter_text(const DateTime& t);

/// The windows of a period, with halving and adaptive widths. Windows share their edges.
class WindowPlan {
 public:
  /// Cuts `range` into windows of at most `width` (at least one second), halving no narrower than `min_width`.
  WindowPlan(TimeRange range, std::chrono::seconds width, std::chrono::seconds min_width);
  /// Sets the budgets complete(rows, bytes) adapts the width to (0: none).
  void budgets(std::size_t rows, std::uint64_t bytes) noexcept {
    row_budget_ = rows;
    byte_budget_ = bytes;
  }
  /// True when every window was completed.
  bool done() const noexcept { return done_; }
  /// The window to fetch next (undefined when done()).
  TimeRange current() const;
  /// The current window was fetched: move on, at the same width.
  void complete();
  /// The current window was fetched and returned `rows` rows in `bytes` bytes: move on, narrowing the next
  /// windows when it was over a budget, widening them when it was small (see the description of paging.hpp).
  /// True when it was over a budget.
  bool complete(std::size_t rows, std::uint64_t bytes);
  /// The current window failed: it becomes its first half, and the windows after it are no wider than its
  /// second half. False (nothing changed) when it is already at the minimum width.
  bool split();
  /// Windows completed so far.
  std::size_t completed() const noexcept { return completed_; }
  /// Windows not yet completed, an estimate: the current one and the rest of the period at the current width.
  std::size_t remaining() const noexcept;
  /// The width of the next windows planned, in seconds.
  long long width() const noexcept { return width_; }

 private:
  long long widest_;   // the widest window allowed
  long long width_;    // the width of the next windows planned
  long long ceiling_;  // the widest width allowed now (below a width that failed, until an empty window)
  long long min_width_;
  long long end_;
  long long from_, to_ = 0;  // the current window
  bool done_ = false;
  std::size_t completed_ = 0;
  std::size_t row_budget_ = 0;
  std::uint64_t byte_budget_ = 0;
};

/// True for the failures that a narrower window may avoid: SOAP faults, timeouts, too-large or truncated
/// responses.
bool narrowing_helps(const std::exception_ptr& error) noexcept;

/// True when `version` (a LastModifiedDate) is newer than `before`: both parsed and later, or, when either
/// cannot be parsed, different and not empty.
bool newer_version(const std::optional<std::string>& version, const std::string& before);

/// Recognises rows returned again (by a later window, or the next all-patients batch), remembering only the
/// rows near the end of what was read; see the description of paging.hpp.
class RecentRows {
 public:
  /// True when the row is to be returned: an ID not remembered, or a newer `version` of one (see
  /// newer_version()). The row is remembered until forget_before(t) for a t after `horizon`.
  bool keep(const std::string& id, const std::optional<std::string>& version, long long horizon);
  /// Forgets the rows whose horizon is before `t`.
  void forget_before(long long t);
  /// Rows remembered now.
  std::size_t size() const noexcept { return rows_.size(); }
  /// Rows dropped as duplicates so far.
  std::size_t duplicates() const noexcept { return duplicates_; }
  /// Rows returned again as newer versions so far.
  std::size_t newer_versions() const noexcept { return newer_versions_; }

 private:
  struct Entry {
    std::string version;
    long long horizon = 0;
  };
  std::unordered_map<std::string, Entry> rows_;
  std::size_t duplicates_ = 0;
  std::size_t newer_versions_ = 0;
};

/// The bookkeeping of a windowed read that does not depend on the row type.
class WindowPager {
 public:
  /// Pages `range` of `operation` under `options`; `max_width` caps the window width.
  WindowPager(std::string operation, TimeRange range, const PagingOptions& options, std::chrono::seconds max_width);
  /// The next window to fetch, or empty when done. Throws kareo::Cancelled when cancelled.
  std::optional<TimeRange> next_window();
  /// The current window failed with `error`: halves it, or rethrows `error` when halving cannot help.
  void failed(std::exception_ptr error);
  /// True when a row of the current window is to be returned: false for placeholder rows (no ID) and for rows
  /// an earlier window (or this one) returned in the same or a newer version. `version` is the row's
  /// LastModifiedDate (empty when the row type has none), `paged_at` the date the read pages by (empty when
  /// not known).
  bool keep(const std::optional<std::string>& id, const std::optional<std::string>& version,
            const std::optional<std::string>& paged_at);
  /// The current window was fetched and `kept` rows were kept; forgets the rows no later window can return
  /// again and reports progress. The next windows keep their width.
  void completed(std::size_t kept);
  /// As completed(kept), for a window that returned `returned` rows (placeholders and duplicates included) in
  /// a response of `bytes` bytes (0: not known): the next windows narrow or widen (see paging.hpp).
  void completed(std::size_t kept, std::size_t returned, std::uint64_t bytes);
  /// Rows remembered to recognise duplicates.
  std::size_t remembered() const noexcept { return recent_.size(); }

 private:
  PagingProgress progress() const;
  std::string operation_;
  PagingOptions options_;
  WindowPlan plan_;
  RecentRows recent_;
  std::size_t rows_ = 0;
  std::size_t splits_ = 0;
  std::size_t over_budget_ = 0;
  std::optional<Clock::time_point> started_;
  TimeRange last_;
};

/// The rows a one-call read passed on one at a time, to skip them when the call is made again after a
/// failure (see PagedRange::for_each_row): 16 bytes a row when the ID is a number and the version a date (the
/// service's IDs are), so that reading a large response row by row stays near constant in memory.
class PassedRows {
 public:
  /// Records the row; after failed(), false when it was passed before in the same or a newer version (see
  /// newer_version()). Rows that come twice in one reading are not looked for.
  bool pass(const std::string& id, const std::optional<std::string>& version);
  /// The read failed, or is being resent: the rows passed so far are looked up from now on.
  void failed();
  /// Whether failed() was called since the last clear(): rows may have been passed before.
  bool resuming() const noexcept { return looking_; }
  /// The read completed: forgets every row.
  void clear();

 private:
  std::vector<std::pair<long long, long long>> numeric_;  // (ID, version in seconds; LLONG_MIN: none)
  std::size_t sorted_ = 0;                                // numeric_[0, sorted_) is sorted, from earlier attempts
  std::unordered_map<std::string, std::string> other_;    // IDs or versions that are not numbers and dates
  bool looking_ = false;                                  // a failure happened: look rows up
};

/// An empty optional string: the version of rows without a last-modified date, the paging date when unknown.
const std::optional<std::string>& no_text() noexcept;

/// Whether `Row` has a member `LastModifiedDate` of type std::optional<std::string>.
template <typename Row, typename = void>
struct HasLastModifiedDate : std::false_type {};
/// See the primary template.
template <typename Row>
struct HasLastModifiedDate<Row, std::void_t<decltype(std::declval<const Row&>().LastModifiedDate)>>
    : std::is_same<std::decay_t<decltype(std::declval<const Row&>().LastModifiedDate)>, std::optional<std::string>> {};
/// Whether `Row` has a member `ModifiedDate` of type std::optional<std::string>.
template <typename Row, typename = void>
struct HasModifiedDate : std::false_type {};
/// See the primary template.
template <typename Row>
struct HasModifiedDate<Row, std::void_t<decltype(std::declval<const Row&>().ModifiedDate)>>
    : std::is_same<std::decay_t<decltype(std::declval<const Row&>().ModifiedDate)>, std::optional<std::string>> {};

/// The version of a row: its LastModifiedDate (ModifiedDate for service locations and procedure codes), or
/// no_text() for a type that has neither.
template <typename Row>
const std::optional<std::string>& row_version(const Row& row) {
  if constexpr (HasLastModifiedDate<Row>::value) {
    return row.LastModifiedDate;
  } else if constexpr (HasModifiedDate<Row>::value) {
    return row.ModifiedDate;
  } else {
    (void)row;
    return no_text();
  }
}

}  // namespace detail
}  // namespace kareo

#include "kareo/paging_windows.hpp"

namespace kareo {

/// Every row of a date-filtered list call over `range`, fetched window by window with `fetch` (which sends one
/// call for the window it is given). The building block of the functions below; use it for filters they do
/// not cover. `operation` names the call in progress reports.
template <typename Row>
PagedRange<Row> paged_by_date(std::string operation, TimeRange range,
                              std::function<std::vector<Row>(const TimeRange&)> fetch,
                              const PagingOptions& options = {}) {
  return PagedRange<Row>(
      detail::window_source<Row>(std::move(operation), range, options, options.max_window, std::move(fetch)));
}

/// How Client::all_patients() walks the StartKey cursor.
struct AllPatientsOptions {
  /// Patients per call, 1..1000.
  int batch_size = 1000;
  /// The StartKey of the first call (0: from the beginning); resume with the key of a progress report.
  int start_key = 0;
  /// Called after every batch (windows_done counts batches; windows_total stays 0).
  std::function<void(const PagingProgress&)> on_progress;
  /// When cancelled, the range stops before its next call and throws kareo::Cancelled.
  CancellationToken cancel;
  /// Measures elapsed time for the progress reports.
  std::shared_ptr<Clock> clock = SystemClock::instance();
};

/// The query of Client::all_patients(): every patient of practice `practice_id`, batch
/// after batch along the StartKey / nextStartKey cursor. The walk ends at an empty batch, or when the service
/// returns no next key, a key of 0 or less, or a key it returned before. A patient the next batch returns again
/// is dropped, unless its LastModifiedDate is newer (then it is returned again); the walk remembers the IDs of
/// its last two batches.
struct AllPatientsQuery {
  /// The practice whose patients are read (required, 1 or more).
  int practice_id = 0;
  /// The columns to return; empty (the default): every column.
  PatientBatchFieldsToReturn fields;
  /// The batch size, where to start, progress reports and cancellation.
  AllPatientsOptions paging;
};

}  // namespace kareo
