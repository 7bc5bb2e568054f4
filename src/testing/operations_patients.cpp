// The fake server's patient writes: creating and changing a patient, and setting patients' external IDs.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "operations_support.hpp"

namespace kareo::testing::detail::ops {

namespace {

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

}  // namespace

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

}  // namespace kareo::testing::detail::ops
