#include "kareo/datetime.hpp"

#include <cctype>
#include <cstdio>

#include "kareo/errors.hpp"

namespace kareo {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

bool valid_date(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// A small cursor over the text being parsed.
struct Scanner {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i >= s.size(); }
  bool eat(char c) {
    if (!done() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  // Reads between `min` and `max` digits.
  bool number(int& out, int min, int max) {
    int n = 0;
    int v = 0;
    while (!done() && n < max && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (n < min) return false;
    out = v;
    return true;
  }
  void spaces() {
    while (!done() && s[i] == ' ') ++i;
  }
};

struct Parsed {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
};

// ASCII letters only, as the service's texts are (the C library's tolower consults the locale on every call).
constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ci_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// ISO: yyyy-MM-dd[Thh:mm[:ss[.f+]]][Z|(+|-)hh:mm]
bool parse_iso(std::string_view text, Parsed& p) {
  Scanner sc{text};
  if (!sc.number(p.y, 4, 4) || !sc.eat('-') || !sc.number(p.mo, 2, 2) || !sc.eat('-') || !sc.number(p.d, 2, 2)) {
    return false;
  }
  if (sc.done()) return true;
  if (!sc.eat('T') && !sc.eat(' ')) return false;
  if (!sc.number(p.h, 2, 2) || !sc.eat(':') || !sc.number(p.mi, 2, 2)) return false;
  if (sc.eat(':')) {
    if (!sc.number(p.se, 2, 2)) return false;
    if (sc.eat('.')) {
      int frac = 0;
      if (!sc.number(frac, 1, 9)) return false;
      while (!sc.done() && std::isdigit(static_cast<unsigned char>(sc.s[sc.i]))) ++sc.i;
    }
  }
  if (sc.done() || sc.eat('Z')) return sc.done();
  if (sc.eat('+') || sc.eat('-')) {
    int zh = 0, zm = 0;
    if (!sc.number(zh, 2, 2) || !sc.eat(':') || !sc.number(zm, 2, 2)) return false;
    return sc.done() && zh <= 14 && zm <= 59;
  }
  return false;
}

// .NET: M/d/yyyy[ h:mm[:ss] [AM|PM]]
bool parse_dotnet(std::string_view text, Parsed& p) {
  Scanner sc{text};
  if (!sc.number(p.mo, 1, 2) || !sc.eat('/') || !sc.number(p.d, 1, 2) || !sc.eat('/') || !sc.number(p.y, 4, 4)) {
    return false;
  }
  if (sc.done()) return true;
  if (!sc.eat(' ')) return false;
  sc.spaces();
  if (!sc.number(p.h, 1, 2) || !sc.eat(':') || !sc.number(p.mi, 2, 2)) return false;
  if (sc.eat(':') && !sc.number(p.se, 2, 2)) return false;
  sc.spaces();
  if (sc.done()) return p.h <= 23;
  const std::string_view ampm = sc.s.substr(sc.i);
  const bool am = ci_equal(ampm, "AM");
  const bool pm = ci_equal(ampm, "PM");
  if (!am && !pm) return false;
  if (p.h < 1 || p.h > 12) return false;
  if (am && p.h == 12) p.h = 0;
  if (pm && p.h != 12) p.h += 12;
  return true;
}

std::optional<Parsed> parse_any(std::string_view text) {
  text = trim(text);
  Parsed p;
  if (!(parse_iso(text, p) || (p = Parsed{}, parse_dotnet(text, p)))) return std::nullopt;
  if (!valid_date(p.y, p.mo, p.d) || p.h > 23 || p.mi > 59 || p.se > 59) return std::nullopt;
  return p;
}

}  // namespace

Date::Date(int year, int month, int day) : year_(year), month_(month), day_(day) {
  if (!valid_date(year, month, day)) {
    throw InvalidArgument("not a calendar date: " + std::to_string(year) + "-" + std::to_string(month) + "-" +
                          std::to_string(day));
  }
}

std::optional<Date> Date::parse(std::string_view text) {
  const auto p = parse_any(text);
  if (!p) return std::nullopt;
  return Date(p->y, p->mo, p->d);
}

Date Date::from_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long y = yoe + era * 400;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const long d = doy - (153 * mp + 2) / 5 + 1;
  const long m = mp + (mp < 10 ? 3 : -9);
  return Date(static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d));
}

long Date::days() const noexcept { return days_from_civil(year_, month_, day_); }

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year_, month_, day_);
  return buf;
}

std::string Date::filter_text() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d/%d/%04d", month_, day_, year_);
  return buf;
}

DateTime::DateTime(Date date, int hour, int minute, int second)
    : date_(date), hour_(hour), minute_(minute), second_(second) {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    throw InvalidArgument("not a time of day: " + std::to_string(hour) + ":" + std::to_string(minute) + ":" +
                          std::to_string(second));
  }
}

std::optional<DateTime> DateTime::parse(std::string_view text) {
  const auto p = parse_any(text);
  if (!p) return std::nullopt;
  return DateTime(Date(p->y, p->mo, p->d), p->h, p->mi, p->se);
}

std::string DateTime::iso() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d", date_.iso().c_str(), hour_, minute_, second_);
  return buf;
}

std::string DateTime::filter_text() const {
  const int h12 = hour_ % 12 == 0 ? 12 : hour_ % 12;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d %d:%02d:%02d %s", date_.month(), date_.day(), date_.year(), h12,
                minute_, second_, hour_ < 12 ? "AM" : "PM");
  return buf;
}

long long DateTime::key() const noexcept {
  return static_cast<long long>(date_.days()) * 86400 + hour_ * 3600 + minute_ * 60 + second_;
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
  text = trim(text);
  if (ci_equal(text, "true") || text == "1") return true;
  if (ci_equal(text, "false") || text == "0") return false;
  return std::nullopt;
}

std::optional<Date> parse_date(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return Date::parse(*text);
}

}  // namespace kareo
