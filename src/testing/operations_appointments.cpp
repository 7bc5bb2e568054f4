// The fake server's appointment operations.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "operations_support.hpp"

namespace kareo::testing::detail::ops {

namespace {

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

}  // namespace

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

}  // namespace kareo::testing::detail::ops
