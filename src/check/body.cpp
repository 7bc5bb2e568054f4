// The body checks against the contract tables (src/check/contract.hpp) and the operation table: the operation and
// its payload wrapper, missing, unknown and out-of-order members, the members the service needs although the
// contract makes them optional, and the date ranges of a filter.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string>

#include "check/check_internal.hpp"
#include "kareo_optable.hpp"

namespace kareo::check_detail {

namespace {

/// The closest operation name to a name that is none (case, a plural 's'), or "".
std::string closest_operation(std::string_view name) {
  const std::string l = lower(name);
  for (std::size_t i = 0; i < optable::kRows; ++i) {
    const std::string op = lower(optable::kTable[i].name);
    if (op == l || op + "s" == l || op == l + "s") return optable::kTable[i].name;
  }
  return "";
}

/// Days since 1970-01-01 of a civil date.
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/// A filter date in a form the service is known to read (M/d/yyyy [h:mm[:ss] [AM|PM]], yyyy-MM-dd[Thh:mm[:ss]]),
/// as days since the epoch; nullopt for any other form.
std::optional<long> filter_date(const std::string& text) {
  static const std::regex us(R"(^(\d{1,2})/(\d{1,2})/(\d{4})( \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?)?$)");
  static const std::regex iso(R"(^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$)");
  std::smatch m;
  int y = 0, mo = 0, d = 0;
  const std::string t = trim(text);
  if (std::regex_match(t, m, us)) {
    mo = std::atoi(m[1].str().c_str());
    d = std::atoi(m[2].str().c_str());
    y = std::atoi(m[3].str().c_str());
  } else if (std::regex_match(t, m, iso)) {
    y = std::atoi(m[1].str().c_str());
    mo = std::atoi(m[2].str().c_str());
    d = std::atoi(m[3].str().c_str());
  } else {
    return std::nullopt;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1753 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1]) return std::nullopt;
  if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return std::nullopt;
  return days_from_civil(y, mo, d);
}

std::string lost_when_dropped(const std::string& name, const TypeDef& parent) {
  if (is_credential(name)) {
    return "the service reads no " + name + " and answers Authenticated=false" +
           (name == "CustomerKey" ? " (CustomerKeyValid=false)" : "");
  }
  const std::string type = parent.xml_name;
  if (type.size() >= 6 && type.compare(type.size() - 6, 6, "Filter") == 0) {
    return "the service does not apply this filter: the result is not narrowed by it";
  }
  if (type.find("FieldsToReturn") != std::string::npos) return "the service does not return this column";
  return "the service reads " + name + " as absent: its value is lost";
}

}  // namespace

