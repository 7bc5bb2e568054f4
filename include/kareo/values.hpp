/// @file
/// @brief Typed values of the row types' text members: dates, UTC times, booleans and money.
///
/// Tebra sends every member of a row (kareo::PatientData, kareo::AppointmentData, kareo::ChargeData, ...) as
/// text in .NET formats: `5/1/1980 12:00:00 AM`, `True`, `477.50`. Each text member has a kareo::values::Kind,
/// given by rules written once (scripts/generate_value_kinds.py) and generated into a table per row type, so a
/// database or a report can give every column its type without listing members by hand:
///
/// @code
/// // one member
/// std::optional<kareo::Date> born = kareo::values::date_of(patient, &kareo::PatientData::DOB);
/// std::optional<kareo::DateTime> start = kareo::values::datetime_of(appointment, &kareo::AppointmentData::StartDate);
/// std::optional<bool> active = kareo::values::bool_of(practice, &kareo::PracticeData::Active);
/// std::optional<kareo::values::Money> balance = kareo::values::money_of(patient, &kareo::PatientData::TotalBalance);
///
/// // every member of a row, typed (e.g. to create and fill typed database columns)
/// for (const auto& field : kareo::values::fields<kareo::PatientData>()) {
///   const std::string* text = field.text(patient);       // nullptr: absent
///   if (field.kind == kareo::values::Kind::Date) { auto d = field.date(patient); ... }
/// }
/// @endcode
///
/// Rules of reading: an absent or empty member, or text that is not what its kind holds, gives an empty optional,
/// never a guessed value. A Date member whose text carries a time of day other than midnight is not a date: empty.
/// No time zone is ever applied: a DateTime is the practice's civil time as the service wrote it, except the
/// Kind::UtcDateTime members (appointment StartDate/EndDate), which the service sends in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kareo/datetime.hpp"

namespace kareo::values {

/// What a row member's text holds.
enum class Kind {
  Text,         ///< Anything else (names, codes, IDs): the text itself.
  Date,         ///< A civil date (a date of birth): `5/1/1980 12:00:00 AM` -> 1980-05-01.
  DateTime,     ///< A date and time of day in the practice's civil time, without zone.
  UtcDateTime,  ///< A date and time of day in UTC (appointment start and end).
  Boolean,      ///< `True` / `False`.
  Money,        ///< An amount of money with two decimals, `477.50`, `-12.00`.
};

/// The kind's name: "text", "date", "date-time", "utc-date-time", "boolean", "money".
std::string_view kind_name(Kind kind) noexcept;

/// An amount of money, held exactly as a count of cents (never binary floating point).
class Money {
 public:
  /// Zero.
  Money() = default;
  /// `cents` hundredths of the currency unit (negative for refunds and adjustments).
  explicit Money(std::int64_t cents) noexcept : cents_(cents) {}
  /// Parses `477.50`, `477.5`, `477`, `-12.00`, `1,234.50`, `$12.00`, `(12.00)` (negative); a third or later
  /// decimal must be zero. Empty on anything else.
  static std::optional<Money> parse(std::string_view text) noexcept;
  /// The amount in cents.
  std::int64_t cents() const noexcept { return cents_; }
  /// The decimal text, two decimals, no grouping: `477.50`, `-12.00`.
  std::string text() const;
  /// Amounts compare by value.
  friend bool operator==(Money a, Money b) noexcept { return a.cents_ == b.cents_; }
  /// Amounts compare by value.
  friend bool operator!=(Money a, Money b) noexcept { return a.cents_ != b.cents_; }
  /// Amounts compare by value.
  friend bool operator<(Money a, Money b) noexcept { return a.cents_ < b.cents_; }

 private:
  std::int64_t cents_ = 0;
};

/// Reads a Date member's text: `5/1/1980`, `5/1/1980 12:00:00 AM`, `1980-05-01`, `1980-05-01T00:00:00`. Text with
/// a time of day other than midnight, or anything else, gives an empty optional.
std::optional<Date> to_date(std::string_view text) noexcept;
/// Reads a DateTime or UtcDateTime member's text (`11/30/2026 4:30:00 PM`, `2026-11-30T16:30:00`, with or
/// without fraction and zone: a zone designator is dropped, never applied).
std::optional<DateTime> to_datetime(std::string_view text) noexcept;
/// Reads a UtcDateTime member's text as to_datetime does, except that a zone designator other than `Z`
/// (`+02:00`) is applied: the result is always in UTC.
std::optional<DateTime> to_utc_datetime(std::string_view text) noexcept;
/// Reads a Boolean member's text: `True`/`False` in any case (and `1`/`0`).
std::optional<bool> to_bool(std::string_view text) noexcept;
/// Reads a Money member's text (see Money::parse).
std::optional<Money> to_money(std::string_view text) noexcept;

/// The ISO 8601 / JSON-ready text of a member of kind `kind`: Date `1980-05-01`; DateTime `2026-11-30T16:30:00`;
/// UtcDateTime `2026-11-30T16:30:00Z`; Boolean `true`/`false`; Money `477.50`; Text unchanged. Empty when the
/// text is not readable as its kind (the caller then keeps the service's text).
std::optional<std::string> iso_text(Kind kind, std::string_view text);
/// The inverse of iso_text: the service's own form of an ISO value (Date `5/1/1980 12:00:00 AM`, DateTime and
/// UtcDateTime `11/30/2026 4:30:00 PM`, Boolean `True`/`False`, Money `477.50`, Text unchanged), e.g. to write a
/// filter or compare with what the service sent. Empty when `iso` is not what iso_text writes for `kind`.
std::optional<std::string> service_text(Kind kind, std::string_view iso);

/// Appends iso_text(kind, text) to `out` as a JSON value (Boolean unquoted, every other kind a JSON string) and
/// returns true; returns false and appends nothing when the text is not readable as its kind. Text is never
/// handled here (false). The fast path of JSON writers.
bool append_json_value(std::string& out, Kind kind, std::string_view text);

/// One text member of row type `Row`: its name, its kind and where it is.
template <class Row>
struct Field {
  std::string_view name;                    ///< The member's (and element's) name, e.g. "DOB".
  Kind kind;                                ///< What its text holds.
  std::optional<std::string> Row::*member;  ///< The member.

