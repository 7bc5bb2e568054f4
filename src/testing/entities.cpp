// Entity definitions (which row types a record is written as, which member is its ID) and the members
// a generated record does not store but makes up on demand, deterministically, from its seed.
#include <algorithm>
#include <cstdio>

#include "schema.hpp"
#include "store_impl.hpp"

namespace kareo::testing::detail {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

SynthKind classify(std::string_view c) {
  static const char* const kBools[] = {"Active",
                                       "AllDay",
                                       "Recurring",
                                       "SendPatientStatements",
                                       "GuarantorDifferentThanPatient",
                                       "DoNotSendClaimElectronically",
                                       "DoNotSendElectronicallyToSecondary",
                                       "CustomerSpecific",
                                       "BillableCode",
                                       "SyncWithEHR"};
  for (const char* b : kBools) {
    if (ends_with(c, b)) return SynthKind::Bool;
  }
  if (starts_with(c, "Is") || starts_with(c, "AlertShow")) return SynthKind::Bool;
  if (contains(c, "ConditionRelatedTo") && !ends_with(c, "State")) return SynthKind::Bool;
  if (ends_with(c, "Ext")) return SynthKind::PhoneExt;
  if (contains(c, "DateOfBirth") || c == "DOB") return SynthKind::BirthDate;
  if (contains(c, "Date")) return SynthKind::Date;
  if (ends_with(c, "ID") || ends_with(c, "Id") || ends_with(c, "Key")) return SynthKind::Number;
  if (c == "SSN" || ends_with(c, "SocialSecurityNumber")) return SynthKind::Ssn;
  if (ends_with(c, "NPI") || c == "NationalProviderIdentifier") return SynthKind::Npi;
  if (c == "TaxID") return SynthKind::TaxId;
  if (contains(c, "Phone") || contains(c, "Fax") || ends_with(c, "Pager")) return SynthKind::Phone;
  if (ends_with(c, "ZipCode") || ends_with(c, "Zip")) return SynthKind::Zip;
  if (ends_with(c, "State")) return SynthKind::State;
  if (ends_with(c, "Country")) return SynthKind::Country;
  if (ends_with(c, "City")) return SynthKind::City;
  if (ends_with(c, "AddressLine1")) return SynthKind::Address1;
  if (ends_with(c, "AddressLine2")) return SynthKind::Address2;
  if (contains(c, "Email")) return SynthKind::Email;
  if (ends_with(c, "FirstName")) return SynthKind::FirstName;
  if (ends_with(c, "LastName")) return SynthKind::LastName;
  if (ends_with(c, "MiddleName")) return SynthKind::MiddleName;
  if (ends_with(c, "FullName") || ends_with(c, "ProviderName") || ends_with(c, "PatientName") ||
      c == "ReferringProvider" || c == "RenderingProvider" || c == "SchedulingProvider" || c == "SupervisingProvider" ||
      c == "EmergencyName" || c == "PayerName")
    return SynthKind::FullName;
  if (ends_with(c, "Prefix")) return SynthKind::Prefix;
  if (ends_with(c, "Suffix") || ends_with(c, "Sufix")) return SynthKind::Suffix;
  if (ends_with(c, "Gender")) return SynthKind::Gender;
  if (c == "Age") return SynthKind::Age;
  if (ends_with(c, "Desc") || ends_with(c, "Ref") || ends_with(c, "Method") || ends_with(c, "Category") ||
      ends_with(c, "Reason") || ends_with(c, "Type") || ends_with(c, "Status"))
    return SynthKind::Text;
  static const char* const kMoney[] = {"Amount",     "Balance",     "Payments", "Payment",     "Charges",
                                       "Adjustment", "Adjustments", "Copay",    "Deductible",  "Allowed",
                                       "Receipts",   "Refunds",     "Applied",  "Coinsurance", "UnitCharge"};
  for (const char* m : kMoney) {
    if (ends_with(c, m)) return SynthKind::Money;
  }
  if (ends_with(c, "Code") || starts_with(c, "ProcedureModifier")) return SynthKind::Code;
  if (ends_with(c, "Number") || ends_with(c, "Units") || ends_with(c, "Minutes") || ends_with(c, "Duration") ||
      contains(c, "NumberOfVisits"))
    return SynthKind::Number;
  return SynthKind::Text;
}

struct EntitySpec {
  Entity entity;
  const char* json_key;
  const char* name;
  std::vector<const char*> row_types;
  const char* id;
  const char* practice_id;
  const char* practice_name;
  std::vector<const char*> extra;
};

const std::vector<EntitySpec>& specs() {
  static const std::vector<EntitySpec> s = {
      {Entity::Practice, "practices", "Practice", {"kareo__PracticeData"}, "ID", "ID", "PracticeName", {}},
      {Entity::Provider, "providers", "Provider", {"kareo__ProviderData"}, "ID", "PracticeID", "PracticeName", {}},
      {Entity::ServiceLocation,
       "service_locations",
       "ServiceLocation",
       {"kareons__ServiceLocationData"},
       "ID",
       "PracticeID",
       "PracticeName",
       {}},
      {Entity::ProcedureCode,
       "procedure_codes",
       "ProcedureCode",
       {"kareons__ProcedureCodeData"},
       "ID",
       "",
       "PracticeName",
       {}},
      {Entity::Patient,
       "patients",
       "Patient",
       {"kareo__PatientData", "kareo__PatientBatchData"},
       "ID",
       "PracticeId",
       "PracticeName",
       {}},
      {Entity::Appointment,
       "appointments",
       "Appointment",
       {"kareo__AppointmentData"},
       "ID",
       "PracticeID",
       "PracticeName",
       {"AppointmentReasonIDLong", "ProviderID"}},
      {Entity::Encounter,
       "encounters",
       "Encounter",
       {"kareo__EncounterDetailsData"},
       "EncounterID",
       "PracticeID",
       "PracticeName",
       {"RenderingProviderID", "EncounterExternalID"}},
      {Entity::Charge, "charges", "Charge", {"kareo__ChargeData"}, "ID", "PracticeID", "PracticeName", {}},
      {Entity::Payment,
       "payments",
       "Payment",
       {"kareo__PaymentData"},
       "ID",
       "PracticeId",
       "PracticeName",
       {"PracticeName", "PatientID"}},
      {Entity::Transaction,
       "transactions",
       "Transaction",
       {"kareo__TransactionData"},
       "ID",
       "PracticeID",
       "PracticeName",
       {"PracticeID"}},
      {Entity::ExternalVendor,
       "external_vendors",
       "ExternalVendor",
       {"kareo__ExternalVendorData"},
       "ExternalVendorID",
       "",
       "",
       {}},
      {Entity::Document,
       "documents",
       "Document",
       {"kareo__Document"},
       "DocumentId",
       "PracticeId",
       "",
       {"PracticeId", "PatientId", "FileName", "FileSize"}},
  };
  return s;
}

std::vector<EntityDef> build_defs() {
  std::vector<EntityDef> defs;
  for (const auto& s : specs()) {
    EntityDef d;
    d.entity = s.entity;
    d.id_column = s.id;
    d.practice_id_column = s.practice_id;
    d.practice_name_column = s.practice_name;
    for (const char* t : s.row_types) d.row_types.push_back(schema::type_index(t));
    auto add_column = [&d](const std::string& name) {
      if (d.index.count(name)) return;
      d.index.emplace(name, static_cast<int>(d.columns.size()));
      d.columns.push_back(name);
    };
    for (int t : d.row_types) {
      std::vector<int> map;
      for (const MemberDef* m : schema::members(t)) {
        if (m->type >= 0) {
          if (std::find(d.complex_members.begin(), d.complex_members.end(), m->element) == d.complex_members.end())
            d.complex_members.push_back(m->element);
          map.push_back(-1);
          continue;
        }
        add_column(m->element);
        map.push_back(d.index.at(m->element));
      }
      d.member_column.push_back(std::move(map));
    }
    for (const char* e : s.extra) add_column(e);
    // The ID and the practice of a record are always stored, never made up.
    for (const auto& c : d.columns) {
      bool stored = c == d.id_column || c == d.practice_id_column || c == d.practice_name_column;
      d.synth.push_back(stored ? SynthKind::None : classify(c));
    }
    defs.push_back(std::move(d));
  }
  return defs;
}

const std::vector<EntityDef>& defs() {
  static const std::vector<EntityDef> d = build_defs();
  return d;
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

const char* const kNato[] = {"Alpha",  "Bravo",   "Charlie", "Delta",  "Echo",   "Foxtrot", "Golf",
                             "Hotel",  "India",   "Juliett", "Kilo",   "Lima",   "Mike",    "November",
                             "Oscar",  "Papa",    "Quebec",  "Romeo",  "Sierra", "Tango",   "Uniform",
                             "Victor", "Whiskey", "Xray",    "Yankee", "Zulu"};
const char* const kStates[] = {"CA", "TX", "NY", "WA", "FL", "IL", "CO", "OR"};
const char* const kCities[] = {"Testville", "Sampletown", "Mockford", "Demo City", "Fakesburg", "Placeholder Falls"};

void append_digits(std::string& out, std::uint64_t v, int width) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(v));
  out.append(buf);
}

}  // namespace

