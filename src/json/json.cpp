// The hand-written half of the JSON mapping: value conversions, error messages and the type table lookups.
// The per-type half is generated (scripts/generate_json_mapping.py).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "json/json_support.hpp"

namespace kareo {

JsonError::JsonError(const std::string& message, std::string path, std::string key)
    : InvalidArgument(message), path_(std::move(path)), key_(std::move(key)) {}

const MemberDescription* TypeDescription::member(std::string_view member_name) const noexcept {
  for (const auto& m : members)
    if (m.name == member_name) return &m;
  return nullptr;
}

const TypeDescription* describe_type(std::string_view name) noexcept {
  const auto& table = json_detail::type_table();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const TypeDescription& t, std::string_view n) { return t.name < n; });
  if (it != table.end() && it->name == name) return &*it;
  return nullptr;
}

const std::vector<TypeDescription>& contract_types() noexcept { return json_detail::type_table(); }

std::string_view member_kind_name(MemberKind kind) noexcept {
  switch (kind) {
    case MemberKind::String:
      return "string";
    case MemberKind::Boolean:
      return "boolean";
    case MemberKind::Integer:
      return "integer";
    case MemberKind::Number:
      return "number";
    case MemberKind::DateTime:
      return "date-time";
    case MemberKind::Guid:
      return "GUID";
    case MemberKind::Base64:
      return "base64";
    case MemberKind::Enumeration:
      return "enumeration";
    case MemberKind::Object:
      return "object";
    case MemberKind::Array:
      return "array";
  }
  return "value";
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Empty optional on success, else what is wrong.
std::optional<std::string> check_iso(std::string_view t, std::string& normalized) {
  const std::string expected = "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS";
  if (t.size() < 10 || t[4] != '-' || t[7] != '-' || !all_digits(t.substr(0, 4)) || !all_digits(t.substr(5, 2)) ||
      !all_digits(t.substr(8, 2)))
    return expected;
  int y = number(t.substr(0, 4)), mo = number(t.substr(5, 2)), d = number(t.substr(8, 2));
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::string("no such date");
  normalized.assign(t.substr(0, 10));
  if (t.size() == 10) {
    normalized += "T00:00:00";
    return std::nullopt;
  }
  if ((t[10] != 'T' && t[10] != 't') || t.size() < 16 || t[13] != ':' || !all_digits(t.substr(11, 2)) ||
      !all_digits(t.substr(14, 2)))
    return expected;
  int h = number(t.substr(11, 2)), mi = number(t.substr(14, 2)), s = 0;
  std::size_t pos = 16;
  std::string seconds = "00";
  if (pos < t.size() && t[pos] == ':') {
    if (t.size() < pos + 3 || !all_digits(t.substr(pos + 1, 2))) return expected;
    seconds = std::string(t.substr(pos + 1, 2));
    s = number(seconds);
    pos += 3;
    if (pos < t.size() && t[pos] == '.') {
      std::size_t end = pos + 1;
      while (end < t.size() && std::isdigit(static_cast<unsigned char>(t[end]))) ++end;
      if (end == pos + 1) return expected;
      seconds += std::string(t.substr(pos, end - pos));
      pos = end;
    }
  }
  if (h > 23 || mi > 59 || s > 59) return std::string("no such time of day");
  normalized += 'T';
  normalized += std::string(t.substr(11, 5)) + ":" + seconds;
  if (pos == t.size()) return std::nullopt;
  std::string_view zone = t.substr(pos);
  if (zone == "Z" || zone == "z") {
    normalized += 'Z';
    return std::nullopt;
  }
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' && all_digits(zone.substr(1, 2)) &&
      all_digits(zone.substr(4, 2)) && number(zone.substr(1, 2)) <= 14 && number(zone.substr(4, 2)) <= 59) {
    normalized += std::string(zone);
    return std::nullopt;
  }
  return std::string("bad time zone (use Z or +HH:MM)");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string describe_value(const json_detail::Json& v) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(v.type_name()) + " " + text;
}

}  // namespace

std::string normalize_iso_datetime(std::string_view text) {
  std::string normalized;
  if (auto problem = check_iso(text, normalized))
    throw JsonError("\"" + std::string(text) + "\" is not a date or date-time: " + *problem, "$", "");
  return normalized;
}

