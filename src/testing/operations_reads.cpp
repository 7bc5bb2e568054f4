// The fake server's read operations: the list calls and the single-record reads.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "operations_support.hpp"

namespace kareo::testing::detail::ops {

Reply get_all_patients(CallContext& ctx, const Node& req) {
  const Node* f = req.get("Filter");
  if (!f) return internal_fault();
  auto batch = to_int(f->str("BatchSize"));
  auto practice = to_int(f->str("PracticeID"));
  auto start = to_int(f->str("StartKey"));
  if (!batch || *batch < 1 || *batch > 1000) return failure(ctx, "BatchSize must be between 1 and 1000.");
  if (!practice) return failure(ctx, "PracticeID is required.");
  if (ctx.visibility.denied_practice_ids.count(*practice)) return practice_denied(ctx, *practice);
  const Entity e = Entity::Patient;
  Rows rows;
  std::optional<std::int64_t> next;
  {
    std::shared_lock lock(ctx.core.data->mutex);
    const auto& table = ctx.core.data->table(e).rows;
    for (auto it = table.lower_bound(start.value_or(0)); it != table.end(); ++it) {
      if (ctx.core.data->row_practice(e, *it->second) != practice) continue;
      if (static_cast<std::int64_t>(rows.size()) == *batch) {
        next = it->first;
        break;
      }
      rows.push_back(it->second);
    }
  }
  Reply r = result(ctx);
  r.rows = rows.size();
  if (next) {
    Node& key = r.result.add("Key", Node::object());
    key.add("nextStartKey", std::to_string(*next));
  }
  const EntityDef& def = entity_def(e);
  r.result.add("Patients", rows_node(ctx.core, e, 1, std::move(rows), fields_mask(def, 1, req.get("Fields")), false));
  return r;
}
Reply get_patient(CallContext& ctx, const Node& req) {
  const Node* f = req.get("Filter");
  if (!f) return internal_fault();
  auto id = to_int(f->str("PatientID"));
  auto external = f->str("ExternalID");
  auto vendor = to_int(f->str("ExternalVendorID"));
  std::shared_ptr<const Row> row;
  if (id && *id > 0) {
    std::shared_lock lock(ctx.core.data->mutex);
    row = ctx.core.data->find(Entity::Patient, *id);
  } else if (external && !external->empty()) {
    auto found = ctx.core.store.find_by_external_id(
        Entity::Patient, *external, vendor ? std::optional<int>(static_cast<int>(*vendor)) : std::nullopt);
    if (found) {
      std::shared_lock lock(ctx.core.data->mutex);
      row = ctx.core.data->find(Entity::Patient, *found);
    }
  }
  if (row) {
    std::shared_lock lock(ctx.core.data->mutex);
    auto p = ctx.core.data->row_practice(Entity::Patient, *row);
    if (p && ctx.visibility.denied_practice_ids.count(*p)) return practice_denied(ctx, *p);
  }
  Reply r = result(ctx);
  if (row) {
    r.rows = 1;
    r.result.add("Patient", row_node(ctx.core, Entity::Patient, 0, row));
  }
  return r;
}
Reply get_encounter_details(CallContext& ctx, const Node& req) {
  const Node* f = req.get("Filter");
  if (!f) return internal_fault();
  auto id_text = f->str("EncounterID");
  if (!id_text || trimmed(*id_text).empty()) return internal_fault();
  if (!to_int(id_text)) return failure(ctx, "Input string was not in a correct format.");
  Filter filter{{"EncounterID", *id_text}};
  if (const Node* p = f->get("Practice")) {
    if (auto v = p->str("PracticeID")) filter["PracticeID"] = *v;
    if (auto v = p->str("PracticeName")) filter["PracticeName"] = *v;
  }
  Rows rows;
  {
    std::shared_lock lock(ctx.core.data->mutex);
    if (auto denied = denied_target(ctx, ctx.core.data->targeted_practices(Entity::Encounter, filter))) {
      return practice_denied(ctx, *denied);
    }
    try {
      rows = ctx.core.data->select(Entity::Encounter, filter, visibility(ctx), ctx.operation);
    } catch (const FilterError& err) {
      if (err.fault()) return internal_fault();
      return failure(ctx, err.what());
    }
  }
  Reply r = result(ctx);
  r.rows = rows.size();
  const EntityDef& def = entity_def(Entity::Encounter);
  r.result.add("EncounterDetails", rows_node(ctx.core, Entity::Encounter, 0, std::move(rows),
                                             fields_mask(def, 0, req.get("Fields")), true));
  return r;
}
Reply get_external_vendors(CallContext& ctx, const Node&) {
  Rows rows;
  {
    std::shared_lock lock(ctx.core.data->mutex);
    for (const auto& [id, row] : ctx.core.data->table(Entity::ExternalVendor).rows) rows.push_back(row);
  }
  Reply r = result(ctx);
  r.rows = rows.size();
  r.result.add("ExternalVendors", rows_node(ctx.core, Entity::ExternalVendor, 0, std::move(rows), {}, false));
  return r;
}
Reply get_throttles(CallContext& ctx, const Node&) {
  Reply r = result(ctx);
  Node& list = r.result.add("ThrottleDetails", Node::object());
  for (const auto& [op, interval] : ctx.core.throttle_table()) {
    Node& d = list.add("ThrottleDetail", Node::object());
    d.add("Endpoint", op);
    d.add("ThrottleTimeMs", std::to_string(interval.count()));
  }
  r.rows = list.fields.size();
  return r;
}

// The list operations the generic list reply serves.
Reply get_patients(CallContext& ctx, const Node& req) { return list(ctx, req, Entity::Patient, "Patients"); }
Reply get_appointments(CallContext& ctx, const Node& req) {
  return list(ctx, req, Entity::Appointment, "Appointments");
}
Reply get_charges(CallContext& ctx, const Node& req) { return list(ctx, req, Entity::Charge, "Charges"); }
Reply get_payments(CallContext& ctx, const Node& req) { return list(ctx, req, Entity::Payment, "Payments"); }
Reply get_transactions(CallContext& ctx, const Node& req) {
  return list(ctx, req, Entity::Transaction, "Transactions");
}
Reply get_practices(CallContext& ctx, const Node& req) { return list(ctx, req, Entity::Practice, "Practices"); }
Reply get_providers(CallContext& ctx, const Node& req) { return list(ctx, req, Entity::Provider, "Providers"); }
Reply get_service_locations(CallContext& ctx, const Node& req) {
  return list(ctx, req, Entity::ServiceLocation, "ServiceLocations");
}
Reply get_procedure_codes(CallContext& ctx, const Node& req) {
  return list(ctx, req, Entity::ProcedureCode, "ProcedureCodes");
}
Reply get_customer_id_from_key(CallContext& ctx, const Node& req) { return customer_id_from_key(ctx.core, &req); }

}  // namespace kareo::testing::detail::ops
