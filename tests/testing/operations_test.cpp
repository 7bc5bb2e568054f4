// Every one of the 28 operations answers through real sockets and the generated proxy, with the data set
// the store holds.
#include <atomic>
#include <map>
#include <thread>

#include "support.hpp"

using namespace fake_test;

namespace {

class FakeServerOperations : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FakeServer(small_options());
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  FakeServer& server() { return *server_; }
  Client client{*server_};
  static FakeServer* server_;
};
FakeServer* FakeServerOperations::server_ = nullptr;

void expect_ok_security(const std::shared_ptr<kareo__SecurityResponse>& s) {
  ASSERT_TRUE(s);
  EXPECT_EQ(s->Authenticated, true);
  EXPECT_EQ(s->Authorized, true);
  EXPECT_EQ(s->SecurityResultSuccess, true);
  EXPECT_EQ(s->CustomerKeyValid, true);
  EXPECT_EQ(s->CustomerId, 31337);
}

void expect_no_error(const std::shared_ptr<kareo__ErrorResponse>& e) {
  ASSERT_TRUE(e);
  EXPECT_EQ(e->IsError, false);
  EXPECT_FALSE(e->ErrorMessage);
}

}  // namespace

TEST_F(FakeServerOperations, GetPracticesListsEveryPractice) {
  _kareo__GetPractices in;
  in.request = client.request<kareo__GetPracticesReq>();
  in.request->Fields = std::make_shared<kareo__PracticeFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__PracticeFilter>();
  _kareo__GetPracticesResponse out;
  ASSERT_EQ(client.proxy.GetPractices(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  ASSERT_TRUE(out.GetPracticesResult);
  expect_no_error(out.GetPracticesResult->ErrorResponse);
  expect_ok_security(out.GetPracticesResult->SecurityResponse);
  ASSERT_TRUE(out.GetPracticesResult->Practices);
  const auto& rows = out.GetPracticesResult->Practices->PracticeData;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]->PracticeName, "Testpractice Alpha");
  EXPECT_EQ(rows[1]->PracticeName, "Testpractice Bravo");
  EXPECT_EQ(rows[0]->Active, "True");
  auto practices = out.GetPracticesResult->SecurityResponse->PracticesAuthorized;
  ASSERT_TRUE(practices && practices->PracticeID);
  EXPECT_EQ(practices->PracticeID->int_, (std::vector<int>{1, 2}));
}

TEST_F(FakeServerOperations, GetPatientsReturnsThePracticesPatientsWithEveryColumn) {
  _kareo__GetPatients in;
  in.request = patients_request(client, "1");
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  const auto& rows = out.GetPatientsResult->Patients->PatientData;
  EXPECT_EQ(row_ids(rows), server().store().ids(Entity::Patient, {{"PracticeID", "1"}}));
  ASSERT_EQ(rows.size(), 20u);  // 40 patients over 2 practices
  const auto& p = *rows[0];
  EXPECT_EQ(p.PracticeName, "Testpractice Alpha");
  EXPECT_EQ(p.FirstName, "Alpha");
  EXPECT_EQ(p.LastName, "Testpatient1");
  // Every leaf column is filled for generated patients, in the service's text forms.
  EXPECT_TRUE(p.AddressLine1 && p.ZipCode && p.HomePhone && p.SSN && p.PrimaryInsurancePolicyCompanyName);
  EXPECT_TRUE(p.PatientBalance && p.PatientBalance->find('.') != std::string::npos);
  ASSERT_TRUE(p.DOB);
  EXPECT_NE(p.DOB->find(" 12:00:00 AM"), std::string::npos);
  ASSERT_TRUE(p.Cases);
  ASSERT_EQ(p.Cases->PatientCaseData.size(), 1u);
  EXPECT_EQ(p.Cases->PatientCaseData[0]->Name, "Default Case");
}

