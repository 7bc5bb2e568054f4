// The fake server's payments, documents and external vendors.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "operations_support.hpp"

namespace kareo::testing::detail::ops {

namespace {

// ---- payments, documents, vendors ------------------------------------------------------------------------

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

}  // namespace

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

}  // namespace kareo::testing::detail::ops