const EntityDef& entity_def(Entity e) { return defs()[entity_slot(e)]; }

std::optional<Entity> entity_from_json_key(std::string_view key) {
  for (const auto& s : specs()) {
    if (key == s.json_key) return s.entity;
  }
  return std::nullopt;
}

std::string money(std::int64_t cents) {
  char buf[32];
  std::int64_t a = cents < 0 ? -cents : cents;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", cents < 0 ? "-" : "", static_cast<long long>(a / 100),
                static_cast<long long>(a % 100));
  return buf;
}

const std::string* Row::find(int col) const {
  auto it = std::lower_bound(values.begin(), values.end(), static_cast<std::uint16_t>(col),
                             [](const auto& p, std::uint16_t c) { return p.first < c; });
  if (it == values.end() || it->first != col) return nullptr;
  return &it->second;
}

void Row::set(int col, std::string value) {
  auto c = static_cast<std::uint16_t>(col);
  auto it =
      std::lower_bound(values.begin(), values.end(), c, [](const auto& p, std::uint16_t x) { return p.first < x; });
  if (it != values.end() && it->first == c) {
    it->second = std::move(value);
  } else {
    values.emplace(it, c, std::move(value));
  }
}

void Row::erase(int col) {
  auto c = static_cast<std::uint16_t>(col);
  auto it =
      std::lower_bound(values.begin(), values.end(), c, [](const auto& p, std::uint16_t x) { return p.first < x; });
  if (it != values.end() && it->first == c) values.erase(it);
}

