// `kareo export fhir`: a practice's records as FHIR R4 resources in the Bulk Data layout (kareo/fhir.hpp).
#include <iostream>
#include <set>
#include <sstream>
#include <system_error>

#include "cli.hpp"
#include "kareo/fhir.hpp"

namespace kareo_cli {

namespace {

struct ExportArgs {
  std::string practice;
  std::string out;
  std::string since;
  std::string entities = "patients,appointments,providers,locations";
  std::string system_base = kareo::fhir::kDefaultSystemBase;
};

// What to read.
struct ExportRequest {
  std::string practice;
  std::optional<kareo::DateTime> since;  // last modified at or after; empty: everything
  std::set<std::string> entities;        // patients, appointments, providers, locations
  bool wants(const char* entity) const { return entities.count(entity) > 0; }
};

// Nothing the service holds was modified before this: the start of a full export's last-modified range.
const kareo::DateTime kEarliest{kareo::Date(2000, 1, 1)};

// Reads everything the export needs and hands each row to `out`, in the order its references need: the
// practice, its providers and service locations (always whole: appointments and patients refer to them),
// then patients and appointments (last modified since `since`, paged by date windows, paced, with progress).
// An appointment's patient that was not read (not modified since `since`) is read by ID, so that the
// appointment's reference resolves. This is the only place the command reads from the service.
void read_practice(Session& s, const ExportRequest& r, kareo::fhir::Exporter& out) {
  kareo::Client& client = s.client();
  {
    kareo::PracticeFilter filter;
    filter.PracticeName = r.practice;
    bool found = false;
    for (const auto& p : client.practices(filter))
      if (p.PracticeName && *p.PracticeName == r.practice) found = out.add(p) || found;
    if (!found)
      throw kareo::InvalidArgument("--practice \"" + r.practice +
                                   "\": no practice of that name is visible to this user (kareo practices lists them)");
  }
  if (r.wants("providers")) {
    kareo::ProviderFilter filter;
    filter.PracticeName = r.practice;
    for (const auto& p : client.providers(filter)) out.add(p);
  }
  if (r.wants("locations")) {
    kareo::ServiceLocationFilter filter;
    filter.PracticeName = r.practice;
    for (const auto& l : client.service_locations(filter)) out.add(l);
  }
  const kareo::TimeRange modified{r.since.value_or(kEarliest), now_local()};
  if (r.wants("patients")) {
    kareo::PatientQuery query;
    query.filter.PracticeName = r.practice;
    if (r.since) {
      query.last_modified = modified;
      query.paging = s.paging();
    }
    for (const auto& p : client.patients(query)) out.add(p);
    s.progress().finish();
  }
  if (r.wants("appointments")) {
    kareo::AppointmentQuery query;
    query.filter.PracticeName = r.practice;
    query.last_modified = modified;
    query.paging = s.paging();
    for (const auto& a : client.appointments(query)) {
      if (r.wants("patients") && a.PatientID && !a.PatientID->empty() && !out.contains("Patient", *a.PatientID)) {
        try {
          if (auto patient = client.get_patient(std::stoi(*a.PatientID))) out.add(*patient);
        } catch (const std::logic_error&) {  // not a number: the appointment's reference is left out
        }
      }
      out.add(a);
    }
    s.progress().finish();
  }
}

std::set<std::string> parse_entities(const std::string& text) {
  static const std::set<std::string> known = {"patients", "appointments", "providers", "locations"};
  std::set<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    if (!known.count(item))
      throw kareo::InvalidArgument("--entities: unknown entity \"" + item +
                                   "\" (patients, appointments, providers, locations)");
    out.insert(item);
  }
  if (out.empty()) throw kareo::InvalidArgument("--entities: name at least one entity");
  return out;
}

int run_export(Session& s, const ExportArgs& args, const std::string& request_text) {
  ExportRequest r;
  r.practice = args.practice;
  r.entities = parse_entities(args.entities);
  if (!args.since.empty()) r.since = parse_date_option(args.since, "--since");
  kareo::fhir::MapOptions options;
  options.system_base = args.system_base;
  kareo::fhir::Manifest manifest;
  try {
    kareo::fhir::Exporter exporter(args.out, options);
    read_practice(s, r, exporter);
    manifest = exporter.finish(request_text);
  } catch (const std::system_error& e) {  // the files could not be written (exit code 11)
    throw OutputError(std::string("kareo export fhir: ") + e.what());
  }
  for (const auto& issue : manifest.issues)
    std::cerr << "kareo: warning: " << issue.resource_type << (issue.id.empty() ? "" : "/" + issue.id) << ": "
              << one_line(issue.message) << "\n";
  std::cerr << "kareo: exported";
  for (const auto& [type, count] : manifest.counts) std::cerr << " " << count << " " << type;
  std::cerr << " to " << args.out << " (" << manifest.skipped << " records skipped, " << manifest.dropped_references
            << " references left out; see manifest.json)\n";
  std::cout << json_line(manifest.json) << "\n";
  check_output(std::cout);
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, Commands& commands) {
  CLI::App* group = app.add_subcommand("export", "Export a practice's records in another format");
  group->require_subcommand(1);
  auto args = std::make_shared<ExportArgs>();
  CLI::App* sub = group->add_subcommand(
      "fhir",
      "A practice's records as FHIR R4 resources: one NDJSON file per resource type and manifest.json in --out "
      "(the Bulk Data layout; files are created 0600)");
  sub->add_option("--practice", args->practice, "Practice name (exactly as Tebra spells it)")->required();
  sub->add_option("--out", args->out, "Directory to write the files to (created if needed)")->required();
  sub->add_option("--since", args->since,
                  "Only patients and appointments last modified at or after this date (YYYY-MM-DD or "
                  "YYYY-MM-DDTHH:MM:SS); the practice, providers and locations are always exported whole");
  sub->add_option("--entities", args->entities,
                  "Comma-separated: patients,appointments,providers,locations (default: all; the practice is always "
                  "exported)");
  sub->add_option("--identifier-system", args->system_base,
                  "Prefix of the identifier systems of Tebra's IDs (default urn:kareo-cpp:tebra:; see docs/fhir.md)");
  commands.push_back({sub, [args](Session& s) {
                        std::string request = "kareo export fhir --practice \"" + args->practice + "\"";
                        if (!args->since.empty()) request += " --since " + args->since;
                        request += " --entities " + args->entities;
                        return run_export(s, *args, request);
                      }});
}

}  // namespace kareo_cli
