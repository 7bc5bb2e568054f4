// The read commands: one per read operation, ranged reads paged by date windows (or a cursor). Their names,
// descriptions and filter options are the operation table's (kareo_optable.hpp).
#include <iostream>

#include "cli.hpp"
#include "kareo_optable.hpp"

namespace kareo_cli {

namespace {

// The filter options a command may take (the table's `cli.filters`).
using kareo::optable::kBatch;
using kareo::optable::kCreated;
using kareo::optable::kExternal;
using kareo::optable::kId;
using kareo::optable::kModified;
using kareo::optable::kNames;
using kareo::optable::kPractice;
using kareo::optable::kPracticeId;
using kareo::optable::kRange;

struct Filters {
  std::string practice;
  int practice_id = 0;
  std::string from, to, modified_from, modified_to, created_from, created_to;
  long long id = 0;
  std::string external_id;
  int vendor_id = 0;
  std::string first_name, last_name;
  int batch_size = 1000;
  bool include_unapproved = false;
  CLI::Option* practice_id_opt = nullptr;
  CLI::Option* id_opt = nullptr;
  CLI::Option* vendor_opt = nullptr;

  bool has_practice_id() const { return practice_id_opt && practice_id_opt->count() > 0; }
  bool has_id() const { return id_opt && id_opt->count() > 0; }

