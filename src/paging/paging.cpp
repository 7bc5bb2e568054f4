#include "kareo/paging.hpp"

#include <algorithm>
#include <set>

#include "kareo/client.hpp"
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
    : width_(std::max<long long>(1, width.count())),
      min_width_(std::max<long long>(1, min_width.count())),
      end_(to_seconds(range.to)),
      next_start_(to_seconds(range.from)) {
  if (end_ < next_start_) throw InvalidArgument("the end of a date range is before its start");
  // The first window is planned even for an empty period [t, t].
  const long long b = std::min(end_, next_start_ + width_);
  pending_.emplace_back(next_start_, b);
  next_start_ = b;
}

void WindowPlan::plan_next() {
  if (next_start_ >= end_) return;
  const long long b = std::min(end_, next_start_ + width_);
  pending_.emplace_back(next_start_, b);
  next_start_ = b;
}

TimeRange WindowPlan::current() const {
  const auto& w = pending_.back();
  return {from_seconds(w.first), from_seconds(w.second)};
}

void WindowPlan::complete() {
  if (pending_.empty()) return;
  pending_.pop_back();
  ++completed_;
  if (pending_.empty()) plan_next();
}

bool WindowPlan::split() {
  if (pending_.empty()) return false;
  const auto [a, b] = pending_.back();
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
  pending_.pop_back();
  pending_.emplace_back(cut, b);
  pending_.emplace_back(a, cut);
  return true;
}

std::size_t WindowPlan::remaining() const noexcept {
  std::size_t unplanned = 0;
  if (next_start_ < end_) unplanned = static_cast<std::size_t>((end_ - next_start_ + width_ - 1) / width_);
  return pending_.size() + unplanned;
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
  if (started_) p.elapsed = options_.clock->now() - *started_;
  if (p.windows_done > 0) {
    p.remaining =
        p.elapsed / static_cast<long long>(p.windows_done) * static_cast<long long>(p.windows_total - p.windows_done);
  }
  p.window = last_;
  return p;
}

}  // namespace detail

// -----------------------------------------------------------------------------------------------------------------
// The list calls

namespace {

// GetCharges and GetAppointments by service date refuse windows over 60 days. Both ends of a window are sent;
// if the service counts both, 60 days from one end to the other would be 61: keep a day of margin.
constexpr seconds kLimitedWindow = std::chrono::hours(24 * 59);
constexpr seconds kUnlimited = std::chrono::hours(24 * 366 * 100);

template <typename Filter>
struct DatePair {
  std::optional<std::string> Filter::*from;
  std::optional<std::string> Filter::*to;
};

[[noreturn]] void unsupported(Operation op, DateField field) {
  throw InvalidArgument(std::string(operation_name(op)) + " cannot be paged by " + date_field_name(field) + " dates",
                        op);
}

template <typename Filter>
DatePair<Filter> created_or_modified(Operation op, DateField field) {
  if (field == DateField::Created) return {&Filter::FromCreatedDate, &Filter::ToCreatedDate};
  if (field == DateField::LastModified) return {&Filter::FromLastModifiedDate, &Filter::ToLastModifiedDate};
  unsupported(op, field);
}

// The row member holding the Created or LastModified date (ModifiedDate where the row type has no
// LastModifiedDate).
template <typename Row>
std::optional<std::string> Row::*created_or_modified_member(DateField field) {
  if (field == DateField::Created) return &Row::CreatedDate;
  if constexpr (detail::HasLastModifiedDate<Row>::value) {
    return &Row::LastModifiedDate;
  } else {
    return &Row::ModifiedDate;
  }
}

void check_range(Operation op, const TimeRange& range) {
  if (range.to < range.from) {
    throw InvalidArgument(std::string(operation_name(op)) + ": the end of the date range is before its start", op);
  }
}

// The PagedRange of list method `method` of Client, with `pair` set per window; `paged_at` is the row member
// holding the date `pair` filters on.
template <typename Row, typename Filter, typename Fields, typename Method>
PagedRange<Row> ranged(Client& client, Operation op, Method method, Filter filter, Fields fields, DatePair<Filter> pair,
                       TimeRange range, const PagingOptions& options, seconds max_width,
                       std::optional<std::string> Row::*paged_at) {
  check_range(op, range);
  // The range shares the client's state: it outlives the Client object (moved from or destroyed).
  std::shared_ptr<Client> c = detail::share_client(client);
  auto fetch = [c, method, filter = std::move(filter), fields = std::move(fields), pair](const TimeRange& w) {
    Filter f = filter;
    f.*pair.from = detail::filter_text(w.from);
    f.*pair.to = detail::filter_text(w.to);
    return ((*c).*method)(std::move(f), fields);
  };
  return PagedRange<Row>(detail::window_source<Row>(std::string(operation_name(op)), range, options, max_width,
                                                    std::move(fetch), paged_at));
}

}  // namespace

