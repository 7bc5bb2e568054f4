// The deterministic synthetic data set: every record is a function of the seed, its index and today.
#include "generate.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace kareo::testing::detail {
namespace {

const char* const kNato[] = {"Alpha",  "Bravo",   "Charlie", "Delta",  "Echo",   "Foxtrot", "Golf",
                             "Hotel",  "India",   "Juliett", "Kilo",   "Lima",   "Mike",    "November",
                             "Oscar",  "Papa",    "Quebec",  "Romeo",  "Sierra", "Tango",   "Uniform",
                             "Victor", "Whiskey", "Xray",    "Yankee", "Zulu"};

std::string nato(std::int64_t index) {
  std::string s = kNato[index % 26];
  if (index >= 26) s += " " + std::to_string(index / 26 + 1);
  return s;
}

class Rng {
 public:
  Rng(std::uint64_t seed, Entity e, std::int64_t index)
      : state_(seed * 0x9E3779B97F4A7C15ULL ^ (static_cast<std::uint64_t>(e) + 1) * 0xD1B54A32D192ED03ULL ^
               static_cast<std::uint64_t>(index) * 0xABC98388FB8FAC03ULL) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::int64_t below(std::int64_t n) {
    return n <= 0 ? 0 : static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n));
  }
  bool chance(int percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

struct Builder {
  Store::Impl& store;
  std::uint64_t seed;
  CivilTime today;
  CivilTime start;  // two years before today
  std::map<std::pair<int, const char*>, int> columns;

  Row row(Entity e, std::int64_t id) {
    Row r;
    r.id = id;
    Rng rng(seed, e, id);
    r.synth = rng.next() | 1;
    r.values.reserve(32);
    return r;
  }
  // Values are appended and sorted once in add(); column indices are looked up once per literal.
  void set(Entity e, Row& r, const char* column, std::string value) {
    auto key = std::make_pair(static_cast<int>(e), column);
    auto it = columns.find(key);
    if (it == columns.end()) it = columns.emplace(key, entity_def(e).col(column)).first;
    if (it->second >= 0) r.values.emplace_back(static_cast<std::uint16_t>(it->second), std::move(value));
  }
  void set_time(Entity e, Row& r, const char* column, CivilTime t) { set(e, r, column, format_net(t)); }
  void add(Entity e, Row r) {
    std::stable_sort(r.values.begin(), r.values.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // A column set twice keeps its last value.
    std::vector<std::pair<std::uint16_t, std::string>> unique;
    unique.reserve(r.values.size());
    for (auto& v : r.values) {
      if (!unique.empty() && unique.back().first == v.first) {
        unique.back().second = std::move(v.second);
      } else {
        unique.push_back(std::move(v));
      }
    }
    unique.shrink_to_fit();
    r.values = std::move(unique);
    Table& t = store.table(e);
    t.next_id = std::max(t.next_id, r.id + 1);
    t.rows.emplace(r.id, std::make_shared<const Row>(std::move(r)));
  }
  // A time in [from, to) on a minute boundary.
  CivilTime between(Rng& rng, CivilTime from, CivilTime to) {
    if (to <= from) return from;
    return from + rng.below((to - from) / 60) * 60;
  }
};

// Members of one practice's providers / locations: IDs p, p + P, p + 2P, ...
std::int64_t pick_in_practice(Rng& rng, std::int64_t practice, std::int64_t practices, std::int64_t total) {
  if (total <= 0) return 0;
  if (practice > total) return 1 + rng.below(total);
  std::int64_t count = (total - practice) / practices + 1;
  return practice + rng.below(count) * practices;
}

}  // namespace

void generate(Store::Impl& s, std::uint64_t seed, const DataSizes& n) {
  const CivilTime today = s.synth.today;
  Builder b{s, seed, today, today - 730 * kDay, {}};
  const std::int64_t P = std::max(0, n.practices);
  auto practice_of = [P](std::int64_t index) -> std::int64_t { return P ? (index - 1) % P + 1 : 0; };
  std::vector<std::string> practice_names(static_cast<std::size_t>(P) + 1);

  for (std::int64_t p = 1; p <= P; ++p) {
    const Entity e = Entity::Practice;
    Row r = b.row(e, p);
    Rng rng(seed, e, p + 1000000);
    practice_names[static_cast<std::size_t>(p)] = "Testpractice " + nato(p - 1);
    b.set(e, r, "PracticeName", practice_names[static_cast<std::size_t>(p)]);
    b.set(e, r, "Active", "True");
    CivilTime created = b.start - (p + 30) * kDay;
    b.set_time(e, r, "CreatedDate", created);
    b.set_time(e, r, "LastModifiedDate", b.between(rng, created, today));
    b.add(e, std::move(r));
  }
  auto practice_name = [&](std::int64_t p) -> std::string {
    return p > 0 && p <= P ? practice_names[static_cast<std::size_t>(p)] : std::string();
  };

  struct Person {
    std::string first, last, full;
  };
  std::vector<Person> providers(static_cast<std::size_t>(std::max(0, n.providers)) + 1);
  for (std::int64_t k = 1; k <= n.providers; ++k) {
    const Entity e = Entity::Provider;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    std::int64_t p = practice_of(k);
    Person& who = providers[static_cast<std::size_t>(k)];
    who.first = kNato[(k - 1) % 26];
    who.last = "Testdoctor" + std::to_string(k);
    who.full = who.first + " " + who.last;
    b.set(e, r, "FirstName", who.first);
    b.set(e, r, "LastName", who.last);
    b.set(e, r, "FullName", who.full);
    b.set(e, r, "Degree", "MD");
    b.set(e, r, "Type", "Normal Provider");
    b.set(e, r, "Active", "True");
    b.set(e, r, "DepartmentName", "Test Department");
    if (p) {
      b.set(e, r, "PracticeID", std::to_string(p));
      b.set(e, r, "PracticeName", practice_name(p));
    }
    CivilTime created = b.between(rng, b.start - 60 * kDay, b.start);
    b.set_time(e, r, "CreatedDate", created);
    b.set_time(e, r, "LastModifiedDate", b.between(rng, created, today));
    b.add(e, std::move(r));
  }

  std::vector<std::string> locations(static_cast<std::size_t>(std::max(0, n.service_locations)) + 1);
  for (std::int64_t k = 1; k <= n.service_locations; ++k) {
    const Entity e = Entity::ServiceLocation;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    std::int64_t p = practice_of(k);
    locations[static_cast<std::size_t>(k)] = "Testlocation " + nato(k - 1) + " Office";
    b.set(e, r, "Name", locations[static_cast<std::size_t>(k)]);
    b.set(e, r, "BillingName", locations[static_cast<std::size_t>(k)]);
    b.set(e, r, "PlaceOfService", "11");
    if (p) {
      b.set(e, r, "PracticeID", std::to_string(p));
      b.set(e, r, "PracticeName", practice_name(p));
    }
    CivilTime created = b.between(rng, b.start - 60 * kDay, b.start);
    b.set_time(e, r, "CreatedDate", created);
    b.set_time(e, r, "ModifiedDate", b.between(rng, created, today));
    b.add(e, std::move(r));
  }

  std::vector<std::string> codes(static_cast<std::size_t>(std::max(0, n.procedure_codes)) + 1);
  for (std::int64_t k = 1; k <= n.procedure_codes; ++k) {
    const Entity e = Entity::ProcedureCode;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    codes[static_cast<std::size_t>(k)] = "T" + std::to_string(1000 + k);
    b.set(e, r, "ProcedureCode", codes[static_cast<std::size_t>(k)]);
    b.set(e, r, "OfficialName", "Test procedure " + std::to_string(k));
    b.set(e, r, "LocalName", "Test procedure " + std::to_string(k));
    b.set(e, r, "Active", "True");
    b.set(e, r, "CustomerSpecific", "False");
    b.set(e, r, "BillableCode", "True");
    b.set(e, r, "DefaultUnits", "1");
    CivilTime created = b.between(rng, b.start - 60 * kDay, b.start);
    b.set_time(e, r, "CreatedDate", created);
    b.set_time(e, r, "ModifiedDate", b.between(rng, created, today));
    b.add(e, std::move(r));
  }

  const std::int64_t NP = std::max(0, n.patients);
  std::vector<Person> patients(static_cast<std::size_t>(NP) + 1);
  for (std::int64_t k = 1; k <= NP; ++k) {
    const Entity e = Entity::Patient;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    std::int64_t p = practice_of(k);
    Person& who = patients[static_cast<std::size_t>(k)];
    who.first = kNato[(k - 1) % 26];
    who.last = "Testpatient" + std::to_string(k);
    who.full = who.first + " " + who.last;
    b.set(e, r, "FirstName", who.first);
    b.set(e, r, "MiddleName", std::string(1, static_cast<char>('A' + rng.below(26))));
    b.set(e, r, "LastName", who.last);
    b.set(e, r, "PatientFullName", who.full);
    b.set(e, r, "Gender", rng.chance(50) ? "Female" : "Male");
    b.set_time(e, r, "DOB",
               make_time(1940 + static_cast<int>(rng.below(80)), static_cast<unsigned>(1 + rng.below(12)),
                         static_cast<unsigned>(1 + rng.below(28))));
    b.set(e, r, "EmailAddress", "testpatient" + std::to_string(k) + "@example.test");
    b.set(e, r, "MedicalRecordNumber", "MRN" + std::to_string(k));
    if (p) {
      b.set(e, r, "PracticeId", std::to_string(p));
      b.set(e, r, "PracticeName", practice_name(p));
    }
    if (std::int64_t prov = pick_in_practice(rng, p ? p : 1, std::max<std::int64_t>(P, 1), n.providers)) {
      b.set(e, r, "DefaultRenderingProviderId", std::to_string(prov));
      b.set(e, r, "DefaultRenderingProviderFullName", providers[static_cast<std::size_t>(prov)].full);
    }
    if (std::int64_t loc = pick_in_practice(rng, p ? p : 1, std::max<std::int64_t>(P, 1), n.service_locations)) {
      b.set(e, r, "DefaultServiceLocationId", std::to_string(loc));
      b.set(e, r, "DefaultServiceLocationName", locations[static_cast<std::size_t>(loc)]);
    }
    CivilTime created = b.between(rng, b.start, today);
    b.set_time(e, r, "CreatedDate", created);
    b.set_time(e, r, "LastModifiedDate", b.between(rng, created, today));
    if (n.external_vendors > 0 && k % 2 == 1) r.external_ids.emplace_back(1, "EXT-P-" + std::to_string(k));
    b.add(e, std::move(r));
  }
  auto patient_practice = [&](std::int64_t pid) { return practice_of(pid); };

  struct Visit {
    std::int64_t patient = 0, practice = 0, provider = 0, location = 0;
    CivilTime start = 0, end = 0;
  };
  const std::int64_t NA = std::max(0, n.appointments);
  std::vector<Visit> visits(static_cast<std::size_t>(NA) + 1);
  for (std::int64_t k = 1; k <= NA; ++k) {
    const Entity e = Entity::Appointment;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    Visit& v = visits[static_cast<std::size_t>(k)];
    v.patient = NP ? 1 + rng.below(NP) : 0;
    v.practice = v.patient ? patient_practice(v.patient) : practice_of(k);
    std::int64_t pp = v.practice ? v.practice : 1, PP = std::max<std::int64_t>(P, 1);
    v.provider = pick_in_practice(rng, pp, PP, n.providers);
    v.location = pick_in_practice(rng, pp, PP, n.service_locations);
    v.start = b.start + rng.below(730 * 24 * 4) * 900;
    std::int64_t minutes = 15 * (1 + rng.below(4));
    v.end = v.start + minutes * 60;
    b.set_time(e, r, "StartDate", v.start);
    b.set_time(e, r, "EndDate", v.end);
    b.set(e, r, "AppointmentDuration", std::to_string(minutes));
    b.set(e, r, "AllDay", "False");
    b.set(e, r, "Recurring", "False");
    static const char* const kStatus[] = {"Scheduled", "Confirmed", "Check-in",   "Check-out",
                                          "No-show",   "Cancelled", "Rescheduled"};
    b.set(e, r, "ConfirmationStatus", kStatus[rng.below(7)]);
    b.set(e, r, "Type", "P");
    b.set(e, r, "AppointmentReason1", "Test visit");
    b.set(e, r, "AppointmentReasonID1", "1");
    if (v.patient) {
      b.set(e, r, "PatientID", std::to_string(v.patient));
      b.set(e, r, "PatientFullName", patients[static_cast<std::size_t>(v.patient)].full);
      b.set(e, r, "PatientCaseID", std::to_string(v.patient));
      b.set(e, r, "PatientCaseName", "Default Case");
      b.set(e, r, "PatientCasePayerScenario", "Commercial");
    }
    if (v.practice) {
      b.set(e, r, "PracticeID", std::to_string(v.practice));
      b.set(e, r, "PracticeName", practice_name(v.practice));
    }
    if (v.location) {
      b.set(e, r, "ServiceLocationID", std::to_string(v.location));
      b.set(e, r, "ServiceLocationName", locations[static_cast<std::size_t>(v.location)]);
    }
    if (v.provider) {
      b.set(e, r, "ResourceID1", std::to_string(v.provider));
      b.set(e, r, "ResourceName1", providers[static_cast<std::size_t>(v.provider)].full);
      b.set(e, r, "ResourceTypeID1", "1");
      b.set(e, r, "ProviderID", std::to_string(v.provider));
    }
    CivilTime created = std::max(b.start - 30 * kDay, v.start - rng.below(30) * kDay - rng.below(86400));
    created = std::min(created, today - 1);
    b.set_time(e, r, "CreatedDate", created);
    b.set_time(e, r, "LastModifiedDate", b.between(rng, created, today));
    b.add(e, std::move(r));
  }

  struct Claim {
    Visit visit;
    std::int64_t appointment = 0;
    CivilTime post = 0;
    std::string status;
  };
  const std::int64_t NE = std::max(0, n.encounters);
  std::vector<Claim> claims(static_cast<std::size_t>(NE) + 1);
  std::vector<Row> encounter_rows;
  encounter_rows.reserve(static_cast<std::size_t>(NE));
  for (std::int64_t k = 1; k <= NE; ++k) {
    const Entity e = Entity::Encounter;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    Claim& c = claims[static_cast<std::size_t>(k)];
    if (NA) {
      c.appointment = 1 + (k - 1) * NA / NE;
      c.visit = visits[static_cast<std::size_t>(c.appointment)];
    } else {
      c.visit.patient = NP ? 1 + rng.below(NP) : 0;
      c.visit.practice = c.visit.patient ? patient_practice(c.visit.patient) : practice_of(k);
      std::int64_t pp = c.visit.practice ? c.visit.practice : 1, PP = std::max<std::int64_t>(P, 1);
      c.visit.provider = pick_in_practice(rng, pp, PP, n.providers);
      c.visit.location = pick_in_practice(rng, pp, PP, n.service_locations);
      c.visit.start = b.start + rng.below(730 * 24) * 3600;
      c.visit.end = c.visit.start + 1800;
    }
    c.post = std::min(today - 1, c.visit.start + rng.below(6) * kDay);
    int roll = static_cast<int>(rng.below(100));
    c.status = roll < 90 ? "Approved" : roll < 95 ? "Review" : "Draft";
    if (c.appointment) b.set(e, r, "AppointmentID", std::to_string(c.appointment));
    b.set(e, r, "EncounterStatus", c.status);
    b.set_time(e, r, "ServiceStartDate", c.visit.start);
    b.set_time(e, r, "ServiceEndDate", c.visit.end);
    b.set_time(e, r, "PostDate", c.post);
    b.set_time(e, r, "CreatedDate", c.post);
    b.set_time(e, r, "LastModifiedDate", b.between(rng, c.post, today));
    b.set(e, r, "BatchNumber", "B" + std::to_string(1000 + k % 50));
    b.set(e, r, "PlaceOfServiceCode", "11");
    b.set(e, r, "PlaceOfServiceName", "Office");
    if (c.visit.patient) {
      const Person& who = patients[static_cast<std::size_t>(c.visit.patient)];
      b.set(e, r, "PatientID", std::to_string(c.visit.patient));
      b.set(e, r, "PatientFirstName", who.first);
      b.set(e, r, "PatientLastName", who.last);
      b.set(e, r, "CaseID", std::to_string(c.visit.patient));
      b.set(e, r, "CaseName", "Default Case");
      b.set(e, r, "CasePayerScenario", "Commercial");
    }
    if (c.visit.practice) {
      b.set(e, r, "PracticeID", std::to_string(c.visit.practice));
      b.set(e, r, "PracticeName", practice_name(c.visit.practice));
    }
    if (c.visit.location) {
      b.set(e, r, "ServiceLocationID", std::to_string(c.visit.location));
      b.set(e, r, "ServiceLocationName", locations[static_cast<std::size_t>(c.visit.location)]);
    }
    if (c.visit.provider) {
      b.set(e, r, "RenderingProvider", providers[static_cast<std::size_t>(c.visit.provider)].full);
      b.set(e, r, "RenderingProviderID", std::to_string(c.visit.provider));
      b.set(e, r, "SchedulingProvider", providers[static_cast<std::size_t>(c.visit.provider)].full);
    }
    encounter_rows.push_back(std::move(r));
  }

  std::vector<Node> service_lines(static_cast<std::size_t>(NE) + 1, Node::object());
  for (std::int64_t k = 1; k <= n.charges; ++k) {
    const Entity e = Entity::Charge;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    Claim c;
    std::int64_t enc = 0;
    if (NE) {
      enc = 1 + (k - 1) * NE / std::max(1, n.charges);
      c = claims[static_cast<std::size_t>(enc)];
    } else {
      c.visit.patient = NP ? 1 + rng.below(NP) : 0;
      c.visit.practice = c.visit.patient ? patient_practice(c.visit.patient) : practice_of(k);
      std::int64_t pp = c.visit.practice ? c.visit.practice : 1, PP = std::max<std::int64_t>(P, 1);
      c.visit.provider = pick_in_practice(rng, pp, PP, n.providers);
      c.visit.location = pick_in_practice(rng, pp, PP, n.service_locations);
      c.visit.start = b.start + rng.below(730 * 24) * 3600;
      c.visit.end = c.visit.start + 1800;
      c.post = std::min(today - 1, c.visit.start + rng.below(6) * kDay);
      c.status = "Approved";
    }
    if (enc) {
      b.set(e, r, "EncounterID", std::to_string(enc));
      Node& line = service_lines[static_cast<std::size_t>(enc)].add("ServiceLineRes", Node::object());
      line.add("EncounterID", std::to_string(enc));
      line.add("ServiceLineID", std::to_string(k));
    }
    b.set(e, r, "EncounterProcedureID", std::to_string(k));
    if (c.appointment) b.set(e, r, "AppointmentID", std::to_string(c.appointment));
    b.set(e, r, "EncounterStatus", c.status);
    b.set_time(e, r, "PostingDate", c.post);
    b.set_time(e, r, "ServiceStartDate", c.visit.start);
    b.set_time(e, r, "ServiceEndDate", c.visit.end);
    b.set_time(e, r, "CreatedDate", c.post);
    b.set_time(e, r, "LastModifiedDate", b.between(rng, c.post, today));
    if (n.procedure_codes > 0) {
      std::int64_t code = 1 + rng.below(n.procedure_codes);
      b.set(e, r, "ProcedureCode", codes[static_cast<std::size_t>(code)]);
      b.set(e, r, "ProcedureName", "Test procedure " + std::to_string(code));
    }
    std::int64_t units = 1 + rng.below(3), unit = 2500 + rng.below(20000);
    b.set(e, r, "Units", std::to_string(units));
    b.set(e, r, "UnitCharge", money(unit));
    b.set(e, r, "TotalCharges", money(unit * units));
    b.set(e, r, "Status", rng.chance(70) ? "Settled" : "Pending");
    b.set(e, r, "BilledTo", rng.chance(60) ? "Testinsurance Company" : "Patient");
    b.set(e, r, "CasePayerScenario", "Commercial");
    b.set(e, r, "BatchNumber", "B" + std::to_string(1000 + enc % 50));
    if (c.visit.patient) {
      const Person& who = patients[static_cast<std::size_t>(c.visit.patient)];
      b.set(e, r, "PatientID", std::to_string(c.visit.patient));
      b.set(e, r, "PatientFirstName", who.first);
      b.set(e, r, "PatientLastName", who.last);
      b.set(e, r, "PatientName", who.full);
    }
    if (c.visit.practice) {
      b.set(e, r, "PracticeID", std::to_string(c.visit.practice));
      b.set(e, r, "PracticeName", practice_name(c.visit.practice));
    }
    if (c.visit.provider) {
      const Person& doc = providers[static_cast<std::size_t>(c.visit.provider)];
      b.set(e, r, "RenderingProviderID", std::to_string(c.visit.provider));
      b.set(e, r, "RenderingProviderName", doc.full);
      b.set(e, r, "SchedulingProviderID", std::to_string(c.visit.provider));
      b.set(e, r, "SchedulingProviderName", doc.full);
    }
    if (c.visit.location) {
      b.set(e, r, "ServiceLocationId", std::to_string(c.visit.location));
      b.set(e, r, "ServiceLocationName", locations[static_cast<std::size_t>(c.visit.location)]);
    }
    b.add(e, std::move(r));
  }
  for (auto& r : encounter_rows) {
    r.set_complex("ServiceLines", std::move(service_lines[static_cast<std::size_t>(r.id)]));
    b.add(Entity::Encounter, std::move(r));
  }

  for (std::int64_t k = 1; k <= n.payments; ++k) {
    const Entity e = Entity::Payment;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    std::int64_t patient = NP ? 1 + rng.below(NP) : 0;
    std::int64_t p = patient ? patient_practice(patient) : practice_of(k);
    CivilTime post = b.between(rng, b.start, today);
    std::int64_t amount = 500 + rng.below(30000);
    static const char* const kPayer[] = {"Patient", "Insurance", "Other"};
    const char* payer = kPayer[rng.below(3)];
    static const char* const kMethod[] = {"Check", "Cash", "Credit Card", "Electronic Funds Transfer"};
    b.set(e, r, "PayerType", payer);
    b.set(e, r, "PayerName",
          std::string(payer) == "Patient" && patient ? patients[static_cast<std::size_t>(patient)].full
                                                     : std::string("Testinsurance Company"));
    b.set(e, r, "PaymentMethod", kMethod[rng.below(4)]);
    b.set(e, r, "Amount", money(amount));
    std::int64_t applied = rng.below(amount + 1);
    b.set(e, r, "Applied", money(applied));
    b.set(e, r, "Unapplied", money(amount - applied));
    b.set(e, r, "Refunds", money(0));
    b.set(e, r, "ReferenceNumber", "REF" + std::to_string(100000 + k));
    b.set(e, r, "BatchNumber", "B" + std::to_string(1000 + k % 50));
    b.set_time(e, r, "PostDate", post);
    b.set_time(e, r, "CreatedDate", post);
    b.set_time(e, r, "LastModifiedDate", b.between(rng, post, today));
    if (p) {
      b.set(e, r, "PracticeId", std::to_string(p));
      b.set(e, r, "PracticeName", practice_name(p));
    }
    if (patient) b.set(e, r, "PatientID", std::to_string(patient));
    b.add(e, std::move(r));
  }

  for (std::int64_t k = 1; k <= n.transactions; ++k) {
    const Entity e = Entity::Transaction;
    Row r = b.row(e, k);
    Rng rng(seed, e, k + 1000000);
    std::int64_t patient = NP ? 1 + rng.below(NP) : 0;
    std::int64_t p = patient ? patient_practice(patient) : practice_of(k);
    CivilTime when = b.between(rng, b.start, today);
    CivilTime posting = std::min(today - 1, when + rng.below(4) * kDay);
    static const char* const kType[] = {"Charge", "Payment", "Adjustment"};
    const char* type = kType[rng.below(3)];
    b.set(e, r, "Type", type);
    b.set(e, r, "Amount", money(std::string(type) == "Charge" ? 2500 + rng.below(20000) : -(500 + rng.below(15000))));
    b.set(e, r, "Description", std::string("Test ") + type);
    b.set(e, r, "PayerType", rng.chance(60) ? "Insurance" : "Patient");
    b.set(e, r, "InsuranceOrder", rng.chance(80) ? "Primary" : "Secondary");
    b.set(e, r, "ClaimID", std::to_string(1 + rng.below(std::max<std::int64_t>(1, n.charges))));
    if (n.procedure_codes > 0)
      b.set(e, r, "ProcedureCode", codes[static_cast<std::size_t>(1 + rng.below(n.procedure_codes))]);
    b.set_time(e, r, "TransactionDate", when);
    b.set_time(e, r, "PostingDate", posting);
    b.set_time(e, r, "ServiceDate", std::max(b.start, when - rng.below(11) * kDay));
    b.set_time(e, r, "LastModifiedDate", b.between(rng, posting, today));
    if (patient) {
      b.set(e, r, "PatientID", std::to_string(patient));
      b.set(e, r, "PatientFullName", patients[static_cast<std::size_t>(patient)].full);
    }
    if (p) {
      b.set(e, r, "PracticeID", std::to_string(p));
      b.set(e, r, "PracticeName", practice_name(p));
    }
    b.add(e, std::move(r));
  }

  for (std::int64_t k = 1; k <= n.external_vendors; ++k) {
    Row r;
    r.id = k;
    b.set(Entity::ExternalVendor, r, "ExternalVendorName", "Testvendor " + nato(k - 1));
    b.add(Entity::ExternalVendor, std::move(r));
  }
}

}  // namespace kareo::testing::detail
