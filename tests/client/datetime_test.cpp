// Civil dates and times: parsed and formatted without any time zone. ctest runs this file under TZ=UTC,
// America/New_York, Asia/Tokyo and Pacific/Kiritimati; nothing may move.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "kareo/datetime.hpp"
#include "kareo/errors.hpp"

namespace kareo {
namespace {

class DateTimeZones : public ::testing::Test {
 protected:
  void SetUp() override { ::tzset(); }
};

TEST_F(DateTimeZones, DateParsesIsoAndDotNet) {
  const Date expected(1980, 5, 1);
  for (const char* text : {"1980-05-01", "1980-05-01T00:00:00", "1980-05-01T00:00:00.000", "1980-05-01T00:00:00Z",
                           "1980-05-01T23:30:00-05:00", "1980-05-01T00:30:00+14:00", "5/1/1980", "05/01/1980",
                           "5/1/1980 12:00:00 AM", "5/1/1980 11:59:59 PM", " 5/1/1980 12:00:00 AM "}) {
    const auto d = Date::parse(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(*d, expected) << text << " read as " << d->iso()
                            << " under TZ=" << (std::getenv("TZ") ? std::getenv("TZ") : "");
  }
}

TEST_F(DateTimeZones, DateRejectsNonDates) {
  for (const char* text : {"", "True", "1980-13-01", "2023-02-29", "2/30/2024", "1980/05/01", "5/1/80", "yesterday",
                           "1980-05-01T25:00:00", "5/1/1980 13:00:00 PM"}) {
    EXPECT_FALSE(Date::parse(text)) << text;
  }
  EXPECT_TRUE(Date::parse("2024-02-29"));
  EXPECT_THROW(Date(2023, 2, 29), InvalidArgument);
}

TEST_F(DateTimeZones, DateFormatsAndArithmetic) {
  const Date d(1980, 5, 1);
  EXPECT_EQ(d.iso(), "1980-05-01");
  EXPECT_EQ(d.filter_text(), "5/1/1980");
  EXPECT_EQ(Date(1970, 1, 1).days(), 0);
  EXPECT_EQ(Date::from_days(d.days()), d);
  EXPECT_EQ(Date(2024, 2, 28).add_days(1), Date(2024, 2, 29));
  EXPECT_EQ(Date(2024, 12, 31).add_days(1), Date(2025, 1, 1));
  EXPECT_EQ(Date(2024, 3, 1).add_days(-60), Date(2024, 1, 1));
  EXPECT_LT(Date(1999, 12, 31), Date(2000, 1, 1));
  EXPECT_EQ(parse_date(std::optional<std::string>("5/1/1980 12:00:00 AM")), d);
  EXPECT_FALSE(parse_date(std::nullopt));
}

TEST_F(DateTimeZones, DateTimeParsesTwelveHourClock) {
  auto t = DateTime::parse("5/1/1980 12:00:00 AM");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->hour(), 0);
  EXPECT_EQ(t->iso(), "1980-05-01T00:00:00");
  t = DateTime::parse("5/1/1980 12:05:09 PM");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->iso(), "1980-05-01T12:05:09");
  t = DateTime::parse("11/30/2024 2:05:09 pm");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->iso(), "2024-11-30T14:05:09");
  EXPECT_EQ(t->filter_text(), "11/30/2024 2:05:09 PM");
  t = DateTime::parse("1980-05-01T00:00:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->filter_text(), "05/01/1980 12:00:00 AM");
  t = DateTime::parse("2024-06-30T23:59:59.9999999-07:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->iso(), "2024-06-30T23:59:59");  // the zone is dropped, never applied
  EXPECT_FALSE(DateTime::parse("5/1/1980 0:00:00 AM"));
  EXPECT_TRUE(DateTime(Date(2024, 1, 1), 0, 0, 0) < DateTime(Date(2024, 1, 1), 0, 0, 1));
  EXPECT_THROW(DateTime(Date(2024, 1, 1), 24), InvalidArgument);
}

TEST_F(DateTimeZones, Booleans) {
  EXPECT_EQ(parse_bool("True"), true);
  EXPECT_EQ(parse_bool("true"), true);
  EXPECT_EQ(parse_bool("False"), false);
  EXPECT_EQ(parse_bool("FALSE"), false);
  EXPECT_EQ(parse_bool("1"), true);
  EXPECT_EQ(parse_bool("0"), false);
  EXPECT_FALSE(parse_bool("yes"));
  EXPECT_FALSE(parse_bool(""));
}

}  // namespace
}  // namespace kareo
