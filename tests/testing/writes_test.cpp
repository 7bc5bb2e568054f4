// Create, Update and Delete change the store: IDs assigned, external IDs kept (and cut at 25 characters),
// LastModifiedDate set.
#include "support.hpp"

using namespace fake_test;

namespace {

class FakeServerWrites : public ::testing::Test {
 protected:
  std::unique_ptr<FakeServer> holder = started(small_options());
  FakeServer& server = *holder;
  Client client{server};
};

}  // namespace

TEST_F(FakeServerWrites, CreatePatientAssignsAnIdAndKeepsTheExternalId) {
  const std::size_t before = server.store().count(Entity::Patient);
  _kareo__CreatePatient in;
  in.request = client.request<kareo__CreatePatientReq>();
  auto p = std::make_shared<kareo__PatientCreate>();
  p->FirstName = "Zulu";
  p->LastName = "Testcreated";
  p->DateofBirth = "1990-04-05T00:00:00";
  p->Gender = wcf__GenderCode::Female;
  p->EmailAddress = "zulu.testcreated@example.test";
  p->Practice = std::make_shared<kareo__PracticeIdentifierReq>();
  p->Practice->PracticeName = "Testpractice Bravo";
  p->PatientExternalID = "SYNC-0123456789-ABCDEFGHIJ-XYZ";  // 30 characters
  p->ExternalVendorID = 1;
  in.request->Patient = p;
  _kareo__CreatePatientResponse out;
  ASSERT_EQ(client.proxy.CreatePatient(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  const auto& res = *out.CreatePatientResult;
  ASSERT_FALSE(res.ErrorResponse && res.ErrorResponse->IsError.value_or(false)) << *res.ErrorResponse->ErrorMessage;
  ASSERT_TRUE(res.PatientID);
  EXPECT_EQ(*res.PatientID, static_cast<int>(before) + 1);
  EXPECT_EQ(res.PatientExternalID, "SYNC-0123456789-ABCDEFGHI");  // cut at 25
  EXPECT_EQ(res.PracticeID, 2);
  EXPECT_EQ(res.PracticeName, "Testpractice Bravo");
  EXPECT_EQ(server.store().count(Entity::Patient), before + 1);

  EXPECT_EQ(server.store().find_by_external_id(Entity::Patient, "SYNC-0123456789-ABCDEFGHI", 1), *res.PatientID);
  EXPECT_FALSE(server.store().find_by_external_id(Entity::Patient, "SYNC-0123456789-ABCDEFGHIJ-XYZ"));
  auto rec = server.store().get(Entity::Patient, *res.PatientID);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->at("FirstName"), "Zulu");
  EXPECT_EQ(rec->at("PatientFullName"), "Zulu Testcreated");
  EXPECT_EQ(rec->at("DOB"), "4/5/1990 12:00:00 AM");
  EXPECT_EQ(rec->at("Gender"), "Female");
  EXPECT_EQ(rec->at("PracticeName"), "Testpractice Bravo");
  EXPECT_EQ(rec->at("LastModifiedDate").rfind("6/15/2025 ", 0), 0u);  // "now" follows the configured today
  EXPECT_FALSE(rec->count("HomePhone"));                              // not given: null

  // The new patient is in the practice's list.
  _kareo__GetPatients list;
  list.request = patients_request(client, "2");
  _kareo__GetPatientsResponse got;
  ASSERT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &list, got), SOAP_OK) << client.fault();
  auto ids = row_ids(got.GetPatientsResult->Patients->PatientData);
  EXPECT_NE(std::find(ids.begin(), ids.end(), *res.PatientID), ids.end());
}

