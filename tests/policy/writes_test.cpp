// Idempotent patient creation: look up by external ID first, create only when absent, and after an ambiguous
// outcome look again instead of creating a second copy.
#include <gtest/gtest.h>

#include "kareo/client.hpp"
#include "kareo/retry.hpp"
#include "kareo/writes.hpp"
#include "mock_service.hpp"

namespace kareo {
namespace {

using namespace std::chrono_literals;
using policy_test::MockService;
using Mode = MockService::CreateMode;

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<MockService> service = std::make_shared<MockService>();
  // The write goes through the retry layer, which turns a failure after sending into AmbiguousOutcome.
  Client client{Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .connection(service)
                    .policies(CallPolicies::none())
                    .add_decorator([this](std::shared_ptr<Connection> inner) {
                      RetryPolicy p;
                      p.seed = 1;
                      return std::make_shared<RetryingConnection>(std::move(inner), p, clock);
                    })};
  IdempotentCreateOptions options() {
    IdempotentCreateOptions o;
    o.clock = clock;
    return o;
  }
};

PatientCreate patient(const std::string& external_id) {
  PatientCreate p;
  p.FirstName = "Testpatient";
  p.LastName = "Alpha";
  p.PatientExternalID = external_id;
  p.ExternalVendorID = 7;
  return p;
}

std::size_t with_external_id(const MockService& s, const std::string& id) {
  std::size_t n = 0;
  for (const auto& [key, rec] : s.patients) n += rec.external_id == id;
  return n;
}

TEST(IdempotentCreate, CreatesAPatientThatDoesNotExist) {
  Fixture f;
  const auto r = create_patient_idempotent(f.client, patient("EXT-1"), f.options());
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.create_calls, 1);
  EXPECT_GT(r.patient_id, 0);
  EXPECT_EQ(with_external_id(*f.service, "EXT-1"), 1u);
  EXPECT_EQ(f.service->calls[Operation::GetPatient], 1);
}

TEST(IdempotentCreate, FindsAnExistingPatientWithoutCreating) {
  Fixture f;
  f.service->patients[42] = {DateTime(Date(2024, 1, 1)), "EXT-2", 7, "Testpatient"};
  const auto r = create_patient_idempotent(f.client, patient("EXT-2"), f.options());
  EXPECT_FALSE(r.created);
  EXPECT_EQ(r.create_calls, 0);
  EXPECT_EQ(r.patient_id, 42);
  EXPECT_EQ(f.service->calls[Operation::CreatePatient], 0);
  // The same external ID for another vendor is another patient.
  auto other = patient("EXT-2");
  other.ExternalVendorID = 8;
  EXPECT_TRUE(create_patient_idempotent(f.client, other, f.options()).created);
}

TEST(IdempotentCreate, AfterAnAmbiguousOutcomeItLooksAgainInsteadOfCreatingTwice) {
  Fixture f;
  f.service->create_script = {Mode::FailAfterApply};  // applied, then the response was lost
  const auto r = create_patient_idempotent(f.client, patient("EXT-3"), f.options());
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.create_calls, 1);
  EXPECT_EQ(with_external_id(*f.service, "EXT-3"), 1u);
  EXPECT_EQ(f.service->calls[Operation::CreatePatient], 1);
  EXPECT_EQ(f.service->calls[Operation::GetPatient], 2);
  EXPECT_EQ(f.clock->total_slept(), 2000ms);  // the settle time before looking again
}

TEST(IdempotentCreate, ACreateStillRunningIsWaitedForWithBackoffNotSentAgain) {
  // The create timed out while the service was still applying it: the patient shows up only at the third
  // look-up. Looking once after 2 s and creating again would make a second patient.
  Fixture f;
  f.service->create_script = {Mode::FailStillRunning};
  f.service->visible_after_lookups = 3;
  const auto r = create_patient_idempotent(f.client, patient("EXT-7"), f.options());
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.create_calls, 1);
  EXPECT_EQ(r.lookups, 4);  // the first look-up, then three after the ambiguous outcome
  EXPECT_EQ(f.service->calls[Operation::CreatePatient], 1);
  EXPECT_EQ(with_external_id(*f.service, "EXT-7"), 1u);
  EXPECT_EQ(f.clock->sleeps(), (std::vector<Clock::duration>{2000ms, 4000ms, 8000ms}));
}

