// Tebra's text values as FHIR primitive values: dates, instants, and the codes of the value sets we map to.
#include <algorithm>
#include <cctype>

#include "fhir/mapping_internal.hpp"
#include "kareo/datetime.hpp"
#include "kareo/fhir.hpp"

namespace kareo::fhir {

std::optional<std::string> trimmed(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const std::string& s = *text;
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  if (b == e) return std::nullopt;
  return s.substr(b, e - b);
}

namespace {

// Lower case, without spaces, hyphens or underscores: "Check-in" and "CHECK IN" are "checkin".
std::string folded(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '_') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The zone designator of ISO text after its time ("Z", "+02:00"; "+00:00" as "Z"); empty when there is none,
// nullopt when there is one that is not valid.
std::optional<std::string> zone_of(std::string_view text) {
  const auto t = text.find('T');
  if (t == std::string_view::npos) return std::string();
  std::string_view rest = text.substr(t + 1);
  if (!rest.empty() && (rest.back() == 'Z' || rest.back() == 'z')) return std::string("Z");
  const auto sign = rest.find_first_of("+-");
  if (sign == std::string_view::npos) return std::string();
  std::string_view zone = rest.substr(sign + 1);
  if (zone.size() != 5 || zone[2] != ':' || !digits(zone.substr(0, 2)) || !digits(zone.substr(3, 2)))
    return std::nullopt;
  const std::string hh(zone.substr(0, 2)), mm(zone.substr(3, 2));
  const int h = std::stoi(hh), m = std::stoi(mm);
  if (m > 59 || h > 14 || (h == 14 && m != 0)) return std::nullopt;
  if (h == 0 && m == 0) return std::string("Z");
  return std::string(1, rest[sign]) + hh + ":" + mm;
}

}  // namespace

std::optional<std::string> to_date(const std::optional<std::string>& text) {
  auto t = trimmed(text);
  if (!t) return std::nullopt;
  auto date = Date::parse(*t);
  if (!date || date->year() < 1) return std::nullopt;
  return date->iso();
}

std::optional<std::string> to_utc_instant(const std::optional<std::string>& text) {
  auto t = trimmed(text);
  if (!t) return std::nullopt;
  auto time = DateTime::parse(*t);
  if (!time || time->date().year() < 1) return std::nullopt;
  auto zone = zone_of(*t);
  if (!zone) return std::nullopt;
  return time->iso() + (zone->empty() ? std::string("Z") : *zone);
}

std::optional<std::string> to_gender(const std::optional<std::string>& text) {
  auto t = trimmed(text);
  if (!t) return std::nullopt;
  const std::string f = folded(*t);
  if (f == "male" || f == "m") return std::string("male");
  if (f == "female" || f == "f") return std::string("female");
  if (f == "other") return std::string("other");
  return std::string("unknown");
}

std::optional<std::string> to_appointment_status(const std::optional<std::string>& text) {
  auto t = trimmed(text);
  if (!t) return std::nullopt;
  // Tebra's ConfirmationStatus values and the AppointmentStatus codes they mean (docs/fhir.md).
  static const std::pair<const char*, const char*> kStatus[] = {
      {"scheduled", "booked"},     {"remindersent", "booked"}, {"confirmed", "booked"},      {"checkin", "checked-in"},
      {"checkedin", "checked-in"}, {"checkout", "fulfilled"},  {"checkedout", "fulfilled"},  {"noshow", "noshow"},
      {"cancelled", "cancelled"},  {"canceled", "cancelled"},  {"rescheduled", "cancelled"},
  };
  const std::string f = folded(*t);
  for (const auto& [tebra, code] : kStatus)
    if (f == tebra) return std::string(code);
  return std::nullopt;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace kareo::fhir
