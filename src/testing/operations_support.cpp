// What the fake server's operations share: request values, replies, rows, and the generic list reply.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "operations_support.hpp"

namespace kareo::testing::detail::ops {

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::optional<std::int64_t> to_int(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  std::string t = trimmed(*s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (*end) return std::nullopt;
  return v;
}

std::optional<double> to_double(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  std::string t = trimmed(*s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (*end) return std::nullopt;
  return v;
}

std::string text_or(const Node* n, std::string_view member, std::string fallback) {
  if (!n) return fallback;
  auto v = n->str(member);
  return v ? *v : fallback;
}

std::string truncate_external_id(std::string id) {
  if (id.size() > kExternalIdLength) id.resize(kExternalIdLength);
  return id;
}

Filter to_filter(const Node& n) {
  Filter f;
  for (const auto& [name, child] : n.fields) {
    if (child.kind == Node::Kind::Text) f[name] = child.text;
  }
  return f;
}

// ---- replies ------------------------------------------------------------------------------------------

Reply result(const CallContext& ctx) {
  Reply r;
  r.result.add("ErrorResponse", no_error());
  r.result.add("SecurityResponse", security_ok(ctx.core, ctx.authorized));
  return r;
}

Reply failure(const CallContext& ctx, const std::string& message) {
  Reply r;
  Node& err = r.result.add("ErrorResponse", Node::object());
  err.add("ErrorMessage", message);
  err.add("IsError", "true");
  r.result.add("SecurityResponse", security_ok(ctx.core, ctx.authorized));
  r.outcome = CallRecord::Outcome::ServiceError;
  return r;
}

Reply practice_denied(const CallContext& ctx, std::int64_t practice) {
  return security_failure(ctx.core, ctx.authorized, true, true, "",
                          "The user is not authorized for practice " + std::to_string(practice) + ".");
}

Node int_list(const std::vector<std::int64_t>& ids) {
  Node list = Node::object();
  for (auto id : ids) list.add("int", std::to_string(id));
  return list;
}

// ---- rows -----------------------------------------------------------------------------------------------

std::vector<bool> fields_mask(const EntityDef& def, std::size_t row_type, const Node* fields) {
  if (!fields) return {};
  const auto& members = schema::members(def.row_types[row_type]);
  std::vector<bool> mask(members.size(), false);
  bool any = false;
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto v = fields->str(members[i]->element);
    if (v && (*v == "true" || *v == "1")) {
      mask[i] = true;
      any = true;
    }
    if (members[i]->element == def.id_column) mask[i] = true;  // rows always carry their ID
  }
  if (!any) return {};
  return mask;
}

namespace {

void write_row_members(WcfWriter& w, const EntityDef& def, std::size_t rt, const Row* row,
                       const std::vector<bool>& mask, const SynthContext& ctx) {
  const auto& members = schema::members(def.row_types[rt]);
  std::string& buf = w.out().scratch();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const MemberDef* m = members[i];
    if (!row) {  // the placeholder row of an empty result: an empty ID, everything else null
      if (m->element == def.id_column) {
        w.leaf(m->element, m->ns, "");
      } else {
        w.nil(m->element, m->ns);
      }
      continue;
    }
    if (!mask.empty() && !mask[i]) {
      w.nil(m->element, m->ns);
      continue;
    }
    int col = def.member_column[rt][i];
    if (col >= 0) {
      if (row_value(def, *row, col, ctx, buf)) {
        w.leaf(m->element, m->ns, buf);
      } else {
        w.nil(m->element, m->ns);
      }
    } else {
      auto node = row_complex(def, *row, m->element, ctx);
      w.value(m->element, m->ns, m->type, node.get());
    }
  }
}

/// A list member (e.g. Patients) written row by row while the response is sent.

}  // namespace

Node rows_node(const ServerCore& core, Entity e, std::size_t rt, Rows rows, std::vector<bool> mask, bool placeholder) {
  const EntityDef* def = &entity_def(e);
  const int type = def->row_types[rt];
  // The item element of the ArrayOf type that holds these rows.
  std::string item = schema::type(type).xml_name;
  const int ns = schema::type(type).ns;
  auto shared = std::make_shared<Rows>(std::move(rows));
  SynthContext ctx = core.data->synth;
  return Node::streamed([def, rt, type, item, ns, shared, mask = std::move(mask), placeholder, ctx](WcfWriter& w) {
    const std::vector<int> contract = schema::contract_namespaces(type);
    for (const auto& row : *shared) {
      w.open(item, ns, contract);
      write_row_members(w, *def, rt, row.get(), mask, ctx);
      w.close();
    }
    if (shared->empty() && placeholder) {
      w.open(item, ns, contract);
      write_row_members(w, *def, rt, nullptr, mask, ctx);
      w.close();
    }
  });
}

/// One row as the content of an element (the Patient of a single-patient read).
Node row_node(const ServerCore& core, Entity e, std::size_t rt, std::shared_ptr<const Row> row) {
  const EntityDef* def = &entity_def(e);
  SynthContext ctx = core.data->synth;
  return Node::streamed([def, rt, row, ctx](WcfWriter& w) { write_row_members(w, *def, rt, row.get(), {}, ctx); });
}

Visibility visibility(const CallContext& ctx) { return ctx.visibility; }

std::optional<std::int64_t> denied_target(const CallContext& ctx, const std::vector<std::int64_t>& practices) {
  for (auto p : practices) {
    if (ctx.visibility.denied_practice_ids.count(p)) return p;
  }
  return std::nullopt;
}

// ---- list operations -----------------------------------------------------------------------------------

Reply list(CallContext& ctx, const Node& req, Entity e, const char* member, bool placeholder) {
  const Node* filter_node = req.get("Filter");
  if (!filter_node) return internal_fault();  // the service dereferences the missing Filter
  Filter filter = to_filter(*filter_node);
  const EntityDef& def = entity_def(e);
  Rows rows;
  bool empty_window = false;
  if (auto wide = ctx.core.wide_window_fault(ctx.operation, filter)) {
    if (!wide->empty_result) return internal_fault();
    empty_window = true;
  }
  {
    std::shared_lock lock(ctx.core.data->mutex);
    if (auto denied = denied_target(ctx, ctx.core.data->targeted_practices(e, filter))) {
      return practice_denied(ctx, *denied);
    }
    try {
      rows = ctx.core.data->select(e, filter, visibility(ctx), ctx.operation);
    } catch (const FilterError& err) {
      if (err.fault()) return internal_fault();
      return failure(ctx, err.what());
    }
  }
  if (empty_window) rows.clear();
  Reply r = result(ctx);
  r.rows = rows.size();
  r.result.add(member, rows_node(ctx.core, e, 0, std::move(rows), fields_mask(def, 0, req.get("Fields")), placeholder));
  return r;
}

std::optional<std::int64_t> resolve_practice(const Store::Impl& data, const Node* practice) {
  if (!practice) return std::nullopt;
  if (auto id = to_int(practice->str("PracticeID"))) {
    if (data.find(Entity::Practice, *id)) return *id;
    return std::nullopt;
  }
  if (auto name = practice->str("PracticeName")) return data.practice_id_by_name(*name);
  return std::nullopt;
}

std::string iso(const std::optional<std::string>& net) {
  if (!net) return {};
  auto t = parse_time(*net);
  return t ? format_iso(*t) : std::string();
}

}  // namespace kareo::testing::detail::ops
