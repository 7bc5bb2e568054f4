// Micro benchmarks: build each of the 28 request bodies and serialize it, HTTP headers included, through the
// generated proxy into a counting sink (no socket).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <type_traits>

#include "kareo/operations.hpp"
#include "kareo_wireKareoServicesProxy.h"
#include "memory_soap.hpp"

namespace {

using namespace kareo_wire;
constexpr const char* kEndpoint = "http://127.0.0.1:1/services/soap/2.1/KareoServices.svc";

std::shared_ptr<kareo__RequestHeader> header() {
  auto h = std::make_shared<kareo__RequestHeader>();
  h->ClientVersion = "kareo-cpp bench";
  h->CustomerKey = "test-customer-key";
  h->Password = "test-password & <escaped>";
  h->User = "test-user@example.test";
  return h;
}

template <class Wrapper>
auto request_of(Wrapper& w) {
  using Req = typename std::remove_reference_t<decltype(*w.request)>;
  w.request = std::make_shared<Req>();
  w.request->RequestHeader = header();
  return w.request;
}

template <class T>
std::shared_ptr<T> make() {
  return std::make_shared<T>();
}

// One builder per operation: the members a typical call sets.
_kareo__CreateAppointment build_CreateAppointment() {
  _kareo__CreateAppointment w;
  auto r = request_of(w);
  r->Appointment = make<kareo__AppointmentCreate>();
  auto& a = *r->Appointment;
  a.AppointmentName = "Testpatient Alpha follow-up";
  a.AppointmentStatus = kareo__AppointmentStatus::Scheduled;
  a.AppointmentType = kareo__AppointmentType::P;
  a.StartTime = "2026-03-02T09:00:00";
  a.EndTime = "2026-03-02T09:30:00";
  a.PracticeId = 1;
  a.ServiceLocationId = 7;
  a.ProviderId = 42;
  a.PatientSummary = make<kareo__PatientSummary>();
  a.PatientSummary->PatientId = 1001;
  a.Notes = "Synthetic appointment";
  return w;
}
_kareo__CreateDocument build_CreateDocument() {
  _kareo__CreateDocument w;
  auto r = request_of(w);
  r->DocumentToCreate = make<kareo__DocumentCreateRequest>();
  r->DocumentToCreate->FileName = "synthetic.txt";
  r->DocumentToCreate->Name = "Synthetic document";
  r->DocumentToCreate->PatientId = 1001;
  r->DocumentToCreate->PracticeId = 1;
  // 3 KiB of synthetic content, as base64 text.
  r->DocumentToCreate->FileContent = std::make_shared<xsd__base64Binary>(std::string(4096, 'A'));
  return w;
}
_kareo__CreateEncounter build_CreateEncounter() {
  _kareo__CreateEncounter w;
  auto r = request_of(w);
  r->Encounter = make<kareo__EncounterCreate>();
  auto& e = *r->Encounter;
  e.Practice = make<kareo__PracticeIdentifierReq>();
  e.Practice->PracticeID = 1;
  e.Patient = make<kareo__PatientIdentifierReq>();
  e.PostDate = "2026-03-02T00:00:00";
  e.ServiceLines = make<kareo__ArrayOfServiceLineReq>();
  for (int i = 0; i < 4; ++i) {
    auto line = make<kareo__ServiceLineReq>();
    line->ProcedureCode = "99213";
    line->DiagnosisCode1 = "J06.9";
    line->ServiceStartDate = "2026-03-02T00:00:00";
    line->Units = 1.0;
    line->UnitCharge = 125.0;
    e.ServiceLines->ServiceLineReq.push_back(line);
  }
  return w;
}
template <class P>
void fill_patient(P& p) {
  p.FirstName = "Testpatient";
  p.LastName = "Alpha";
  p.DateofBirth = "1980-05-01T00:00:00";
  p.AddressLine1 = "1 Synthetic Way";
  p.City = "Testville";
  p.State = "CA";
  p.ZipCode = "90000";
  p.HomePhone = "5550100";
  p.EmailAddress = "alpha@example.test";
  p.Practice = make<kareo__PracticeIdentifierReq>();
  p.Practice->PracticeID = 1;
}
_kareo__CreatePatient build_CreatePatient() {
  _kareo__CreatePatient w;
  auto r = request_of(w);
  r->Patient = make<kareo__PatientCreate>();
  fill_patient(*r->Patient);
  return w;
}
_kareo__CreatePayment build_CreatePayment() {
  _kareo__CreatePayment w;
  auto r = request_of(w);
  r->Payment = make<kareo__PaymentCreate>();
  r->Payment->PayerType = "Patient";
  r->Payment->PostDate = "3/2/2026";
  r->Payment->Practice = make<kareo__PaymentPracticeCreate>();
  r->Payment->Payment = make<kareo__PaymentPaymentCreate>();
  return w;
}
_kareo__DeleteAppointment build_DeleteAppointment() {
  _kareo__DeleteAppointment w;
  request_of(w)->Appointment = make<kareo__AppointmentDelete>();
  w.request->Appointment->AppointmentId = 55;
  return w;
}
_kareo__DeleteDocument build_DeleteDocument() {
  _kareo__DeleteDocument w;
  request_of(w)->DocumentId = 77;
  return w;
}
_kareo__GetAllPatients build_GetAllPatients() {
  _kareo__GetAllPatients w;
  auto r = request_of(w);
  r->Fields = make<kareo__PatientBatchFieldsToReturn>();
  r->Filter = make<kareo__PatientBatchGetFilter>();
  r->Filter->BatchSize = 1000;
  r->Filter->PracticeID = 1;
  r->Filter->StartKey = 0;
  return w;
}
_kareo__GetAppointment build_GetAppointment() {
  _kareo__GetAppointment w;
  request_of(w)->Appointment = make<kareo__AppointmentRead>();
  w.request->Appointment->AppointmentId = 55;
  return w;
}
template <class W, class Fields, class Filter>
W list_call() {
  W w;
  auto r = request_of(w);
  r->Fields = make<Fields>();
  r->Filter = make<Filter>();
  return w;
}
_kareo__GetAppointments build_GetAppointments() {
  auto w = list_call<_kareo__GetAppointments, kareo__AppointmentFieldsToReturn, kareo__AppointmentFilter>();
  w.request->Filter->StartDate = "3/1/2026";
  w.request->Filter->EndDate = "3/31/2026";
  return w;
}
_kareo__GetCharges build_GetCharges() {
  auto w = list_call<_kareo__GetCharges, kareo__ChargeFieldsToReturn, kareo__ChargeFilter>();
  w.request->Filter->FromPostingDate = "3/1/2026";
  w.request->Filter->ToPostingDate = "3/31/2026";
  return w;
}
_kareo__GetCustomerIdFromKey build_GetCustomerIdFromKey() {
  _kareo__GetCustomerIdFromKey w;
  w.request = make<kareo__GetCustomerIdFromKeyRequest>();
  w.request->CustomerKey = "test-customer-key";
  w.request->Password = "test-password";
  w.request->User = "test-user@example.test";
  return w;
}
_kareo__GetEncounterDetails build_GetEncounterDetails() {
  auto w =
      list_call<_kareo__GetEncounterDetails, kareo__EncounterDetailsFieldsToReturn, kareo__EncounterDetailsFilter>();
  w.request->Filter->EncounterID = "9001";
  w.request->Filter->Practice = make<kareo__EncounterDetailsPractice>();
  w.request->Filter->Practice->PracticeID = "1";
  return w;
}
_kareo__GetExternalVendors build_GetExternalVendors() {
  _kareo__GetExternalVendors w;
  request_of(w);
  return w;
}
_kareo__GetPatient build_GetPatient() {
  _kareo__GetPatient w;
  request_of(w)->Filter = make<kareo__SinglePatientFilter>();
  w.request->Filter->PatientID = 1001;
  return w;
}
_kareo__GetPatients build_GetPatients() {
  auto w = list_call<_kareo__GetPatients, kareo__PatientFieldsToReturn, kareo__PatientFilter>();
  w.request->Filter->PracticeName = "Main Street Test Clinic";
  w.request->Filter->FromLastModifiedDate = "1/1/2026";
  w.request->Filter->ToLastModifiedDate = "3/31/2026";
  return w;
}
_kareo__GetPayments build_GetPayments() {
  auto w = list_call<_kareo__GetPayments, kareo__PaymentFieldsToReturn, kareo__PaymentFilter>();
  w.request->Filter->FromPostDate = "3/1/2026";
  w.request->Filter->ToPostDate = "3/31/2026";
  return w;
}
_kareo__GetPractices build_GetPractices() {
  auto w = list_call<_kareo__GetPractices, kareo__PracticeFieldsToReturn, kareo__PracticeFilter>();
  w.request->Filter->Active = "true";
  return w;
}
_kareo__GetProcedureCodes build_GetProcedureCodes() {
  return list_call<_kareo__GetProcedureCodes, kareons__ProcedureCodeFieldsToReturn, kareons__ProcedureCodeFilter>();
}
_kareo__GetProviders build_GetProviders() {
  return list_call<_kareo__GetProviders, kareo__ProviderFieldsToReturn, kareo__ProviderFilter>();
}
_kareo__GetServiceLocations build_GetServiceLocations() {
  return list_call<_kareo__GetServiceLocations, kareons__ServiceLocationFieldsToReturn,
                   kareons__ServiceLocationFilter>();
}
_kareo__GetThrottles build_GetThrottles() {
  _kareo__GetThrottles w;
  request_of(w);
  return w;
}
_kareo__GetTransactions build_GetTransactions() {
  auto w = list_call<_kareo__GetTransactions, kareo__TransactionFieldsToReturn, kareo__TransactionFilter>();
  w.request->Filter->FromTransactionDate = "3/1/2026";
  w.request->Filter->ToTransactionDate = "3/31/2026";
  return w;
}
_kareo__RegisterExternalVendor build_RegisterExternalVendor() {
  _kareo__RegisterExternalVendor w;
  request_of(w)->ExternalVendor = make<kareo__ExternalVendorReq>();
  w.request->ExternalVendor->ExternalVendorName = "Synthetic Vendor";
  return w;
}
_kareo__UpdateAppointment build_UpdateAppointment() {
  _kareo__UpdateAppointment w;
  request_of(w)->Appointment = make<kareo__AppointmentUpdate>();
  auto& a = *w.request->Appointment;
  a.AppointmentId = 55;
  a.PatientId = 1001;
  a.ServiceLocationId = 7;
  a.StartTime = "2026-03-02T10:00:00";
  a.EndTime = "2026-03-02T10:30:00";
  return w;
}
_kareo__UpdateEncounterStatus build_UpdateEncounterStatus() {
  _kareo__UpdateEncounterStatus w;
  request_of(w)->EncounterUpdateStatus = make<kareo__EncounterUpdateStatus>();
  w.request->EncounterUpdateStatus->EncounterID = 9001;
  w.request->EncounterUpdateStatus->EncounterStatus = "Approved";
  return w;
}
_kareo__UpdatePatient build_UpdatePatient() {
  _kareo__UpdatePatient w;
  w.UpdatePatientReq = make<kareo__UpdatePatientReq>();
  w.UpdatePatientReq->RequestHeader = header();
  w.UpdatePatientReq->Patient = make<kareo__PatientUpdate>();
  fill_patient(*w.UpdatePatientReq->Patient);
  w.UpdatePatientReq->Patient->PatientID = 1001;
  return w;
}
_kareo__UpdatePatientsExternalID build_UpdatePatientsExternalID() {
  _kareo__UpdatePatientsExternalID w;
  request_of(w)->Updates = make<kareo__PatientExternalIDSettingBatch>();
  w.request->Updates->UpdateBatch = make<kareo__ArrayOfPatientExternalIDSetting>();
  for (int i = 0; i < 10; ++i) {
    auto s = make<kareo__PatientExternalIDSetting>();
    s->externalID = "EXT-" + std::to_string(i);
    s->externalVendorID = 3;
    s->patientID = 1000 + i;
    s->practiceID = 1;
    w.request->Updates->UpdateBatch->PatientExternalIDSetting.push_back(s);
  }
  return w;
}

// Builds the request (as a caller does on every call) and serializes it into the counting sink.
#define KAREO_BENCH_REQUEST(Op)                                                                                \
  void BM_Request_##Op(benchmark::State& state) {                                                              \
    KareoServicesProxy proxy;                                                                                  \
    kareo_bench::MemoryIo io;                                                                                  \
    kareo_bench::attach_memory_io(proxy.soap, io);                                                             \
    const std::string action = kareo::soap_action(kareo::Operation::Op);                                       \
    for (auto _ : state) {                                                                                     \
      auto body = build_##Op();                                                                                \
      if (proxy.send_##Op(kEndpoint, action.c_str(), &body) != SOAP_OK) {                                      \
        state.SkipWithError("serialization failed");                                                           \
        break;                                                                                                 \
      }                                                                                                        \
      proxy.destroy();                                                                                         \
    }                                                                                                          \
    state.counters["bytes"] =                                                                                  \
        static_cast<double>(io.bytes_sent) / static_cast<double>(state.iterations() ? state.iterations() : 1); \
    state.SetBytesProcessed(static_cast<int64_t>(io.bytes_sent));                                              \
  }                                                                                                            \
  BENCHMARK(BM_Request_##Op)

KAREO_BENCH_REQUEST(CreateAppointment);
KAREO_BENCH_REQUEST(CreateDocument);
KAREO_BENCH_REQUEST(CreateEncounter);
KAREO_BENCH_REQUEST(CreatePatient);
KAREO_BENCH_REQUEST(CreatePayment);
KAREO_BENCH_REQUEST(DeleteAppointment);
KAREO_BENCH_REQUEST(DeleteDocument);
KAREO_BENCH_REQUEST(GetAllPatients);
KAREO_BENCH_REQUEST(GetAppointment);
KAREO_BENCH_REQUEST(GetAppointments);
KAREO_BENCH_REQUEST(GetCharges);
KAREO_BENCH_REQUEST(GetCustomerIdFromKey);
KAREO_BENCH_REQUEST(GetEncounterDetails);
KAREO_BENCH_REQUEST(GetExternalVendors);
KAREO_BENCH_REQUEST(GetPatient);
KAREO_BENCH_REQUEST(GetPatients);
KAREO_BENCH_REQUEST(GetPayments);
KAREO_BENCH_REQUEST(GetPractices);
KAREO_BENCH_REQUEST(GetProcedureCodes);
KAREO_BENCH_REQUEST(GetProviders);
KAREO_BENCH_REQUEST(GetServiceLocations);
KAREO_BENCH_REQUEST(GetThrottles);
KAREO_BENCH_REQUEST(GetTransactions);
KAREO_BENCH_REQUEST(RegisterExternalVendor);
KAREO_BENCH_REQUEST(UpdateAppointment);
KAREO_BENCH_REQUEST(UpdateEncounterStatus);
KAREO_BENCH_REQUEST(UpdatePatient);
KAREO_BENCH_REQUEST(UpdatePatientsExternalID);

}  // namespace