TEST_F(FakeServerOperations, GetAllPatientsPagesWithNextStartKey) {
  std::vector<std::int64_t> seen;
  std::optional<int> start;
  int calls = 0;
  while (true) {
    _kareo__GetAllPatients in;
    in.request = client.request<kareo__GetAllPatientsReq>();
    in.request->Fields = std::make_shared<kareo__PatientBatchFieldsToReturn>();
    in.request->Filter = std::make_shared<kareo__PatientBatchGetFilter>();
    in.request->Filter->BatchSize = 7;
    in.request->Filter->PracticeID = 2;
    in.request->Filter->StartKey = start;
    _kareo__GetAllPatientsResponse out;
    ASSERT_EQ(client.proxy.GetAllPatients(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
    ++calls;
    const auto& res = *out.GetAllPatientsResult;
    expect_no_error(res.ErrorResponse);
    ASSERT_TRUE(res.Patients);
    EXPECT_LE(res.Patients->PatientBatchData.size(), 7u);
    for (const auto& p : res.Patients->PatientBatchData) seen.push_back(std::stoll(*p->ID));
    if (!res.Key || !res.Key->nextStartKey) break;
    start = *res.Key->nextStartKey;
    ASSERT_LT(calls, 10);
  }
  EXPECT_EQ(calls, 3);  // 20 patients in batches of 7
  EXPECT_EQ(seen, server().store().ids(Entity::Patient, {{"PracticeID", "2"}}));
}

TEST_F(FakeServerOperations, GetPatientByIdAndByExternalId) {
  _kareo__GetPatient in;
  in.request = client.request<kareo__GetPatientReq>();
  in.request->Filter = std::make_shared<kareo__SinglePatientFilter>();
  in.request->Filter->PatientID = 3;
  _kareo__GetPatientResponse out;
  ASSERT_EQ(client.proxy.GetPatient(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  ASSERT_TRUE(out.GetPatientResult->Patient);
  EXPECT_EQ(out.GetPatientResult->Patient->ID, "3");

  in.request->Filter = std::make_shared<kareo__SinglePatientFilter>();
  in.request->Filter->ExternalID = "EXT-P-5";
  in.request->Filter->ExternalVendorID = 1;
  _kareo__GetPatientResponse out2;
  ASSERT_EQ(client.proxy.GetPatient(client.endpoint(), nullptr, &in, out2), SOAP_OK) << client.fault();
  ASSERT_TRUE(out2.GetPatientResult->Patient);
  EXPECT_EQ(out2.GetPatientResult->Patient->ID, "5");
}

TEST_F(FakeServerOperations, GetAppointmentsAndGetAppointment) {
  _kareo__GetAppointments in;
  in.request = client.request<kareo__GetAppointmentsReq>();
  in.request->Fields = std::make_shared<kareo__AppointmentFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__AppointmentFilter>();
  in.request->Filter->StartDate = "2025-01-01";
  in.request->Filter->EndDate = "2025-02-28";
  _kareo__GetAppointmentsResponse out;
  ASSERT_EQ(client.proxy.GetAppointments(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  auto ids = row_ids(out.GetAppointmentsResult->Appointments->AppointmentData);
  EXPECT_EQ(ids, server().store().ids(Entity::Appointment, {{"StartDate", "2025-01-01"}, {"EndDate", "2025-02-28"}}));
  ASSERT_FALSE(ids.empty());

  _kareo__GetAppointment one;
  one.request = client.request<kareo__GetAppointmentReq>();
  one.request->Appointment = std::make_shared<kareo__AppointmentRead>();
  one.request->Appointment->AppointmentId = ids[0];
  _kareo__GetAppointmentResponse got;
  ASSERT_EQ(client.proxy.GetAppointment(client.endpoint(), nullptr, &one, got), SOAP_OK) << client.fault();
  ASSERT_TRUE(got.GetAppointmentResult->Appointment);
  const auto& a = *got.GetAppointmentResult->Appointment;
  EXPECT_EQ(a.AppointmentId, ids[0]);
  EXPECT_EQ(a.StartTime.size(), 19u);  // 2025-01-05T10:15:00
  EXPECT_EQ(a.EndTime.size(), 19u);
  ASSERT_TRUE(a.PatientSummary);
  EXPECT_TRUE(a.PatientSummary->PatientId);
  EXPECT_NE(a.AppointmentStatus, kareo__AppointmentStatus::Unknown);
  EXPECT_EQ(a.AppointmentType, kareo__AppointmentType::P);
  EXPECT_GT(a.ServiceLocationId, 0);
}

TEST_F(FakeServerOperations, GetChargesPaymentsTransactions) {
  _kareo__GetCharges charges;
  charges.request = client.request<kareo__GetChargesReq>();
  charges.request->Fields = std::make_shared<kareo__ChargeFieldsToReturn>();
  charges.request->Filter = std::make_shared<kareo__ChargeFilter>();
  charges.request->Filter->FromPostingDate = "3/1/2025";
  charges.request->Filter->ToPostingDate = "4/29/2025";
  _kareo__GetChargesResponse cout;
  ASSERT_EQ(client.proxy.GetCharges(client.endpoint(), nullptr, &charges, cout), SOAP_OK) << client.fault();
  EXPECT_EQ(row_ids(cout.GetChargesResult->Charges->ChargeData),
            server().store().ids(Entity::Charge, {{"FromPostingDate", "3/1/2025"}, {"ToPostingDate", "4/29/2025"}}));

  _kareo__GetPayments payments;
  payments.request = client.request<kareo__GetPaymentsReq>();
  payments.request->Fields = std::make_shared<kareo__PaymentFieldsToReturn>();
  payments.request->Filter = std::make_shared<kareo__PaymentFilter>();
  payments.request->Filter->PracticeName = "Testpractice Bravo";
  _kareo__GetPaymentsResponse pout;
  ASSERT_EQ(client.proxy.GetPayments(client.endpoint(), nullptr, &payments, pout), SOAP_OK) << client.fault();
  auto pids = row_ids(pout.GetPaymentsResult->Payments->PaymentData);
  EXPECT_EQ(pids, server().store().ids(Entity::Payment, {{"PracticeName", "Testpractice Bravo"}}));
  EXPECT_FALSE(pids.empty());

  _kareo__GetTransactions tx;
  tx.request = client.request<kareo__GetTransactionsReq>();
  tx.request->Fields = std::make_shared<kareo__TransactionFieldsToReturn>();
  tx.request->Filter = std::make_shared<kareo__TransactionFilter>();
  tx.request->Filter->FromTransactionDate = "2024-07-01";
  tx.request->Filter->ToTransactionDate = "2025-06-15";
  _kareo__GetTransactionsResponse tout;
  ASSERT_EQ(client.proxy.GetTransactions(client.endpoint(), nullptr, &tx, tout), SOAP_OK) << client.fault();
  auto tids = row_ids(tout.GetTransactionsResult->Transactions->TransactionData);
  EXPECT_EQ(tids, server().store().ids(Entity::Transaction,
                                       {{"FromTransactionDate", "2024-07-01"}, {"ToTransactionDate", "2025-06-15"}}));
  EXPECT_FALSE(tids.empty());
}

TEST_F(FakeServerOperations, GetProvidersServiceLocationsProcedureCodes) {
  _kareo__GetProviders prov;
  prov.request = client.request<kareo__GetProvidersReq>();
  prov.request->Fields = std::make_shared<kareo__ProviderFieldsToReturn>();
  prov.request->Filter = std::make_shared<kareo__ProviderFilter>();
  prov.request->Filter->PracticeName = "Testpractice Alpha";
  _kareo__GetProvidersResponse pout;
  ASSERT_EQ(client.proxy.GetProviders(client.endpoint(), nullptr, &prov, pout), SOAP_OK) << client.fault();
  EXPECT_EQ(row_ids(pout.GetProvidersResult->Providers->ProviderData), (std::vector<std::int64_t>{1, 3}));

  _kareo__GetServiceLocations loc;
  loc.request = std::make_shared<kareons__GetServiceLocationsReq>();
  loc.request->RequestHeader = client.header();
  loc.request->Fields = std::make_shared<kareons__ServiceLocationFieldsToReturn>();
  loc.request->Filter = std::make_shared<kareons__ServiceLocationFilter>();
  _kareo__GetServiceLocationsResponse lout;
  ASSERT_EQ(client.proxy.GetServiceLocations(client.endpoint(), nullptr, &loc, lout), SOAP_OK) << client.fault();
  ASSERT_TRUE(lout.GetServiceLocationsResult->ServiceLocations);
  EXPECT_EQ(row_ids(lout.GetServiceLocationsResult->ServiceLocations->ServiceLocationData),
            (std::vector<std::int64_t>{1, 2}));
  expect_ok_security(lout.GetServiceLocationsResult->SecurityResponse);

  _kareo__GetProcedureCodes codes;
  codes.request = std::make_shared<kareons__GetProcedureCodesReq>();
  codes.request->RequestHeader = client.header();
  codes.request->Fields = std::make_shared<kareons__ProcedureCodeFieldsToReturn>();
  codes.request->Filter = std::make_shared<kareons__ProcedureCodeFilter>();
  codes.request->Filter->Active = true;
  _kareo__GetProcedureCodesResponse cout;
  ASSERT_EQ(client.proxy.GetProcedureCodes(client.endpoint(), nullptr, &codes, cout), SOAP_OK) << client.fault();
  ASSERT_EQ(cout.GetProcedureCodesResult->ProcedureCodes->ProcedureCodeData.size(), 5u);
  EXPECT_EQ(cout.GetProcedureCodesResult->ProcedureCodes->ProcedureCodeData[0]->ProcedureCode, "T1001");
}

TEST_F(FakeServerOperations, GetEncounterDetailsWithServiceLines) {
  _kareo__GetEncounterDetails in;
  in.request = client.request<kareo__GetEncounterDetailsReq>();
  in.request->Fields = std::make_shared<kareo__EncounterDetailsFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__EncounterDetailsFilter>();
  in.request->Filter->EncounterID = "4";
  _kareo__GetEncounterDetailsResponse out;
  ASSERT_EQ(client.proxy.GetEncounterDetails(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
  const auto& rows = out.GetEncounterDetailsResult->EncounterDetails->EncounterDetailsData;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->EncounterID, "4");
  ASSERT_TRUE(rows[0]->ServiceLines);
  EXPECT_EQ(rows[0]->ServiceLines->ServiceLineRes.size(), 2u);  // 60 charges over 30 encounters
}

TEST_F(FakeServerOperations, ExternalVendorsThrottlesAndCustomerId) {
  _kareo__GetExternalVendors v;
  v.request = client.request<kareo__GetExternalVendorsReq>();
  _kareo__GetExternalVendorsResponse vout;
  ASSERT_EQ(client.proxy.GetExternalVendors(client.endpoint(), nullptr, &v, vout), SOAP_OK) << client.fault();
  ASSERT_EQ(vout.GetExternalVendorsResult->ExternalVendors->ExternalVendorData.size(), 2u);
  EXPECT_EQ(vout.GetExternalVendorsResult->ExternalVendors->ExternalVendorData[0]->ExternalVendorID, 1);

  _kareo__GetThrottles t;
  t.request = client.request<kareo__GetThrottlesReq>();
  _kareo__GetThrottlesResponse tout;
  ASSERT_EQ(client.proxy.GetThrottles(client.endpoint(), nullptr, &t, tout), SOAP_OK) << client.fault();
  std::map<std::string, double> table;
  for (const auto& d : tout.GetThrottlesResult->ThrottleDetails->ThrottleDetail)
    table[*d->Endpoint] = *d->ThrottleTimeMs;
  EXPECT_EQ(table["GetPatients"], 1000);
  EXPECT_EQ(table["GetAllPatients"], 5000);
  EXPECT_EQ(table["GetPatient"], 250);
  EXPECT_EQ(table["CreatePatient"], 500);
  EXPECT_EQ(table.size(), server().throttle_table().size());

  _kareo__GetCustomerIdFromKey k;
  k.request = std::make_shared<kareo__GetCustomerIdFromKeyRequest>();
  k.request->CustomerKey = "test-customer-key";
  k.request->User = "test-user@example.test";
  k.request->Password = "test-password";
  _kareo__GetCustomerIdFromKeyResponse kout;
  ASSERT_EQ(client.proxy.GetCustomerIdFromKey(client.endpoint(), nullptr, &k, kout), SOAP_OK) << client.fault();
  EXPECT_EQ(kout.GetCustomerIdFromKeyResult->CustomerId, 31337);
  EXPECT_EQ(kout.GetCustomerIdFromKeyResult->IsAuthorized, true);
  k.request->CustomerKey = "wrong-key";
  _kareo__GetCustomerIdFromKeyResponse wrong;
  ASSERT_EQ(client.proxy.GetCustomerIdFromKey(client.endpoint(), nullptr, &k, wrong), SOAP_OK) << client.fault();
  EXPECT_EQ(wrong.GetCustomerIdFromKeyResult->CustomerId, -1);
  EXPECT_EQ(wrong.GetCustomerIdFromKeyResult->IsAuthorized, false);
}

TEST_F(FakeServerOperations, KeepAliveServesManyCallsOnOneConnection) {
  const std::size_t before = server().connections_accepted();
  for (int i = 0; i < 20; ++i) {
    _kareo__GetPatients in;
    in.request = patients_request(client, std::to_string(1 + i % 2));
    _kareo__GetPatientsResponse out;
    ASSERT_EQ(client.proxy.GetPatients(client.endpoint(), nullptr, &in, out), SOAP_OK) << client.fault();
    ASSERT_EQ(out.GetPatientsResult->Patients->PatientData.size(), 20u);
    client.proxy.destroy();
  }
  EXPECT_EQ(server().connections_accepted() - before, 1u);
}

TEST_F(FakeServerOperations, ConcurrentClients) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Client c(server());
      for (int i = 0; i < 5; ++i) {
        _kareo__GetPatients in;
        in.request = patients_request(c, "2");
        _kareo__GetPatientsResponse out;
        if (c.proxy.GetPatients(c.endpoint(), nullptr, &in, out) == SOAP_OK &&
            out.GetPatientsResult->Patients->PatientData.size() == 20u)
          ++ok;
        c.proxy.destroy();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 40);
}
