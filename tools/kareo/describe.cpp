// `kareo describe`: the members of a command's payload or records (or of any contract type), so payloads can
// be written without the contract at hand.
#include <algorithm>
#include <iostream>

#include "cli.hpp"

namespace kareo_cli {

namespace {

json describe_json(const kareo::TypeDescription& type) {
  json members = json::array();
  for (const auto& m : type.members) {
    json item = {{"name", std::string(m.name)},
                 {"kind", std::string(kareo::member_kind_name(m.kind))},
                 {"type", std::string(m.xsd_type)}};
    if (m.required) item["required"] = true;
    if (m.nillable) item["nillable"] = true;
    if (!m.allowed_values.empty()) {
      item["values"] = json::array();
      for (auto v : m.allowed_values) item["values"].push_back(std::string(v));
    }
    members.push_back(item);
  }
  json out = {{"type", std::string(type.name)}, {"members", members}};
  if (!type.base.empty()) out["base"] = std::string(type.base);
  if (type.is_array) out["array"] = true;
  return out;
}

void describe_text(const kareo::TypeDescription& type, std::ostream& out) {
  out << type.name;
  if (type.is_array) {
    const auto& item = type.members.at(0);
    out << " (a JSON array of " << (item.type_name.empty() ? item.xsd_type : item.type_name) << ")";
  }
  out << '\n';
  std::size_t width = 0;
  for (const auto& m : type.members) width = std::max(width, m.name.size());
  for (const auto& m : type.members) {
    std::string kind(kareo::member_kind_name(m.kind));
    if (m.kind == kareo::MemberKind::Object || m.kind == kareo::MemberKind::Array ||
        m.kind == kareo::MemberKind::Enumeration)
      kind += " " + std::string(m.type_name);
    out << "  " << m.name << std::string(width - m.name.size() + 2, ' ') << kind;
    if (m.required && !m.nillable) out << ", required";
    if (!m.allowed_values.empty()) {
      out << ": ";
      for (std::size_t i = 0; i < m.allowed_values.size(); ++i) out << (i ? " | " : "") << m.allowed_values[i];
    }
    out << '\n';
  }
}

}  // namespace

void add_describe_command(CLI::App& app, Commands& commands) {
  auto name = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand(
      "describe",
      "Show the JSON members of a command's payload and result (or records), or of a contract type; without a "
      "name, list what each command takes and prints");
  sub->add_option("name", *name, "A command (create-patient, patients, ...) or a contract type (PatientCreate, ...)");
  sub->add_flag("--nested", *all, "Also describe the nested types, recursively");
  commands.push_back({sub, [name, all](Session& s) {
                        const bool as_json = s.globals().format == "json";
                        if (name->empty()) {
                          std::cout << "Write commands (payload -> result):\n";
                          for (const auto& w : write_commands())
                            std::cout << "  " << w.command << ": " << (*w.payload_type ? w.payload_type : "--id N")
                                      << " -> " << w.result_type << '\n';
                          std::cout << "Read commands (records):\n";
                          for (const auto& r : read_commands())
                            std::cout << "  " << r.first << ": " << r.second << '\n';
                          std::cout << "kareo describe NAME shows the members of a command's types or of any contract "
                                       "type.\n";
                          return 0;
                        }
                        std::vector<std::string> types;
                        for (const auto& w : write_commands())
                          if (*name == w.command) {
                            if (*w.payload_type) types.push_back(w.payload_type);
                            types.push_back(w.result_type);
                          }
                        for (const auto& r : read_commands())
                          if (*name == r.first) types.push_back(r.second);
                        if (types.empty()) types.push_back(*name);
                        // With --nested, every type reachable from the named ones, each once.
                        for (std::size_t i = 0; *all && i < types.size(); ++i) {
                          const auto* t = kareo::describe_type(types[i]);
                          if (!t) continue;
                          for (const auto& m : t->members)
                            if ((m.kind == kareo::MemberKind::Object || m.kind == kareo::MemberKind::Array) &&
                                std::find(types.begin(), types.end(), std::string(m.type_name)) == types.end())
                              types.emplace_back(m.type_name);
                        }
                        for (std::size_t i = 0; i < types.size(); ++i) {
                          const auto* t = kareo::describe_type(types[i]);
                          if (!t)
                            throw kareo::InvalidArgument("describe " + types[i] +
                                                         ": neither a command nor a contract type (kareo describe "
                                                         "lists the commands)");
                          if (as_json) {
                            std::cout << describe_json(*t).dump() << '\n';
                          } else {
                            if (i) std::cout << '\n';
                            describe_text(*t, std::cout);
                          }
                        }
                        return 0;
                      }});
}

}  // namespace kareo_cli
