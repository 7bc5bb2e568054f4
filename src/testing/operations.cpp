// The 28 operations of KareoServices 2.1 against the fake server's store.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "kareo_optable.hpp"
#include "schema.hpp"
#include "service.hpp"
#include "wcf_writer.hpp"

namespace kareo::testing::detail {
namespace {

constexpr std::size_t kExternalIdLength = 25;

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

std::string text_or(const Node* n, std::string_view member, std::string fallback = {}) {
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

using Rows = std::vector<std::shared_ptr<const Row>>;

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

/// One row as the content of an element (GetPatient's Patient).
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

Reply list(CallContext& ctx, const Node& req, Entity e, const char* member, bool placeholder = true) {
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

// ---- patients ------------------------------------------------------------------------------------------

// PatientCreate/PatientUpdate members stored under the same name in the patient record.
const char* const kPatientSameName[] = {"AddressLine1",
                                        "AddressLine2",
                                        "City",
                                        "CollectionCategoryName",
                                        "Country",
                                        "EmailAddress",
                                        "EmergencyName",
                                        "EmergencyPhone",
                                        "EmergencyPhoneExt",
                                        "FirstName",
                                        "HomePhone",
                                        "HomePhoneExt",
                                        "LastName",
                                        "MaritalStatus",
                                        "MedicalRecordNumber",
                                        "MiddleName",
                                        "MobilePhone",
                                        "MobilePhoneExt",
                                        "Prefix",
                                        "ReferralSource",
                                        "State",
                                        "Suffix",
                                        "WorkPhone",
                                        "WorkPhoneExt",
                                        "ZipCode"};

struct PatientChange {
  Row row;
  std::vector<std::pair<std::string, std::string>> case_results;  // external ID, case ID
};

std::optional<std::int64_t> resolve_practice(const Store::Impl& data, const Node* practice) {
  if (!practice) return std::nullopt;
  if (auto id = to_int(practice->str("PracticeID"))) {
    if (data.find(Entity::Practice, *id)) return *id;
    return std::nullopt;
  }
  if (auto name = practice->str("PracticeName")) return data.practice_id_by_name(*name);
  return std::nullopt;
}

/// Applies the members of a PatientCreate/PatientUpdate element to a patient record.
void apply_patient(const Store::Impl& data, const Node& p, Row& row, std::int64_t& next_case_id,
                   std::vector<std::pair<std::string, std::string>>& case_results) {
  const EntityDef& def = entity_def(Entity::Patient);
  auto set = [&](const char* column, const std::string& value) {
    int c = def.col(column);
    if (c >= 0) row.set(c, value);
  };
  for (const char* name : kPatientSameName) {
    if (auto v = p.str(name)) set(name, *v);
  }
  if (auto v = p.str("SocialSecurityNumber")) set("SSN", *v);
  if (auto v = p.str("DateofBirth")) {
    if (auto t = parse_time(*v)) set("DOB", format_net(*t / kDay * kDay));
  }
  if (auto v = p.str("Gender")) set("Gender", *v);
  if (auto v = p.str("Note")) set("MostRecentNote1Message", *v);
  if (const Node* prov = p.get("DefaultRenderingProvider")) {
    if (auto v = prov->str("ProviderID")) set("DefaultRenderingProviderId", *v);
    if (auto v = prov->str("FullName")) set("DefaultRenderingProviderFullName", *v);
  }
  if (const Node* prov = p.get("ReferringProvider")) {
    if (auto v = prov->str("ProviderID")) set("ReferringProviderId", *v);
    if (auto v = prov->str("FullName")) set("ReferringProviderFullName", *v);
  }
  if (const Node* prov = p.get("PrimaryCarePhysician")) {
    if (auto v = prov->str("PhysicianID")) set("PrimaryCarePhysicianId", *v);
    if (auto v = prov->str("FullName")) set("PrimaryCarePhysicianFullName", *v);
  }
  if (const Node* loc = p.get("DefaultServiceLocation")) {
    if (auto v = loc->str("LocationID")) set("DefaultServiceLocationId", *v);
    if (auto v = loc->str("LocationName")) set("DefaultServiceLocationName", *v);
  }
  if (const Node* emp = p.get("Employer")) {
    if (auto v = emp->str("EmployerName")) set("EmployerName", *v);
  }
  if (const Node* g = p.get("Guarantor")) {
    for (const char* m : {"FirstName", "LastName", "MiddleName", "Prefix", "Suffix"}) {
      if (auto v = g->str(m)) set((std::string("Guarantor") + m).c_str(), *v);
    }
    if (auto v = g->str("DifferentThanPatient")) set("GuarantorDifferentThanPatient", *v == "true" ? "True" : "False");
  }
  if (const Node* alert = p.get("Alert")) {
    if (auto v = alert->str("Message")) set("AlertMessage", *v);
  }
  std::string first = row_value(def, row, "FirstName", SynthContext{}).value_or("");
  std::string last = row_value(def, row, "LastName", SynthContext{}).value_or("");
  set("PatientFullName", first + " " + last);
  if (const Node* cases = p.get("Cases")) {
    Node list = row.complex_member("Cases") ? *row.complex_member("Cases") : Node::object();
    for (const char* item_name : {"PatientCaseCreateReq", "PatientCaseUpdateReq"}) {
      for (const Node* c : cases->all(item_name)) {
        std::string case_id = text_or(c, "CaseID");
        if (case_id.empty()) case_id = std::to_string(next_case_id++);
        Node& data_case = list.add("PatientCaseData", Node::object());
        data_case.add("Description", text_or(c, "CaseDescription"));
        data_case.add("IsPrimaryCase", list.fields.size() == 1 ? "true" : "false");
        data_case.add("Name", text_or(c, "CaseName", "Default Case"));
        data_case.add("PatientCaseID", case_id);
        data_case.add("PayerScenario", text_or(c, "PayerScenario", "Commercial"));
        if (auto v = c->str("ReferringProviderFullName")) data_case.add("ReferringProviderFullName", *v);
        if (auto v = c->str("SendPatientStatements"))
          data_case.add("SendPatientStatements", *v == "true" ? "True" : "False");
        case_results.emplace_back(truncate_external_id(text_or(c, "ExternalID")), case_id);
      }
    }
    row.set_complex("Cases", std::move(list));
  }
  (void)data;
}

Reply modify_patient_reply(CallContext& ctx, std::int64_t patient, std::int64_t practice, const std::string& ext,
                           std::optional<std::int64_t> vendor,
                           const std::vector<std::pair<std::string, std::string>>& cases) {
  Reply r = result(ctx);
  r.result.omit_absent = true;
  if (!cases.empty()) {
    Node& list = r.result.add("Cases", Node::object());
    for (const auto& [external, id] : cases) {
      Node& c = list.add("PatientCaseRes", Node::object());
      if (!external.empty()) c.add("CaseExternalID", external);
      c.add("CaseID", id);
    }
  }
  if (vendor) r.result.add("ExternalVendorID", std::to_string(*vendor));
  if (!ext.empty()) r.result.add("PatientExternalID", ext);
  r.result.add("PatientID", std::to_string(patient));
  r.result.add("PracticeID", std::to_string(practice));
  {
    std::shared_lock lock(ctx.core.data->mutex);
    if (auto name = ctx.core.data->practice_name(practice)) r.result.add("PracticeName", *name);
  }
  r.applied = true;
  return r;
}

std::int64_t next_case_id(const Store::Impl& data) {
  // Case IDs of generated patients are their patient IDs; new ones follow the largest patient ID.
  return 1000000 + data.table(Entity::Patient).next_id * 10;
}

Reply create_patient(CallContext& ctx, const Node& req) {
  const Node* p = req.get("Patient");
  if (!p) return internal_fault();
  if (text_or(p, "FirstName").empty()) return failure(ctx, "FirstName is required.");
  if (text_or(p, "LastName").empty()) return failure(ctx, "LastName is required.");
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  auto practice = resolve_practice(data, p->get("Practice"));
  if (!practice) return failure(ctx, "A valid practice is required (PracticeID or PracticeName).");
  if (ctx.visibility.denied_practice_ids.count(*practice)) return practice_denied(ctx, *practice);
  const EntityDef& def = entity_def(Entity::Patient);
  Row row;
  std::int64_t case_id = next_case_id(data);
  std::vector<std::pair<std::string, std::string>> cases;
  apply_patient(data, *p, row, case_id, cases);
  row.set(def.col("PracticeId"), std::to_string(*practice));
  row.set(def.col("PracticeName"), data.practice_name(*practice).value_or(""));
  std::string now = format_net(data.now());
  row.set(def.col("CreatedDate"), now);
  row.set(def.col("LastModifiedDate"), now);
  std::string ext = truncate_external_id(text_or(p, "PatientExternalID"));
  auto vendor = to_int(p->str("ExternalVendorID"));
  if (!ext.empty()) row.external_ids.emplace_back(static_cast<int>(vendor.value_or(0)), ext);
  std::int64_t id = data.insert_locked(Entity::Patient, std::move(row));
  lock.unlock();
  return modify_patient_reply(ctx, id, *practice, ext, vendor, cases);
}

Reply update_patient(CallContext& ctx, const Node& req) {
  const Node* p = req.get("Patient");
  if (!p) return internal_fault();
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  std::shared_ptr<const Row> old;
  auto vendor = to_int(p->str("ExternalVendorID"));
  std::string ext = truncate_external_id(text_or(p, "PatientExternalID"));
  if (auto id = to_int(p->str("PatientID")); id && *id > 0) {
    old = data.find(Entity::Patient, *id);
  } else if (!ext.empty()) {
    for (const auto& [id2, row] : data.table(Entity::Patient).rows) {
      for (const auto& [v, e] : row->external_ids) {
        if (e == ext && (!vendor || *vendor == v)) old = row;
      }
    }
  }
  if (!old) return failure(ctx, "Patient not found.");
  auto practice = data.row_practice(Entity::Patient, *old).value_or(0);
  if (ctx.visibility.denied_practice_ids.count(practice)) return practice_denied(ctx, practice);
  Row row = *old;
  std::int64_t case_id = next_case_id(data);
  std::vector<std::pair<std::string, std::string>> cases;
  apply_patient(data, *p, row, case_id, cases);
  const EntityDef& def = entity_def(Entity::Patient);
  row.set(def.col("LastModifiedDate"), format_net(data.now()));
  if (!ext.empty()) {
    int v = static_cast<int>(vendor.value_or(0));
    auto it =
        std::find_if(row.external_ids.begin(), row.external_ids.end(), [v](const auto& x) { return x.first == v; });
    if (it != row.external_ids.end()) {
      it->second = ext;
    } else {
      row.external_ids.emplace_back(v, ext);
    }
  }
  std::int64_t id = row.id;
  data.table(Entity::Patient).rows[id] = std::make_shared<const Row>(std::move(row));
  lock.unlock();
  return modify_patient_reply(ctx, id, practice, ext, vendor, cases);
}

Reply update_patients_external_id(CallContext& ctx, const Node& req) {
  const Node* updates = req.get("Updates");
  if (!updates) return internal_fault();
  Reply r = result(ctx);
  Node& items = r.result.add("ItemsUpdated", Node::object());
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  if (const Node* batch = updates->get("UpdateBatch")) {
    for (const Node* s : batch->all("PatientExternalIDSetting")) {
      auto patient = to_int(s->str("patientID"));
      auto vendor = to_int(s->str("externalVendorID"));
      auto practice = to_int(s->str("practiceID"));
      if (!patient || !vendor) continue;
      auto old = data.find(Entity::Patient, *patient);
      if (!old) continue;
      auto row_practice = data.row_practice(Entity::Patient, *old);
      if (practice && row_practice != practice) continue;
      if (row_practice && ctx.visibility.denied_practice_ids.count(*row_practice)) continue;
      Row row = *old;
      std::string ext = truncate_external_id(text_or(s, "externalID"));
      int v = static_cast<int>(*vendor);
      auto it =
          std::find_if(row.external_ids.begin(), row.external_ids.end(), [v](const auto& x) { return x.first == v; });
      if (ext.empty()) {
        if (it != row.external_ids.end()) row.external_ids.erase(it);
      } else if (it != row.external_ids.end()) {
        it->second = ext;
      } else {
        row.external_ids.emplace_back(v, ext);
      }
      row.set(entity_def(Entity::Patient).col("LastModifiedDate"), format_net(data.now()));
      data.table(Entity::Patient).rows[*patient] = std::make_shared<const Row>(std::move(row));
      Node& item = items.add("PatientExternalIDSetting", Node::object());
      item.add("externalID", ext);
      item.add("externalVendorID", std::to_string(*vendor));
      item.add("patientID", std::to_string(*patient));
      item.add("practiceID", std::to_string(row_practice.value_or(0)));
      r.applied = true;
    }
  }
  r.rows = items.fields.size();
  return r;
}

// ---- appointments --------------------------------------------------------------------------------------

// AppointmentData's ConfirmationStatus and the AppointmentStatus enumeration of AppointmentCreate.
const std::pair<const char*, const char*> kStatusMap[] = {{"Scheduled", "Scheduled"},
                                                          {"Confirmed", "Confirmed"},
                                                          {"Check-in", "CheckedIn"},
                                                          {"Check-out", "CheckedOut"},
                                                          {"No-show", "NoShow"},
                                                          {"Cancelled", "Cancelled"},
                                                          {"Rescheduled", "Rescheduled"},
                                                          {"Tentative", "Tentative"},
                                                          {"Roomed", "Roomed"},
                                                          {"Reminder sent", "ReminderSent"},
                                                          {"Needs reschedule", "NeedsReschedule"},
                                                          {"Ready to be seen", "ReadyToBeSeen"}};

std::string status_to_enum(const std::string& confirmation) {
  for (const auto& [c, e] : kStatusMap) {
    if (iequals(confirmation, c)) return e;
  }
  return "Unknown";
}

std::string enum_to_status(const std::string& value) {
  for (const auto& [c, e] : kStatusMap) {
    if (value == e) return c;
  }
  return value;
}

std::string iso(const std::optional<std::string>& net) {
  if (!net) return {};
  auto t = parse_time(*net);
  return t ? format_iso(*t) : std::string();
}

std::string guid_for(Entity e, std::int64_t id) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llx", static_cast<unsigned>(e) + 0xfa4e0000u,
                static_cast<unsigned long long>(id));
  return buf;
}

/// GetAppointment / CreateAppointment / UpdateAppointment answer the record as an AppointmentCreate.
Node appointment_create(const Store::Impl& data, const Row& row) {
  const EntityDef& def = entity_def(Entity::Appointment);
  auto v = [&](const char* c) { return row_value(def, row, c, data.synth); };
  Node a = Node::object();
  a.add("AppointmentId", std::to_string(row.id));
  a.add("AppointmentMode", "InOffice");
  if (auto n = v("Notes")) a.add("AppointmentName", *n);
  if (auto r = to_int(v("AppointmentReasonID1"))) a.add("AppointmentReasonId", std::to_string(*r));
  a.add("AppointmentStatus", status_to_enum(v("ConfirmationStatus").value_or("")));
  std::string type = v("Type").value_or("P");
  a.add("AppointmentType", type == "O" || type == "U" ? type : "P");
  a.add("AppointmentUUID", guid_for(Entity::Appointment, row.id));
  a.add("AttendeesCount", "1");
  a.add("CreatedAt", iso(v("CreatedDate")));
  a.add("CreatedBy", "1");
  a.add("CustomerId", std::to_string(data.customer_id));
  a.add("EndTime", iso(v("EndDate")));
  a.add("ForRecare", "false");
  a.add("IsDeleted", "false");
  a.add("IsGroupAppointment", "false");
  a.add("IsRecurring", v("Recurring").value_or("False") == "True" ? "true" : "false");
  a.add("MaxAttendees", "1");
  if (auto n = v("Notes")) a.add("Notes", *n);
  if (auto c = to_int(v("PatientCaseID"))) a.add("PatientCaseId", std::to_string(*c));
  if (auto pid = to_int(v("PatientID"))) {
    Node& s = a.add("PatientSummary", Node::object());
    if (auto patient = data.find(Entity::Patient, *pid)) {
      const EntityDef& pd = entity_def(Entity::Patient);
      auto pv = [&](const char* c) { return row_value(pd, *patient, c, data.synth); };
      s.add("DateOfBirth", iso(pv("DOB")));
      if (auto x = pv("EmailAddress")) s.add("Email", *x);
      if (auto x = pv("FirstName")) s.add("FirstName", *x);
      s.add("GenderId", pv("Gender").value_or("") == "Female" ? "2" : "1");
      s.add("Guid", guid_for(Entity::Patient, *pid));
      if (auto x = pv("HomePhone")) s.add("HomePhone", *x);
      if (auto x = pv("LastName")) s.add("LastName", *x);
      if (auto x = pv("MiddleName")) s.add("MiddleName", *x);
      if (auto x = pv("MobilePhone")) s.add("MobilePhone", *x);
    }
    s.add("PatientId", std::to_string(*pid));
    if (auto p = to_int(v("PracticeID"))) s.add("PracticeId", std::to_string(*p));
  }
  a.add("PracticeId", std::to_string(to_int(v("PracticeID")).value_or(0)));
  if (auto p = to_int(v("ProviderID"))) a.add("ProviderId", std::to_string(*p));
  if (auto p = to_int(v("ResourceID1"))) {
    a.add("ResourceId", std::to_string(*p));
    Node& ids = a.add("ResourceIds", Node::object());
    ids.add("long", std::to_string(*p));
  }
  a.add("ServiceLocationId", std::to_string(to_int(v("ServiceLocationID")).value_or(0)));
  a.add("StartTime", iso(v("StartDate")));
  a.add("UpdatedAt", iso(v("LastModifiedDate")));
  a.add("UpdatedBy", "1");
  a.add("WasCreatedOnline", "false");
  return a;
}

/// Applies AppointmentCreate/AppointmentUpdate members; returns an error text, or empty on success.
std::string apply_appointment(const Store::Impl& data, const Node& a, Row& row, bool creating) {
  const EntityDef& def = entity_def(Entity::Appointment);
  auto set = [&](const char* c, const std::string& value) { row.set(def.col(c), value); };
  auto start_text = a.str("StartTime"), end_text = a.str("EndTime");
  std::optional<CivilTime> start, end;
  if (start_text && !(start = parse_time(*start_text)))
    return "Error translating AppointmentCreate to CreateAppointmentV3Request";
  if (end_text && !(end = parse_time(*end_text)))
    return "Error translating AppointmentCreate to CreateAppointmentV3Request";
  if (creating && (!start || !end)) return "Error translating AppointmentCreate to CreateAppointmentV3Request";
  if (!start) start = parse_time(row_value(def, row, "StartDate", data.synth).value_or(""));
  if (!end) end = parse_time(row_value(def, row, "EndDate", data.synth).value_or(""));
  if (start && end) {
    if (*end < *start) return "Error translating AppointmentCreate to CreateAppointmentV3Request";
    set("StartDate", format_net(*start));
    set("EndDate", format_net(*end));
    set("AppointmentDuration", std::to_string((*end - *start) / 60));
  }
  // Required xs:long members arrive as 0 when a client did not set them: 0 means "not given".
  auto id_of = [](const std::optional<std::string>& text) -> std::optional<std::int64_t> {
    auto v = to_int(text);
    if (v && *v > 0) return v;
    return std::nullopt;
  };
  std::optional<std::int64_t> provider = id_of(a.str("ProviderId"));
  std::optional<std::int64_t> resource = id_of(a.str("ResourceId"));
  if (!resource) {
    if (const Node* ids = a.get("ResourceIds")) resource = id_of(ids->str("long"));
  }
  if (creating && !provider && !resource) return "Appointment must have valid ProviderGuids or ResourceGuids.";
  if (provider || resource) {
    std::int64_t who = provider ? *provider : *resource;
    set("ProviderID", std::to_string(who));
    set("ResourceID1", std::to_string(resource.value_or(who)));
    set("ResourceTypeID1", "1");
    if (auto prov = data.find(Entity::Provider, resource.value_or(who))) {
      set("ResourceName1", row_value(entity_def(Entity::Provider), *prov, "FullName", data.synth).value_or(""));
    }
  }
  if (auto practice = id_of(a.str("PracticeId"))) {
    auto name = data.practice_name(*practice);
    if (!name) return "Error translating AppointmentCreate to CreateAppointmentV3Request";
    set("PracticeID", std::to_string(*practice));
    set("PracticeName", *name);
  } else if (creating) {
    return "Error translating AppointmentCreate to CreateAppointmentV3Request";
  }
  std::optional<std::int64_t> patient = id_of(a.str("PatientId"));
  if (const Node* s = a.get("PatientSummary")) {
    if (auto id = id_of(s->str("PatientId"))) patient = id;
  }
  if (patient) {
    auto p = data.find(Entity::Patient, *patient);
    if (!p) return "Patient " + std::to_string(*patient) + " was not found.";
    set("PatientID", std::to_string(*patient));
    set("PatientFullName", row_value(entity_def(Entity::Patient), *p, "PatientFullName", data.synth).value_or(""));
  }
  if (auto loc = id_of(a.str("ServiceLocationId"))) {
    set("ServiceLocationID", std::to_string(*loc));
    if (auto l = data.find(Entity::ServiceLocation, *loc)) {
      set("ServiceLocationName", row_value(entity_def(Entity::ServiceLocation), *l, "Name", data.synth).value_or(""));
    }
  }
  if (auto status = a.str("AppointmentStatus")) set("ConfirmationStatus", enum_to_status(*status));
  if (auto type = a.str("AppointmentType")) set("Type", *type);
  if (auto notes = a.str("Notes")) set("Notes", *notes);
  if (auto name = a.str("AppointmentName")) set("Notes", *name);
  if (auto reason = id_of(a.str("AppointmentReasonId"))) set("AppointmentReasonID1", std::to_string(*reason));
  if (auto c = id_of(a.str("PatientCaseId"))) set("PatientCaseID", std::to_string(*c));
  if (auto r = a.str("IsRecurring")) set("Recurring", *r == "true" ? "True" : "False");
  if (creating) {
    set("AllDay", "False");
    if (!a.str("AppointmentStatus")) set("ConfirmationStatus", "Scheduled");
    if (!a.str("AppointmentType")) set("Type", "P");
  }
  return {};
}

Reply create_appointment(CallContext& ctx, const Node& req) {
  const Node* a = req.get("Appointment");
  if (!a) return internal_fault();
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  if (auto practice = to_int(a->str("PracticeId")); practice && ctx.visibility.denied_practice_ids.count(*practice)) {
    return practice_denied(ctx, *practice);
  }
  Row row;
  std::string error = apply_appointment(data, *a, row, true);
  if (!error.empty()) return failure(ctx, error);
  const EntityDef& def = entity_def(Entity::Appointment);
  std::string now = format_net(data.now());
  row.set(def.col("CreatedDate"), now);
  row.set(def.col("LastModifiedDate"), now);
  std::int64_t id = data.insert_locked(Entity::Appointment, std::move(row));
  Reply r = result(ctx);
  r.result.add("Appointment", appointment_create(data, *data.find(Entity::Appointment, id)));
  r.applied = true;
  return r;
}

Reply get_appointment(CallContext& ctx, const Node& req) {
  const Node* a = req.get("Appointment");
  if (!a) return internal_fault();
  auto id = to_int(a->str("AppointmentId"));
  std::shared_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  auto row = id ? data.find(Entity::Appointment, *id) : nullptr;
  if (row) {
    auto p = data.row_practice(Entity::Appointment, *row);
    if (p && ctx.visibility.denied_practice_ids.count(*p)) return practice_denied(ctx, *p);
  }
  Reply r = result(ctx);
  if (row) {
    r.rows = 1;
    r.result.add("Appointment", appointment_create(data, *row));
  }
  return r;
}

Reply update_appointment(CallContext& ctx, const Node& req) {
  const Node* a = req.get("Appointment");
  if (!a) return internal_fault();
  auto id = to_int(a->str("AppointmentId"));
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  auto old = id ? data.find(Entity::Appointment, *id) : nullptr;
  if (!old) return failure(ctx, "Appointment not found.");
  auto p = data.row_practice(Entity::Appointment, *old);
  if (p && ctx.visibility.denied_practice_ids.count(*p)) return practice_denied(ctx, *p);
  Row row = *old;
  std::string error = apply_appointment(data, *a, row, false);
  if (!error.empty()) return failure(ctx, error);
  row.set(entity_def(Entity::Appointment).col("LastModifiedDate"), format_net(data.now()));
  data.table(Entity::Appointment).rows[*id] = std::make_shared<const Row>(std::move(row));
  Reply r = result(ctx);
  r.result.add("Appointment", appointment_create(data, *data.find(Entity::Appointment, *id)));
  r.applied = true;
  return r;
}

Reply delete_appointment(CallContext& ctx, const Node& req) {
  const Node* a = req.get("Appointment");
  if (!a) return internal_fault();
  auto id = to_int(a->str("AppointmentId"));
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  bool deleted = false;
  if (auto row = id ? data.find(Entity::Appointment, *id) : nullptr) {
    auto p = data.row_practice(Entity::Appointment, *row);
    if (p && ctx.visibility.denied_practice_ids.count(*p)) return practice_denied(ctx, *p);
    deleted = data.table(Entity::Appointment).rows.erase(*id) > 0;
  }
  Reply r = result(ctx);
  r.result.add("AppointmentId", std::to_string(id.value_or(0)));
  r.result.add("Deleted", deleted ? "true" : "false");
  r.applied = deleted;
  return r;
}

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

// ---- payments, documents, vendors ------------------------------------------------------------------------

Reply create_payment(CallContext& ctx, const Node& req) {
  const Node* p = req.get("Payment");
  if (!p) return internal_fault();
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  auto practice = resolve_practice(data, p->get("Practice"));
  if (!practice) return failure(ctx, "A valid practice is required (PracticeID or PracticeName).");
  if (ctx.visibility.denied_practice_ids.count(*practice)) return practice_denied(ctx, *practice);
  const Node* pay = p->get("Payment");
  auto amount = to_double(pay ? pay->str("AmountPaid") : std::nullopt);
  if (!amount) return failure(ctx, "Input string was not in a correct format.");
  CivilTime now = data.now();
  auto post_text = p->str("PostDate");
  std::optional<CivilTime> post = post_text ? parse_time(*post_text) : std::optional<CivilTime>(now / kDay * kDay);
  if (!post) return failure(ctx, "String was not recognized as a valid DateTime.");
  const EntityDef& d = entity_def(Entity::Payment);
  Row row;
  auto set = [&](const char* c, const std::string& v) { row.set(d.col(c), v); };
  auto cents = static_cast<std::int64_t>(*amount * 100 + (*amount < 0 ? -0.5 : 0.5));
  std::string name = data.practice_name(*practice).value_or("");
  set("PracticeId", std::to_string(*practice));
  set("PracticeName", name);
  set("Amount", money(cents));
  set("Applied", money(0));
  set("Unapplied", money(cents));
  set("Refunds", money(0));
  set("PayerType", text_or(p, "PayerType", "Patient"));
  set("PaymentMethod", text_or(pay, "PaymentMethod", "Other"));
  if (auto v = pay->str("ReferenceNumber")) set("ReferenceNumber", *v);
  if (auto v = p->str("BatchNumber")) set("BatchNumber", *v);
  if (auto v = p->str("AjudicationDate")) set("AdjudicationDate", *v);
  if (const Node* ap = p->get("Appointment")) {
    if (auto v = to_int(ap->str("AppointmentID"))) set("AppointmentID", std::to_string(*v));
  }
  if (const Node* pat = p->get("Patient")) {
    if (auto v = to_int(pat->str("PatientID"))) {
      set("PatientID", std::to_string(*v));
      if (auto prow = data.find(Entity::Patient, *v)) {
        set("PayerName", row_value(entity_def(Entity::Patient), *prow, "PatientFullName", data.synth).value_or(""));
      }
    }
  }
  if (const Node* ins = p->get("Insurance")) {
    if (auto v = ins->str("CompanyPlanName")) set("PayerName", *v);
  }
  set("PostDate", format_net(*post));
  set("CreatedDate", format_net(now));
  set("LastModifiedDate", format_net(now));
  std::int64_t id = data.insert_locked(Entity::Payment, std::move(row));
  lock.unlock();
  Reply r = result(ctx);
  r.result.add("PaymentID", std::to_string(id));
  r.result.add("PracticeID", std::to_string(*practice));
  r.result.add("PracticeName", name);
  r.applied = true;
  return r;
}

bool valid_base64(std::string_view s, std::size_t& decoded) {
  std::size_t n = 0, pad = 0;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      ++pad;
      ++n;
      continue;
    }
    if (pad || !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
    ++n;
  }
  if (n % 4 != 0 || pad > 2) return false;
  decoded = n / 4 * 3 - pad;
  return true;
}

Reply create_document(CallContext& ctx, const Node& req) {
  const Node* d = req.get("DocumentToCreate");
  if (!d) return internal_fault();
  std::string name = text_or(d, "Name"), file = text_or(d, "FileName"), content = text_or(d, "FileContent");
  if (name.empty()) return failure(ctx, "Name is required.");
  if (file.empty()) return failure(ctx, "FileName is required.");
  std::size_t size = 0;
  if (content.empty() || !valid_base64(content, size)) return failure(ctx, "FileContent is required (base64).");
  auto practice = to_int(d->str("PracticeId"));
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  if (!practice || !data.find(Entity::Practice, *practice)) return failure(ctx, "A valid PracticeId is required.");
  if (ctx.visibility.denied_practice_ids.count(*practice)) return practice_denied(ctx, *practice);
  auto patient = to_int(d->str("PatientId"));
  if (patient && !data.find(Entity::Patient, *patient)) return failure(ctx, "Patient not found.");
  const EntityDef& def = entity_def(Entity::Document);
  Row row;
  auto set = [&](const char* c, const std::string& v) { row.set(def.col(c), v); };
  CivilTime now = data.now();
  std::string doc_date = iso(d->str("DocumentDate"));
  set("Name", name);
  set("FileName", file);
  set("FileSize", std::to_string(size));
  set("PracticeId", std::to_string(*practice));
  if (patient) set("PatientId", std::to_string(*patient));
  set("Label", text_or(d, "Label", "Other"));
  set("Status", text_or(d, "Status", "New"));
  set("Type", "File");
  if (auto v = d->str("DocumentNotes")) set("Notes", *v);
  set("CreatedDate", format_iso(now));
  set("DocumentDate", doc_date.empty() ? format_iso(now) : doc_date);
  std::int64_t id = data.insert_locked(Entity::Document, std::move(row));
  auto stored = data.find(Entity::Document, id);
  lock.unlock();
  Reply r = result(ctx);
  Node& doc = r.result.add("Document", Node::object());
  for (const char* m : {"CreatedDate", "DocumentDate"})
    doc.add(m, row_value(def, *stored, m, SynthContext{}).value_or(""));
  doc.add("DocumentId", std::to_string(id));
  for (const char* m : {"Label", "Name", "Notes", "Status", "Type"}) {
    if (auto v = row_value(def, *stored, m, SynthContext{})) doc.add(m, *v);
  }
  r.applied = true;
  return r;
}

Reply delete_document(CallContext& ctx, const Node& req) {
  auto id = to_int(req.str("DocumentId"));
  if (!id) return internal_fault();
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  bool deleted = false;
  if (auto row = data.find(Entity::Document, *id)) {
    auto p = data.row_practice(Entity::Document, *row);
    if (p && ctx.visibility.denied_practice_ids.count(*p)) return practice_denied(ctx, *p);
    deleted = data.table(Entity::Document).rows.erase(*id) > 0;
  }
  lock.unlock();
  Reply r = result(ctx);
  r.result.add("Deleted", deleted ? "true" : "false");
  r.result.add("DocumentId", std::to_string(*id));
  r.applied = deleted;
  return r;
}

Reply register_external_vendor(CallContext& ctx, const Node& req) {
  const Node* v = req.get("ExternalVendor");
  std::string name = trimmed(text_or(v, "ExternalVendorName"));
  if (name.empty()) return failure(ctx, "ExternalVendorName is required.");
  std::unique_lock lock(ctx.core.data->mutex);
  Store::Impl& data = *ctx.core.data;
  const EntityDef& def = entity_def(Entity::ExternalVendor);
  std::int64_t id = 0;
  bool created = false;
  for (const auto& [vid, row] : data.table(Entity::ExternalVendor).rows) {
    if (row_value(def, *row, "ExternalVendorName", data.synth) == name) id = vid;
  }
  if (!id) {
    Row row;
    row.set(def.col("ExternalVendorName"), name);
    id = data.insert_locked(Entity::ExternalVendor, std::move(row));
    created = true;
  }
  lock.unlock();
  Reply r = result(ctx);
  Node& out = r.result.add("ExternalVendor", Node::object());
  out.add("ExternalVendorID", std::to_string(id));
  out.add("ExternalVendorName", name);
  r.applied = created;
  return r;
}

}  // namespace

