// Typed values of the row types' text members (kareo/values.hpp).
#include "kareo/values.hpp"

#include <algorithm>
#include <cctype>

namespace kareo::values {
namespace {

void append_digits(std::string& out, int value, int width) {
  char buf[8];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0) out.push_back(buf[--n]);
}

// Two digits of 0..99 at `p`.
char* put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// yyyy-MM-dd at `p` (a Date's year is 1..9999: four digits).
char* put_iso_date(char* p, const Date& d) {
  p = put2(p, d.year() / 100 % 100);
  p = put2(p, d.year() % 100);
  *p++ = '-';
  p = put2(p, d.month());
  *p++ = '-';
  return put2(p, d.day());
}

void append_iso_date(std::string& out, const Date& d) {
  char buf[10];
  out.append(buf, static_cast<std::size_t>(put_iso_date(buf, d) - buf));
}

void append_iso_datetime(std::string& out, const DateTime& t) {
  char buf[19];
  char* p = put_iso_date(buf, t.date());
  *p++ = 'T';
  p = put2(p, t.hour());
  *p++ = ':';
  p = put2(p, t.minute());
  *p++ = ':';
  p = put2(p, t.second());
  out.append(buf, static_cast<std::size_t>(p - buf));
}

void append_net_datetime(std::string& out, const DateTime& t) {
  append_digits(out, t.date().month(), 1);
  out.push_back('/');
  append_digits(out, t.date().day(), 1);
  out.push_back('/');
  append_digits(out, t.date().year(), 4);
  out.push_back(' ');
  append_digits(out, t.hour() % 12 == 0 ? 12 : t.hour() % 12, 1);
  out.push_back(':');
  append_digits(out, t.minute(), 2);
  out.push_back(':');
  append_digits(out, t.second(), 2);
  out.append(t.hour() < 12 ? " AM" : " PM");
}

// The offset in minutes of an ISO date-time's zone designator ("+02:00" -> 120, "Z" or none -> 0).
int zone_minutes(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.size() < 6 || text.find('T') == std::string_view::npos) return 0;
  const std::string_view z = text.substr(text.size() - 6);
  if ((z[0] != '+' && z[0] != '-') || z[3] != ':') return 0;
  const int minutes = ((z[1] - '0') * 10 + (z[2] - '0')) * 60 + (z[4] - '0') * 10 + (z[5] - '0');
  return z[0] == '-' ? -minutes : minutes;
}

}  // namespace

std::optional<DateTime> to_utc_datetime(std::string_view text) noexcept {
  auto t = to_datetime(text);
  if (!t) return t;
  const int offset = zone_minutes(text);
  if (offset == 0) return t;
  long long seconds = static_cast<long long>(t->date().days()) * 86400 + t->hour() * 3600 + t->minute() * 60 +
                      t->second() - offset * 60LL;
  long long days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  const long long rest = seconds - days * 86400;
  try {
    return DateTime(Date::from_days(static_cast<long>(days)), static_cast<int>(rest / 3600),
                    static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  } catch (...) {
    return std::nullopt;  // moved out of the years 1..9999
  }
}

std::string_view kind_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::Text:
      return "text";
    case Kind::Date:
      return "date";
    case Kind::DateTime:
      return "date-time";
    case Kind::UtcDateTime:
      return "utc-date-time";
    case Kind::Boolean:
      return "boolean";
    case Kind::Money:
      return "money";
  }
  return "text";
}

std::optional<Money> Money::parse(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  bool negative = false;
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    negative = true;
    s = s.substr(1, s.size() - 2);
  }
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    if (negative) return std::nullopt;
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (!s.empty() && s.front() == '$') s.remove_prefix(1);
  std::int64_t whole = 0;
  int digits = 0;
  std::size_t i = 0;
  for (; i < s.size() && s[i] != '.'; ++i) {
    const char c = s[i];
    if (c == ',') {
      if (digits == 0) return std::nullopt;
      continue;
    }
    if (c < '0' || c > '9' || digits >= 15) return std::nullopt;
    whole = whole * 10 + (c - '0');
    ++digits;
  }
  std::int64_t fraction = 0;
  if (i < s.size()) {  // s[i] == '.'
    ++i;
    int decimals = 0;
    for (; i < s.size(); ++i, ++decimals) {
      const char c = s[i];
      if (c < '0' || c > '9') return std::nullopt;
      if (decimals < 2)
        fraction = fraction * 10 + (c - '0');
      else if (c != '0')
        return std::nullopt;  // a part of a cent: not an amount this library rounds
    }
    if (decimals == 0 && digits == 0) return std::nullopt;
    if (decimals == 1) fraction *= 10;
  } else if (digits == 0) {
    return std::nullopt;
  }
  const std::int64_t cents = whole * 100 + fraction;
  return Money(negative ? -cents : cents);
}

