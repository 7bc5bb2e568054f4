// Internal to libkareo: the helpers the generated JSON mapping (kareo_json_part*.cpp, written by
// scripts/generate_json_mapping.py) is made of. One put_<kind>/get_<kind> pair per XSD kind, overloaded on the
// member's shape (required value, std::optional, std::shared_ptr).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/text_writer.hpp"
#include "kareo_json_types.hpp"

namespace kareo::json_detail {

using kareo::MemberKind;

/// Reads one JSON value that should become one contract object or array, remembering where it is (for
/// messages) and which keys were used (to report the unknown ones).
class Reader {
 public:
  explicit Reader(const Json& json) : json_(&json), path_("$") {}
  Reader(const Json& json, std::string path) : json_(&json), path_(std::move(path)) {}

  const Json& json() const noexcept { return *json_; }
  const std::string& path() const noexcept { return path_; }

  /// Fails unless the value is an object; `type` is the contract type's name, for messages.
  void expect_object(const char* type);
  /// Fails unless the value is an array.
  void expect_array(const char* type);
  std::size_t size() const noexcept { return json_->size(); }
  Reader item(std::size_t index) const;

  /// The member `key`: nullptr and present=false when the key is absent, nullptr and present=true when it
  /// is JSON null. Marks the key as used.
  const Json* take(const char* key, bool& present);
  /// Fails on the first key that no take() asked for.
  void finish();

  Reader child(const char* key, const Json& value) const;
  std::string member_path(const char* key) const;
  [[noreturn]] void fail(const std::string& message, const std::string& key = {}) const;
  [[noreturn]] void fail_member(const char* key, const std::string& message) const;
  [[noreturn]] void fail_missing(const char* key) const;

 private:
  const Json* json_;
  std::string path_;
  const char* type_ = "";
  std::vector<const char*> used_;
};

// ---- conversions of one value (used for members and for the items of arrays) ----
std::string text_of(const Reader& r, const char* key, const Json& v);
std::string datetime_of(const Reader& r, const char* key, const Json& v);
std::string guid_of(const Reader& r, const char* key, const Json& v);
std::string base64_of(const Reader& r, const char* key, const Json& v);
bool bool_of(const Reader& r, const char* key, const Json& v);
int int_of(const Reader& r, const char* key, const Json& v);
LONG64 long_of(const Reader& r, const char* key, const Json& v);
double double_of(const Reader& r, const char* key, const Json& v);
[[noreturn]] void fail_enum(const Reader& r, const char* key, const Json& v, const char* choices);

inline Json scalar_int(int v) { return Json(v); }
inline Json scalar_long(LONG64 v) { return Json(static_cast<std::int64_t>(v)); }
inline Json scalar_string(const std::string& v) { return Json(v); }
Json scalar_double(double v);

// ---- writing members ----
#define KAREO_JSON_STRING_KIND(kind)                                                        \
  inline void put_##kind(Json& j, const char* key, const std::string& v) { j[key] = v; }    \
  inline void put_##kind(Json& j, const char* key, const std::optional<std::string>& v) {   \
    if (v) j[key] = *v;                                                                     \
  }                                                                                         \
  inline void put_##kind(Json& j, const char* key, const std::shared_ptr<std::string>& v) { \
    if (v) j[key] = *v;                                                                     \
  }
KAREO_JSON_STRING_KIND(string)
KAREO_JSON_STRING_KIND(datetime)
KAREO_JSON_STRING_KIND(guid)
KAREO_JSON_STRING_KIND(base64)
#undef KAREO_JSON_STRING_KIND

inline void put_bool(Json& j, const char* key, bool v) { j[key] = v; }
inline void put_bool(Json& j, const char* key, const std::optional<bool>& v) {
  if (v) j[key] = *v;
}
inline void put_int(Json& j, const char* key, int v) { j[key] = v; }
inline void put_int(Json& j, const char* key, const std::optional<int>& v) {
  if (v) j[key] = *v;
}
inline void put_long(Json& j, const char* key, LONG64 v) { j[key] = scalar_long(v); }
inline void put_long(Json& j, const char* key, const std::optional<LONG64>& v) {
  if (v) j[key] = scalar_long(*v);
}
inline void put_double(Json& j, const char* key, double v) { j[key] = scalar_double(v); }
inline void put_double(Json& j, const char* key, const std::optional<double>& v) {
  if (v) j[key] = scalar_double(*v);
}
template <class E>
void put_enum(Json& j, const char* key, E v) {
  j[key] = enum_text(v);
}
template <class E>
void put_enum(Json& j, const char* key, const std::optional<E>& v) {
  if (v) j[key] = enum_text(*v);
}
template <class C>
void put_object(Json& j, const char* key, const std::shared_ptr<C>& v) {
  if (v) j[key] = value(*v);
}