TEST_F(FakeServerWrites, CreatePatientWithoutAPracticeIsAnError) {
  _kareo__CreatePatient in;
  in.request = client.request<kareo__CreatePatientReq>();
  in.request->Patient = std::make_shared<kareo__PatientCreate>();
  in.request->Patient->FirstName = "Alpha";
  in.request->Patient->LastName = "Testnopractice";
  _kareo__CreatePatientResponse out;
  ASSERT_EQ(client.proxy.CreatePatient(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  ASSERT_TRUE(out.CreatePatientResult->ErrorResponse);
  EXPECT_EQ(out.CreatePatientResult->ErrorResponse->IsError, true);
  EXPECT_EQ(server.store().count(Entity::Patient), 40u);
}

TEST_F(FakeServerWrites, UpdatePatientChangesMembersAndLastModifiedDate) {
  auto before = server.store().get(Entity::Patient, 3);
  ASSERT_TRUE(before);
  _kareo__UpdatePatient in;
  in.UpdatePatientReq = client.request<kareo__UpdatePatientReq>();
  in.UpdatePatientReq->Patient = std::make_shared<kareo__PatientUpdate>();
  in.UpdatePatientReq->Patient->PatientID = 3;
  in.UpdatePatientReq->Patient->City = "Newtestville";
  _kareo__UpdatePatientResponse out;
  ASSERT_EQ(client.proxy.UpdatePatient(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  EXPECT_EQ(out.UpdatePatientResult->PatientID, 3);
  auto after = server.store().get(Entity::Patient, 3);
  EXPECT_EQ(after->at("City"), "Newtestville");
  EXPECT_EQ(after->at("FirstName"), before->at("FirstName"));
  EXPECT_NE(after->at("LastModifiedDate"), before->at("LastModifiedDate"));
  EXPECT_EQ(after->at("LastModifiedDate").rfind("6/15/2025 ", 0), 0u);

  in.UpdatePatientReq->Patient->PatientID = 999;
  _kareo__UpdatePatientResponse missing;
  ASSERT_EQ(client.proxy.UpdatePatient(client.endpoint(), nullptr, &in, missing), SOAP_OK) << client.fault();
  EXPECT_EQ(missing.UpdatePatientResult->ErrorResponse->IsError, true);
}

TEST_F(FakeServerWrites, UpdatePatientsExternalIdSetsThemPerVendor) {
  _kareo__UpdatePatientsExternalID in;
  in.request = client.request<kareo__UpdatePatientsExternalIDReq>();
  in.request->Updates = std::make_shared<kareo__PatientExternalIDSettingBatch>();
  in.request->Updates->UpdateBatch = std::make_shared<kareo__ArrayOfPatientExternalIDSetting>();
  auto s = std::make_shared<kareo__PatientExternalIDSetting>();
  s->patientID = 2;
  s->practiceID = 2;
  s->externalVendorID = 2;
  s->externalID = "VENDOR2-PATIENT-2";
  in.request->Updates->UpdateBatch->PatientExternalIDSetting.push_back(s);
  _kareo__UpdatePatientsExternalIDResponse out;
  ASSERT_EQ(client.proxy.UpdatePatientsExternalID(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  ASSERT_TRUE(out.UpdatePatientsExternalIDResult->ItemsUpdated);
  EXPECT_EQ(out.UpdatePatientsExternalIDResult->ItemsUpdated->PatientExternalIDSetting.size(), 1u);
  EXPECT_EQ(server.store().find_by_external_id(Entity::Patient, "VENDOR2-PATIENT-2", 2), 2);
  EXPECT_FALSE(server.store().find_by_external_id(Entity::Patient, "VENDOR2-PATIENT-2", 1));
}

TEST_F(FakeServerWrites, AppointmentLifecycle) {
  const std::size_t before = server.store().count(Entity::Appointment);
  _kareo__CreateAppointment in;
  in.request = client.request<kareo__CreateAppointmentReq>();
  auto a = std::make_shared<kareo__AppointmentCreate>();
  a->PracticeId = 1;
  a->ServiceLocationId = 1;
  a->ProviderId = 1;
  a->StartTime = "2025-06-20T09:00:00";
  a->EndTime = "2025-06-20T09:30:00";
  a->AppointmentStatus = kareo__AppointmentStatus::Scheduled;
  a->AppointmentType = kareo__AppointmentType::P;
  a->IsRecurring = false;
  a->Notes = "Test follow-up";
  a->PatientSummary = std::make_shared<kareo__PatientSummary>();
  a->PatientSummary->PatientId = 1;
  in.request->Appointment = a;
  _kareo__CreateAppointmentResponse out;
  ASSERT_EQ(client.proxy.CreateAppointment(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  ASSERT_TRUE(out.CreateAppointmentResult->Appointment) << *out.CreateAppointmentResult->ErrorResponse->ErrorMessage;
  const LONG64 id = *out.CreateAppointmentResult->Appointment->AppointmentId;
  EXPECT_EQ(server.store().count(Entity::Appointment), before + 1);
  auto rec = server.store().get(Entity::Appointment, id);
  EXPECT_EQ(rec->at("StartDate"), "6/20/2025 9:00:00 AM");
  EXPECT_EQ(rec->at("AppointmentDuration"), "30");
  EXPECT_EQ(rec->at("PatientFullName"), "Alpha Testpatient1");
  EXPECT_EQ(rec->at("ConfirmationStatus"), "Scheduled");

  _kareo__UpdateAppointment up;
  up.request = client.request<kareo__UpdateAppointmentReq>();
  up.request->Appointment = std::make_shared<kareo__AppointmentUpdate>();
  up.request->Appointment->AppointmentId = id;
  up.request->Appointment->AppointmentStatus = kareo__AppointmentStatus::Confirmed;
  _kareo__UpdateAppointmentResponse upout;
  ASSERT_EQ(client.proxy.UpdateAppointment(client.endpoint(), nullptr, &up, upout), SOAP_OK) << client.fault();
  ASSERT_TRUE(upout.UpdateAppointmentResult->Appointment);
  EXPECT_EQ(upout.UpdateAppointmentResult->Appointment->AppointmentStatus, kareo__AppointmentStatus::Confirmed);
  EXPECT_EQ(server.store().get(Entity::Appointment, id)->at("ConfirmationStatus"), "Confirmed");

  _kareo__DeleteAppointment del;
  del.request = client.request<kareo__DeleteAppointmentReq>();
  del.request->Appointment = std::make_shared<kareo__AppointmentDelete>();
  del.request->Appointment->AppointmentId = id;
  _kareo__DeleteAppointmentResponse delout;
  ASSERT_EQ(client.proxy.DeleteAppointment(client.endpoint(), nullptr, &del, delout), SOAP_OK) << client.fault();
  EXPECT_EQ(delout.DeleteAppointmentResult->Deleted, true);
  EXPECT_FALSE(server.store().get(Entity::Appointment, id));
}

TEST_F(FakeServerWrites, CreateAppointmentNeedsAProviderOrResource) {
  _kareo__CreateAppointment in;
  in.request = client.request<kareo__CreateAppointmentReq>();
  in.request->Appointment = std::make_shared<kareo__AppointmentCreate>();
  in.request->Appointment->PracticeId = 1;
  in.request->Appointment->StartTime = "2025-06-20T09:00:00";
  in.request->Appointment->EndTime = "2025-06-20T09:30:00";
  _kareo__CreateAppointmentResponse out;
  ASSERT_EQ(client.proxy.CreateAppointment(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  ASSERT_TRUE(out.CreateAppointmentResult->ErrorResponse);
  EXPECT_EQ(out.CreateAppointmentResult->ErrorResponse->ErrorMessage,
            "Appointment must have valid ProviderGuids or ResourceGuids.");
}

TEST_F(FakeServerWrites, CreateEncounterAddsChargesAndUpdateEncounterStatusChangesThem) {
  const std::size_t charges = server.store().count(Entity::Charge);
  _kareo__CreateEncounter in;
  in.request = client.request<kareo__CreateEncounterReq>();
  auto e = std::make_shared<kareo__EncounterCreate>();
  e->Practice = std::make_shared<kareo__PracticeIdentifierReq>();
  e->Practice->PracticeID = 1;
  e->Patient = std::make_shared<kareo__PatientIdentifierReq>();
  e->Patient->PatientID = 1;
  e->RenderingProvider = std::make_shared<kareo__ProviderIdentifierDetailedReq>();
  e->RenderingProvider->ProviderID = 1;
  e->ServiceLocation = std::make_shared<kareo__EncounterServiceLocation>();
  e->ServiceLocation->LocationID = 1;
  e->ServiceStartDate = "2025-06-10T00:00:00";
  e->EncounterStatus = wcf__EncounterStatusCode::Draft;
  e->EncounterExternalID = "ENC-EXT-1";
  e->ServiceLines = std::make_shared<kareo__ArrayOfServiceLineReq>();
  for (const char* code : {"T1001", "T1002"}) {
    auto line = std::make_shared<kareo__ServiceLineReq>();
    line->ProcedureCode = code;
    line->Units = 2;
    line->UnitCharge = 75.5;
    line->ServiceStartDate = "2025-06-10T00:00:00";
    line->ExternalID = std::string("LINE-") + code;
    e->ServiceLines->ServiceLineReq.push_back(line);
  }
  in.request->Encounter = e;
  _kareo__CreateEncounterResponse out;
  ASSERT_EQ(client.proxy.CreateEncounter(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  const auto& res = *out.CreateEncounterResult;
  ASSERT_TRUE(res.EncounterID) << *res.ErrorResponse->ErrorMessage;
  EXPECT_EQ(res.PatientID, 1);
  EXPECT_EQ(res.EncounterExternalID, "ENC-EXT-1");
  ASSERT_TRUE(res.ServiceLinesAdded);
  ASSERT_EQ(res.ServiceLinesAdded->ServiceLineRes.size(), 2u);
  EXPECT_EQ(res.ServiceLinesAdded->ServiceLineRes[1]->ServiceLineExternalID, "LINE-T1002");
  EXPECT_EQ(server.store().count(Entity::Charge), charges + 2);
  int line_id = *res.ServiceLinesAdded->ServiceLineRes[0]->ServiceLineID;
  auto charge = server.store().get(Entity::Charge, line_id);
  EXPECT_EQ(charge->at("TotalCharges"), "151.00");
  EXPECT_EQ(charge->at("EncounterStatus"), "Draft");
  EXPECT_EQ(server.store().find_by_external_id(Entity::Encounter, "ENC-EXT-1"), *res.EncounterID);

  _kareo__UpdateEncounterStatus up;
  up.request = client.request<kareo__UpdateEncounterStatusReq>();
  up.request->EncounterUpdateStatus = std::make_shared<kareo__EncounterUpdateStatus>();
  up.request->EncounterUpdateStatus->EncounterID = *res.EncounterID;
  up.request->EncounterUpdateStatus->EncounterStatus = "Approved";
  _kareo__UpdateEncounterStatusResponse upout;
  ASSERT_EQ(client.proxy.UpdateEncounterStatus(client.endpoint(), nullptr, &up, upout), SOAP_OK) << client.fault();
  EXPECT_EQ(upout.UpdateEncounterStatusResult->EncounterID, *res.EncounterID);
  EXPECT_EQ(server.store().get(Entity::Charge, line_id)->at("EncounterStatus"), "Approved");
}

TEST_F(FakeServerWrites, CreatePaymentDocumentsAndVendors) {
  _kareo__CreatePayment pay;
  pay.request = client.request<kareo__CreatePaymentRequest>();
  auto p = std::make_shared<kareo__PaymentCreate>();
  p->Practice = std::make_shared<kareo__PaymentPracticeCreate>();
  p->Practice->PracticeID = "1";
  p->Patient = std::make_shared<kareo__PaymentPatientCreate>();
  p->Patient->PatientID = "1";
  p->Payment = std::make_shared<kareo__PaymentPaymentCreate>();
  p->Payment->AmountPaid = "25.50";
  p->Payment->PaymentMethod = "Check";
  p->PayerType = "Patient";
  p->PostDate = "6/14/2025";
  pay.request->Payment = p;
  _kareo__CreatePaymentResponse pout;
  ASSERT_EQ(client.proxy.CreatePayment(client.endpoint(), nullptr, &pay, pout), SOAP_OK) << client.fault();
  ASSERT_TRUE(pout.CreatePaymentResult->PaymentID);
  auto rec = server.store().get(Entity::Payment, *pout.CreatePaymentResult->PaymentID);
  EXPECT_EQ(rec->at("Amount"), "25.50");
  EXPECT_EQ(rec->at("PostDate"), "6/14/2025 12:00:00 AM");
  EXPECT_EQ(pout.CreatePaymentResult->PracticeName, "Testpractice Alpha");

  _kareo__CreateDocument doc;
  doc.request = client.request<kareo__CreateDocumentReq>();
  doc.request->DocumentToCreate = std::make_shared<kareo__DocumentCreateRequest>();
  doc.request->DocumentToCreate->Name = "Test intake form";
  doc.request->DocumentToCreate->FileName = "intake.txt";
  doc.request->DocumentToCreate->FileContent = std::make_shared<std::string>("VGVzdCBkb2N1bWVudA==");
  doc.request->DocumentToCreate->PracticeId = 1;
  doc.request->DocumentToCreate->PatientId = 1;
  _kareo__CreateDocumentResponse dout;
  ASSERT_EQ(client.proxy.CreateDocument(client.endpoint(), nullptr, &doc, dout), SOAP_OK) << client.fault();
  ASSERT_TRUE(dout.CreateDocumentResult->Document);
  LONG64 doc_id = *dout.CreateDocumentResult->Document->DocumentId;
  EXPECT_EQ(server.store().get(Entity::Document, doc_id)->at("FileSize"), "13");

  _kareo__DeleteDocument del;
  del.request = client.request<kareo__DeleteDocumentReq>();
  del.request->DocumentId = doc_id;
  _kareo__DeleteDocumentResponse delout;
  ASSERT_EQ(client.proxy.DeleteDocument(client.endpoint(), nullptr, &del, delout), SOAP_OK) << client.fault();
  EXPECT_EQ(delout.DeleteDocumentResult->Deleted, true);
  EXPECT_EQ(server.store().count(Entity::Document), 0u);

  _kareo__RegisterExternalVendor vendor;
  vendor.request = client.request<kareo__RegisterExternalVendorReq>();
  vendor.request->ExternalVendor = std::make_shared<kareo__ExternalVendorReq>();
  vendor.request->ExternalVendor->ExternalVendorName = "Testvendor Sync Tool";
  _kareo__RegisterExternalVendorResponse vout;
  ASSERT_EQ(client.proxy.RegisterExternalVendor(client.endpoint(), nullptr, &vendor, vout), SOAP_OK) << client.fault();
  ASSERT_TRUE(vout.RegisterExternalVendorResult->ExternalVendor);
  EXPECT_EQ(vout.RegisterExternalVendorResult->ExternalVendor->ExternalVendorID, 3);
  EXPECT_EQ(server.store().count(Entity::ExternalVendor), 3u);
}

TEST_F(FakeServerWrites, StoreChangesMadeByTestsAreServed) {
  auto id = server.store().insert(Entity::Patient, {{"FirstName", "Kilo"},
                                                    {"LastName", "Testinserted"},
                                                    {"PracticeId", "1"},
                                                    {"PracticeName", "Testpractice Alpha"}});
  EXPECT_EQ(id, 41);
  EXPECT_TRUE(server.store().update(Entity::Patient, 1, {{"LastName", "Testrenamed"}}));
  _kareo__GetPatients in;
  in.request = patients_request(client, "1");
  in.request->Filter->LastName = "testrenamed";  // names match ignoring case
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  EXPECT_EQ(row_ids(out.GetPatientsResult->Patients->PatientData), (std::vector<std::int64_t>{1}));
  EXPECT_TRUE(server.store().remove(Entity::Patient, 41));
  EXPECT_EQ(server.store().count(Entity::Patient), 40u);
}
