// Dates of birth and dates of service never move, whatever the local time zone: written through the client,
// stored by the fake server and read back, they are the same calendar dates. ctest runs this file under
// TZ=UTC, America/New_York, Asia/Tokyo and Pacific/Kiritimati (UTC+14, where "today" is tomorrow for most of
// the world), and first checks that the zone is really in effect (without tzdata, glibc silently uses UTC).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <string>

#include "kareo/client.hpp"
#include "kareo/datetime.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"

namespace kareo {
namespace {

using testing::Entity;

class Dates : public ::testing::Test {
 protected:
  void SetUp() override {
    ::tzset();
    testing::FakeServerOptions o;
    o.throttle = false;
    o.sizes.patients = 30;
    o.sizes.appointments = 30;
    o.sizes.encounters = 15;
    o.sizes.charges = 30;
    server_ = std::make_unique<testing::FakeServer>(o);
    server_->start();
    const auto& c = server_->options().credentials;
    client_ = std::make_unique<Client>(Options{}
                                           .endpoint(server_->endpoint())
                                           .credentials(Credentials(c.customer_key, c.user, c.password))
                                           .policies(CallPolicies::none()));
  }

  std::unique_ptr<testing::FakeServer> server_;
  std::unique_ptr<Client> client_;
};

// UTC offset in seconds of the local zone at a given UTC instant.
long offset_at(std::time_t t) {
  std::tm local{};
  ::localtime_r(&t, &local);
  return local.tm_gmtoff;
}

TEST(TimeZone, TheRequestedZoneIsInEffect) {
  ::tzset();
  const char* tz = std::getenv("TZ");
  if (!tz) GTEST_SKIP() << "TZ is not set: nothing to check";
  const std::map<std::string, long> january_offsets = {
      {"UTC", 0}, {"America/New_York", -5 * 3600}, {"Asia/Tokyo", 9 * 3600}, {"Pacific/Kiritimati", 14 * 3600}};
  const auto it = january_offsets.find(tz);
  if (it == january_offsets.end()) GTEST_SKIP() << "no expectation for TZ=" << tz;
  const std::time_t mid_january_2024 = 1705320000;  // 2024-01-15T12:00:00Z
  EXPECT_EQ(offset_at(mid_january_2024), it->second)
      << "TZ=" << tz << " is not in effect: is tzdata installed (scripts/install-deps.sh)?";
}

TEST_F(Dates, DateOfBirthWrittenAndReadBack) {
  for (const char* dob : {"1980-05-01T00:00:00", "2000-02-29T00:00:00", "1969-12-31T00:00:00", "2024-03-10T00:00:00",
                          "1944-11-05T00:00:00"}) {
    SCOPED_TRACE(dob);
    PatientCreate p;
    p.FirstName = "Testpatient";
    p.LastName = "Dates";
    p.DateofBirth = dob;
    p.Practice = std::make_shared<kareo_wire::kareo__PracticeIdentifierReq>();
    p.Practice->PracticeID = 1;
    const auto created = client_->create_patient(p);
    ASSERT_TRUE(created.PatientID);
    const auto read = client_->get_patient(*created.PatientID);
    ASSERT_TRUE(read);
    ASSERT_TRUE(read->DOB) << "no DOB came back";
    const auto date = Date::parse(*read->DOB);
    ASSERT_TRUE(date) << *read->DOB;
    EXPECT_EQ(date->iso(), std::string(dob).substr(0, 10)) << "read back as " << *read->DOB;
  }
}

TEST_F(Dates, DatesOfBirthOfEveryPatientMatchTheServer) {
  PatientFilter filter;
  filter.PracticeName = "Testpractice Alpha";
  const auto patients = client_->patients({filter}).collect();
  ASSERT_FALSE(patients.empty());
  for (const auto& p : patients) {
    const auto stored = server_->store().get(Entity::Patient, std::stoll(p.ID.value_or("0")));
    ASSERT_TRUE(stored);
    ASSERT_TRUE(p.DOB);
    const auto ours = Date::parse(*p.DOB);
    const auto theirs = Date::parse(stored->at("DOB"));
    ASSERT_TRUE(ours && theirs) << *p.DOB << " / " << stored->at("DOB");
    EXPECT_EQ(*ours, *theirs) << "patient " << p.ID.value_or("") << ": " << *p.DOB << " vs " << stored->at("DOB");
  }
}

TEST_F(Dates, DatesOfServiceOfChargesMatchTheServer) {
  ChargeFilter filter;
  filter.PracticeName = "Testpractice Alpha";
  const auto charges = client_->charges({filter}).collect();
  ASSERT_FALSE(charges.empty());
  int compared = 0;
  for (const auto& c : charges) {
    const auto stored = server_->store().get(Entity::Charge, std::stoll(c.ID.value_or("0")));
    ASSERT_TRUE(stored);
    for (const char* member : {"ServiceStartDate", "ServiceEndDate", "PostingDate"}) {
      const auto at = stored->find(member);
      if (at == stored->end()) continue;
      std::optional<std::string> ours;
      if (std::string(member) == "ServiceStartDate") ours = c.ServiceStartDate;
      if (std::string(member) == "ServiceEndDate") ours = c.ServiceEndDate;
      if (std::string(member) == "PostingDate") ours = c.PostingDate;
      ASSERT_TRUE(ours) << member;
      const auto a = Date::parse(*ours);
      const auto b = Date::parse(at->second);
      ASSERT_TRUE(a && b) << *ours << " / " << at->second;
      EXPECT_EQ(*a, *b) << member << ": " << *ours << " vs " << at->second;
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
}

TEST_F(Dates, AppointmentTimesAcrossADaylightSavingChange) {
  // 2025-03-09 02:30 does not exist in New York; the service's civil times must pass through untouched anyway.
  const auto patients = server_->store().ids(Entity::Patient, {{"PracticeName", "Testpractice Alpha"}});
  ASSERT_FALSE(patients.empty());
  AppointmentCreate a;
  a.PatientSummary = std::make_shared<kareo_wire::kareo__PatientSummary>();
  a.PatientSummary->PatientId = patients.front();
  a.PracticeId = 1;
  a.StartTime = "2025-03-09T02:30:00";
  a.EndTime = "2025-03-09T03:15:00";
  a.AppointmentType = kareo_wire::kareo__AppointmentType::P;
  a.AppointmentStatus = kareo_wire::kareo__AppointmentStatus::Scheduled;
  a.IsRecurring = false;
  a.ServiceLocationId = 1;
  a.ProviderId = server_->store().ids(Entity::Provider).front();
  a.WasCreatedOnline = false;
  {
    const auto created = client_->create_appointment(a);
    ASSERT_TRUE(created.Appointment && created.Appointment->AppointmentId);
    const auto read = client_->get_appointment(*created.Appointment->AppointmentId);
    ASSERT_TRUE(read);
    const auto start = DateTime::parse(read->StartTime);
    const auto end = DateTime::parse(read->EndTime);
    ASSERT_TRUE(start && end) << read->StartTime;
    EXPECT_EQ(start->iso(), "2025-03-09T02:30:00");
    EXPECT_EQ(end->iso(), "2025-03-09T03:15:00");
  }
}

}  // namespace
}  // namespace kareo