// ---- reading members ----
template <class T, class Convert>
void get_required(Reader& r, const char* key, T& out, Convert convert) {
  bool present = false;
  const Json* v = r.take(key, present);
  if (!v) r.fail_missing(key);
  out = convert(r, key, *v);
}
template <class T, class Convert>
void get_optional(Reader& r, const char* key, std::optional<T>& out, Convert convert) {
  bool present = false;
  const Json* v = r.take(key, present);
  if (v)
    out = convert(r, key, *v);
  else if (present)
    out.reset();
}
template <class Convert>
void get_pointer(Reader& r, const char* key, std::shared_ptr<std::string>& out, Convert convert) {
  bool present = false;
  const Json* v = r.take(key, present);
  if (v)
    out = std::make_shared<std::string>(convert(r, key, *v));
  else if (present)
    out.reset();
}

#define KAREO_JSON_GET(kind, type, convert)                                                             \
  inline void get_##kind(Reader& r, const char* key, type& out) { get_required(r, key, out, convert); } \
  inline void get_##kind(Reader& r, const char* key, std::optional<type>& out) { get_optional(r, key, out, convert); }
KAREO_JSON_GET(string, std::string, text_of)
KAREO_JSON_GET(datetime, std::string, datetime_of)
KAREO_JSON_GET(guid, std::string, guid_of)
KAREO_JSON_GET(base64, std::string, base64_of)
KAREO_JSON_GET(bool, bool, bool_of)
KAREO_JSON_GET(int, int, int_of)
KAREO_JSON_GET(long, LONG64, long_of)
KAREO_JSON_GET(double, double, double_of)
#undef KAREO_JSON_GET

inline void get_string(Reader& r, const char* key, std::shared_ptr<std::string>& out) {
  get_pointer(r, key, out, text_of);
}
inline void get_datetime(Reader& r, const char* key, std::shared_ptr<std::string>& out) {
  get_pointer(r, key, out, datetime_of);
}
inline void get_guid(Reader& r, const char* key, std::shared_ptr<std::string>& out) {
  get_pointer(r, key, out, guid_of);
}
inline void get_base64(Reader& r, const char* key, std::shared_ptr<std::string>& out) {
  get_pointer(r, key, out, base64_of);
}

template <class E>
E enum_of(const Reader& r, const char* key, const Json& v) {
  E out{};
  if (!v.is_string() || !enum_parse(v.get_ref<const std::string&>(), out))
    fail_enum(r, key, v, enum_choices(static_cast<E*>(nullptr)));
  return out;
}
template <class E>
void get_enum(Reader& r, const char* key, E& out) {
  get_required(r, key, out, enum_of<E>);
}
template <class E>
void get_enum(Reader& r, const char* key, std::optional<E>& out) {
  get_optional(r, key, out, enum_of<E>);
}

template <class C>
void get_object(Reader& r, const char* key, std::shared_ptr<C>& out) {
  bool present = false;
  const Json* v = r.take(key, present);
  if (!v) {
    if (present) out.reset();
    return;
  }
  auto object = std::make_shared<C>();
  Reader child = r.child(key, *v);
  read(child, *object);
  out = std::move(object);
}

// ---- the items of array types ----
template <class C>
void read_item(Reader& r, std::shared_ptr<C>& out) {
  if (r.json().is_null()) {
    out.reset();
    return;
  }
  auto object = std::make_shared<C>();
  read(r, *object);
  out = std::move(object);
}
template <class E>
void read_enum_item(Reader& r, E& out) {
  out = enum_of<E>(r, nullptr, r.json());
}
inline void read_int_item(Reader& r, int& out) { out = int_of(r, nullptr, r.json()); }
inline void read_long_item(Reader& r, LONG64& out) { out = long_of(r, nullptr, r.json()); }
inline void read_string_item(Reader& r, std::string& out) { out = text_of(r, nullptr, r.json()); }

const std::vector<kareo::TypeDescription>& type_table();

}  // namespace kareo::json_detail

namespace kareo {

template <class T>
nlohmann::json to_json(const T& value) {
  return json_detail::value(value);
}

template <class T>
void from_json(const nlohmann::json& json, T& out) {
  json_detail::Reader reader(json);
  json_detail::read(reader, out);
}

template <class T>
void append_json(std::string& out, const T& value, const JsonTextOptions& options) {
  json_detail::TextWriter writer(out, options.typed_values);
  json_detail::emit(writer, value);
}

template <class T>
const TypeDescription& describe() {
  return json_detail::description(static_cast<const T*>(nullptr));
}

}  // namespace kareo
