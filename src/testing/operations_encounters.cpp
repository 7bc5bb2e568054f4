// The fake server's encounter writes: creating an encounter, and changing its status.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "operations_support.hpp"

namespace kareo::testing::detail::ops {

namespace {

// ---- encounters ------------------------------------------------------------------------------------------

struct EncounterOut {
  std::int64_t encounter = 0, patient = 0, practice = 0, appointment = 0, case_id = 0, rendering = 0, location = 0;
  std::optional<std::int64_t> vendor;
  std::string encounter_ext, patient_ext, practice_name;
  Node lines = Node::object();
};

Reply encounter_reply(CallContext& ctx, const EncounterOut& o) {
  Reply r = result(ctx);
  Node& n = r.result;
  n.add("AppointmentID", std::to_string(o.appointment));
  if (!o.encounter_ext.empty()) n.add("EncounterExternalID", o.encounter_ext);
  n.add("EncounterID", std::to_string(o.encounter));
  n.add("ExternalVendorID", std::to_string(o.vendor.value_or(0)));
  n.add("PatientCaseID", std::to_string(o.case_id));
  if (!o.patient_ext.empty()) n.add("PatientExternalID", o.patient_ext);
  n.add("PatientID", std::to_string(o.patient));
  n.add("PracticeID", std::to_string(o.practice));
  n.add("PracticeName", o.practice_name);
  n.add("ReferringProviderID", "0");
  n.add("RenderingProviderID", std::to_string(o.rendering));
  n.add("SchedulingProviderID", std::to_string(o.rendering));
  n.add("ServiceLinesAdded", o.lines);
  n.add("ServiceLocationID", std::to_string(o.location));
  n.add("SupervisingProviderID", "0");
  return r;
}

std::optional<std::int64_t> find_provider(const Store::Impl& data, const Node* who, std::int64_t practice) {
  if (!who) return std::nullopt;
  if (auto id = to_int(who->str("ProviderID")); id && *id > 0) return id;
  const EntityDef& def = entity_def(Entity::Provider);
  std::string first = text_or(who, "FirstName"), last = text_or(who, "LastName"), full = text_or(who, "FullName");
  for (const auto& [id, row] : data.table(Entity::Provider).rows) {
    if (data.row_practice(Entity::Provider, *row) != practice) continue;
    if (!full.empty() && iequals(row_value(def, *row, "FullName", data.synth).value_or(""), full)) return id;
    if (!last.empty() && iequals(row_value(def, *row, "LastName", data.synth).value_or(""), last) &&
        (first.empty() || iequals(row_value(def, *row, "FirstName", data.synth).value_or(""), first)))
      return id;
  }
  return std::nullopt;
}

}  // namespace

Reply create_encounter(CallContext& ctx, const Node& req) {
  const Node* e = req.get("Encounter");
  if (!e) return internal_fault();
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  auto practice = resolve_practice(data, e->get("Practice"));
  if (!practice) return failure(ctx, "A valid practice is required (PracticeID or PracticeName).");
  if (ctx.visibility.denied_practice_ids.count(*practice)) return practice_denied(ctx, *practice);
  // The patient: by ID, by external ID, or by name within the practice.
  const Node* pn = e->get("Patient");
  std::shared_ptr<const Row> patient;
  const EntityDef& pd = entity_def(Entity::Patient);
  if (pn) {
    if (auto id = to_int(pn->str("PatientID")); id && *id > 0) {
      patient = data.find(Entity::Patient, *id);
    } else if (auto ext = pn->str("ExternalID"); ext && !ext->empty()) {
      for (const auto& [id2, row] : data.table(Entity::Patient).rows) {
        for (const auto& [v, x] : row->external_ids) {
          if (x == truncate_external_id(*ext)) patient = row;
        }
      }
    } else {
      std::string first = text_or(pn, "FirstName"), last = text_or(pn, "LastName");
      for (const auto& [id2, row] : data.table(Entity::Patient).rows) {
        if (data.row_practice(Entity::Patient, *row) == practice &&
            iequals(row_value(pd, *row, "FirstName", data.synth).value_or(""), first) &&
            iequals(row_value(pd, *row, "LastName", data.synth).value_or(""), last)) {
          patient = row;
          break;
        }
      }
    }
  }
  if (!patient) return failure(ctx, "Patient not found.");
  if (data.row_practice(Entity::Patient, *patient) != practice) return failure(ctx, "Patient not found in practice.");
  const Node* lines = e->get("ServiceLines");
  std::vector<const Node*> line_nodes = lines ? lines->all("ServiceLineReq") : std::vector<const Node*>{};
  if (line_nodes.empty()) return failure(ctx, "At least one service line is required.");
  auto start = parse_time(text_or(e, "ServiceStartDate"));
  if (!start) return failure(ctx, "ServiceStartDate is required.");
  auto end = parse_time(text_or(e, "ServiceEndDate")).value_or(*start);
  CivilTime now = data.now();
  auto post = parse_time(text_or(e, "PostDate")).value_or(now / kDay * kDay);

  EncounterOut out;
  out.practice = *practice;
  out.practice_name = data.practice_name(*practice).value_or("");
  out.patient = patient->id;
  out.vendor = to_int(e->str("ExternalVendorID"));
  out.encounter_ext = truncate_external_id(text_or(e, "EncounterExternalID"));
  if (out.vendor) {
    for (const auto& [v, x] : patient->external_ids) {
      if (v == *out.vendor) out.patient_ext = x;
    }
  }
  out.rendering = find_provider(data, e->get("RenderingProvider"), *practice).value_or(0);
  if (const Node* loc = e->get("ServiceLocation")) out.location = to_int(loc->str("LocationID")).value_or(0);
  if (const Node* ap = e->get("Appointment")) out.appointment = to_int(ap->str("AppointmentID")).value_or(0);
  if (const Node* c = e->get("Case")) out.case_id = to_int(c->str("CaseID")).value_or(0);
  if (!out.case_id) out.case_id = patient->id;
  std::string status = text_or(e, "EncounterStatus", "Draft");

  const EntityDef& ed = entity_def(Entity::Encounter);
  Row enc;
  enc.id = data.table(Entity::Encounter).next_id;
  out.encounter = enc.id;
  auto set = [&](Row& r, const EntityDef& d, const char* c, const std::string& v) {
    int col = d.col(c);
    if (col >= 0) r.set(col, v);
  };
  set(enc, ed, "PracticeID", std::to_string(*practice));
  set(enc, ed, "PracticeName", out.practice_name);
  set(enc, ed, "PatientID", std::to_string(patient->id));
  set(enc, ed, "PatientFirstName", row_value(pd, *patient, "FirstName", data.synth).value_or(""));
  set(enc, ed, "PatientLastName", row_value(pd, *patient, "LastName", data.synth).value_or(""));
  if (out.appointment) set(enc, ed, "AppointmentID", std::to_string(out.appointment));
  set(enc, ed, "CaseID", std::to_string(out.case_id));
  set(enc, ed, "EncounterStatus", status);
  set(enc, ed, "ServiceStartDate", format_net(*start));
  set(enc, ed, "ServiceEndDate", format_net(end));
  set(enc, ed, "PostDate", format_net(post));
  set(enc, ed, "CreatedDate", format_net(now));
  set(enc, ed, "LastModifiedDate", format_net(now));
  set(enc, ed, "BatchNumber", text_or(e, "BatchNumber"));
  if (out.location) set(enc, ed, "ServiceLocationID", std::to_string(out.location));
  if (out.rendering) {
    set(enc, ed, "RenderingProviderID", std::to_string(out.rendering));
    if (auto prov = data.find(Entity::Provider, out.rendering)) {
      set(enc, ed, "RenderingProvider",
          row_value(entity_def(Entity::Provider), *prov, "FullName", data.synth).value_or(""));
    }
  }
  if (!out.encounter_ext.empty()) set(enc, ed, "EncounterExternalID", out.encounter_ext);

  const EntityDef& cd = entity_def(Entity::Charge);
  for (const Node* line : line_nodes) {
    Row ch;
    ch.id = data.table(Entity::Charge).next_id;
    auto units = to_double(line->str("Units")).value_or(1);
    auto unit_charge = to_double(line->str("UnitCharge")).value_or(0);
    auto cents = static_cast<std::int64_t>(unit_charge * 100 + 0.5);
    set(ch, cd, "EncounterID", std::to_string(enc.id));
    set(ch, cd, "EncounterProcedureID", std::to_string(ch.id));
    set(ch, cd, "EncounterStatus", status);
    set(ch, cd, "PracticeID", std::to_string(*practice));
    set(ch, cd, "PracticeName", out.practice_name);
    set(ch, cd, "PatientID", std::to_string(patient->id));
    set(ch, cd, "PatientName", row_value(pd, *patient, "PatientFullName", data.synth).value_or(""));
    set(ch, cd, "ProcedureCode", text_or(line, "ProcedureCode"));
    set(ch, cd, "Units", trimmed(text_or(line, "Units", "1")));
    set(ch, cd, "UnitCharge", money(cents));
    set(ch, cd, "TotalCharges", money(static_cast<std::int64_t>(cents * units + 0.5)));
    auto ls = parse_time(text_or(line, "ServiceStartDate")).value_or(*start);
    set(ch, cd, "ServiceStartDate", format_net(ls));
    set(ch, cd, "ServiceEndDate", format_net(parse_time(text_or(line, "ServiceEndDate")).value_or(ls)));
    set(ch, cd, "PostingDate", format_net(post));
    set(ch, cd, "CreatedDate", format_net(now));
    set(ch, cd, "LastModifiedDate", format_net(now));
    if (auto d = line->str("DiagnosisCode1")) set(ch, cd, "EncounterDiagnosisID1", *d);
    if (out.appointment) set(ch, cd, "AppointmentID", std::to_string(out.appointment));
    if (out.rendering) set(ch, cd, "RenderingProviderID", std::to_string(out.rendering));
    set(ch, cd, "Status", "Pending");
    std::string line_ext = truncate_external_id(text_or(line, "ExternalID"));
    Node& res = out.lines.add("ServiceLineRes", Node::object());
    res.add("EncounterID", std::to_string(enc.id));
    if (!line_ext.empty()) res.add("ServiceLineExternalID", line_ext);
    res.add("ServiceLineID", std::to_string(ch.id));
    data.insert_locked(Entity::Charge, std::move(ch));
  }
  enc.set_complex("ServiceLines", out.lines);
  data.insert_locked(Entity::Encounter, std::move(enc));
  lock.unlock();
  Reply r = encounter_reply(ctx, out);
  r.applied = true;
  return r;
}
Reply update_encounter_status(CallContext& ctx, const Node& req) {
  const Node* u = req.get("EncounterUpdateStatus");
  if (!u) return internal_fault();
  auto id = to_int(u->str("EncounterID"));
  std::string status = text_or(u, "EncounterStatus");
  if (!id) return internal_fault();
  if (status.empty()) return failure(ctx, "EncounterStatus is required.");
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  auto old = data.find(Entity::Encounter, *id);
  if (!old) return failure(ctx, "Encounter not found.");
  auto practice = data.row_practice(Entity::Encounter, *old).value_or(0);
  if (ctx.visibility.denied_practice_ids.count(practice)) return practice_denied(ctx, practice);
  if (auto wanted = resolve_practice(data, u->get("Practice")); u->get("Practice") && wanted != practice) {
    return failure(ctx, "Encounter not found in practice.");
  }
  const EntityDef& ed = entity_def(Entity::Encounter);
  std::string now = format_net(data.now());
  Row enc = *old;
  enc.set(ed.col("EncounterStatus"), status);
  enc.set(ed.col("LastModifiedDate"), now);
  data.table(Entity::Encounter).rows[*id] = std::make_shared<const Row>(enc);
  const EntityDef& cd = entity_def(Entity::Charge);
  const int enc_col = cd.col("EncounterID");
  std::string v;
  for (auto& [cid, ch] : data.table(Entity::Charge).rows) {
    if (row_value(cd, *ch, enc_col, data.synth, v) && v == std::to_string(*id)) {
      Row c = *ch;
      c.set(cd.col("EncounterStatus"), status);
      c.set(cd.col("LastModifiedDate"), now);
      ch = std::make_shared<const Row>(std::move(c));
    }
  }
  EncounterOut out;
  out.encounter = *id;
  out.practice = practice;
  out.practice_name = data.practice_name(practice).value_or("");
  out.patient = to_int(row_value(ed, enc, "PatientID", data.synth)).value_or(0);
  out.appointment = to_int(row_value(ed, enc, "AppointmentID", data.synth)).value_or(0);
  out.case_id = to_int(row_value(ed, enc, "CaseID", data.synth)).value_or(0);
  out.rendering = to_int(row_value(ed, enc, "RenderingProviderID", data.synth)).value_or(0);
  out.location = to_int(row_value(ed, enc, "ServiceLocationID", data.synth)).value_or(0);
  out.encounter_ext = row_value(ed, enc, "EncounterExternalID", data.synth).value_or("");
  if (const Node* lines = enc.complex_member("ServiceLines")) out.lines = *lines;
  lock.unlock();
  Reply r = encounter_reply(ctx, out);
  r.applied = true;
  return r;
}

}  // namespace kareo::testing::detail::ops