  // The one date range given, if any: which filter pair it pages by, and the period.
  struct Range {
    kareo::DateField field;
    kareo::TimeRange period;
  };
  std::optional<Range> range(std::optional<kareo::DateField> natural) const {
    struct Candidate {
      const std::string* from;
      const std::string* to;
      const char* from_name;
      const char* to_name;
      std::optional<kareo::DateField> field;
    };
    const Candidate candidates[] = {
        {&from, &to, "--from", "--to", natural},
        {&modified_from, &modified_to, "--modified-from", "--modified-to", kareo::DateField::LastModified},
        {&created_from, &created_to, "--created-from", "--created-to", kareo::DateField::Created},
    };
    std::optional<Range> out;
    for (const auto& c : candidates) {
      if (c.from->empty() && c.to->empty()) continue;
      if (out)
        throw kareo::InvalidArgument(
            "give one date range: --from/--to, --modified-from/--modified-to or --created-from/--created-to");
      if (c.from->empty()) throw kareo::InvalidArgument(std::string(c.to_name) + " needs " + c.from_name);
      kareo::TimeRange period{parse_date_option(*c.from, c.from_name),
                              c.to->empty() ? now_local() : parse_date_option(*c.to, c.to_name, true)};
      if (period.to < period.from) throw kareo::InvalidArgument(std::string(c.to_name) + " is before " + c.from_name);
      out = Range{*c.field, period};
    }
    return out;
  }
};

// Adds the filter options the table gives the command.
void add_filters(CLI::App* sub, Filters& f, const std::string& range_meaning = {}) {
  const unsigned which = command_row(sub->get_name()).filters;
  if (which & kPractice) sub->add_option("--practice", f.practice, "Practice name (exactly as Tebra spells it)");
  if (which & kPracticeId) f.practice_id_opt = sub->add_option("--practice-id", f.practice_id, "Practice ID");
  if (which & kRange) {
    sub->add_option("--from", f.from, "Start of the " + range_meaning + " (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)");
    sub->add_option("--to", f.to,
                    "End of the " + range_meaning + "; a bare date includes that whole day (default: now)");
  }
  if (which & kModified) {
    sub->add_option("--modified-from", f.modified_from, "Last modified at or after this date");
    sub->add_option("--modified-to", f.modified_to, "Last modified at or before this date (default: now)");
  }
  if (which & kCreated) {
    sub->add_option("--created-from", f.created_from, "Created at or after this date");
    sub->add_option("--created-to", f.created_to, "Created at or before this date (default: now)");
  }
  if (which & kId) f.id_opt = sub->add_option("--id", f.id, "The record's ID")->check(CLI::PositiveNumber);
  if (which & kExternal) {
    sub->add_option("--external-id", f.external_id, "Your system's ID of the record (with --vendor-id)");
    f.vendor_opt = sub->add_option("--vendor-id", f.vendor_id, "The external vendor the external ID belongs to");
  }
  if (which & kNames) {
    sub->add_option("--first-name", f.first_name, "First name");
    sub->add_option("--last-name", f.last_name, "Last name");
  }
  if (which & kBatch)
    sub->add_option(
           "--batch-size", f.batch_size,
           "Records per " + std::string(command_row("all-patients").operation) + " call, 1..1000 (default 1000)")
        ->check(CLI::Range(1, 1000));
}

template <class Row, class Rows>
int print_rows(Session& s, Rows&& rows, std::vector<std::string> table_columns) {
  Output& out = s.output();
  out.begin(kareo::describe<Row>(), std::move(table_columns));
  // Row by row as the responses are read: JSON and CSV are written as they arrive (a table is buffered by
  // Output to be sorted), so memory does not grow with the response.
  rows.for_each_row([&out](Row& row) { out.row(row); });
  s.progress().finish();
  out.end();
  return 0;
}

template <class T>
int print_single(Session& s, const T& value) {
  s.output().single(kareo::to_json(value), kareo::describe<T>());
  return 0;
}

int not_found(const std::string& what) {
  std::cerr << "kareo: not found: " << what << "\n"
            << "hint: check the ID (and --vendor-id for an external ID); the list commands show what exists\n";
  return 1;
}

void set_opt(std::optional<std::string>& member, const std::string& value) {
  if (!value.empty()) member = value;
}

// The query of a read command: `filter`, and the one date range given, which the read pages by.
template <class Query, class Filter>
Query query_of(Session& s, Filter filter, const std::optional<Filters::Range>& range) {
  Query query;
  query.filter = std::move(filter);
  if (range) {
    std::optional<kareo::TimeRange>* member = kareo::date_range(query, range->field);
    if (!member)
      throw kareo::InvalidArgument(std::string("this command cannot read by ") + kareo::date_field_name(range->field) +
                                   " dates");
    *member = range->period;
    query.page_by = range->field;
    query.paging = s.paging();
  }
  return query;
}

// Registers a command, with the table's description.
CLI::App* command(CLI::App& app, Commands& commands, const char* name, std::function<int(Session&)> run) {
  CLI::App* sub = app.add_subcommand(name, command_row(name).help);
  commands.push_back({sub, std::move(run)});
  return sub;
}

int resolve_practice_id(Session& s, const Filters& f) {
  if (f.has_practice_id()) return f.practice_id;
  if (f.practice.empty()) throw kareo::InvalidArgument("give --practice-id N or --practice NAME");
  kareo::PracticeFilter filter;
  filter.PracticeName = f.practice;
  kareo::PracticeQuery query;
  query.filter = std::move(filter);
  for (const auto& p : s.client().practices(std::move(query)))
    if (p.ID && p.PracticeName && *p.PracticeName == f.practice) return std::stoi(*p.ID);
  throw kareo::InvalidArgument("--practice \"" + f.practice +
                               "\": no practice of that name is visible to this user (kareo practices lists them)");
}

}  // namespace

const std::vector<std::pair<const char*, const char*>>& read_commands() {
  static const std::vector<std::pair<const char*, const char*>> list = [] {
    std::vector<std::pair<const char*, const char*>> out;
    for (const char* name : {"practices", "providers", "service-locations", "procedure-codes", "patients",
                             "all-patients", "patient", "appointments", "appointment", "charges", "payments",
                             "transactions", "encounter-details", "external-vendors", "throttles", "customer-id"})
      out.emplace_back(name, command_row(name).type);
    return out;
  }();
  return list;
}

void add_read_commands(CLI::App& app, Commands& commands) {
  using kareo::DateField;
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "practices", [f](Session& s) {
      kareo::PracticeFilter filter;
      set_opt(filter.PracticeName, f->practice);
      if (f->has_practice_id()) filter.ID = std::to_string(f->practice_id);
      auto cols = std::vector<std::string>{"ID", "PracticeName", "Active", "NPI", "PracticeCity", "PracticeState"};
      return print_rows<kareo::PracticeData>(
          s, s.client().practices(query_of<kareo::PracticeQuery>(s, std::move(filter), f->range(std::nullopt))), cols);
    });
    add_filters(sub, *f);
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "providers", [f](Session& s) {
      kareo::ProviderFilter filter;
      set_opt(filter.PracticeName, f->practice);
      if (f->has_practice_id()) filter.PracticeID = std::to_string(f->practice_id);
      auto cols = std::vector<std::string>{
          "ID", "FullName", "Type", "SpecialtyName", "NationalProviderIdentifier", "PracticeName", "Active"};
      return print_rows<kareo::ProviderData>(
          s, s.client().providers(query_of<kareo::ProviderQuery>(s, std::move(filter), f->range(std::nullopt))), cols);
    });
    add_filters(sub, *f);
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "service-locations", [f](Session& s) {
      kareo::ServiceLocationFilter filter;
      set_opt(filter.PracticeName, f->practice);
      if (f->has_practice_id()) filter.PracticeID = std::to_string(f->practice_id);
      auto cols = std::vector<std::string>{"ID", "Name", "PlaceOfService", "City", "State", "NPI", "PracticeName"};
      return print_rows<kareo::ServiceLocationData>(s,
                                                    s.client().service_locations(query_of<kareo::ServiceLocationQuery>(
                                                        s, std::move(filter), f->range(std::nullopt))),
                                                    cols);
    });
    add_filters(sub, *f);
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "procedure-codes", [f](Session& s) {
      kareo::ProcedureCodeFilter filter;
      if (f->has_id()) filter.ID = std::to_string(f->id);
      auto cols = std::vector<std::string>{"ID", "ProcedureCode", "OfficialName", "Active", "DefaultUnits"};
      return print_rows<kareo::ProcedureCodeData>(
          s,
          s.client().procedure_codes(query_of<kareo::ProcedureCodeQuery>(s, std::move(filter), f->range(std::nullopt))),
          cols);
    });
    add_filters(sub, *f);
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "patients", [f](Session& s) {
      if (f->practice.empty() && !f->has_practice_id())
        throw kareo::InvalidArgument("patients needs --practice NAME or --practice-id N");
      kareo::PatientFilter filter;
      set_opt(filter.PracticeName, f->practice);
      if (f->has_practice_id()) filter.PracticeID = std::to_string(f->practice_id);
      set_opt(filter.FirstName, f->first_name);
      set_opt(filter.LastName, f->last_name);
      auto cols = std::vector<std::string>{"ID",     "FirstName",           "LastName",        "DOB",
                                           "Gender", "MedicalRecordNumber", "LastModifiedDate"};
      return print_rows<kareo::PatientData>(
          s,
          s.client().patients(query_of<kareo::PatientQuery>(s, std::move(filter), f->range(DateField::LastModified))),
          cols);
    });
    add_filters(sub, *f, "last-modified range");
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "all-patients", [f](Session& s) {
      kareo::AllPatientsQuery query;
      query.paging.batch_size = f->batch_size;
      Progress* bar = &s.progress();
      query.paging.on_progress = [bar](const kareo::PagingProgress& p) { bar->update(p); };
      query.practice_id = resolve_practice_id(s, *f);
      auto cols = std::vector<std::string>{"ID", "FirstName", "LastName", "DOB", "Gender", "MedicalRecordNumber"};
      return print_rows<kareo::PatientBatchData>(s, s.client().all_patients(std::move(query)), cols);
    });
    add_filters(sub, *f);
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "patient", [f](Session& s) {
      kareo::SinglePatientFilter filter;
      std::string what;
      if (f->has_id()) {
        filter.PatientID = static_cast<int>(f->id);
        what = "no patient with ID " + std::to_string(f->id);
      } else if (!f->external_id.empty() && f->vendor_opt->count()) {
        filter.ExternalID = f->external_id;
        filter.ExternalVendorID = f->vendor_id;
        what = "no patient with external ID " + f->external_id + " of vendor " + std::to_string(f->vendor_id);
      } else {
        throw kareo::InvalidArgument("patient needs --id N, or --external-id X with --vendor-id N");
      }
      auto patient = s.client().get_patient(filter);
      if (!patient) return not_found(what);
      return print_single(s, *patient);
    });
    add_filters(sub, *f);
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "appointments", [f](Session& s) {
      kareo::AppointmentFilter filter;
      set_opt(filter.PracticeName, f->practice);
      auto cols = std::vector<std::string>{"ID",
                                           "StartDate",
                                           "EndDate",
                                           "PatientFullName",
                                           "ResourceName1",
                                           "ServiceLocationName",
                                           "ConfirmationStatus",
                                           "AppointmentReason1"};
      return print_rows<kareo::AppointmentData>(s,
                                                s.client().appointments(query_of<kareo::AppointmentQuery>(
                                                    s, std::move(filter), f->range(DateField::Service))),
                                                cols);
    });
    add_filters(sub, *f, "service-date range");
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "appointment", [f](Session& s) {
      if (!f->has_id()) throw kareo::InvalidArgument("appointment needs --id N");
      auto appointment = s.client().get_appointment(f->id);
      if (!appointment) return not_found("no appointment with ID " + std::to_string(f->id));
      return print_single(s, *appointment);
    });
    add_filters(sub, *f);
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "charges", [f](Session& s) {
      kareo::ChargeFilter filter;
      set_opt(filter.PracticeName, f->practice);
      kareo::include_unapproved_charges(filter, f->include_unapproved);
      auto cols = std::vector<std::string>{
          "ID", "PostingDate", "ServiceStartDate", "PatientName", "ProcedureCode", "TotalCharges", "EncounterStatus"};
      return print_rows<kareo::ChargeData>(
          s, s.client().charges(query_of<kareo::ChargeQuery>(s, std::move(filter), f->range(DateField::Posting))),
          cols);
    });
    add_filters(sub, *f, "posting-date range");
    sub->add_flag("--include-unapproved", f->include_unapproved,
                  "Also list the charges of unapproved encounters (Tebra leaves them out by default)");
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "payments", [f](Session& s) {
      kareo::PaymentFilter filter;
      set_opt(filter.PracticeName, f->practice);
      if (f->has_practice_id()) filter.PracticeID = std::to_string(f->practice_id);
      auto cols = std::vector<std::string>{"ID",     "PostDate", "PayerName", "PayerType", "PaymentMethod",
                                           "Amount", "Applied",  "Unapplied"};
      return print_rows<kareo::PaymentData>(
          s, s.client().payments(query_of<kareo::PaymentQuery>(s, std::move(filter), f->range(DateField::Posting))),
          cols);
    });
    add_filters(sub, *f, "posting-date range");
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "transactions", [f](Session& s) {
      kareo::TransactionFilter filter;
      set_opt(filter.PracticeName, f->practice);
      auto cols = std::vector<std::string>{"ID",     "TransactionDate", "Type", "PatientFullName", "ProcedureCode",
                                           "Amount", "PayerType"};
      return print_rows<kareo::TransactionData>(s,
                                                s.client().transactions(query_of<kareo::TransactionQuery>(
                                                    s, std::move(filter), f->range(DateField::Transaction))),
                                                cols);
    });
    add_filters(sub, *f, "transaction-date range");
  }
  {
    auto f = std::make_shared<Filters>();
    auto* sub = command(app, commands, "encounter-details", [f](Session& s) {
      if (!f->has_id()) throw kareo::InvalidArgument("encounter-details needs --id N");
      kareo::EncounterDetailsFilter filter;
      filter.EncounterID = std::to_string(f->id);
      if (!f->practice.empty() || f->has_practice_id()) {
        filter.Practice = std::make_shared<kareo::EncounterDetailsPractice>();
        set_opt(filter.Practice->PracticeName, f->practice);
        if (f->has_practice_id()) filter.Practice->PracticeID = std::to_string(f->practice_id);
      }
      auto cols =
          std::vector<std::string>{"EncounterID",      "EncounterStatus",     "PatientFirstName", "PatientLastName",
                                   "ServiceStartDate", "ServiceLocationName", "PracticeName"};
      return print_rows<kareo::EncounterDetailsData>(s, s.client().encounter_details({std::move(filter), {}}), cols);
    });
    add_filters(sub, *f);
  }
  command(app, commands, "external-vendors",
          [](Session& s) { return print_rows<kareo::ExternalVendorData>(s, s.client().external_vendors(), {}); });
  command(app, commands, "throttles",
          [](Session& s) { return print_rows<kareo::ThrottleDetail>(s, s.client().throttles(), {}); });
  command(app, commands, "customer-id",
          [](Session& s) { return print_single(s, s.client().call<kareo::Operation::GetCustomerIdFromKey>({})); });
}

}  // namespace kareo_cli