void Checker::check_body() {
  const std::string op = local_name(wrapper_);
  row_ = operation_row(op);
  if (row_ < 0) {
    const std::string close = closest_operation(op);
    add("unknown-operation", Severity::Error,
        "<" + op + "> is no operation of the KareoServices 2.1 contract; the service faults." +
            (close.empty() ? "" : " Did you mean " + close + "?"),
        line_of(wrapper_), path_of(wrapper_),
        close.empty() ? "Call one of the contract's 28 operations (kareo describe lists them)."
                      : "Use <" + close + ">, with the SOAPAction \"" + std::string(kActionBase) + close + "\".",
        true);
    return;
  }
  out_.operation = op;
  check_soap_action(op);
  const auto& row = optable::kTable[row_];
  const int wrapper_type = contract::type_index("_kareo__" + op);
  if (wrapper_type < 0) return;
  expect_ns(wrapper_, contract::namespace_uri(contract::type(wrapper_type).ns));
  const auto& wmembers = contract::members(wrapper_type);
  if (wmembers.empty()) return;
  const MemberDef& payload_def = *wmembers.front();
  const std::string payload_name = row.payload_member;
  xmlNode* payload = nullptr;
  for (xmlNode* c : element_children(wrapper_)) {
    const std::string name = local_name(c);
    if (name == payload_name) {
      payload = c;
      break;
    }
    if (name == "request" || name == "UpdatePatientReq") {
      payload = c;
      add("wrapper", Severity::Error,
          "<" + op + "> takes its payload in <" + payload_name + ">, not <" + name +
              ">; the service sees no payload and faults (InternalServiceFault).",
          line_of(c), path_of(c), "Rename <" + name + "> to <" + payload_name + ">.", true);
      break;
    }
  }
  for (xmlNode* c : element_children(wrapper_)) {
    if (c == payload) continue;
    add("unknown-member", Severity::Warning,
        "<" + local_name(c) + "> is no member of <" + op + "> (it takes only <" + payload_name +
            ">); the service ignores it.",
        line_of(c), path_of(c), "Move it inside <" + payload_name + "> or remove it.");
  }
  if (!payload) {
    add("missing-member", Severity::Error,
        "<" + op + "> has no <" + payload_name + ">; the service faults (InternalServiceFault).", line_of(wrapper_),
        path_of(wrapper_),
        "Put the request members inside <" + op + "><" + payload_name + ">...</" + payload_name + "></" + op + ">.",
        true);
    report_namespaces();
    return;
  }
  payload_ = payload;
  expect_ns(payload, contract::namespace_uri(payload_def.ns));
  payload_type_ = payload_def.type;
  if (payload_type_ < 0) return;
  std::vector<xmlNode*> kids = element_children(payload);
  if (row.inline_credentials) {
    // The credentials directly in the request (the table's credentials = "inline"). Wrapped in a RequestHeader,
    // the service answers CustomerId = -1; the members are checked as if they were where they belong.
    std::vector<xmlNode*> flat;
    for (xmlNode* c : kids) {
      if (local_name(c) == "RequestHeader") {
        add("wrapper", Severity::Error,
            op + " takes CustomerKey, Password and User directly in <request>; wrapped in <RequestHeader> they "
                 "are not read and the service answers CustomerId = -1.",
            line_of(c), path_of(c), "Remove the <RequestHeader> element and keep its members in <request>.");
        for (xmlNode* g : element_children(c)) flat.push_back(g);
      } else {
        flat.push_back(c);
      }
    }
    kids = std::move(flat);
  }
  walk(kids, payload_type_, payload);
  check_required_paths();
  check_dates();
  report_namespaces();
  build_corrected();
}

