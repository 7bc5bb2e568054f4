// Every operation called through the Client with small, valid arguments: what the wire tests capture and check
// structurally, and what the request checker's library test must find nothing wrong with.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "kareo/client.hpp"

namespace kareo::test {

// Calls one operation with small, valid arguments.
using Invoke = std::function<void(Client&)>;

inline std::map<Operation, Invoke> invocations() {
  std::map<Operation, Invoke> m;
  m[Operation::CreateAppointment] = [](Client& c) {
    AppointmentCreate a;
    a.PatientSummary = std::make_shared<PatientSummary>();
    a.PatientSummary->PatientId = 101;
    a.StartTime = "2024-03-05T14:30:00";
    a.EndTime = "2024-03-05T15:00:00";
    a.PracticeId = 7;
    a.AppointmentType = AppointmentType::P;
    a.AppointmentStatus = AppointmentStatus::Scheduled;
    c.create_appointment(a);
  };
  m[Operation::CreateDocument] = [](Client& c) {
    DocumentCreateRequest d;
    d.FileName = "note.txt";
    d.Name = "Test note";
    d.FileContent = std::make_shared<std::string>("VGVzdCBub3Rl");
    d.PatientId = 101;
    d.PracticeId = 7;
    c.create_document(d);
  };
  m[Operation::CreateEncounter] = [](Client& c) {
    EncounterCreate e;
    e.ServiceStartDate = "2024-03-05T00:00:00";
    e.ServiceEndDate = "2024-03-05T00:00:00";
    c.create_encounter(e);
  };
  m[Operation::CreatePatient] = [](Client& c) {
    PatientCreate p;
    p.FirstName = "Testpatient";
    p.LastName = "Alpha";
    p.DateofBirth = "1980-05-01T00:00:00";
    p.Practice = std::make_shared<PracticeIdentifierReq>();
    p.Practice->PracticeName = "Main Street Clinic";
    c.create_patient(p);
  };
  m[Operation::CreatePayment] = [](Client& c) {
    PaymentCreate p;
    p.PayerType = "Patient";
    p.Payment = std::make_shared<PaymentPaymentCreate>();
    p.Payment->AmountPaid = "25.00";
    p.Payment->PaymentMethod = "Cash";
    c.create_payment(p);
  };
  m[Operation::DeleteAppointment] = [](Client& c) { c.delete_appointment(55); };
  m[Operation::DeleteDocument] = [](Client& c) { c.delete_document(66); };
  m[Operation::GetAllPatients] = [](Client& c) { c.all_patients({7, {}, {}}).begin(); };
  m[Operation::GetAppointment] = [](Client& c) { c.get_appointment(55); };
  m[Operation::GetAppointments] = [](Client& c) {
    AppointmentQuery f;
    f.service_date = TimeRange{Date(2024, 3, 1), Date(2024, 3, 31)};
    f.filter.PracticeName = "Main Street Clinic";
    c.appointments(f).collect();
  };
  m[Operation::GetCharges] = [](Client& c) {
    ChargeQuery f;
    f.posting_date = TimeRange{Date(2024, 3, 1), Date(2024, 3, 31)};
    c.charges(f).collect();
  };
  m[Operation::GetCustomerIdFromKey] = [](Client& c) { c.get_customer_id_from_key(); };
  m[Operation::GetEncounterDetails] = [](Client& c) {
    EncounterDetailsFilter f;
    f.EncounterID = "77";
    c.encounter_details({f}).collect();
  };
  m[Operation::GetExternalVendors] = [](Client& c) { c.external_vendors().collect(); };
  m[Operation::GetPatient] = [](Client& c) { c.get_patient(101); };
  m[Operation::GetPatients] = [](Client& c) {
    PatientQuery f;
    f.filter.PracticeName = "Main Street Clinic";
    f.last_modified = TimeRange{Date(2024, 3, 1), Date(2024, 3, 31)};
    c.patients(f).collect();
  };
  m[Operation::GetPayments] = [](Client& c) {
    PaymentFilter f;
    f.PracticeName = "Main Street Clinic";
    c.payments({f}).collect();
  };
  m[Operation::GetPractices] = [](Client& c) { c.practices().collect(); };
  m[Operation::GetProcedureCodes] = [](Client& c) {
    ProcedureCodeFilter f;
    f.Active = true;
    c.procedure_codes({f}).collect();
  };
  m[Operation::GetProviders] = [](Client& c) { c.providers().collect(); };
  m[Operation::GetServiceLocations] = [](Client& c) {
    ServiceLocationFilter f;
    f.PracticeName = "Main Street Clinic";
    ServiceLocationFieldsToReturn fields;
    fields.Name = true;
    c.service_locations({f, fields}).collect();
  };
  m[Operation::GetThrottles] = [](Client& c) { c.throttles().collect(); };
  m[Operation::GetTransactions] = [](Client& c) {
    TransactionQuery f;
    f.transaction_date = TimeRange{Date(2024, 3, 1), Date(2024, 3, 31)};
    c.transactions(f).collect();
  };
  m[Operation::RegisterExternalVendor] = [](Client& c) {
    ExternalVendorReq v;
    v.ExternalVendorName = "Test Vendor";
    c.register_external_vendor(v);
  };
  m[Operation::UpdateAppointment] = [](Client& c) {
    AppointmentUpdate a;
    a.AppointmentId = 55;
    c.update_appointment(a);
  };
  m[Operation::UpdateEncounterStatus] = [](Client& c) {
    EncounterUpdateStatus s;
    s.EncounterID = 77;
    s.EncounterStatus = "Draft";
    c.update_encounter_status(s);
  };
  m[Operation::UpdatePatient] = [](Client& c) {
    PatientUpdate p;
    p.PatientID = 101;
    p.FirstName = "Testpatient";
    p.Practice = std::make_shared<PracticeIdentifierReq>();
    p.Practice->PracticeID = 7;
    c.update_patient(p);
  };
  m[Operation::UpdatePatientsExternalID] = [](Client& c) {
    PatientExternalIDSettingBatch b;
    b.UpdateBatch = std::make_shared<ArrayOfPatientExternalIDSetting>();
    auto s = std::make_shared<PatientExternalIDSetting>();
    s->patientID = 101;
    s->externalID = "EXT-101";
    b.UpdateBatch->PatientExternalIDSetting.push_back(s);
    c.update_patients_external_id(b);
  };
  return m;
}

}  // namespace kareo::test