const Node* Row::complex_member(std::string_view name) const {
  for (const auto& [n, v] : complex) {
    if (n == name) return &v;
  }
  return nullptr;
}

void Row::set_complex(const std::string& name, Node value) {
  for (auto& [n, v] : complex) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  complex.emplace_back(name, std::move(value));
}

bool row_value(const EntityDef& def, const Row& row, int col, const SynthContext& ctx, std::string& out) {
  out.clear();
  if (col < 0) return false;
  if (col == def.id_col()) {
    out.append(std::to_string(row.id));
    return true;
  }
  if (const std::string* v = row.find(col)) {
    out.append(*v);
    return true;
  }
  if (!row.synth) return false;
  const auto hash_of = [&row](int c) {
    return mix(row.synth ^ (static_cast<std::uint64_t>(c + 1) * 0x100000001B3ULL));
  };
  const std::uint64_t h = hash_of(col);
  const std::string& name = def.columns[static_cast<std::size_t>(col)];
  switch (def.synth[static_cast<std::size_t>(col)]) {
    case SynthKind::None:
      return false;
    case SynthKind::Date:
      append_net(out, ctx.today - static_cast<CivilTime>(h % (730 * kDay)) / 60 * 60);
      return true;
    case SynthKind::BirthDate:
      append_net(out, make_time(1940 + static_cast<int>(h % 75), static_cast<unsigned>(1 + (h >> 8) % 12),
                                static_cast<unsigned>(1 + (h >> 16) % 28)));
      return true;
    case SynthKind::Phone:
      out.append("(555) 555-01");
      append_digits(out, h % 100, 2);
      return true;
    case SynthKind::PhoneExt:
      append_digits(out, 100 + h % 900, 3);
      return true;
    case SynthKind::Zip:
      out.push_back('9');
      append_digits(out, h % 10000, 4);
      return true;
    case SynthKind::State:
      out.append(kStates[h % (sizeof kStates / sizeof *kStates)]);
      return true;
    case SynthKind::Country:
      out.append("USA");
      return true;
    case SynthKind::City:
      out.append(kCities[h % (sizeof kCities / sizeof *kCities)]);
      return true;
    case SynthKind::Address1:
      append_digits(out, 1 + h % 9999, 1);
      out.append(" Test Street");
      return true;
    case SynthKind::Address2:
      out.append("Suite ");
      append_digits(out, 1 + h % 999, 1);
      return true;
    case SynthKind::Email:
      out.append("testperson");
      append_digits(out, h % 100000, 1);
      out.append("@example.test");
      return true;
    case SynthKind::FirstName:
      out.append(kNato[h % 26]);
      return true;
    case SynthKind::LastName:
      out.append("Testperson");
      return true;
    case SynthKind::MiddleName:
      out.push_back(static_cast<char>('A' + h % 26));
      return true;
    case SynthKind::FullName:
      out.append(kNato[h % 26]);
      out.append(" Testperson");
      return true;
    case SynthKind::Prefix:
      out.append("Mx.");
      return true;
    case SynthKind::Suffix:
      out.append("Jr.");
      return true;
    case SynthKind::Money: {
      auto cents = static_cast<std::int64_t>(h % 50000);
      // A generated total is the sum of its generated parts, as in the service's own records.
      const int patient = def.col("PatientBalance");
      const int insurance = def.col("InsuranceBalance");
      if (name == "TotalBalance" && patient >= 0 && insurance >= 0 && !row.find(patient) && !row.find(insurance)) {
        cents = static_cast<std::int64_t>(hash_of(patient) % 50000 + hash_of(insurance) % 50000);
      }
      out.append(money(cents));
      return true;
    }
    case SynthKind::Bool:
      out.append(net_bool(h & 1));
      return true;
    case SynthKind::Number:
      append_digits(out, 1 + h % 9000, 1);
      return true;
    case SynthKind::Ssn:
      out.append("900-00-");
      append_digits(out, h % 10000, 4);
      return true;
    case SynthKind::Npi:
      out.push_back('9');
      append_digits(out, h % 1000000000ULL, 9);
      return true;
    case SynthKind::TaxId:
      out.append("00-");
      append_digits(out, h % 10000000ULL, 7);
      return true;
    case SynthKind::Gender:
      out.append(h & 1 ? "Female" : "Male");
      return true;
    case SynthKind::Age:
      append_digits(out, 18 + h % 70, 1);
      return true;
    case SynthKind::Code:
      out.push_back('T');
      append_digits(out, 1000 + h % 9000, 4);
      return true;
    case SynthKind::Text:
      out.append("Test ");
      out.append(name);
      out.push_back(' ');
      append_digits(out, 1 + h % 999, 1);
      return true;
  }
  return false;
}