TEST(IdempotentCreate, WhenTheLookUpsDoNotFindThePatientItReportsTheAmbiguousOutcomeAndNeverCreatesAgain) {
  Fixture f;
  f.service->create_script = {Mode::FailBeforeApply};
  try {
    create_patient_idempotent(f.client, patient("EXT-4"), f.options());
    FAIL() << "an unresolved create was reported as a success";
  } catch (const AmbiguousPatientCreate& e) {
    EXPECT_EQ(e.kind(), ErrorKind::AmbiguousOutcome);
    EXPECT_EQ(e.exit_code(), 10);
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(e.operation(), Operation::CreatePatient);
    EXPECT_EQ(e.external_id(), "EXT-4");
    EXPECT_EQ(e.external_vendor_id(), 7);
    EXPECT_EQ(e.create_calls(), 1);
    // The default search: waits of 2, 4, 8, 16, 30, 30 and 30 s, a look-up after each, two minutes in all.
    EXPECT_EQ(e.lookups(), 7);
    EXPECT_EQ(e.failed_lookups(), 0);
    EXPECT_EQ(e.elapsed(), 120000ms);
    const std::string what = e.what();
    for (const char* part : {"external ID EXT-4", "vendor 7", "7 look-ups over 120.0 s", "not again"}) {
      EXPECT_NE(what.find(part), std::string::npos) << part << " not in: " << what;
    }
  }
  EXPECT_EQ(f.service->calls[Operation::CreatePatient], 1);
  EXPECT_EQ(f.service->calls[Operation::GetPatient], 8);
  EXPECT_EQ(with_external_id(*f.service, "EXT-4"), 0u);
  EXPECT_EQ(f.clock->total_slept(), 120000ms);
}

TEST(IdempotentCreate, TheSearchIsBoundedByLookupFor) {
  Fixture f;
  f.service->create_script = {Mode::FailBeforeApply};
  auto o = f.options();
  o.settle = 500ms;
  o.max_lookup_interval = 1000ms;
  o.lookup_for = 3200ms;
  EXPECT_THROW(create_patient_idempotent(f.client, patient("EXT-8"), o), AmbiguousPatientCreate);
  // 500, 1000, 1000, then the last wait shortened to end at 3.2 s.
  EXPECT_EQ(f.clock->sleeps(), (std::vector<Clock::duration>{500ms, 1000ms, 1000ms, 700ms}));
  EXPECT_EQ(f.service->calls[Operation::CreatePatient], 1);
}

TEST(IdempotentCreate, OnlyAnExplicitOptInCreatesAgainWhenTheLostWriteWasNotApplied) {
  Fixture f;
  f.service->create_script = {Mode::FailBeforeApply};
  auto o = f.options();
  o.create_again_when_not_found = true;
  const auto r = create_patient_idempotent(f.client, patient("EXT-4"), o);
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.create_calls, 2);
  EXPECT_EQ(f.service->calls[Operation::CreatePatient], 2);
  EXPECT_EQ(with_external_id(*f.service, "EXT-4"), 1u);
}

TEST(IdempotentCreate, GivesUpWithTheAmbiguousOutcomeAfterMaxCreateCalls) {
  Fixture f;
  f.service->create_script = {Mode::FailBeforeApply, Mode::FailBeforeApply, Mode::FailBeforeApply};
  auto o = f.options();
  o.create_again_when_not_found = true;
  o.max_create_calls = 2;
  try {
    create_patient_idempotent(f.client, patient("EXT-5"), o);
    FAIL() << "an unresolved create was reported as a success";
  } catch (const AmbiguousPatientCreate& e) {
    EXPECT_EQ(e.create_calls(), 2);
  }
  EXPECT_EQ(f.service->calls[Operation::CreatePatient], 2);
  EXPECT_EQ(with_external_id(*f.service, "EXT-5"), 0u);
}

TEST(IdempotentCreate, RefusesPatientsItCouldNotFindAgain) {
  Fixture f;
  auto no_id = patient("");
  EXPECT_THROW(create_patient_idempotent(f.client, no_id, f.options()), InvalidArgument);
  auto too_long = patient("EXT-0123456789-01234567890");  // 26 characters: the service would cut it to 25
  EXPECT_THROW(create_patient_idempotent(f.client, too_long, f.options()), InvalidArgument);
  auto no_vendor = patient("EXT-6");
  no_vendor.ExternalVendorID.reset();
  EXPECT_THROW(create_patient_idempotent(f.client, no_vendor, f.options()), InvalidArgument);
  EXPECT_TRUE(f.service->calls.empty());
  EXPECT_NO_THROW(create_patient_idempotent(f.client, patient("EXT-0123456789-0123456789"), f.options()));  // 25
}

}  // namespace
}  // namespace kareo
