/// @file
/// @brief Civil dates and times as the service writes them, and the filter text it accepts.
///
/// Tebra sends dates as text in several forms: ISO ("1980-05-01T00:00:00") and .NET ("5/1/1980 12:00:00 AM").
/// These helpers parse and format them as civil values: no time zone is ever applied, so a date of birth reads
/// the same under every TZ setting.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kareo {

/// A calendar date (proleptic Gregorian), without time zone.
class Date {
 public:
  /// 1970-01-01.
  Date() = default;
  /// The date `year`-`month`-`day`; throws InvalidArgument for a date that does not exist (e.g. 2023-02-29).
  Date(int year, int month, int day);

  /// Parses "1980-05-01", "1980-05-01T00:00:00[.fff][Z|+hh:mm]", "5/1/1980", "05/01/1980" or
  /// "5/1/1980 12:00:00 AM"; any time part is ignored (never converted). Empty on anything else.
  static std::optional<Date> parse(std::string_view text);
  /// The date `days` days after 1970-01-01 (negative: before).
  static Date from_days(long days);

  /// The year, e.g. 1980.
  int year() const noexcept { return year_; }
  /// The month, 1..12.
  int month() const noexcept { return month_; }
  /// The day of the month, 1..31.
  int day() const noexcept { return day_; }
  /// Days since 1970-01-01.
  long days() const noexcept;
  /// The date `n` days later (earlier for negative `n`).
  Date add_days(long n) const { return from_days(days() + n); }

  /// "1980-05-01".
  std::string iso() const;
  /// "5/1/1980": the M/d/yyyy form the service accepts in Filter date members.
  std::string filter_text() const;

  /// Dates compare by calendar order.
  friend bool operator==(const Date& a, const Date& b) noexcept { return a.days() == b.days(); }
  /// Dates compare by calendar order.
  friend bool operator!=(const Date& a, const Date& b) noexcept { return !(a == b); }
  /// Dates compare by calendar order.
  friend bool operator<(const Date& a, const Date& b) noexcept { return a.days() < b.days(); }
  /// Dates compare by calendar order.
  friend bool operator<=(const Date& a, const Date& b) noexcept { return !(b < a); }
  /// Dates compare by calendar order.
  friend bool operator>(const Date& a, const Date& b) noexcept { return b < a; }
  /// Dates compare by calendar order.
  friend bool operator>=(const Date& a, const Date& b) noexcept { return !(a < b); }

 private:
  int year_ = 1970;
  int month_ = 1;
  int day_ = 1;
};

/// A civil date and time of day (to the second), without time zone. Fractions of a second and zone
/// designators in parsed text are dropped, never applied.
class DateTime {
 public:
  /// 1970-01-01T00:00:00.
  DateTime() = default;
  /// `date` at `hour`:`minute`:`second`; throws InvalidArgument for values out of range.
  explicit DateTime(Date date, int hour = 0, int minute = 0, int second = 0);

  /// Parses ISO ("1980-05-01T14:05:09", with optional fraction and zone; "1980-05-01" is midnight) and .NET text
  /// ("5/1/1980 2:05:09 PM", "05/01/1980 14:05:09", "5/1/1980"). Empty on anything else.
  static std::optional<DateTime> parse(std::string_view text);

  /// The date.
  const Date& date() const noexcept { return date_; }
  /// Hour, 0..23.
  int hour() const noexcept { return hour_; }
  /// Minute, 0..59.
  int minute() const noexcept { return minute_; }
  /// Second, 0..59.
  int second() const noexcept { return second_; }

  /// "1980-05-01T14:05:09": the form for `xs:dateTime` members of write requests.
  std::string iso() const;
  /// "05/01/1980 2:05:09 PM": the MM/dd/yyyy h:mm:ss tt form the service accepts in Filter date members.
  std::string filter_text() const;

  /// Date-times compare chronologically.
  friend bool operator==(const DateTime& a, const DateTime& b) noexcept { return a.key() == b.key(); }
  /// Date-times compare chronologically.
  friend bool operator!=(const DateTime& a, const DateTime& b) noexcept { return !(a == b); }
  /// Date-times compare chronologically.
  friend bool operator<(const DateTime& a, const DateTime& b) noexcept { return a.key() < b.key(); }

 private:
  long long key() const noexcept;
  Date date_;
  int hour_ = 0;
  int minute_ = 0;
  int second_ = 0;
};

/// Parses the service's boolean text: "True"/"False" (any case), "1"/"0". Empty on anything else.
std::optional<bool> parse_bool(std::string_view text) noexcept;

/// Parses an optional member's text as a date; empty when absent, empty or not a date.
std::optional<Date> parse_date(const std::optional<std::string>& text);

}  // namespace kareo