std::optional<std::string> row_value(const EntityDef& def, const Row& row, std::string_view column,
                                     const SynthContext& ctx) {
  std::string out;
  if (!row_value(def, row, def.col(column), ctx, out)) return std::nullopt;
  return out;
}

std::shared_ptr<const Node> row_complex(const EntityDef& def, const Row& row, std::string_view member,
                                        const SynthContext& ctx) {
  if (const Node* n = row.complex_member(member)) return std::make_shared<Node>(*n);
  if (!row.synth || def.entity != Entity::Patient || member != "Cases") return nullptr;
  // A generated patient has one default case without insurance policies.
  auto cases = std::make_shared<Node>(Node::object());
  Node& c = cases->add("PatientCaseData");
  c.make_object();
  const int case_type = schema::type_index("kareo__PatientCaseData");
  const std::uint64_t h = mix(row.synth ^ 0xCA5E);
  for (const MemberDef* m : schema::members(case_type)) {
    std::string_view name = m->element;
    if (name == "InsurancePolicies") {
      c.add("InsurancePolicies", Node::object());
    } else if (name == "PatientCaseID") {
      c.add("PatientCaseID", std::to_string(row.id));
    } else if (name == "Name") {
      c.add("Name", "Default Case");
    } else if (name == "IsPrimaryCase") {
      c.add("IsPrimaryCase", "true");
    } else if (name == "PayerScenario") {
      c.add("PayerScenario", "Commercial");
    } else if (m->type < 0) {
      SynthKind k = classify(name);
      if (k == SynthKind::Date) {
        c.add(std::string(name), format_net(ctx.today - static_cast<CivilTime>((h ^ name.size()) % (730 * kDay))));
      } else if (k == SynthKind::Bool) {
        c.add(std::string(name), net_bool((h >> name.size()) & 1));
      } else if (k == SynthKind::Number) {
        c.add(std::string(name), std::to_string(1 + (h >> 3) % 9000));
      } else if (k == SynthKind::State) {
        c.add(std::string(name), kStates[h % 8]);
      } else if (k == SynthKind::FullName) {
        c.add(std::string(name), std::string(kNato[(h >> 5) % 26]) + " Testdoctor");
      } else {
        c.add(std::string(name), "Test " + std::string(name));
      }
    }
  }
  return cases;
}

}  // namespace kareo::testing::detail

namespace kareo::testing {

const std::vector<Entity>& all_entities() {
  static const std::vector<Entity> all = {Entity::Practice,      Entity::Provider,       Entity::ServiceLocation,
                                          Entity::ProcedureCode, Entity::Patient,        Entity::Appointment,
                                          Entity::Encounter,     Entity::Charge,         Entity::Payment,
                                          Entity::Transaction,   Entity::ExternalVendor, Entity::Document};
  return all;
}

std::string_view entity_name(Entity entity) noexcept { return detail::specs()[detail::entity_slot(entity)].name; }

std::string_view entity_json_key(Entity entity) noexcept {
  return detail::specs()[detail::entity_slot(entity)].json_key;
}

}  // namespace kareo::testing
