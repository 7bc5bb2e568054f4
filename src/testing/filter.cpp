// The filters of the Get operations, as the vendor's guide and integrators describe them.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "store_impl.hpp"

namespace kareo::testing::detail {
namespace {

constexpr const char* kBadDate = "String was not recognized as a valid DateTime.";
constexpr const char* kBadNumber = "Input string was not in a correct format.";
constexpr const char* kInternalFault = "The server was unable to process the request due to an internal error.";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::string t = trim(s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (*end) return std::nullopt;
  return v;
}

std::optional<double> parse_number(std::string_view s) {
  std::string t = trim(s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (*end) return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view s) {
  std::string t = trim(s);
  if (iequals(t, "true") || iequals(t, "t") || t == "1" || iequals(t, "yes")) return true;
  if (iequals(t, "false") || iequals(t, "f") || t == "0" || iequals(t, "no")) return false;
  return std::nullopt;
}

enum class Match { Text, Number, Money, Bool, AnyText, PracticeName, PracticeId, Ignore, IncludeUnapproved };

struct Rule {
  std::string member;
  Match match;
  std::vector<std::string> columns;
};

struct Range {
  std::string from, to;  // filter members
  std::string column;
  bool to_exclusive = false;
  bool primary = false;  // the window the operation's width limit is about
};

struct Spec {
  std::vector<Rule> rules;  // members with special handling (the rest: Text on the same-named column)
  std::vector<Range> ranges;
  bool require_practice = false;
  bool require_any = false;
  bool appointment_default_window = false;
};

std::vector<Range> standard_ranges(const char* modified_column = "LastModifiedDate") {
  return {{"FromCreatedDate", "ToCreatedDate", "CreatedDate"},
          {"FromLastModifiedDate", "ToLastModifiedDate", modified_column}};
}

Spec spec_for(Entity e) {
  Spec s;
  switch (e) {
    case Entity::Patient:
      s.rules = {{"FullName", Match::Text, {"PatientFullName"}}};
      s.ranges = standard_ranges();
      s.ranges.push_back({"FromDateOfBirth", "ToDateOfBirth", "DOB", true});
      s.ranges.push_back({"FromLastEncounterDate", "ToLastEncounterDate", "LastEncounterDate"});
      s.require_practice = true;
      break;
    case Entity::Appointment: {
      std::vector<std::string> resources, reasons;
      for (int i = 1; i <= 10; ++i) {
        resources.push_back("ResourceName" + std::to_string(i));
        reasons.push_back("AppointmentReason" + std::to_string(i));
      }
      s.rules = {{"ResourceName", Match::AnyText, resources},
                 {"AppointmentReason", Match::AnyText, reasons},
                 {"PatientID", Match::Number, {"PatientID"}},
                 {"TimeZoneOffsetFromGMT", Match::Ignore, {}}};
      s.ranges = standard_ranges();
      s.ranges.push_back({"StartDate", "EndDate", "StartDate", false, true});
      s.appointment_default_window = true;
      break;
    }
    case Entity::Charge:
      s.rules = {{"ReferringProviderFullName", Match::Text, {"ReferringProviderName"}},
                 {"RenderingProviderFullName", Match::Text, {"RenderingProviderName"}},
                 {"SchedulingProviderFullName", Match::Text, {"SchedulingProviderName"}},
                 {"DiagnosisCode", Match::Text, {"EncounterDiagnosisID1"}},
                 {"IncludeUnapprovedCharges", Match::IncludeUnapproved, {"EncounterStatus"}}};
      s.ranges = standard_ranges();
      s.ranges.push_back({"FromPostingDate", "ToPostingDate", "PostingDate", false, true});
      s.ranges.push_back({"FromServiceDate", "ToServiceDate", "ServiceStartDate"});
      s.require_any = true;
      break;
    case Entity::Payment:
      s.rules = {{"Amount", Match::Money, {"Amount"}},
                 {"AppointmentID", Match::Number, {"AppointmentID"}},
                 {"ID", Match::Number, {"ID"}}};
      s.ranges = standard_ranges();
      s.ranges.push_back({"FromPostDate", "ToPostDate", "PostDate"});
      s.require_any = true;
      break;
    case Entity::Transaction:
      s.ranges = {{"FromLastModifiedDate", "ToLastModifiedDate", "LastModifiedDate"},
                  {"FromTransactionDate", "ToTransactionDate", "TransactionDate"},
                  {"FromPostingDate", "ToPostingDate", "PostingDate"},
                  {"FromServiceDate", "ToServiceDate", "ServiceDate"}};
      s.require_any = true;
      break;
    case Entity::Practice:
      s.rules = {{"Active", Match::Bool, {"Active"}}, {"ID", Match::Number, {"ID"}}};
      s.ranges = standard_ranges();
      break;
    case Entity::Provider:
      s.ranges = standard_ranges();
      break;
    case Entity::ServiceLocation:
      s.rules = {{"ID", Match::Number, {"ID"}}};
      s.ranges = standard_ranges("ModifiedDate");
      break;
    case Entity::ProcedureCode:
      s.rules = {{"Active", Match::Bool, {"Active"}},
                 {"CustomerSpecific", Match::Bool, {"CustomerSpecific"}},
                 {"ID", Match::Number, {"ID"}}};
      s.ranges = standard_ranges("ModifiedDate");
      break;
    case Entity::Encounter:
      s.rules = {{"EncounterID", Match::Number, {"EncounterID"}}};
      break;
    default:
      break;
  }
  s.rules.push_back({"PracticeName", Match::PracticeName, {}});
  s.rules.push_back({"PracticeID", Match::PracticeId, {}});
  return s;
}

struct Window {
  const Range* range;
  int column;
  CivilTime from, to;
};

struct Compiled {
  struct Cond {
    Match match;
    std::vector<int> columns;
    std::string text;
    std::int64_t number = 0;
    double amount = 0;
    bool flag = false;
    std::set<std::int64_t> practices;
  };
  std::vector<Cond> conds;
  std::vector<Window> windows;
  bool approved_only = false;
};

}  // namespace
}  // namespace kareo::testing::detail

namespace kareo::testing {

using namespace detail;

CivilTime Store::Impl::now() const {
  auto wall = std::chrono::system_clock::now();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(wall.time_since_epoch()).count();
  return secs + clock_offset;
}

std::shared_ptr<const Row> Store::Impl::find(Entity e, std::int64_t id) const {
  const auto& rows = table(e).rows;
  auto it = rows.find(id);
  return it == rows.end() ? nullptr : it->second;
}

std::optional<std::int64_t> Store::Impl::practice_id_by_name(std::string_view name) const {
  const EntityDef& def = entity_def(Entity::Practice);
  int col = def.col("PracticeName");
  std::string v;
  for (const auto& [id, row] : table(Entity::Practice).rows) {
    if (row_value(def, *row, col, synth, v) && iequals(v, trim(name))) return id;
  }
  return std::nullopt;
}

std::optional<std::string> Store::Impl::practice_name(std::int64_t id) const {
  auto row = find(Entity::Practice, id);
  if (!row) return std::nullopt;
  return row_value(entity_def(Entity::Practice), *row, "PracticeName", synth);
}

std::optional<std::int64_t> Store::Impl::row_practice(Entity e, const Row& row) const {
  const EntityDef& def = entity_def(e);
  if (e == Entity::Practice) return row.id;
  std::string v;
  if (!def.practice_id_column.empty() && row_value(def, row, def.col(def.practice_id_column), synth, v)) {
    if (auto id = parse_int(v)) return *id;
  }
  if (!def.practice_name_column.empty() && row_value(def, row, def.col(def.practice_name_column), synth, v)) {
    return practice_id_by_name(v);
  }
  return std::nullopt;
}

std::vector<std::int64_t> Store::Impl::targeted_practices(Entity, const Filter& filter) const {
  std::vector<std::int64_t> out;
  auto it = filter.find("PracticeID");
  if (it != filter.end() && !trim(it->second).empty()) {
    if (auto id = parse_int(it->second)) out.push_back(*id);
  }
  it = filter.find("PracticeName");
  if (it != filter.end() && !trim(it->second).empty()) {
    if (auto id = practice_id_by_name(it->second)) out.push_back(*id);
  }
  return out;
}

std::vector<std::shared_ptr<const Row>> Store::Impl::select(Entity e, const Filter& raw, const Visibility& vis,
                                                            const std::string& operation) const {
  const EntityDef& def = entity_def(e);
  const Spec spec = spec_for(e);
  // Empty members count as absent.
  Filter filter;
  for (const auto& [k, v] : raw) {
    if (!trim(v).empty()) filter.emplace(k, v);
  }

  if (spec.require_practice && !filter.count("PracticeName") && !filter.count("PracticeID")) {
    throw FilterError("Please provide a PracticeName or PracticeID filter.", false);
  }
  if (spec.require_any && filter.empty()) throw FilterError("Please provide at least one filter.", false);

  Compiled c;
  std::set<std::string> handled;
  for (const Rule& rule : spec.rules) {
    auto it = filter.find(rule.member);
    if (it == filter.end()) continue;
    handled.insert(rule.member);
    Compiled::Cond cond;
    cond.match = rule.match;
    for (const auto& col : rule.columns) cond.columns.push_back(def.col(col));
    switch (rule.match) {
      case Match::Ignore:
        continue;
      case Match::Number: {
        auto v = parse_int(it->second);
        if (!v) throw FilterError(kBadNumber, false);
        cond.number = *v;
        break;
      }
      case Match::Money: {
        auto v = parse_number(it->second);
        if (!v) throw FilterError(kBadNumber, false);
        cond.amount = *v;
        break;
      }
      case Match::Bool: {
        auto v = parse_bool(it->second);
        if (!v) throw FilterError("String was not recognized as a valid Boolean.", false);
        cond.flag = *v;
        break;
      }
      case Match::IncludeUnapproved:
        // Only the guide's "T" asks for them; any other value (also "true") leaves them out.
        c.approved_only = trim(it->second) != "T";
        continue;
      case Match::PracticeId: {
        auto v = parse_int(it->second);
        if (!v) throw FilterError(kBadNumber, false);
        cond.practices.insert(*v);
        break;
      }
      case Match::PracticeName: {
        if (auto id = practice_id_by_name(it->second)) cond.practices.insert(*id);
        cond.text = trim(it->second);
        break;
      }
      default:
        cond.text = trim(it->second);
        break;
    }
    c.conds.push_back(std::move(cond));
  }
  if (e == Entity::Charge && !filter.count("IncludeUnapprovedCharges")) c.approved_only = true;

  bool any_range = false;
  for (const Range& r : spec.ranges) {
    handled.insert(r.from);
    handled.insert(r.to);
    auto f = filter.find(r.from), t = filter.find(r.to);
    if (f == filter.end() && t == filter.end()) continue;
    any_range = true;
    std::optional<CivilTime> from, to;
    if (f != filter.end() && !(from = parse_time(f->second))) throw FilterError(kBadDate, false);
    if (t != filter.end() && !(to = parse_time(t->second))) throw FilterError(kBadDate, false);
    // A range with one end is a 7-day window from (or up to) it, as the vendor's guide documents.
    if (!from) from = *to - 7 * kDay;
    if (!to) to = *from + 7 * kDay;
    c.windows.push_back(Window{&r, def.col(r.column), *from, *to});
  }
  if (spec.appointment_default_window && !any_range) {
    CivilTime start = synth.today - 3 * kDay;
    static const Range kDefault{"StartDate", "EndDate", "StartDate", false, true};
    c.windows.push_back(Window{&kDefault, def.col("StartDate"), start, start + 7 * kDay});
  }

  // Wide windows fault on the operations that have a limit: those the operation table gives one on their
  // primary window, any other configured operation on every window.
  auto limit = window_limits.days.find(operation);
  if (limit != window_limits.days.end() && limit->second > 0) {
    const bool primary_only = window_limits.primary_window_only.count(operation) > 0;
    for (const Window& w : c.windows) {
      if (primary_only && !w.range->primary) continue;
      if (w.to - w.from > static_cast<CivilTime>(limit->second) * kDay) throw FilterError(kInternalFault, true);
    }
  }

  // Every other member names a row member of the same name: text equality.
  for (const auto& [member, value] : filter) {
    if (handled.count(member)) continue;
    int col = def.col(member);
    if (col < 0) continue;  // unknown members are skipped, as WCF does
    Compiled::Cond cond;
    cond.match = Match::Text;
    cond.columns.push_back(col);
    cond.text = trim(value);
    c.conds.push_back(std::move(cond));
  }

  const int status_col = def.col("EncounterStatus");
  std::vector<std::shared_ptr<const Row>> out;
  std::string v;
  for (const auto& [id, row] : table(e).rows) {
    if (!vis.denied_practice_ids.empty()) {
      auto p = row_practice(e, *row);
      if (p && vis.denied_practice_ids.count(*p)) continue;
    }
    bool ok = true;
    for (const Window& w : c.windows) {
      if (!row_value(def, *row, w.column, synth, v)) {
        ok = false;
        break;
      }
      auto t = parse_time(v);
      if (!t || *t < w.from || (w.range->to_exclusive ? *t >= w.to : *t > w.to)) {
        ok = false;
        break;
      }
    }
    for (std::size_t i = 0; ok && i < c.conds.size(); ++i) {
      const auto& cond = c.conds[i];
      switch (cond.match) {
        case Match::PracticeId:
        case Match::PracticeName: {
          auto p = row_practice(e, *row);
          if (cond.match == Match::PracticeName && !def.practice_name_column.empty() &&
              row_value(def, *row, def.col(def.practice_name_column), synth, v)) {
            ok = iequals(v, cond.text);
          } else {
            ok = p && cond.practices.count(*p);
          }
          break;
        }
        case Match::Number:
          ok = row_value(def, *row, cond.columns[0], synth, v) && parse_int(v) == cond.number;
          break;
        case Match::Money: {
          ok = row_value(def, *row, cond.columns[0], synth, v);
          auto amount = ok ? parse_number(v) : std::nullopt;
          ok = amount && std::abs(*amount - cond.amount) < 0.005;
          break;
        }
        case Match::Bool:
          ok = row_value(def, *row, cond.columns[0], synth, v) && parse_bool(v) == cond.flag;
          break;
        case Match::AnyText:
          ok = false;
          for (int col : cond.columns) {
            if (row_value(def, *row, col, synth, v) && iequals(v, cond.text)) {
              ok = true;
              break;
            }
          }
          break;
        default:
          ok = row_value(def, *row, cond.columns[0], synth, v) && iequals(v, cond.text);
          break;
      }
    }
    if (ok && c.approved_only && status_col >= 0 && row_value(def, *row, status_col, synth, v)) {
      ok = iequals(v, "Approved");
    }
    if (ok) out.push_back(row);
  }
  return out;
}

}  // namespace kareo::testing
