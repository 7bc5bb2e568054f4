// Internal to libkareo: the writer behind kareo::append_json. It appends compact JSON text straight to one
// buffer (no nlohmann::json tree), member by member as the generated emit() functions (kareo_json_part*.cpp)
// call it; the row types' typed members go through kareo::values.
#pragma once

#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kareo/values.hpp"
#include "kareo_json_types.hpp"  // enum_text() and emit() of every contract type

namespace kareo::json_detail {

/// A member's key as it goes out after another member, `,"Name":`, from a string literal (its length known at
/// compile time); the first member of an object leaves out the comma.
struct Key {
  template <std::size_t N>
  constexpr Key(const char (&quoted)[N]) : text(quoted), size(N - 1) {}  // NOLINT: converts from the literal
  const char* text;
  std::size_t size;
};

class TextWriter {
 public:
  TextWriter(std::string& out, bool typed) : out_(out), typed_(typed) {}

  void begin_object() {
    out_.push_back('{');
    first_ = true;
  }
  void end_object() {
    out_.push_back('}');
    first_ = false;
  }
  void begin_array() {
    out_.push_back('[');
    first_ = true;
  }
  void end_array() {
    out_.push_back(']');
    first_ = false;
  }
  void next_item() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void key(Key k) {
    const std::size_t skip = first_ ? 1 : 0;
    first_ = false;
    out_.append(k.text + skip, k.size - skip);
  }

  // ---- values ----
  void null_value() { out_.append("null", 4); }
  void string_value(std::string_view s);
  void enum_value(const char* text) {
    out_.push_back('"');
    out_.append(text);
    out_.push_back('"');
  }
  void bool_value(bool v) { v ? out_.append("true", 4) : out_.append("false", 5); }
  void int_value(int v) { integer(v); }
  void long_value(LONG64 v) { integer(static_cast<long long>(v)); }
  void double_value(double v);

  // ---- members, overloaded on their shape ----
  void put_string(Key k, const std::string& v) {
    key(k);
    string_value(v);
  }
  void put_string(Key k, const std::optional<std::string>& v) {
    if (v) put_string(k, *v);
  }
  void put_string(Key k, const std::shared_ptr<std::string>& v) {
    if (v) put_string(k, *v);
  }
  /// A row type's member of a typed kind: its typed form, or the service's text when it is not readable as its
  /// kind (never a guessed value); an empty text is null. Raw mode: the service's text.
  void put_typed(Key k, const std::optional<std::string>& v, values::Kind kind) {
    if (!v) return;
    key(k);
    if (typed_) {
      if (v->empty()) return null_value();
      if (values::append_json_value(out_, kind, *v)) return;
    }
    string_value(*v);
  }
  void put_bool(Key k, bool v) {
    key(k);
    bool_value(v);
  }
  void put_bool(Key k, const std::optional<bool>& v) {
    if (v) put_bool(k, *v);
  }
  void put_int(Key k, int v) {
    key(k);
    int_value(v);
  }
  void put_int(Key k, const std::optional<int>& v) {
    if (v) put_int(k, *v);
  }
  void put_long(Key k, LONG64 v) {
    key(k);
    long_value(v);
  }
  void put_long(Key k, const std::optional<LONG64>& v) {
    if (v) put_long(k, *v);
  }
  void put_double(Key k, double v) {
    key(k);
    double_value(v);
  }
  void put_double(Key k, const std::optional<double>& v) {
    if (v) put_double(k, *v);
  }
  template <class E>
  void put_enum(Key k, E v) {
    key(k);
    enum_value(enum_text(v));
  }
  template <class E>
  void put_enum(Key k, const std::optional<E>& v) {
    if (v) put_enum(k, *v);
  }
  template <class C>
  void put_object(Key k, const std::shared_ptr<C>& v) {
    if (!v) return;
    key(k);
    emit(*this, *v);
  }

 private:
  template <class I>
  void integer(I v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
  }
  std::string& out_;
  bool typed_;
  bool first_ = true;
};

}  // namespace kareo::json_detail