  /// The member's text, or nullptr when absent.
  const std::string* text(const Row& row) const noexcept {
    const auto& v = row.*member;
    return v ? &*v : nullptr;
  }
  /// The member as a date (see to_date); empty when absent or unreadable.
  std::optional<Date> date(const Row& row) const noexcept {
    const std::string* t = text(row);
    return t ? to_date(*t) : std::nullopt;
  }
  /// The member as a date-time (see to_datetime; to_utc_datetime for a Kind::UtcDateTime member).
  std::optional<DateTime> datetime(const Row& row) const noexcept {
    const std::string* t = text(row);
    if (!t) return std::nullopt;
    return kind == Kind::UtcDateTime ? to_utc_datetime(*t) : to_datetime(*t);
  }
  /// The member as a boolean (see to_bool).
  std::optional<bool> boolean(const Row& row) const noexcept {
    const std::string* t = text(row);
    return t ? to_bool(*t) : std::nullopt;
  }
  /// The member as money (see to_money).
  std::optional<Money> money(const Row& row) const noexcept {
    const std::string* t = text(row);
    return t ? to_money(*t) : std::nullopt;
  }
};

/// One member's name and kind, without its row type (see row_kinds()).
struct NamedKind {
  std::string_view name;  ///< The member's name.
  Kind kind;              ///< What its text holds.
};

/// The kinds of one row type's text members.
struct RowKinds {
  std::string_view type_name;      ///< The contract's name, e.g. "PatientData".
  std::vector<NamedKind> members;  ///< Every text member, in wire order.
};

}  // namespace kareo::values

#include "kareo/value_fields.hpp"

namespace kareo::values {

/// Every text member of row type `Row` (kareo::PatientData, ...) with its kind, in wire order.
template <class Row>
const std::vector<Field<Row>>& fields() {
  return row_fields(static_cast<const Row*>(nullptr));
}

/// The kind of `member` of `Row`; Kind::Text for a member that is not in the table.
template <class Row>
Kind kind_of(std::optional<std::string> Row::*member) {
  for (const auto& f : fields<Row>())
    if (f.member == member) return f.kind;
  return Kind::Text;
}

/// The kinds of the row type named `type_name` ("PatientData"), or nullptr when it is not a row type.
const RowKinds* row_kinds(std::string_view type_name) noexcept;
/// Every row type's kinds, sorted by type name.
const std::vector<RowKinds>& all_row_kinds() noexcept;

/// `row.*member` as a date; empty when absent or not a date (see to_date).
template <class Row>
std::optional<Date> date_of(const Row& row, std::optional<std::string> Row::*member) {
  const auto& v = row.*member;
  return v ? to_date(*v) : std::nullopt;
}
/// The member `member` of `row` as a date-time; empty when absent or unreadable. A member of kind
/// Kind::UtcDateTime is read by to_utc_datetime(), any other by to_datetime().
template <class Row>
std::optional<DateTime> datetime_of(const Row& row, std::optional<std::string> Row::*member) {
  const auto& v = row.*member;
  if (!v) return std::nullopt;
  return kind_of(member) == Kind::UtcDateTime ? to_utc_datetime(*v) : to_datetime(*v);
}
/// `row.*member` as a boolean; empty when absent or unreadable (see to_bool).
template <class Row>
std::optional<bool> bool_of(const Row& row, std::optional<std::string> Row::*member) {
  const auto& v = row.*member;
  return v ? to_bool(*v) : std::nullopt;
}
/// `row.*member` as money; empty when absent or unreadable (see to_money).
template <class Row>
std::optional<Money> money_of(const Row& row, std::optional<std::string> Row::*member) {
  const auto& v = row.*member;
  return v ? to_money(*v) : std::nullopt;
}

}  // namespace kareo::values