namespace json_detail {

void Reader::expect_object(const char* type) {
  type_ = type;
  if (!json_->is_object()) fail(path_ + ": expected a JSON object (" + type + "), got " + describe_value(*json_));
}

void Reader::expect_array(const char* type) {
  type_ = type;
  if (!json_->is_array()) fail(path_ + ": expected a JSON array (" + type + "), got " + describe_value(*json_));
}

Reader Reader::item(std::size_t index) const {
  return Reader((*json_)[index], path_ + "[" + std::to_string(index) + "]");
}

Reader Reader::child(const char* key, const Json& value) const { return Reader(value, member_path(key)); }

std::string Reader::member_path(const char* key) const { return key ? path_ + "." + key : path_; }

const Json* Reader::take(const char* key, bool& present) {
  auto it = json_->find(key);
  if (it == json_->end()) {
    present = false;
    return nullptr;
  }
  present = true;
  used_.push_back(key);
  return it->is_null() ? nullptr : &*it;
}

void Reader::finish() {
  if (used_.size() == json_->size()) return;
  for (const auto& item : json_->items()) {
    const std::string& key = item.key();
    bool used = std::any_of(used_.begin(), used_.end(), [&](const char* k) { return key == k; });
    if (used) continue;
    std::string message = "unknown key \"" + key + "\" at " + path_ + ": " + type_ + " has no member of that name";
    if (const TypeDescription* type = describe_type(type_)) {
      const MemberDescription* best = nullptr;
      std::size_t best_distance = 3;
      for (const auto& m : type->members) {
        std::size_t d = lower(m.name) == lower(key) ? 0 : edit_distance(lower(m.name), lower(key));
        if (d < best_distance) {
          best = &m;
          best_distance = d;
        }
      }
      if (best) message += " (did you mean \"" + std::string(best->name) + "\"?)";
    }
    throw JsonError(message, path_, key);
  }
}

void Reader::fail(const std::string& message, const std::string& key) const { throw JsonError(message, path_, key); }

void Reader::fail_member(const char* key, const std::string& message) const {
  throw JsonError(member_path(key) + ": " + message, member_path(key), key ? key : "");
}

void Reader::fail_missing(const char* key) const {
  std::string message = "missing required key \"" + std::string(key) + "\" at " + path_;
  if (const TypeDescription* type = describe_type(type_))
    if (const MemberDescription* m = type->member(key))
      message += " (" + std::string(type_) + "." + key + " is " + std::string(m->xsd_type) + ", required)";
  throw JsonError(message, path_, key);
}

std::string text_of(const Reader& r, const char* key, const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float()) return v.dump();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  r.fail_member(key, "expected a string, got " + describe_value(v));
}

std::string datetime_of(const Reader& r, const char* key, const Json& v) {
  if (!v.is_string()) r.fail_member(key, "expected an ISO 8601 date or date-time string, got " + describe_value(v));
  std::string normalized;
  if (auto problem = check_iso(v.get_ref<const std::string&>(), normalized))
    r.fail_member(key, "\"" + v.get<std::string>() + "\" is not a date or date-time: " + *problem);
  return normalized;
}

std::string guid_of(const Reader& r, const char* key, const Json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    bool ok = s.size() == 36;
    for (std::size_t i = 0; ok && i < s.size(); ++i)
      ok = (i == 8 || i == 13 || i == 18 || i == 23) ? s[i] == '-' : std::isxdigit(static_cast<unsigned char>(s[i]));
    if (ok) return s;
  }
  r.fail_member(key,
                "expected a GUID string such as \"0f8fad5b-d9cb-469f-a165-70867728950e\", got " + describe_value(v));
}

std::string base64_of(const Reader& r, const char* key, const Json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    bool ok = std::all_of(s.begin(), s.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '+' || c == '/' || c == '=' || std::isspace(c);
    });
    if (ok) return s;
  }
  r.fail_member(key, "expected base64 text, got " + describe_value(v));
}

bool bool_of(const Reader& r, const char* key, const Json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string s = lower(v.get_ref<const std::string&>());
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  r.fail_member(key, "expected true or false, got " + describe_value(v));
}

namespace {

std::optional<long long> integer_of(const Json& v) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number_unsigned()) {
    auto u = v.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(std::numeric_limits<long long>::max())) return std::nullopt;
    return static_cast<long long>(u);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9.0e15) return static_cast<long long>(d);
    return std::nullopt;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    std::string_view digits = s;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    if (!all_digits(digits) || digits.size() > 18) return std::nullopt;
    return std::strtoll(s.c_str(), nullptr, 10);
  }
  return std::nullopt;
}

}  // namespace

int int_of(const Reader& r, const char* key, const Json& v) {
  auto n = integer_of(v);
  if (!n) r.fail_member(key, "expected an integer, got " + describe_value(v));
  if (*n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max())
    r.fail_member(key, "integer " + std::to_string(*n) + " is out of range for xs:int");
  return static_cast<int>(*n);
}

LONG64 long_of(const Reader& r, const char* key, const Json& v) {
  auto n = integer_of(v);
  if (!n) r.fail_member(key, "expected an integer, got " + describe_value(v));
  return static_cast<LONG64>(*n);
}

double double_of(const Reader& r, const char* key, const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && errno == 0 && std::isfinite(d)) return d;
  }
  r.fail_member(key, "expected a number, got " + describe_value(v));
}

Json scalar_double(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

namespace {

// Bytes a JSON string holds as they are: printable ASCII but the quote and the backslash.
struct PlainBytes {
  bool plain[256] = {};
  PlainBytes() {
    for (int c = 0x20; c <= 0x7e; ++c) plain[c] = c != '"' && c != '\\';
  }
};

}  // namespace

void TextWriter::string_value(std::string_view s) {
  static const PlainBytes table;
  for (const char c : s) {
    if (!table.plain[static_cast<unsigned char>(c)]) {
      // Escapes, non-ASCII text and invalid UTF-8 (replaced): nlohmann::json's own rules.
      out_ += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
    }
  }
  out_.push_back('"');
  out_.append(s.data(), s.size());
  out_.push_back('"');
}

void TextWriter::double_value(double v) { out_ += scalar_double(v).dump(); }

void fail_enum(const Reader& r, const char* key, const Json& v, const char* choices) {
  r.fail_member(key, "expected one of " + std::string(choices) + "; got " + describe_value(v));
}

}  // namespace json_detail

}  // namespace kareo
