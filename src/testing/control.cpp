#include "control.hpp"

#include <cctype>
#include <map>

namespace kareo::testing::detail {
namespace {

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::multimap<std::string, std::string> query(std::string_view q) {
  std::multimap<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= q.size()) {
    std::size_t amp = q.find('&', start);
    std::string_view part = q.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      out.emplace(decode(part.substr(0, eq)), eq == std::string_view::npos ? "" : decode(part.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::optional<Entity> entity_named(const std::string& name) {
  for (Entity e : all_entities()) {
    if (entity_name(e) == name) return e;
  }
  return std::nullopt;
}

ControlAnswer error(int status, const std::string& message) {
  return ControlAnswer{status, "application/json", "{\"error\": " + quote(message) + "}\n"};
}

const char* const kHelp =
    "{\"endpoints\": [\"/_fake/faults[?add=SPEC][&clear]\", \"/_fake/calls[?clear]\", "
    "\"/_fake/throttle?on|off|reset\", \"/_fake/count?entity=Patient\", "
    "\"/_fake/ids?entity=Patient&<FilterMember>=<value>...\", \"/_fake/record?entity=Patient&id=1\", "
    "\"/_fake/find?entity=Patient&external_id=X[&vendor=1]\"]}\n";

}  // namespace

bool is_control_path(const std::string& path) { return path.rfind("/_fake", 0) == 0; }

ControlAnswer control(ServerCore& core, const std::string& path) {
  auto qpos = path.find('?');
  std::string what = path.substr(0, qpos);
  auto q = query(qpos == std::string::npos ? std::string_view() : std::string_view(path).substr(qpos + 1));
  try {
    if (what == "/_fake/faults") {
      if (q.count("clear")) core.clear_faults();
      for (auto [it, end] = q.equal_range("add"); it != end; ++it) core.add_fault(Fault::parse(it->second));
      std::string body = "[";
      for (const auto& f : core.faults()) body += (body.size() > 1 ? ", " : "") + quote(f.spec());
      return ControlAnswer{200, "application/json", body + "]\n"};
    }
    if (what == "/_fake/calls") {
      std::string body = "[";
      for (const auto& c : core.calls()) {
        body += body.size() > 1 ? ",\n " : "";
        body += "{\"operation\": " + quote(c.operation) + ", \"outcome\": " + quote(outcome_name(c.outcome)) +
                ", \"http_status\": " + std::to_string(c.http_status) + ", \"rows\": " + std::to_string(c.rows) +
                ", \"applied\": " + (c.applied ? "true" : "false") + "}";
      }
      if (q.count("clear")) core.clear_calls();
      return ControlAnswer{200, "application/json", body + "]\n"};
    }
    if (what == "/_fake/throttle") {
      if (q.count("on")) core.set_throttle(true);
      if (q.count("off")) core.set_throttle(false);
      if (q.count("reset")) core.reset_throttle();
      std::string body = "{";
      for (const auto& [op, ms] : core.throttle_table()) {
        body += (body.size() > 1 ? ", " : "") + quote(op) + ": " + std::to_string(ms.count());
      }
      return ControlAnswer{200, "application/json", body + "}\n"};
    }
    if (what == "/_fake/count" || what == "/_fake/ids" || what == "/_fake/record" || what == "/_fake/find") {
      auto e = q.find("entity");
      if (e == q.end()) return error(400, "entity=<Patient|Appointment|...> is required");
      auto entity = entity_named(e->second);
      if (!entity) return error(400, "unknown entity " + e->second);
      if (what == "/_fake/count") {
        return ControlAnswer{200, "application/json", std::to_string(core.store.count(*entity)) + "\n"};
      }
      if (what == "/_fake/record") {
        auto id = q.find("id");
        if (id == q.end()) return error(400, "id=<number> is required");
        auto rec = core.store.get(*entity, std::stoll(id->second));
        if (!rec) return error(404, "no such record");
        std::string body = "{";
        for (const auto& [k, v] : *rec) body += (body.size() > 1 ? ", " : "") + quote(k) + ": " + quote(v);
        return ControlAnswer{200, "application/json", body + "}\n"};
      }
      if (what == "/_fake/find") {
        auto ext = q.find("external_id");
        if (ext == q.end()) return error(400, "external_id=<text> is required");
        std::optional<int> vendor;
        if (auto v = q.find("vendor"); v != q.end()) vendor = std::stoi(v->second);
        auto id = core.store.find_by_external_id(*entity, ext->second, vendor);
        return ControlAnswer{200, "application/json", (id ? std::to_string(*id) : std::string("null")) + "\n"};
      }
      Filter filter;
      for (const auto& [k, v] : q) {
        if (k != "entity") filter[k] = v;
      }
      std::string body = "[";
      for (auto id : filter.empty() ? core.store.ids(*entity) : core.store.ids(*entity, filter)) {
        body += (body.size() > 1 ? ", " : "") + std::to_string(id);
      }
      return ControlAnswer{200, "application/json", body + "]\n"};
    }
    if (what == "/_fake" || what == "/_fake/") return ControlAnswer{200, "application/json", kHelp};
    return error(404, "unknown control path " + what);
  } catch (const FilterError& e) {
    return error(400, e.what());
  } catch (const std::exception& e) {
    return error(400, e.what());
  }
}

}  // namespace kareo::testing::detail