Node no_error() {
  Node e = Node::object();
  e.add("IsError", "false");
  return e;
}

Node security_ok(ServerCore& core, const std::vector<std::int64_t>& authorized) {
  Node s = Node::object();
  s.add("Authenticated", "true");
  s.add("Authorized", "true");
  s.add("CustomerId", std::to_string(core.data->customer_id));
  s.add("CustomerKeyValid", "true");
  Node& practices = s.add("PracticesAuthorized", Node::object());
  practices.add("PracticeID", int_list(authorized));
  s.add("SecurityResult", "Success");
  s.add("SecurityResultSuccess", "true");
  return s;
}

Reply security_failure(ServerCore& core, const std::vector<std::int64_t>& authorized, bool key_valid,
                       bool authenticated, const std::string& missing_permission, const std::string& text) {
  Reply r;
  r.result.add("ErrorResponse", no_error());
  Node& s = r.result.add("SecurityResponse", Node::object());
  s.add("Authenticated", authenticated ? "true" : "false");
  s.add("Authorized", "false");
  if (key_valid) s.add("CustomerId", std::to_string(core.data->customer_id));
  s.add("CustomerKeyValid", key_valid ? "true" : "false");
  if (!missing_permission.empty()) {
    Node& missing = s.add("PermissionsMissing", Node::object());
    Node& list = missing.add("Permission", Node::object());
    list.add("string", missing_permission);
  }
  if (authenticated) {
    Node& practices = s.add("PracticesAuthorized", Node::object());
    practices.add("PracticeID", int_list(authorized));
  }
  s.add("SecurityResult", text);
  s.add("SecurityResultSuccess", "false");
  r.outcome = CallRecord::Outcome::Denied;
  return r;
}

