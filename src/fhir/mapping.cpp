// The mapping of the row types to FHIR R4 resources: one table per resource type, member by member
// (docs/fhir.md is the same table in prose).
#include <cctype>
#include <map>
#include <vector>

#include "fhir/mapping_internal.hpp"
#include "kareo/datetime.hpp"
#include "kareo/fhir.hpp"

namespace kareo::fhir {

namespace {

using json = nlohmann::json;

constexpr const char* kV2IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";
constexpr const char* kV2ContactRole = "http://terminology.hl7.org/CodeSystem/v2-0131";
constexpr const char* kPlaceOfService =
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";

// A resource under construction: the table's rows put each member's text in its place, finish() assembles.
struct Builder {
  Builder(const char* type, const MapOptions& o) : options(o) { resource["resourceType"] = type; }

  const MapOptions& options;
  json resource = json::object();
  std::optional<std::string> id;
  std::string problem;
  json identifiers = json::array();
  json name = json::object();
  std::map<std::string, json> addresses;  // by key: "" is the record's own address
  struct Telecom {
    std::string system, use;
    std::optional<std::string> value, ext;
  };
  std::vector<std::pair<std::string, Telecom>> telecom;     // by key (system/use), in table order
  std::map<std::string, std::string> values;                // member text a later step combines
  std::map<int, std::map<std::string, std::string>> slots;  // numbered members (ResourceID1, ...)

