// superbill: the superbill (charge capture) workflow of the vendor's guide: find the patient by the ID it has
// in your own system (its ExternalID), create the patient if absent, then create the encounter with its
// service lines.
//
// What it shows:
// - external IDs: your system's IDs live in Tebra per external vendor; the vendor is looked up by name and
//   registered (RegisterExternalVendor) the first time;
// - writes that are safe to repeat: kareo::create_patient_idempotent() looks the patient up by ExternalID
//   before creating it, and again after an ambiguous outcome, so re-running never creates a duplicate;
// - building a CreateEncounter payload: practice, patient, case, rendering provider, service location and
//   service lines (procedure and diagnosis codes) as the guide's "Create Encounter" section describes;
// - handling kareo::AmbiguousOutcome for the encounter: never resend blindly, look it up first.
//
// Run:  ./superbill "Practice Name" PATIENT-EXTERNAL-ID FIRST LAST YYYY-MM-DD [PROCEDURE [DIAGNOSIS]]
//       (credentials in KAREO_CUSTOMER_KEY, KAREO_USER, KAREO_PASSWORD; KAREO_ENDPOINT optional)
#include <ctime>
#include <iostream>
#include <string>

#include "kareo/json.hpp"
#include "kareo/kareo.hpp"
#include "kareo/writes.hpp"

namespace {

const char* kVendorName = "Superbill Example";

// The ID of our external vendor, registering it on first use.
int vendor_id(kareo::Client& client) {
  for (const auto& vendor : client.external_vendors())
    if (vendor.ExternalVendorName == kVendorName && vendor.ExternalVendorID) return *vendor.ExternalVendorID;
  kareo::ExternalVendorReq request;
  request.ExternalVendorName = kVendorName;
  auto registered = client.register_external_vendor(request);
  if (!registered.ExternalVendor || !registered.ExternalVendor->ExternalVendorID)
    throw kareo::MalformedResponse("RegisterExternalVendor returned no vendor ID", {});
  return *registered.ExternalVendor->ExternalVendorID;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: superbill PRACTICE_NAME PATIENT_EXTERNAL_ID FIRST_NAME LAST_NAME DATE_OF_BIRTH "
                 "[PROCEDURE_CODE [DIAGNOSIS_CODE]]\n";
    return 2;
  }
  const std::string practice = argv[1], external_id = argv[2];
  try {
    kareo::Options options;
    options.credentials(kareo::Credentials::from_environment());
    kareo::Client client(options);

    // 1. The patient, by external ID; created (with a self-pay case) when absent.
    const int vendor = vendor_id(client);
    kareo::PatientCreate patient;
    patient.PatientExternalID = external_id;
    patient.ExternalVendorID = vendor;
    patient.FirstName = argv[3];
    patient.LastName = argv[4];
    patient.DateofBirth = kareo::normalize_iso_datetime(argv[5]);
    patient.Practice = std::make_shared<kareo::PracticeIdentifierReq>();
    patient.Practice->PracticeName = practice;
    patient.Cases = std::make_shared<kareo::ArrayOfPatientCaseCreateReq>();
    auto self_pay = std::make_shared<kareo::PatientCaseCreateReq>();
    self_pay->CaseName = "Self Pay";
    self_pay->PayerScenario = "Self Pay";
    self_pay->Active = true;
    patient.Cases->PatientCaseCreateReq.push_back(self_pay);
    kareo::IdempotentCreateResult found = kareo::create_patient_idempotent(client, patient);
    std::cout << (found.created ? "created" : "found") << " patient " << found.patient_id << " (external ID "
              << external_id << ")\n";

    // 2. What the encounter refers to: the patient's default case, a provider, a location, a procedure.
    auto row = client.get_patient(found.patient_id);
    if (!row) throw kareo::ServiceError("the patient just found or created cannot be read back", {});
    kareo::ProviderQuery provider_query;
    provider_query.filter.PracticeName = practice;
    std::vector<kareo::ProviderData> providers = client.providers(provider_query).collect();
    kareo::ServiceLocationQuery location_query;
    location_query.filter.PracticeName = practice;
    std::vector<kareo::ServiceLocationData> locations = client.service_locations(location_query).collect();
    if (providers.empty() || locations.empty())
      throw kareo::InvalidArgument("the practice needs at least one provider and one service location");
    std::string procedure = argc > 6 ? argv[6] : "";
    if (procedure.empty())
      for (const auto& code : client.procedure_codes())
        if (code.ProcedureCode && !code.ProcedureCode->empty()) {
          procedure = *code.ProcedureCode;
          break;
        }
    const std::string diagnosis = argc > 7 ? argv[7] : "Z00.00";

    // 3. The encounter (the superbill) with one service line, dated today.
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    const std::string service_date =
        kareo::Date(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday).iso() + "T00:00:00";

    kareo::EncounterCreate encounter;
    encounter.Practice = std::make_shared<kareo::PracticeIdentifierReq>();
    encounter.Practice->PracticeName = practice;
    encounter.Patient = std::make_shared<kareo::PatientIdentifierReq>();
    encounter.Patient->PatientID = found.patient_id;
    encounter.Case = std::make_shared<kareo::PatientCaseIdentifierReq>();
    if (row->DefaultCaseID && !row->DefaultCaseID->empty())
      encounter.Case->CaseID = std::stoi(*row->DefaultCaseID);
    else
      encounter.Case->CaseName = "Self Pay";
    encounter.RenderingProvider = std::make_shared<kareo::ProviderIdentifierDetailedReq>();
    encounter.RenderingProvider->ProviderID = std::stoi(providers.front().ID.value_or("0"));
    encounter.ServiceLocation = std::make_shared<kareo::EncounterServiceLocation>();
    encounter.ServiceLocation->LocationID = std::stoi(locations.front().ID.value_or("0"));
    encounter.ServiceStartDate = service_date;
    encounter.PostDate = service_date;
    encounter.EncounterStatus = kareo_wire::wcf__EncounterStatusCode::Draft;
    encounter.ExternalVendorID = vendor;
    encounter.EncounterExternalID = external_id + "-" + service_date.substr(0, 10);
    encounter.ServiceLines = std::make_shared<kareo::ArrayOfServiceLineReq>();
    auto line = std::make_shared<kareo::ServiceLineReq>();
    line->ServiceStartDate = service_date;
    line->ProcedureCode = procedure;
    line->DiagnosisCode1 = diagnosis;
    line->Units = 1;
    encounter.ServiceLines->ServiceLineReq.push_back(line);

    try {
      kareo::CreateEncounterResp created = client.create_encounter(encounter);
      std::cout << "created encounter " << created.EncounterID.value_or(0) << " for patient "
                << created.PatientID.value_or(found.patient_id) << ": " << procedure << " / " << diagnosis << " on "
                << service_date.substr(0, 10) << '\n';
    } catch (const kareo::AmbiguousOutcome& e) {
      // The encounter may exist now. Do not send it again blindly: look for it first (kareo charges
      // --from TODAY, or GetEncounterDetails), matching EncounterExternalID.
      std::cerr << "superbill: the encounter may or may not have been created: " << e.what() << '\n'
                << "look for encounter " << *encounter.EncounterExternalID << " before trying again\n";
      return e.exit_code();
    }
    return 0;
  } catch (const kareo::Error& e) {
    std::cerr << "superbill: " << e.what() << "\n" << e.hint() << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "superbill: " << e.what() << '\n';
    return 1;
  }
}
