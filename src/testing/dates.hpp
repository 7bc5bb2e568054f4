// Civil date-times (no time zone, like the service's own values) and their text forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kareo::testing::detail {

/// Seconds since 1970-01-01T00:00:00 of a civil (zone-less) date-time.
using CivilTime = std::int64_t;

constexpr CivilTime kDay = 86400;

std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept;
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) noexcept;

CivilTime make_time(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) noexcept;

/// .NET's default text form, as the service writes row members: "5/1/2024 2:05:09 PM".
std::string format_net(CivilTime t);
/// The same, appended to out (no allocation when out has capacity).
void append_net(std::string& out, CivilTime t);
/// xs:dateTime as WCF writes a zone-less DateTime: "2024-05-01T14:05:09".
std::string format_iso(CivilTime t);
/// A civil date: "2024-05-01".
std::string format_date(CivilTime t);

/// Parses the filter forms the service accepts: "M/d/yyyy", "MM/dd/yyyy h:mm:ss tt", "yyyy-MM-dd",
/// "yyyy-MM-ddTHH:mm:ss" (optionally with fractional seconds and a zone suffix, which is ignored) and
/// "yyyy-MM-dd HH:mm:ss". Surrounding white space is allowed. Returns nothing for anything else.
std::optional<CivilTime> parse_time(std::string_view text);

/// Today's date (midnight) in UTC.
CivilTime utc_today();

}  // namespace kareo::testing::detail