void Checker::walk(const std::vector<xmlNode*>& kids, int type, const xmlNode* parent) {
  const auto& ms = contract::members(type);
  const TypeDef& tdef = contract::type(type);
  std::size_t next = 0;
  std::vector<bool> seen(ms.size(), false);
  std::vector<std::string> present_in_order;  // names of known members present, for the fix of an order mistake
  bool order_mistake = false;
  int order_line = 0;
  for (xmlNode* c : kids) {
    const std::string name = local_name(c);
    const std::size_t from = next > 0 && ms[next - 1]->repeated ? next - 1 : next;
    std::size_t found = ms.size();
    for (std::size_t m = from; m < ms.size(); ++m) {
      if (name == ms[m]->element) {
        found = m;
        break;
      }
    }
    if (found < ms.size()) {
      next = found + 1;
      seen[found] = true;
      expect_ns(c, contract::namespace_uri(ms[found]->ns));
      if (ms[found]->type >= 0 && !is_nil(c)) walk(element_children(c), ms[found]->type, c);
      continue;
    }
    std::size_t earlier = ms.size();
    for (std::size_t m = 0; m < from; ++m) {
      if (name == ms[m]->element) {
        earlier = m;
        break;
      }
    }
    if (earlier < ms.size()) {
      expect_ns(c, contract::namespace_uri(ms[earlier]->ns));
      seen[earlier] = true;
      dropped_.push_back(c);
      add("member-order", Severity::Error,
          "<" + name + "> comes after <" + ms[next - 1]->element +
              ">, but the contract orders it before; the service skips a member out of order silently: " +
              lost_when_dropped(name, tdef) + ".",
          line_of(c), path_of(c), "");
      if (!order_mistake) order_line = static_cast<int>(out_.findings.size()) - 1;
      order_mistake = true;
      if (ms[earlier]->type >= 0 && !is_nil(c)) walk(element_children(c), ms[earlier]->type, c);
      continue;
    }
    unknown_member(c, ms, tdef);
  }
  if (order_mistake) {
    // One order for the whole element, in the contract's order.
    for (std::size_t m = 0; m < ms.size(); ++m) {
      if (seen[m]) present_in_order.push_back(ms[m]->element);
    }
    const std::string fix =
        "Send the members of <" + local_name(parent) +
        "> in the contract's order (base type first, then ordinal name order): " + join(present_in_order, ", ") + ".";
    for (std::size_t i = static_cast<std::size_t>(order_line); i < out_.findings.size(); ++i) {
      if (out_.findings[i].code == "member-order" && out_.findings[i].fix.empty()) out_.findings[i].fix = fix;
    }
  }
  // Members the contract requires, and the credentials.
  const bool credentials_here = std::string(tdef.cname) == "kareo__RequestHeader" ||
                                (type == payload_type_ && row_ >= 0 && optable::kTable[row_].inline_credentials);
  for (std::size_t m = 0; m < ms.size(); ++m) {
    if (seen[m]) continue;
    const std::string name = ms[m]->element;
    if (name == "RequestHeader" && credentials_in_header_) continue;  // said by credentials-in-soap-header
    if (ms[m]->required) {
      add("missing-member", Severity::Error,
          "<" + local_name(parent) + "> has no <" + name + ">, which the contract requires; the service faults.",
          line_of(parent), path_of(parent) + "/" + name,
          name == "Fields" ? "Add <Fields/> (an empty Fields returns every column)."
                           : "Add <" + name + "> to <" + local_name(parent) + ">.",
          true);
    } else if (credentials_here && is_credential(name)) {
      add("missing-member", Severity::Error,
          "<" + local_name(parent) + "> has no <" + name + ">; the service answers Authenticated=false.",
          line_of(parent), path_of(parent) + "/" + name,
          "Add <" + name + "> (CustomerKey, Password and User, in that order, after an optional ClientVersion).");
    }
  }
}

void Checker::unknown_member(xmlNode* c, const std::vector<const MemberDef*>& ms, const TypeDef& tdef) {
  const std::string name = local_name(c);
  std::string hint;
  for (const MemberDef* m : ms) {
    if (lower(m->element) == lower(name)) {
      hint = " Names are case-sensitive: the contract's member is <" + std::string(m->element) + ">.";
      break;
    }
  }
  if (hint.empty()) {
    for (const MemberDef* m : ms) {
      if (m->type < 0) continue;
      for (const MemberDef* g : contract::members(m->type)) {
        if (g->element == name) {
          hint = " It is a member of <" + std::string(m->element) + ">: put it inside that element.";
          break;
        }
      }
      if (!hint.empty()) break;
    }
  }
  add("unknown-member", Severity::Warning,
      "<" + name + "> is no member of " + tdef.xml_name + " (<" + local_name(c->parent) +
          ">); the service ignores it." + hint,
      line_of(c), path_of(c), hint.empty() ? "Remove it, or check the member's name in the contract." : hint.substr(1));
}

