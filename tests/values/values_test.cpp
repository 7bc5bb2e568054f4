// The typed values of the row types' text members (kareo/values.hpp): reading, the ISO forms and back, the
// generated member tables.
#include <gtest/gtest.h>

#include "kareo/types.hpp"
#include "kareo/values.hpp"

namespace {

using kareo::Date;
using kareo::DateTime;
using kareo::values::Kind;
using kareo::values::Money;

TEST(Values, DatesOfBirthAreCivilDates) {
  EXPECT_EQ(kareo::values::to_date("5/1/1980 12:00:00 AM"), Date(1980, 5, 1));
  EXPECT_EQ(kareo::values::to_date("5/1/1980"), Date(1980, 5, 1));
  EXPECT_EQ(kareo::values::to_date("1980-05-01T00:00:00"), Date(1980, 5, 1));
  // A time of day is not a date: empty, never the day it happens to fall on.
  EXPECT_FALSE(kareo::values::to_date("5/1/1980 3:00:00 PM"));
  EXPECT_FALSE(kareo::values::to_date("2/30/1980"));
  EXPECT_FALSE(kareo::values::to_date(""));
  EXPECT_FALSE(kareo::values::to_date("soon"));
}

TEST(Values, UtcTimesApplyAnOffsetOthersNever) {
  EXPECT_EQ(kareo::values::to_utc_datetime("2026-11-30T18:30:00+02:00"), DateTime(Date(2026, 11, 30), 16, 30));
  EXPECT_EQ(kareo::values::to_utc_datetime("2026-12-01T01:30:00+10:00"), DateTime(Date(2026, 11, 30), 15, 30));
  EXPECT_EQ(kareo::values::to_utc_datetime("11/30/2026 4:30:00 PM"), DateTime(Date(2026, 11, 30), 16, 30));
  EXPECT_EQ(kareo::values::to_datetime("2026-11-30T18:30:00+02:00"), DateTime(Date(2026, 11, 30), 18, 30));
}

TEST(Values, MoneyIsExactCents) {
  EXPECT_EQ(Money::parse("477.50")->cents(), 47750);
  EXPECT_EQ(Money::parse("477.5")->cents(), 47750);
  EXPECT_EQ(Money::parse("477")->cents(), 47700);
  EXPECT_EQ(Money::parse("-12.00")->cents(), -1200);
  EXPECT_EQ(Money::parse("(12.00)")->cents(), -1200);
  EXPECT_EQ(Money::parse("$1,234.50")->cents(), 123450);
  EXPECT_EQ(Money::parse("0.10")->cents(), 10);
  EXPECT_EQ(Money::parse("0.1000")->cents(), 10);
  EXPECT_FALSE(Money::parse("0.105"));  // a part of a cent is not rounded away
  EXPECT_FALSE(Money::parse(""));
  EXPECT_FALSE(Money::parse("."));
  EXPECT_FALSE(Money::parse("12.x"));
  EXPECT_FALSE(Money::parse("-(12.00)"));
  EXPECT_EQ(Money(-5).text(), "-0.05");
  EXPECT_EQ(Money(47750).text(), "477.50");
  EXPECT_EQ(Money(INT64_MIN).text(), "-92233720368547758.08");
}

TEST(Values, IsoTextAndBack) {
  struct Case {
    Kind kind;
    const char* service;
    const char* iso;
  };
  const Case cases[] = {
      {Kind::Date, "5/1/1980 12:00:00 AM", "1980-05-01"},
      {Kind::DateTime, "11/30/2026 4:30:00 PM", "2026-11-30T16:30:00"},
      {Kind::DateTime, "1/2/2026 12:05:09 AM", "2026-01-02T00:05:09"},
      {Kind::UtcDateTime, "11/30/2026 4:30:00 PM", "2026-11-30T16:30:00Z"},
      {Kind::UtcDateTime, "11/30/2026 12:00:00 PM", "2026-11-30T12:00:00Z"},
      {Kind::Boolean, "True", "true"},
      {Kind::Boolean, "False", "false"},
      {Kind::Money, "477.50", "477.50"},
      {Kind::Money, "-12.00", "-12.00"},
      {Kind::Text, "Testperson", "Testperson"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.service);
    EXPECT_EQ(kareo::values::iso_text(c.kind, c.service), c.iso);
    EXPECT_EQ(kareo::values::service_text(c.kind, c.iso), c.service);
  }
  EXPECT_FALSE(kareo::values::iso_text(Kind::Boolean, "Yes"));
  EXPECT_FALSE(kareo::values::iso_text(Kind::DateTime, "11/31/2026 4:30:00 PM"));
  EXPECT_FALSE(kareo::values::service_text(Kind::Date, "1980-5-1"));
  EXPECT_FALSE(kareo::values::service_text(Kind::UtcDateTime, "2026-11-30T16:30:00"));
  std::string out;
  EXPECT_TRUE(kareo::values::append_json_value(out, Kind::Boolean, "True"));
  EXPECT_TRUE(kareo::values::append_json_value(out, Kind::Date, "5/1/1980 12:00:00 AM"));
  EXPECT_FALSE(kareo::values::append_json_value(out, Kind::Money, "lots"));
  EXPECT_EQ(out, "true\"1980-05-01\"");
}

TEST(Values, RowTablesComeFromTheContract) {
  using kareo::AppointmentData;
  using kareo::PatientData;
  EXPECT_EQ(kareo::values::kind_of(&PatientData::DOB), Kind::Date);
  EXPECT_EQ(kareo::values::kind_of(&PatientData::CreatedDate), Kind::DateTime);
  EXPECT_EQ(kareo::values::kind_of(&PatientData::TotalBalance), Kind::Money);
  EXPECT_EQ(kareo::values::kind_of(&PatientData::FirstName), Kind::Text);
  EXPECT_EQ(kareo::values::kind_of(&AppointmentData::StartDate), Kind::UtcDateTime);
  EXPECT_EQ(kareo::values::kind_of(&AppointmentData::AllDay), Kind::Boolean);
  EXPECT_EQ(kareo::values::kind_of(&kareo::PaymentData::Unapplied), Kind::Money);
  EXPECT_EQ(kareo::values::kind_of(&kareo::PracticeData::Active), Kind::Boolean);

  const auto* kinds = kareo::values::row_kinds("AppointmentData");
  ASSERT_NE(kinds, nullptr);
  EXPECT_EQ(kinds->members.size(), kareo::values::fields<AppointmentData>().size());
  EXPECT_EQ(kareo::values::row_kinds("PatientCreate"), nullptr);
  for (const char* row : {"AppointmentData", "ChargeData", "PatientData", "PaymentData", "PracticeData", "ProviderData",
                          "ServiceLocationData", "TransactionData", "ProcedureCodeData"})
    EXPECT_NE(kareo::values::row_kinds(row), nullptr) << row;

  PatientData p;
  p.DOB = "5/1/1980 12:00:00 AM";
  p.TotalBalance = "477.50";
  p.FirstName = "Alfa";
  EXPECT_EQ(kareo::values::date_of(p, &PatientData::DOB), Date(1980, 5, 1));
  EXPECT_EQ(kareo::values::money_of(p, &PatientData::TotalBalance), Money(47750));
  EXPECT_FALSE(kareo::values::date_of(p, &PatientData::CreatedDate));  // absent
  EXPECT_FALSE(kareo::values::date_of(p, &PatientData::FirstName));    // not a date

  // The generic loop a database writer runs.
  int typed = 0;
  for (const auto& field : kareo::values::fields<PatientData>()) {
    if (!field.text(p)) continue;
    switch (field.kind) {
      case Kind::Date:
        typed += field.date(p).has_value();
        break;
      case Kind::Money:
        typed += field.money(p).has_value();
        break;
      default:
        break;
    }
  }
  EXPECT_EQ(typed, 2);

  AppointmentData a;
  a.StartDate = "2026-11-30T18:30:00+02:00";
  EXPECT_EQ(kareo::values::datetime_of(a, &AppointmentData::StartDate), DateTime(Date(2026, 11, 30), 16, 30));
}

}  // namespace