PagedRange<PatientData> patients_by_date(Client& client, PatientFilter filter, DateField field, TimeRange range,
                                         const PagingOptions& options, PatientFieldsToReturn fields) {
  const auto op = Operation::GetPatients;
  return ranged<PatientData>(client, op, &Client::get_patients, std::move(filter), std::move(fields),
                             created_or_modified<PatientFilter>(op, field), range, options, kUnlimited,
                             created_or_modified_member<PatientData>(field));
}

PagedRange<AppointmentData> appointments_by_date(Client& client, AppointmentFilter filter, DateField field,
                                                 TimeRange range, const PagingOptions& options,
                                                 AppointmentFieldsToReturn fields) {
  const auto op = Operation::GetAppointments;
  DatePair<AppointmentFilter> pair{};
  seconds max_width = kUnlimited;
  std::optional<std::string> AppointmentData::*paged_at = nullptr;
  if (field == DateField::Service) {
    pair = {&AppointmentFilter::StartDate, &AppointmentFilter::EndDate};
    max_width = kLimitedWindow;
    paged_at = &AppointmentData::StartDate;
  } else {
    pair = created_or_modified<AppointmentFilter>(op, field);
    paged_at = created_or_modified_member<AppointmentData>(field);
  }
  return ranged<AppointmentData>(client, op, &Client::get_appointments, std::move(filter), std::move(fields), pair,
                                 range, options, max_width, paged_at);
}

PagedRange<ChargeData> charges_by_date(Client& client, ChargeFilter filter, DateField field, TimeRange range,
                                       const PagingOptions& options, ChargeFieldsToReturn fields) {
  const auto op = Operation::GetCharges;
  DatePair<ChargeFilter> pair{};
  std::optional<std::string> ChargeData::*paged_at = nullptr;
  switch (field) {
    case DateField::Posting:
      pair = {&ChargeFilter::FromPostingDate, &ChargeFilter::ToPostingDate};
      paged_at = &ChargeData::PostingDate;
      break;
    case DateField::Service:
      pair = {&ChargeFilter::FromServiceDate, &ChargeFilter::ToServiceDate};
      paged_at = &ChargeData::ServiceStartDate;
      break;
    default:
      pair = created_or_modified<ChargeFilter>(op, field);
      paged_at = created_or_modified_member<ChargeData>(field);
  }
  return ranged<ChargeData>(client, op, &Client::get_charges, std::move(filter), std::move(fields), pair, range,
                            options, kLimitedWindow, paged_at);
}

PagedRange<PaymentData> payments_by_date(Client& client, PaymentFilter filter, DateField field, TimeRange range,
                                         const PagingOptions& options, PaymentFieldsToReturn fields) {
  const auto op = Operation::GetPayments;
  DatePair<PaymentFilter> pair{};
  std::optional<std::string> PaymentData::*paged_at = nullptr;
  if (field == DateField::Posting) {
    pair = {&PaymentFilter::FromPostDate, &PaymentFilter::ToPostDate};
    paged_at = &PaymentData::PostDate;
  } else {
    pair = created_or_modified<PaymentFilter>(op, field);
    paged_at = created_or_modified_member<PaymentData>(field);
  }
  return ranged<PaymentData>(client, op, &Client::get_payments, std::move(filter), std::move(fields), pair, range,
                             options, kUnlimited, paged_at);
}

PagedRange<TransactionData> transactions_by_date(Client& client, TransactionFilter filter, DateField field,
                                                 TimeRange range, const PagingOptions& options,
                                                 TransactionFieldsToReturn fields) {
  const auto op = Operation::GetTransactions;
  DatePair<TransactionFilter> pair{};
  std::optional<std::string> TransactionData::*paged_at = nullptr;
  switch (field) {
    case DateField::Transaction:
      pair = {&TransactionFilter::FromTransactionDate, &TransactionFilter::ToTransactionDate};
      paged_at = &TransactionData::TransactionDate;
      break;
    case DateField::Posting:
      pair = {&TransactionFilter::FromPostingDate, &TransactionFilter::ToPostingDate};
      paged_at = &TransactionData::PostingDate;
      break;
    case DateField::Service:
      pair = {&TransactionFilter::FromServiceDate, &TransactionFilter::ToServiceDate};
      paged_at = &TransactionData::ServiceDate;
      break;
    case DateField::LastModified:
      pair = {&TransactionFilter::FromLastModifiedDate, &TransactionFilter::ToLastModifiedDate};
      paged_at = &TransactionData::LastModifiedDate;
      break;
    default:
      unsupported(op, field);
  }
  return ranged<TransactionData>(client, op, &Client::get_transactions, std::move(filter), std::move(fields), pair,
                                 range, options, kUnlimited, paged_at);
}

PagedRange<ProviderData> providers_by_date(Client& client, ProviderFilter filter, DateField field, TimeRange range,
                                           const PagingOptions& options, ProviderFieldsToReturn fields) {
  const auto op = Operation::GetProviders;
  return ranged<ProviderData>(client, op, &Client::get_providers, std::move(filter), std::move(fields),
                              created_or_modified<ProviderFilter>(op, field), range, options, kUnlimited,
                              created_or_modified_member<ProviderData>(field));
}