xmlNode* Checker::find_path(xmlNode* from, const std::string& path) const {
  xmlNode* cur = from;
  std::size_t pos = 0;
  while (cur) {
    auto slash = path.find('/', pos);
    const std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    xmlNode* next = nullptr;
    for (xmlNode* c : element_children(cur)) {
      if (local_name(c) == part && std::find(dropped_.begin(), dropped_.end(), c) == dropped_.end()) {
        next = c;
        break;
      }
    }
    cur = next;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return cur;
}

void Checker::check_required_paths() {
  const std::string spec = optable::kRequiredMembers[row_];
  std::size_t pos = 0;
  while (pos < spec.size()) {
    auto semi = spec.find(';', pos);
    const std::string alternatives = spec.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
    pos = semi == std::string::npos ? spec.size() : semi + 1;
    std::vector<std::string> options;
    for (std::size_t p = 0; p <= alternatives.size();) {
      auto bar = alternatives.find('|', p);
      options.push_back(alternatives.substr(p, bar == std::string::npos ? std::string::npos : bar - p));
      if (bar == std::string::npos) break;
      p = bar + 1;
    }
    bool present = false;
    for (const auto& o : options) {
      xmlNode* n = find_path(payload_, o);
      if (n && !is_nil(n)) present = true;
    }
    if (present) continue;
    // Report only the first missing level: when Filter is absent, "Filter/PatientID" says nothing more.
    const std::string first = options.front();
    auto slash = first.rfind('/');
    if (slash != std::string::npos && !find_path(payload_, first.substr(0, slash))) continue;
    std::vector<std::string> shown;
    for (const auto& o : options) shown.push_back("<" + o + ">");
    const std::string what = options.size() == 1 ? shown.front() : "one of " + join(shown, ", ");
    const std::string op = optable::kTable[row_].name;
    add("missing-member", Severity::Error,
        op + " needs " + what + " in <" + local_name(payload_) +
            "> (the contract makes it optional, the service does not): without it the service faults "
            "(InternalServiceFault) or finds nothing.",
        line_of(payload_), path_of(payload_) + "/" + first,
        first == "Filter" ? "Add a <Filter> with at least one filter member (e.g. a practice and a date range)."
                          : "Add " + what + ".",
        true);
    missing_paths_.push_back(first);
  }
}

void Checker::check_dates() {
  const auto& row = optable::kTable[row_];
  xmlNode* filter = find_path(payload_, "Filter");
  if (!filter) return;
  for (std::size_t f = 0; f < optable::kDateFields; ++f) {
    const auto& pair = row.paging[f];
    if (!*pair.from) continue;
    xmlNode* from = find_path(filter, pair.from);
    xmlNode* to = find_path(filter, pair.to);
    auto value = [](xmlNode* n) -> std::optional<std::string> {
      if (!n || is_nil(n)) return std::nullopt;
      std::string t = trim(text_of(n));
      if (t.empty()) return std::nullopt;
      return t;
    };
    auto vf = value(from);
    auto vt = value(to);
    if (!vf && !vt) continue;
    if (!vf || !vt) {
      xmlNode* there = vf ? from : to;
      const std::string missing = vf ? pair.to : pair.from;
      add("date-range", Severity::Error,
          "<" + local_name(there) + "> is given without <" + missing +
              ">: the service needs both ends of a date range and otherwise applies a default window (or none), "
              "not the range meant.",
          line_of(there), path_of(there), "Add <" + missing + ">.");
      continue;
    }
    auto df = filter_date(*vf);
    auto dt = filter_date(*vt);
    bool form_ok = true;
    for (auto [n, d] : {std::make_pair(from, df), std::make_pair(to, dt)}) {
      if (d) continue;
      form_ok = false;
      add("date-range", Severity::Error,
          "The date in <" + local_name(n) +
              "> is in a form the service does not read (it reads M/d/yyyy, M/d/yyyy h:mm:ss AM and yyyy-MM-dd); "
              "it faults or ignores the filter.",
          line_of(n), path_of(n), "Write the date as M/d/yyyy (3/1/2024) or yyyy-MM-dd (2024-03-01).");
    }
    if (!form_ok) continue;
    if (*df > *dt) {
      add("date-range", Severity::Warning,
          "<" + local_name(from) + "> is after <" + local_name(to) +
              ">: the range is empty, the service finds "
              "nothing.",
          line_of(from), path_of(from), "Swap the two dates.");
      continue;
    }
    if (pair.max_window_days > 0 && *dt - *df > pair.max_window_days) {
      add("date-range", Severity::Error,
          "The window " + local_name(from) + " .. " + local_name(to) + " spans " + std::to_string(*dt - *df) +
              " days; " + std::string(row.name) + " tolerates about " + std::to_string(pair.max_window_days) +
              ": wider windows give an InternalServiceFault or silently nothing.",
          line_of(from), path_of(from),
          "Split the range into windows of at most " + std::to_string(pair.max_window_days - 1) +
              " days (the library's ranged reads do this).",
          true);
    }
  }
}

}  // namespace kareo::check_detail