std::string Money::text() const {
  std::string out;
  const std::uint64_t magnitude =
      cents_ < 0 ? static_cast<std::uint64_t>(-(cents_ + 1)) + 1 : static_cast<std::uint64_t>(cents_);
  if (cents_ < 0) out.push_back('-');
  out += std::to_string(magnitude / 100);
  out.push_back('.');
  append_digits(out, static_cast<int>(magnitude % 100), 2);
  return out;
}

std::optional<Date> to_date(std::string_view text) noexcept {
  try {
    auto t = DateTime::parse(text);
    if (!t || t->hour() != 0 || t->minute() != 0 || t->second() != 0) return std::nullopt;
    return t->date();
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<DateTime> to_datetime(std::string_view text) noexcept {
  try {
    return DateTime::parse(text);
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<bool> to_bool(std::string_view text) noexcept { return parse_bool(text); }

std::optional<Money> to_money(std::string_view text) noexcept { return Money::parse(text); }

bool append_json_value(std::string& out, Kind kind, std::string_view text) {
  switch (kind) {
    case Kind::Text:
      return false;
    case Kind::Boolean: {
      const auto b = to_bool(text);
      if (!b) return false;
      out.append(*b ? "true" : "false");
      return true;
    }
    case Kind::Date: {
      const auto d = to_date(text);
      if (!d) return false;
      out.push_back('"');
      append_iso_date(out, *d);
      out.push_back('"');
      return true;
    }
    case Kind::DateTime:
    case Kind::UtcDateTime: {
      const auto t = kind == Kind::DateTime ? to_datetime(text) : to_utc_datetime(text);
      if (!t) return false;
      out.push_back('"');
      append_iso_datetime(out, *t);
      if (kind == Kind::UtcDateTime) out.push_back('Z');
      out.push_back('"');
      return true;
    }
    case Kind::Money: {
      const auto m = to_money(text);
      if (!m) return false;
      out.push_back('"');
      out += m->text();
      out.push_back('"');
      return true;
    }
  }
  return false;
}

std::optional<std::string> iso_text(Kind kind, std::string_view text) {
  if (kind == Kind::Text) return std::string(text);
  std::string out;
  if (!append_json_value(out, kind, text)) return std::nullopt;
  if (out.front() == '"') out = out.substr(1, out.size() - 2);
  return out;
}

std::optional<std::string> service_text(Kind kind, std::string_view iso) {
  std::string out;
  switch (kind) {
    case Kind::Text:
      return std::string(iso);
    case Kind::Boolean:
      if (iso == "true") return std::string("True");
      if (iso == "false") return std::string("False");
      return std::nullopt;
    case Kind::Date: {
      if (iso.size() != 10) return std::nullopt;
      const auto d = to_date(iso);
      if (!d) return std::nullopt;
      append_net_datetime(out, DateTime(*d));
      return out;
    }
    case Kind::DateTime:
    case Kind::UtcDateTime: {
      const bool utc = kind == Kind::UtcDateTime;
      if (iso.size() != (utc ? 20u : 19u) || iso[10] != 'T' || (utc && iso.back() != 'Z')) return std::nullopt;
      const auto t = to_datetime(iso);
      if (!t) return std::nullopt;
      append_net_datetime(out, *t);
      return out;
    }
    case Kind::Money: {
      const auto m = to_money(iso);
      if (!m || m->text() != iso) return std::nullopt;
      return std::string(iso);
    }
  }
  return std::nullopt;
}

const std::vector<RowKinds>& all_row_kinds() noexcept { return detail::all_row_kinds(); }

const RowKinds* row_kinds(std::string_view type_name) noexcept {
  const auto& rows = detail::all_row_kinds();
  auto it = std::lower_bound(rows.begin(), rows.end(), type_name,
                             [](const RowKinds& r, std::string_view n) { return r.type_name < n; });
  return it != rows.end() && it->type_name == type_name ? &*it : nullptr;
}

}  // namespace kareo::values