PagedRange<PracticeData> practices_by_date(Client& client, PracticeFilter filter, DateField field, TimeRange range,
                                           const PagingOptions& options, PracticeFieldsToReturn fields) {
  const auto op = Operation::GetPractices;
  return ranged<PracticeData>(client, op, &Client::get_practices, std::move(filter), std::move(fields),
                              created_or_modified<PracticeFilter>(op, field), range, options, kUnlimited,
                              created_or_modified_member<PracticeData>(field));
}

PagedRange<ServiceLocationData> service_locations_by_date(Client& client, ServiceLocationFilter filter, DateField field,
                                                          TimeRange range, const PagingOptions& options,
                                                          ServiceLocationFieldsToReturn fields) {
  const auto op = Operation::GetServiceLocations;
  return ranged<ServiceLocationData>(client, op, &Client::get_service_locations, std::move(filter), std::move(fields),
                                     created_or_modified<ServiceLocationFilter>(op, field), range, options, kUnlimited,
                                     created_or_modified_member<ServiceLocationData>(field));
}

PagedRange<ProcedureCodeData> procedure_codes_by_date(Client& client, ProcedureCodeFilter filter, DateField field,
                                                      TimeRange range, const PagingOptions& options,
                                                      ProcedureCodeFieldsToReturn fields) {
  const auto op = Operation::GetProcedureCodes;
  return ranged<ProcedureCodeData>(client, op, &Client::get_procedure_codes, std::move(filter), std::move(fields),
                                   created_or_modified<ProcedureCodeFilter>(op, field), range, options, kUnlimited,
                                   created_or_modified_member<ProcedureCodeData>(field));
}

// -----------------------------------------------------------------------------------------------------------------
// GetAllPatients

PagedRange<PatientBatchData> all_patients(Client& client, int practice_id, const AllPatientsOptions& options,
                                          PatientBatchFieldsToReturn fields) {
  const auto op = Operation::GetAllPatients;
  if (options.batch_size < 1 || options.batch_size > 1000) {
    throw InvalidArgument("GetAllPatients: the batch size must be between 1 and 1000", op);
  }
  if (practice_id < 1) throw InvalidArgument("GetAllPatients: a practice ID is required", op);

  struct Walk {
    std::shared_ptr<Client> client;  // shares the client's state: outlives the Client object
    int practice_id = 0;
    AllPatientsOptions options;
    PatientBatchFieldsToReturn fields;
    int key = 0;
    bool done = false;
    std::set<int> keys_used;
    // The IDs of the last batches, to drop a patient the next batch returns again (the horizon of a row is
    // the number of the batch that returned it).
    detail::RecentRows recent;
    std::size_t batches = 0, rows = 0;
    std::optional<Clock::time_point> started;
  };
  auto walk = std::make_shared<Walk>();
  walk->client = detail::share_client(client);
  walk->practice_id = practice_id;
  walk->options = options;
  walk->fields = std::move(fields);
  walk->key = options.start_key;
  if (!walk->options.clock) walk->options.clock = SystemClock::instance();

  return PagedRange<PatientBatchData>([walk](std::vector<PatientBatchData>& out) {
    Walk& w = *walk;
    if (w.done) return false;
    if (w.options.cancel.cancelled()) {
      throw Cancelled("GetAllPatients: cancelled after " + std::to_string(w.batches) +
                      " batches (resume with "
                      "start key " +
                      std::to_string(w.key) + ")");
    }
    if (!w.started) w.started = w.options.clock->now();
    GetAllPatientsReq request;
    request.Fields = std::make_shared<PatientBatchFieldsToReturn>(w.fields);
    request.Filter = std::make_shared<PatientBatchGetFilter>();
    request.Filter->BatchSize = w.options.batch_size;
    request.Filter->PracticeID = w.practice_id;
    request.Filter->StartKey = w.key;
    GetAllPatientsResp response = w.client->get_all_patients_raw(std::move(request));
    w.keys_used.insert(w.key);
    ++w.batches;

    std::size_t received = 0;
    const auto batch = static_cast<long long>(w.batches);
    if (response.Patients) {
      for (auto& row : response.Patients->PatientBatchData) {
        if (!row) continue;
        ++received;
        if (!row->ID || row->ID->empty()) continue;
        if (!w.recent.keep(*row->ID, row->LastModifiedDate, batch)) continue;
        out.push_back(std::move(*row));
        out.back().soap = nullptr;
        ++w.rows;
      }
    }
    w.recent.forget_before(batch - 1);  // keep this batch and the one before
    const std::optional<int> next = response.Key ? response.Key->nextStartKey : std::nullopt;
    if (received == 0 || !next || *next <= 0 || w.keys_used.count(*next) != 0) {
      w.done = true;
    } else {
      w.key = *next;
    }
    if (w.options.on_progress) {
      PagingProgress p;
      p.operation = "GetAllPatients";
      p.windows_done = w.batches;
      p.rows = w.rows;
      p.duplicates = w.recent.duplicates();
      p.newer_versions = w.recent.newer_versions();
      p.remembered = w.recent.size();
      p.elapsed = w.options.clock->now() - *w.started;
      w.options.on_progress(p);
    }
    return true;
  });
}

}  // namespace kareo