Reply customer_id_from_key(ServerCore& core, const Node* request) {
  const auto& creds = core.options.credentials;
  bool ok = request && request->str("CustomerKey").value_or("") == creds.customer_key &&
            request->str("User").value_or("") == creds.user && request->str("Password").value_or("") == creds.password;
  Reply r;
  r.result.add("CustomerId", ok ? std::to_string(core.data->customer_id) : "-1");
  r.result.add("IsAuthorized", ok ? "true" : "false");
  if (!ok) r.outcome = CallRecord::Outcome::Denied;
  return r;
}

namespace {

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

using Handler = Reply (*)(CallContext&, const Node&);

// Every operation of the operation table has its handler above, named like the table's method column: an
// operation added to the table without one does not compile.
const std::map<std::string_view, Handler>& handlers() {
  static const std::map<std::string_view, Handler> table = {
#define KAREO_FAKE_HANDLER_(Name, method) {#Name, &method},
      KAREO_EVERY_OPERATION(KAREO_FAKE_HANDLER_)
#undef KAREO_FAKE_HANDLER_
  };
  return table;
}

}  // namespace

Reply run_operation(CallContext& ctx, const Node* request) {
  if (!request) return internal_fault();
  const auto& table = handlers();
  const auto handler = table.find(ctx.operation);
  if (handler == table.end()) return internal_fault();
  return handler->second(ctx, *request);
}

}  // namespace kareo::testing::detail
