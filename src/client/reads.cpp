// The reads of kareo::Client: the list reads as lazy ranges over a query (one call, or one call per date window),
// and the single-record reads. What differs per operation (types, date pairs, rows) comes from the operation
// table (kareo_reads.hpp, kareo/queries.hpp); the checks of each filter are here.
#include <cctype>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include "client/row_call.hpp"
#include "kareo/client.hpp"
#include "kareo_reads.hpp"
#include "wire_helpers.hpp"

namespace kareo {
namespace {

using std::chrono::seconds;

bool blank(const std::optional<std::string>& s) {
  if (!s) return true;
  for (char c : *s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}
bool blank(const std::optional<int>& v) { return !v.has_value(); }
// A row's ID as text (the ID of a row that is passed on is never blank).
const std::string& id_text(const std::optional<std::string>& id) { return *id; }
std::string id_text(const std::optional<int>& id) { return std::to_string(*id); }

std::string name_of(Operation op) { return std::string(operation_name(op)); }

void require_pair(Operation op, const std::optional<std::string>& from, const std::optional<std::string>& to,
                  const char* from_name, const char* to_name) {
  if (blank(from) != blank(to)) {
    throw InvalidArgument(
        name_of(op) + ": a date range needs both ends; give " + from_name + " and " + to_name + " together", op);
  }
}

#define KAREO_PAIR(op, f, X) require_pair(op, f.From##X, f.To##X, "From" #X, "To" #X)

template <typename Filter>
void require_some(Operation op, const Filter& f) {
  if (!detail::any_set(f)) {
    throw InvalidArgument(name_of(op) +
                              ": give at least one filter member or date range (the service refuses unfiltered "
                              "calls); PracticeName is the usual one",
                          op);
  }
}

// The checks of each filter before it is sent (its date pairs already set from the query's ranges).
void check(Operation op, AppointmentFilter& f) {
  require_some(op, f);
  require_pair(op, f.StartDate, f.EndDate, "StartDate", "EndDate");
  KAREO_PAIR(op, f, CreatedDate);
  KAREO_PAIR(op, f, LastModifiedDate);
}

void check(Operation op, ChargeFilter& f) {
  // The service knows "T" only: a boolean spelled otherwise would silently leave unapproved charges out.
  if (f.IncludeUnapprovedCharges) {
    std::string v;
    for (char ch : *f.IncludeUnapprovedCharges) {
      if (!std::isspace(static_cast<unsigned char>(ch)))
        v += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (v == "t" || v == "true" || v == "1" || v == "yes") {
      include_unapproved_charges(f, true);
    } else if (v.empty() || v == "f" || v == "false" || v == "0" || v == "no") {
      include_unapproved_charges(f, false);
    } else {
      throw InvalidArgument(
          name_of(op) +
              ": IncludeUnapprovedCharges must be \"T\" (include the charges of unapproved encounters) or "
              "absent, not \"" +
              *f.IncludeUnapprovedCharges + "\"; use kareo::include_unapproved_charges()",
          op);
    }
  }
  require_some(op, f);
  KAREO_PAIR(op, f, CreatedDate);
  KAREO_PAIR(op, f, LastModifiedDate);
  KAREO_PAIR(op, f, PostingDate);
  KAREO_PAIR(op, f, ServiceDate);
}

void check(Operation op, EncounterDetailsFilter& f) {
  if (blank(f.EncounterID)) throw InvalidArgument(name_of(op) + ": give the EncounterID", op);
}

void check(Operation op, PatientFilter& f) {
  if (blank(f.PracticeName) && blank(f.PracticeID)) {
    throw InvalidArgument(name_of(op) + ": give PracticeName or PracticeID in the filter", op);
  }
  KAREO_PAIR(op, f, CreatedDate);
  KAREO_PAIR(op, f, DateOfBirth);
  KAREO_PAIR(op, f, LastEncounterDate);
  KAREO_PAIR(op, f, LastModifiedDate);
}

void check(Operation op, PaymentFilter& f) {
  require_some(op, f);
  KAREO_PAIR(op, f, CreatedDate);
  KAREO_PAIR(op, f, LastModifiedDate);
  KAREO_PAIR(op, f, PostDate);
}

template <typename Filter>
void check_created_modified(Operation op, Filter& f) {
  KAREO_PAIR(op, f, CreatedDate);
  KAREO_PAIR(op, f, LastModifiedDate);
}
void check(Operation op, PracticeFilter& f) { check_created_modified(op, f); }
void check(Operation op, ProcedureCodeFilter& f) { check_created_modified(op, f); }
void check(Operation op, ProviderFilter& f) { check_created_modified(op, f); }
void check(Operation op, ServiceLocationFilter& f) { check_created_modified(op, f); }

void check(Operation op, TransactionFilter& f) {
  require_some(op, f);
  KAREO_PAIR(op, f, LastModifiedDate);
  KAREO_PAIR(op, f, PostingDate);
  KAREO_PAIR(op, f, ServiceDate);
  KAREO_PAIR(op, f, TransactionDate);
}

// The rows of a result, moved out, placeholder rows (empty ID) dropped. Each row lets go of its storage as soon
// as it has moved: rows read by the streaming reader share blocks that are unmapped when their last row goes
// (src/transport/fast_reader.hpp), so the result and the returned rows are never both resident in full.
template <Operation Op>
std::vector<typename reads::Read<Op>::Row> take_rows(typename reads::Read<Op>::Result& result) {
  using R = reads::Read<Op>;
  std::vector<typename R::Row> out;
  auto* in = R::rows(result);
  if (!in) return out;
  out.reserve(in->size());
  for (auto& p : *in) {
    if (p && !blank((*p).*R::id)) out.push_back(std::move(*p));
    p.reset();
  }
  in->clear();
  return out;
}

// One call of list read `Op` with `filter` (checked here) and `fields`.
template <Operation Op>
std::vector<typename reads::Read<Op>::Row> fetch(Client& client, typename reads::Read<Op>::Filter filter,
                                                 const typename reads::Read<Op>::Fields& fields,
                                                 const CallOptions& options) {
  using R = reads::Read<Op>;
  check(Op, filter);
  typename wire::Traits<Op>::Payload request;
  request.Filter = std::make_shared<typename R::Filter>(std::move(filter));
  request.Fields = std::make_shared<typename R::Fields>(fields);
  auto result = client.call<Op>(std::move(request), options);
  return take_rows<Op>(result);
}

// One call of list read `Op` whose rows are passed to `sink` one at a time as they are read (placeholder rows
// dropped); the rows a connection did not pass on as they arrived are passed after the call. `resent` is called
// before the rows of an attempt that follows one that passed rows (a resend by the retry layer).
template <Operation Op>
void stream_rows(Client& client, typename wire::Traits<Op>::Payload request, const CallOptions& options,
                 const std::function<void(typename reads::Read<Op>::Row&)>& sink,
                 const std::function<void()>& resent = nullptr) {
  using R = reads::Read<Op>;
  using Row = typename R::Row;
  auto pass = [&sink](std::shared_ptr<Row> p) {
    if (!p || blank((*p).*R::id)) return;
    sink(*p);   // the row where it was read: no copy of its 194 members
    p.reset();  // its storage goes now (the streaming reader's blocks are unmapped when their last row goes)
  };
  int passing = 0;  // the attempt whose rows are being passed
  auto result =
      detail::RowCall::call<Op>(client, std::move(request), options, [&](std::shared_ptr<void> p, int attempt) {
        if (attempt != passing) {
          if (passing != 0 && resent) resent();
          passing = attempt;
        }
        pass(std::static_pointer_cast<Row>(std::move(p)));
      });
  auto* in = R::rows(result);
  if (in && !in->empty() && passing != 0 && resent) resent();
  if (in) {
    for (auto& p : *in) pass(std::move(p));
  }
}

// `stream_rows` with `filter` (checked here) and `fields`.
template <Operation Op>
void fetch_rows(Client& client, typename reads::Read<Op>::Filter filter, const typename reads::Read<Op>::Fields& fields,
                const CallOptions& options, const std::function<void(typename reads::Read<Op>::Row&)>& sink,
                const std::function<void()>& resent = nullptr) {
  using R = reads::Read<Op>;
  check(Op, filter);
  typename wire::Traits<Op>::Payload request;
  request.Filter = std::make_shared<typename R::Filter>(std::move(filter));
  request.Fields = std::make_shared<typename R::Fields>(fields);
  stream_rows<Op>(client, std::move(request), options, sink, resent);
}

// A range that makes one call: `fetch_all` returns its rows, `stream_all` passes them one at a time (and calls its
// second argument when the retry layer resends the call after rows were passed). A resend, or a call made again
// after a failure of `stream_all`, skips the rows already passed (detail::PassedRows).
template <Operation Op>
PagedRange<typename reads::Read<Op>::Row> one_call(
    std::function<std::vector<typename reads::Read<Op>::Row>()> fetch_all,
    std::function<void(const std::function<void(typename reads::Read<Op>::Row&)>&, const std::function<void()>&)>
        stream_all,
    CancellationToken cancel = {}) {
  using R = reads::Read<Op>;
  using Row = typename R::Row;
  struct State {
    bool done = false;
    detail::PassedRows passed;
  };
  auto state = std::make_shared<State>();
  auto batch = [state, fetch_all = std::move(fetch_all)](std::vector<Row>& out) {
    if (state->done) return false;
    std::vector<Row> rows = fetch_all();
    // After a for_each_row() that failed part way, the rows it passed are skipped.
    const bool resuming = state->passed.resuming();
    if (!resuming && out.empty()) {
      out = std::move(rows);  // the usual case: the rows as they are, none moved
    } else {
      out.reserve(out.size() + rows.size());
      for (auto& row : rows) {
        if (!resuming || state->passed.pass(id_text(row.*R::id), detail::row_version(row))) {
          out.push_back(std::move(row));
        }
      }
    }
    state->done = true;
    state->passed.clear();
    return true;
  };
  auto rows = [state, stream_all = std::move(stream_all), cancel](const std::function<void(Row&)>& sink) {
    if (state->done) return false;
    try {
      stream_all(
          [&](Row& row) {
            if (cancel.cancelled()) throw Cancelled(name_of(Op) + ": cancelled between two rows");
            if (state->passed.pass(id_text(row.*R::id), detail::row_version(row))) sink(row);
          },
          [&] { state->passed.failed(); });
    } catch (...) {
      state->passed.failed();
      throw;
    }
    state->done = true;
    state->passed.clear();
    return true;
  };
  return PagedRange<Row>(std::move(batch), std::move(rows));
}

constexpr seconds kUnlimited = kUnlimitedWindow;

// A list read over a query: its typed date ranges become the filter's date pairs; the range it pages by (the
// query's page_by, or the first one set) is read window by window, the others are sent whole with every call.
template <Operation Op>
PagedRange<typename reads::Read<Op>::Row> read(Client& client, typename reads::Read<Op>::Query query,
                                               const CallOptions& options) {
  using R = reads::Read<Op>;
  using Row = typename R::Row;
  using Filter = typename R::Filter;
  using Text = std::optional<std::string>;
  struct Paged {
    DateField field;
    TimeRange range;
    Text Filter::*from;
    Text Filter::*to;
    Text Row::*at;
    int max_days;
  };
  std::optional<Paged> paged;
  const std::optional<DateField> page_by = R::page_by(query);
  R::each_pair(query, [&](DateField field, const char* member, const std::optional<TimeRange>& range,
                          Text Filter::*from, Text Filter::*to, Text Row::*at, int max_days) {
    if (!blank(query.filter.*from) || !blank(query.filter.*to)) {
      throw InvalidArgument(name_of(Op) + ": give the " + date_field_name(field) + " dates as query." + member +
                                " (a kareo::TimeRange), not as text in the filter",
                            Op);
    }
    if (!range) return;
    if (range->to < range->from) {
      throw InvalidArgument(name_of(Op) + ": the end of query." + member + " is before its start", Op);
    }
    if (!paged && (!page_by || *page_by == field)) {
      paged = Paged{field, *range, from, to, at, max_days};
    } else {
      query.filter.*from = detail::filter_text(range->from);
      query.filter.*to = detail::filter_text(range->to);
    }
  });
  if (page_by && (!paged || paged->field != *page_by)) {
    throw InvalidArgument(name_of(Op) + ": page_by names the " + date_field_name(*page_by) +
                              " dates, but the query sets no range of them",
                          Op);
  }
  // Checked now, so that a query the service would refuse fails where it is made (and again before each call).
  Filter checked = query.filter;
  if (paged) {
    checked.*paged->from = detail::filter_text(paged->range.from);
    checked.*paged->to = detail::filter_text(paged->range.to);
  }
  check(Op, checked);
  // The range shares the client's state: it outlives the Client object (moved from or destroyed).
  std::shared_ptr<Client> c = detail::share_client(client);
  if (!paged) {
    const CancellationToken cancel = R::paging(query).cancel;
    return one_call<Op>(
        [c, query, options]() {
          if (R::paging(query).cancel.cancelled()) throw Cancelled(name_of(Op) + ": cancelled before it was sent");
          return fetch<Op>(*c, query.filter, query.fields, options);
        },
        [c, query, options](const std::function<void(Row&)>& sink, const std::function<void()>& resent) {
          if (R::paging(query).cancel.cancelled()) throw Cancelled(name_of(Op) + ": cancelled before it was sent");
          fetch_rows<Op>(*c, query.filter, query.fields, options, sink, resent);
        },
        cancel);
  }
  if constexpr (R::paged) {
    // Some reads refuse windows over 60 days (the table's max_window_days). Both ends of a window are sent;
    // if the service counts both, 60 days from one end to the other would be 61: keep a day of margin.
    const seconds max_width =
        paged->max_days > 0 ? seconds(std::chrono::hours(24 * (paged->max_days - 1))) : kUnlimited;
    // The size of each window's response, for the byte budget.
    auto bytes = std::make_shared<std::uint64_t>(0);
    CallOptions window_options = options;
    window_options.on_received = [bytes, user = options.on_received](std::uint64_t n) {
      *bytes = n;
      if (user) user(n);
    };
    auto fetch_window = [c, filter = query.filter, fields = query.fields, window_options, from = paged->from,
                         to = paged->to, bytes](const TimeRange& w) {
      Filter f = filter;
      f.*from = detail::filter_text(w.from);
      f.*to = detail::filter_text(w.to);
      *bytes = 0;
      return fetch<Op>(*c, std::move(f), fields, window_options);
    };
    auto stream_window = [c, filter = query.filter, fields = query.fields, window_options, from = paged->from,
                          to = paged->to, bytes](const TimeRange& w, const std::function<void(Row&)>& sink) {
      Filter f = filter;
      f.*from = detail::filter_text(w.from);
      f.*to = detail::filter_text(w.to);
      *bytes = 0;
      fetch_rows<Op>(*c, std::move(f), fields, window_options, sink);
    };
    return detail::window_range<Row>(name_of(Op), paged->range, R::paging(query), max_width, std::move(fetch_window),
                                     std::move(stream_window), paged->at,
                                     [bytes]() -> std::uint64_t { return *bytes; });
  } else {
    throw std::logic_error("unreachable");  // a read without date pairs is never paged
  }
}

// A list read without a query: one call, the whole result's rows.
template <Operation Op>
PagedRange<typename reads::Read<Op>::Row> read_all(Client& client, const CallOptions& options) {
  using Row = typename reads::Read<Op>::Row;
  std::shared_ptr<Client> c = detail::share_client(client);
  return one_call<Op>(
      [c, options]() {
        auto result = c->call<Op>({}, options);
        return take_rows<Op>(result);
      },
      [c, options](const std::function<void(Row&)>& sink, const std::function<void()>& resent) {
        stream_rows<Op>(*c, {}, options, sink, resent);
      });
}

}  // namespace

// ---- list reads --------------------------------------------------------------------------------------------

#define KAREO_QUERY_READ_(Name, method, Query, Row)                         \
  PagedRange<Row> Client::method(Query query, const CallOptions& options) { \
    return read<Operation::Name>(*this, std::move(query), options);         \
  }
KAREO_QUERY_READS(KAREO_QUERY_READ_)
#undef KAREO_QUERY_READ_

#define KAREO_PLAIN_READ_(Name, method, Row) \
  PagedRange<Row> Client::method(const CallOptions& options) { return read_all<Operation::Name>(*this, options); }
KAREO_PLAIN_READS(KAREO_PLAIN_READ_)
#undef KAREO_PLAIN_READ_

PagedRange<PatientBatchData> Client::all_patients(AllPatientsQuery query, const CallOptions& options) {
  constexpr Operation op = Operation::GetAllPatients;
  const AllPatientsOptions& paging = query.paging;
  if (paging.batch_size < 1 || paging.batch_size > 1000) {
    throw InvalidArgument(name_of(op) + ": the batch size must be between 1 and 1000", op);
  }
  if (query.practice_id < 1) throw InvalidArgument(name_of(op) + ": a practice ID is required", op);

  struct Walk {
    std::shared_ptr<Client> client;  // shares the client's state: outlives the Client object
    AllPatientsQuery query;
    CallOptions options;
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
  walk->client = detail::share_client(*this);
  walk->key = paging.start_key;
  walk->query = std::move(query);
  walk->options = options;
  if (!walk->query.paging.clock) walk->query.paging.clock = SystemClock::instance();

  return PagedRange<PatientBatchData>([walk](std::vector<PatientBatchData>& out) {
    Walk& w = *walk;
    const AllPatientsOptions& o = w.query.paging;
    if (w.done) return false;
    if (o.cancel.cancelled()) {
      throw Cancelled(name_of(op) + ": cancelled after " + std::to_string(w.batches) +
                      " batches (resume with start key " + std::to_string(w.key) + ")");
    }
    if (!w.started) w.started = o.clock->now();
    GetAllPatientsReq request;
    request.Fields = std::make_shared<PatientBatchFieldsToReturn>(w.query.fields);
    request.Filter = std::make_shared<PatientBatchGetFilter>();
    request.Filter->BatchSize = o.batch_size;
    request.Filter->PracticeID = w.query.practice_id;
    request.Filter->StartKey = w.key;
    GetAllPatientsResp response = w.client->call<op>(std::move(request), w.options);
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
    if (o.on_progress) {
      PagingProgress p;
      p.operation = name_of(op);
      p.windows_done = w.batches;
      p.rows = w.rows;
      p.duplicates = w.recent.duplicates();
      p.newer_versions = w.recent.newer_versions();
      p.remembered = w.recent.size();
      p.elapsed = o.clock->now() - *w.started;
      o.on_progress(p);
    }
    return true;
  });
}

ChargeFilter& include_unapproved_charges(ChargeFilter& filter, bool include) {
  if (include) {
    filter.IncludeUnapprovedCharges = kIncludeUnapprovedCharges;
  } else {
    filter.IncludeUnapprovedCharges.reset();
  }
  return filter;
}

// ---- single-record reads -----------------------------------------------------------------------------------

std::optional<AppointmentCreate> Client::get_appointment(std::int64_t appointment_id, const CallOptions& options) {
  GetAppointmentReq request;
  request.Appointment = std::make_shared<AppointmentRead>();
  request.Appointment->AppointmentId = appointment_id;
  auto result = call<Operation::GetAppointment>(std::move(request), options);
  if (!result.Appointment) return std::nullopt;
  std::optional<AppointmentCreate> out(std::in_place);
  detail::take(*out, *result.Appointment);
  return out;
}

int Client::get_customer_id_from_key(const CallOptions& options) {
  constexpr Operation op = Operation::GetCustomerIdFromKey;
  auto result = call<op>({}, options);
  if (!result.CustomerId) {
    Error::Details d;
    d.operation = op;
    throw MalformedResponse(name_of(op) + ": the response has no CustomerId", d);
  }
  return *result.CustomerId;
}

std::optional<PatientData> Client::get_patient(SinglePatientFilter filter, const CallOptions& options) {
  constexpr Operation op = Operation::GetPatient;
  if (!filter.PatientID && blank(filter.ExternalID)) {
    throw InvalidArgument(name_of(op) + ": give PatientID, or ExternalID with ExternalVendorID", op);
  }
  GetPatientReq request;
  request.Filter = std::make_shared<SinglePatientFilter>(std::move(filter));
  auto result = call<op>(std::move(request), options);
  if (!result.Patient || blank(result.Patient->ID)) return std::nullopt;
  std::optional<PatientData> out(std::in_place);
  detail::take(*out, *result.Patient);
  return out;
}

std::optional<PatientData> Client::get_patient(int patient_id, const CallOptions& options) {
  SinglePatientFilter filter;
  filter.PatientID = patient_id;
  return get_patient(std::move(filter), options);
}

}  // namespace kareo