  Telecom& contact(const std::string& system, const std::string& use) {
    const std::string key = system + "/" + use;
    for (auto& [k, t] : telecom)
      if (k == key) return t;
    telecom.emplace_back(key, Telecom{system, use, std::nullopt, std::nullopt});
    return telecom.back().second;
  }
  // Records why the record does not map (the first reason wins).
  void fail(std::string why) {
    if (problem.empty()) problem = std::move(why);
  }
  std::string system(const char* kind) const { return options.system_base + kind; }
};

// One row of a mapping table: a member of the row type, and what it becomes.
using Apply = void (*)(Builder&, const char* arg, const std::string& text);
template <class Row>
struct Field {
  const char* member;                      // the contract's member name
  std::optional<std::string> Row::*value;  // the member
  Apply apply;                             // what it becomes
  const char* arg;                         // the argument of apply
};

// ---- what a member becomes
void tebra_id(Builder& b, const char* kind, const std::string& v) {
  b.identifiers.push_back({{"system", b.system(kind)}, {"value", v}});
  if (valid_id(v))
    b.id = v;
  else
    b.fail("ID \"" + v + "\" is not a valid FHIR id");
}
void identifier(Builder& b, const char* system, const std::string& v) {
  b.identifiers.push_back({{"system", system}, {"value", v}});
}
void keep(Builder& b, const char* key, const std::string& v) { b.values[key] = v; }
void set(Builder& b, const char* element, const std::string& v) { b.resource[element] = v; }
void push(Builder& b, const char* element, const std::string& v) { b.resource[element].push_back(v); }
void name_part(Builder& b, const char* part, const std::string& v) {
  if (std::string(part) == "family" || std::string(part) == "text")
    b.name[part] = v;
  else
    b.name[part].push_back(v);
}
void gender(Builder& b, const char*, const std::string& v) {
  if (auto code = to_gender(v)) b.resource["gender"] = *code;
}
void birth_date(Builder& b, const char*, const std::string& v) {
  if (auto date = to_date(v)) b.resource["birthDate"] = *date;
}
void active(Builder& b, const char*, const std::string& v) {
  if (auto flag = parse_bool(v)) b.resource["active"] = *flag;
}
// arg: "<key>:<part>", part one of line, city, state, postalCode, country.
void address(Builder& b, const char* arg, const std::string& v) {
  const std::string a(arg);
  const auto colon = a.find(':');
  json& address = b.addresses[a.substr(0, colon)];
  const std::string part = a.substr(colon + 1);
  if (part == "line")
    address["line"].push_back(v);
  else
    address[part] = v;
}
// arg: "<system>/<use>", e.g. "phone/home"; the extension member of the same contact: "phone/home:ext".
void telecom(Builder& b, const char* arg, const std::string& v) {
  std::string a(arg);
  const bool ext = a.size() > 4 && a.compare(a.size() - 4, 4, ":ext") == 0;
  if (ext) a.resize(a.size() - 4);
  const auto slash = a.find('/');
  auto& t = b.contact(a.substr(0, slash), slash == std::string::npos ? std::string() : a.substr(slash + 1));
  (ext ? t.ext : t.value) = v;
}
// arg: "<slot key><n>": numbered members (ResourceID3 -> slot 3, key "id").
void slot(Builder& b, const char* arg, const std::string& v) {
  std::string a(arg);
  std::size_t d = a.find_first_of("0123456789");
  b.slots[std::stoi(a.substr(d))][a.substr(0, d)] = v;
}

// ---- assembling
json reference(const std::string& type, const std::string& id, const std::string* display) {
  json r{{"reference", type + "/" + id}};
  if (display) r["display"] = *display;
  return r;
}
const std::string* value(const Builder& b, const char* key) {
  auto it = b.values.find(key);
  return it == b.values.end() ? nullptr : &it->second;
}

json telecom_list(const Builder& b) {
  json out = json::array();
  for (const auto& [key, t] : b.telecom) {
    if (!t.value) continue;  // an extension without its number says nothing
    json c{{"system", t.system}, {"value", t.ext ? *t.value + " ext. " + *t.ext : *t.value}};
    if (!t.use.empty()) c["use"] = t.use;
    out.push_back(std::move(c));
  }
  return out;
}

template <class Row>
Mapped run(const char* type, const Row& row, const std::vector<Field<Row>>& table, const MapOptions& options,
           void (*finish)(Builder&)) {
  Builder b(type, options);
  for (const auto& f : table)
    if (auto text = trimmed(row.*(f.value))) f.apply(b, f.arg, *text);
  if (finish) finish(b);
  if (b.id) b.resource["id"] = *b.id;
  if (!b.identifiers.empty()) b.resource["identifier"] = std::move(b.identifiers);
  if (!b.name.empty()) {
    if (b.resource["resourceType"] == "Patient" || b.resource["resourceType"] == "Practitioner")
      b.resource["name"].push_back(std::move(b.name));
  }
  json telecoms = telecom_list(b);
  if (!telecoms.empty()) b.resource["telecom"] = std::move(telecoms);
  auto own = b.addresses.find("");
  if (own != b.addresses.end()) {
    if (b.resource["resourceType"] == "Location")
      b.resource["address"] = own->second;
    else
      b.resource["address"].push_back(own->second);
  }
  Mapped m;
  if (!b.problem.empty()) {
    m.problem = b.problem;
    return m;
  }
  m.resource = std::move(b.resource);
  return m;
}

// ---- Organization (PracticeData)
const std::vector<Field<PracticeData>>& organization_table() {
  static const std::vector<Field<PracticeData>> t = {
      {"ID", &PracticeData::ID, tebra_id, "organization"},
      {"NPI", &PracticeData::NPI, identifier, kNpiSystem},
      {"TaxID", &PracticeData::TaxID, identifier, kTaxIdSystem},
      {"Active", &PracticeData::Active, active, ""},
      {"PracticeName", &PracticeData::PracticeName, set, "name"},
      {"Phone", &PracticeData::Phone, telecom, "phone/work"},
      {"PhoneExt", &PracticeData::PhoneExt, telecom, "phone/work:ext"},
      {"Fax", &PracticeData::Fax, telecom, "fax/work"},
      {"FaxExt", &PracticeData::FaxExt, telecom, "fax/work:ext"},
      {"Email", &PracticeData::Email, telecom, "email/work"},
      {"WebSite", &PracticeData::WebSite, telecom, "url/work"},
      {"PracticeAddressLine1", &PracticeData::PracticeAddressLine1, address, ":line"},
      {"PracticeAddressLine2", &PracticeData::PracticeAddressLine2, address, ":line"},
      {"PracticeCity", &PracticeData::PracticeCity, address, ":city"},
      {"PracticeState", &PracticeData::PracticeState, address, ":state"},
      {"PracticeZipCode", &PracticeData::PracticeZipCode, address, ":postalCode"},
      {"PracticeCountry", &PracticeData::PracticeCountry, address, ":country"},
  };
  return t;
}

// ---- Practitioner (ProviderData)
const std::vector<Field<ProviderData>>& practitioner_table() {
  static const std::vector<Field<ProviderData>> t = {
      {"ID", &ProviderData::ID, tebra_id, "practitioner"},
      {"NationalProviderIdentifier", &ProviderData::NationalProviderIdentifier, identifier, kNpiSystem},
      {"Active", &ProviderData::Active, active, ""},
      {"FullName", &ProviderData::FullName, name_part, "text"},
      {"Prefix", &ProviderData::Prefix, name_part, "prefix"},
      {"FirstName", &ProviderData::FirstName, name_part, "given"},
      {"MiddleName", &ProviderData::MiddleName, name_part, "given"},
      {"LastName", &ProviderData::LastName, name_part, "family"},
      {"Suffix", &ProviderData::Suffix, name_part, "suffix"},
      {"Degree", &ProviderData::Degree, keep, "degree"},
      {"WorkPhone", &ProviderData::WorkPhone, telecom, "phone/work"},
      {"WorkPhoneExt", &ProviderData::WorkPhoneExt, telecom, "phone/work:ext"},
      {"HomePhone", &ProviderData::HomePhone, telecom, "phone/home"},
      {"HomePhoneExt", &ProviderData::HomePhoneExt, telecom, "phone/home:ext"},
      {"MobilePhone", &ProviderData::MobilePhone, telecom, "phone/mobile"},
      {"MobilePhoneExt", &ProviderData::MobilePhoneExt, telecom, "phone/mobile:ext"},
      {"Pager", &ProviderData::Pager, telecom, "pager/work"},
      {"PagerExt", &ProviderData::PagerExt, telecom, "pager/work:ext"},
      {"Fax", &ProviderData::Fax, telecom, "fax/work"},
      {"FaxExt", &ProviderData::FaxExt, telecom, "fax/work:ext"},
      {"EmailAddress", &ProviderData::EmailAddress, telecom, "email/work"},
      {"AddressLine1", &ProviderData::AddressLine1, address, ":line"},
      {"AddressLine2", &ProviderData::AddressLine2, address, ":line"},
      {"City", &ProviderData::City, address, ":city"},
      {"State", &ProviderData::State, address, ":state"},
      {"ZipCode", &ProviderData::ZipCode, address, ":postalCode"},
      {"Country", &ProviderData::Country, address, ":country"},
  };
  return t;
}
void finish_practitioner(Builder& b) {
  if (const std::string* degree = value(b, "degree")) b.resource["qualification"] = {{{"code", {{"text", *degree}}}}};
}

// ---- Location (ServiceLocationData)
const std::vector<Field<ServiceLocationData>>& location_table() {
  static const std::vector<Field<ServiceLocationData>> t = {
      {"ID", &ServiceLocationData::ID, tebra_id, "location"},
      {"NPI", &ServiceLocationData::NPI, identifier, kNpiSystem},
      {"Name", &ServiceLocationData::Name, set, "name"},
      {"BillingName", &ServiceLocationData::BillingName, push, "alias"},
      {"PlaceOfService", &ServiceLocationData::PlaceOfService, keep, "pos"},
      {"Phone", &ServiceLocationData::Phone, telecom, "phone/work"},
      {"PhoneExt", &ServiceLocationData::PhoneExt, telecom, "phone/work:ext"},
      {"FaxPhone", &ServiceLocationData::FaxPhone, telecom, "fax/work"},
      {"FaxPhoneExt", &ServiceLocationData::FaxPhoneExt, telecom, "fax/work:ext"},
      {"AddressLine1", &ServiceLocationData::AddressLine1, address, ":line"},
      {"AddressLine2", &ServiceLocationData::AddressLine2, address, ":line"},
      {"City", &ServiceLocationData::City, address, ":city"},
      {"State", &ServiceLocationData::State, address, ":state"},
      {"ZipCode", &ServiceLocationData::ZipCode, address, ":postalCode"},
      {"Country", &ServiceLocationData::Country, address, ":country"},
      {"PracticeID", &ServiceLocationData::PracticeID, keep, "practice"},
      {"PracticeName", &ServiceLocationData::PracticeName, keep, "practice-name"},
  };
  return t;
}
void finish_location(Builder& b) {
  if (const std::string* pos = value(b, "pos")) {
    // A two-digit CMS place-of-service code is a coding; anything else stays text.
    if (pos->size() == 2 && std::isdigit(static_cast<unsigned char>((*pos)[0])) &&
        std::isdigit(static_cast<unsigned char>((*pos)[1])))
      b.resource["type"] = {{{"coding", {{{"system", kPlaceOfService}, {"code", *pos}}}}}};
    else
      b.resource["type"] = {{{"text", *pos}}};
  }
  if (const std::string* practice = value(b, "practice"); practice && valid_id(*practice))
    b.resource["managingOrganization"] = reference("Organization", *practice, value(b, "practice-name"));
}

// ---- Patient (PatientData)
const std::vector<Field<PatientData>>& patient_table() {
  static const std::vector<Field<PatientData>> t = {
      {"ID", &PatientData::ID, tebra_id, "patient"},
      {"MedicalRecordNumber", &PatientData::MedicalRecordNumber, keep, "mrn"},
      {"Prefix", &PatientData::Prefix, name_part, "prefix"},
      {"FirstName", &PatientData::FirstName, name_part, "given"},
      {"MiddleName", &PatientData::MiddleName, name_part, "given"},
      {"LastName", &PatientData::LastName, name_part, "family"},
      {"Suffix", &PatientData::Suffix, name_part, "suffix"},
      {"Gender", &PatientData::Gender, gender, ""},
      {"DOB", &PatientData::DOB, birth_date, ""},
      {"HomePhone", &PatientData::HomePhone, telecom, "phone/home"},
      {"HomePhoneExt", &PatientData::HomePhoneExt, telecom, "phone/home:ext"},
      {"WorkPhone", &PatientData::WorkPhone, telecom, "phone/work"},
      {"WorkPhoneExt", &PatientData::WorkPhoneExt, telecom, "phone/work:ext"},
      {"MobilePhone", &PatientData::MobilePhone, telecom, "phone/mobile"},
      {"MobilePhoneExt", &PatientData::MobilePhoneExt, telecom, "phone/mobile:ext"},
      {"EmailAddress", &PatientData::EmailAddress, telecom, "email"},
      {"AddressLine1", &PatientData::AddressLine1, address, ":line"},
      {"AddressLine2", &PatientData::AddressLine2, address, ":line"},
      {"City", &PatientData::City, address, ":city"},
      {"State", &PatientData::State, address, ":state"},
      {"ZipCode", &PatientData::ZipCode, address, ":postalCode"},
      {"Country", &PatientData::Country, address, ":country"},
      {"MaritalStatus", &PatientData::MaritalStatus, keep, "marital"},
      {"EmergencyName", &PatientData::EmergencyName, keep, "emergency-name"},
      {"EmergencyPhone", &PatientData::EmergencyPhone, keep, "emergency-phone"},
      {"EmergencyPhoneExt", &PatientData::EmergencyPhoneExt, keep, "emergency-phone-ext"},
      {"PracticeId", &PatientData::PracticeId, keep, "practice"},
      {"PracticeName", &PatientData::PracticeName, keep, "practice-name"},
      {"PrimaryCarePhysicianId", &PatientData::PrimaryCarePhysicianId, keep, "pcp"},
      {"PrimaryCarePhysicianFullName", &PatientData::PrimaryCarePhysicianFullName, keep, "pcp-name"},
  };
  return t;
}
void finish_patient(Builder& b) {
  const std::string* practice = value(b, "practice");
  if (const std::string* mrn = value(b, "mrn")) {
    // Medical record numbers are numbered per practice.
    const std::string system = practice ? b.system("practice/") + *practice + "/mrn" : b.system("mrn");
    b.identifiers.push_back(
        {{"type", {{"coding", {{{"system", kV2IdentifierType}, {"code", "MR"}}}}, {"text", "Medical record number"}}},
         {"system", system},
         {"value", *mrn}});
  }
  if (const std::string* marital = value(b, "marital")) b.resource["maritalStatus"] = {{"text", *marital}};
  const std::string* ename = value(b, "emergency-name");
  const std::string* ephone = value(b, "emergency-phone");
  if (ename || ephone) {
    json contact{{"relationship",
                  {{{"coding", {{{"system", kV2ContactRole}, {"code", "C"}, {"display", "Emergency Contact"}}}}}}}};
    if (ename) contact["name"] = {{"text", *ename}};
    if (ephone) {
      const std::string* ext = value(b, "emergency-phone-ext");
      contact["telecom"] = {{{"system", "phone"}, {"value", ext ? *ephone + " ext. " + *ext : *ephone}}};
    }
    b.resource["contact"].push_back(std::move(contact));
  }
  if (practice && valid_id(*practice))
    b.resource["managingOrganization"] = reference("Organization", *practice, value(b, "practice-name"));
  if (const std::string* pcp = value(b, "pcp"); pcp && valid_id(*pcp))
    b.resource["generalPractitioner"].push_back(reference("Practitioner", *pcp, value(b, "pcp-name")));
}

// ---- Appointment (AppointmentData)
// clang-format off
#define KAREO_FHIR_NUMBERED(N)                                                                   \
  {"ResourceID" #N, &AppointmentData::ResourceID##N, slot, "resource" #N},                       \
  {"ResourceTypeID" #N, &AppointmentData::ResourceTypeID##N, slot, "resource-type" #N},          \
  {"ResourceName" #N, &AppointmentData::ResourceName##N, slot, "resource-name" #N},              \
  {"AppointmentReasonID" #N, &AppointmentData::AppointmentReasonID##N, slot, "reason-id" #N},    \
  {"AppointmentReason" #N, &AppointmentData::AppointmentReason##N, slot, "reason" #N}
// clang-format on
const std::vector<Field<AppointmentData>>& appointment_table() {
  static const std::vector<Field<AppointmentData>> t = {
      {"ID", &AppointmentData::ID, tebra_id, "appointment"},
      {"ConfirmationStatus", &AppointmentData::ConfirmationStatus, keep, "status"},
      {"StartDate", &AppointmentData::StartDate, keep, "start"},
      {"EndDate", &AppointmentData::EndDate, keep, "end"},
      {"AppointmentDuration", &AppointmentData::AppointmentDuration, keep, "minutes"},
      {"Notes", &AppointmentData::Notes, set, "comment"},
      {"PatientID", &AppointmentData::PatientID, keep, "patient"},
      {"PatientFullName", &AppointmentData::PatientFullName, keep, "patient-name"},
      {"ServiceLocationID", &AppointmentData::ServiceLocationID, keep, "location"},
      {"ServiceLocationName", &AppointmentData::ServiceLocationName, keep, "location-name"},
      KAREO_FHIR_NUMBERED(1),
      KAREO_FHIR_NUMBERED(2),
      KAREO_FHIR_NUMBERED(3),
      KAREO_FHIR_NUMBERED(4),
      KAREO_FHIR_NUMBERED(5),
      KAREO_FHIR_NUMBERED(6),
      KAREO_FHIR_NUMBERED(7),
      KAREO_FHIR_NUMBERED(8),
      KAREO_FHIR_NUMBERED(9),
      KAREO_FHIR_NUMBERED(10),
  };
  return t;
}
#undef KAREO_FHIR_NUMBERED

// Tebra's resource type of a scheduled resource that is a provider (the others are rooms and equipment).
constexpr const char* kProviderResourceType = "1";

void finish_appointment(Builder& b) {
  if (const std::string* status = value(b, "status")) {
    if (auto code = to_appointment_status(*status))
      b.resource["status"] = *code;
    else
      b.fail("ConfirmationStatus \"" + *status + "\" has no FHIR AppointmentStatus");
  } else {
    b.fail("no ConfirmationStatus (FHIR requires Appointment.status)");
  }
  if (const std::string* start = value(b, "start"))
    if (auto instant = to_utc_instant(*start)) b.resource["start"] = *instant;
  if (const std::string* end = value(b, "end"))
    if (auto instant = to_utc_instant(*end)) b.resource["end"] = *instant;
  if (const std::string* minutes = value(b, "minutes")) {
    try {
      std::size_t used = 0;
      const long n = std::stol(*minutes, &used);
      if (used == minutes->size() && n > 0 && n <= 2147483647L) b.resource["minutesDuration"] = n;
    } catch (const std::exception&) {
    }
  }
  // Participants: the patient, the providers among the scheduled resources, the service location. Tebra has no
  // acceptance workflow: a participant it schedules is booked on the appointment, "accepted" in FHIR's terms.
  json participants = json::array();
  auto participant = [&](const std::string& type, const std::string& id, const std::string* display) {
    if (valid_id(id)) participants.push_back({{"actor", reference(type, id, display)}, {"status", "accepted"}});
  };
  if (const std::string* patient = value(b, "patient")) participant("Patient", *patient, value(b, "patient-name"));
  for (const auto& [n, s] : b.slots) {
    auto id = s.find("resource");
    auto type = s.find("resource-type");
    if (id != s.end() && type != s.end() && type->second == kProviderResourceType) {
      auto name = s.find("resource-name");
      participant("Practitioner", id->second, name == s.end() ? nullptr : &name->second);
    }
  }
  if (const std::string* location = value(b, "location")) participant("Location", *location, value(b, "location-name"));
  if (participants.empty())
    b.fail("no patient, provider or service location (FHIR requires an Appointment.participant)");
  else
    b.resource["participant"] = std::move(participants);
  json reasons = json::array();
  for (const auto& [n, s] : b.slots) {
    auto id = s.find("reason-id");
    auto text = s.find("reason");
    if (id == s.end() && text == s.end()) continue;
    json reason = json::object();
    if (id != s.end()) reason["coding"] = {{{"system", b.system("appointment-reason")}, {"code", id->second}}};
    if (text != s.end()) reason["text"] = text->second;
    reasons.push_back(std::move(reason));
  }
  if (!reasons.empty()) b.resource["reasonCode"] = std::move(reasons);
}

}  // namespace

Mapped to_organization(const PracticeData& practice, const MapOptions& options) {
  return run("Organization", practice, organization_table(), options, nullptr);
}

Mapped to_practitioner(const ProviderData& provider, const MapOptions& options) {
  return run("Practitioner", provider, practitioner_table(), options, finish_practitioner);
}

Mapped to_location(const ServiceLocationData& location, const MapOptions& options) {
  return run("Location", location, location_table(), options, finish_location);
}

Mapped to_patient(const PatientData& patient, const MapOptions& options) {
  return run("Patient", patient, patient_table(), options, finish_patient);
}

Mapped to_appointment(const AppointmentData& appointment, const MapOptions& options) {
  return run("Appointment", appointment, appointment_table(), options, finish_appointment);
}

}  // namespace kareo::fhir
