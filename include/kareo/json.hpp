/// @file
/// @brief JSON for every contract type: records out, payloads in, and a description of each type's members.
///
/// The mapping, both ways:
/// - keys are the contract's member names (`FirstName`, `PracticeID`, ...), base-type members included;
/// - a contract array (`ArrayOfPatientData` holding `PatientData` items) is a JSON array of its items;
/// - `xs:boolean` is a JSON boolean, `xs:int`, `xs:long` and `xs:double` are JSON numbers;
/// - `xs:dateTime` is an ISO 8601 string (`2024-05-01T09:30:00`; on input `2024-05-01` means midnight);
/// - enumerations are their XML value as a string (`"Scheduled"`, `"NO_SHOW"`);
/// - absent values (an empty `std::optional`, a null `std::shared_ptr`) are left out.
///
/// Reading JSON is strict about names and lenient about spelling of values: an unknown key is an error naming
/// the key, while `"12"` is accepted for a number and `"true"` for a boolean (what the service's own string rows
/// hold, so a record read from one call can feed another). Every failure is a kareo::JsonError, which is a
/// kareo::InvalidArgument (exit code 2 of the `kareo` tool).
///
/// @code
/// kareo::PatientCreate patient = kareo::from_json<kareo::PatientCreate>(nlohmann::json::parse(text));
/// std::cout << kareo::to_json(patient).dump() << '\n';
/// for (const auto& member : kareo::describe<kareo::PatientCreate>().members) std::cout << member.name << '\n';
/// nlohmann::json j = patient;                      // the same conversions, through nlohmann::json itself
/// auto copy = j.get<kareo::PatientCreate>();
/// @endcode
///
/// Every class of the generated layer (namespace kareo_wire) is supported: records, filters, payloads, whole
/// requests and responses, and the operation wrappers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kareo/errors.hpp"

namespace kareo {

/// A JSON payload could not be turned into a contract type: wrong key, wrong kind of value, bad date.
class JsonError : public InvalidArgument {
 public:
  /// `message` is the full explanation; `path` is where (`$.Patient.Cases[0]`); `key` the offending member
  /// name when the error is about one (an unknown or missing key), else empty.
  JsonError(const std::string& message, std::string path, std::string key);
  /// Where in the document the problem is, as a JSON path (`$` is the top level).
  const std::string& path() const noexcept { return path_; }
  /// The member name the error is about (unknown, missing or badly typed), or empty.
  const std::string& key() const noexcept { return key_; }

 private:
  std::string path_;
  std::string key_;
};

/// What a member holds, as far as JSON is concerned.
enum class MemberKind {
  String,       ///< xs:string: a JSON string.
  Boolean,      ///< xs:boolean: true or false.
  Integer,      ///< xs:int or xs:long: a JSON integer.
  Number,       ///< xs:double: a JSON number.
  DateTime,     ///< xs:dateTime: an ISO 8601 string.
  Guid,         ///< A GUID string (`0f8fad5b-d9cb-469f-a165-70867728950e`).
  Base64,       ///< xs:base64Binary: the base64 text.
  Enumeration,  ///< One of a fixed set of strings (see MemberDescription::allowed_values).
  Object,       ///< A nested contract type (see MemberDescription::type_name).
  Array,        ///< A contract array: a JSON array of its items (see MemberDescription::type_name).
};

/// One member of a contract type.
struct MemberDescription {
  std::string_view name;       ///< The member (and JSON key) name, e.g. "FirstName".
  MemberKind kind;             ///< What the value is.
  std::string_view xsd_type;   ///< The contract's type, e.g. "xs:string", "PatientCaseCreateReq".
  std::string_view type_name;  ///< For Object, Array and Enumeration: the contract type's name; else empty.
  bool required;               ///< The contract requires the element (minOccurs=1).
  bool nillable;               ///< Required but may be null: left out, it is sent as xsi:nil.
  bool repeated;               ///< The items of an array type (only in the description of an ArrayOfX).
  std::vector<std::string_view> allowed_values;  ///< For Enumeration: every value, in contract order.
};

/// One contract type: its name and its members in the order they are sent (base type first).
struct TypeDescription {
  std::string_view name;      ///< The contract's name, e.g. "PatientCreate" (wrappers: "DeleteAppointment").
  std::string_view cpp_name;  ///< The generated class, e.g. "kareo_wire::kareo__PatientCreate".
  std::string_view base;      ///< The contract base type, e.g. "RequestBase", or empty.
  bool is_array;              ///< True for ArrayOfX types, which are JSON arrays of their one member's items.
  std::vector<MemberDescription> members;  ///< Every member, base members first.

  /// The member named `member_name`, or nullptr.
  const MemberDescription* member(std::string_view member_name) const noexcept;
};

/// Converts a contract object (any class of namespace kareo_wire) to JSON.
template <class T>
nlohmann::json to_json(const T& value);

/// Converts a contract object held by pointer; a null pointer gives JSON null.
template <class T>
nlohmann::json to_json(const std::shared_ptr<T>& value) {
  return value ? kareo::to_json(*value) : nlohmann::json(nullptr);
}

/// How kareo::append_json writes the members of the row types (kareo::PatientData, kareo::AppointmentData, ...),
/// which the service sends as text whatever they hold.
struct JsonTextOptions {
  /// True (the default): the typed form of the members kareo/values.hpp classifies (kareo::values::Kind): dates
  /// as ISO 8601 (`"1980-05-01"`), date-times as `"2026-11-30T16:30:00"` (with `Z` for the UTC appointment
  /// times), booleans as JSON `true`/`false`, money as a decimal string with two decimals (`"477.50"`, never a
  /// binary floating-point number); an empty text is `null`, and a text not readable as its kind stays the
  /// service's text. False: every member exactly as the service sent it (what kareo::to_json gives).
  bool typed_values = true;
};

/// Appends the JSON text of `value` (any class of namespace kareo_wire) to `out`: one line, compact, with the
/// keys of kareo::to_json in the contract's member order (base members first), strings escaped as JSON requires
/// (invalid UTF-8 replaced by U+FFFD). Written straight to `out`, without building a nlohmann::json value: the
/// fast way to print many records.
/// @code
/// std::string line;
/// for (const kareo::PatientData& p : client.patients(query)) {
///   line.clear();
///   kareo::append_json(line, p);  // "DOB":"1980-05-01", "Active":true, ...
///   std::cout << line << '\n';
/// }
/// @endcode
template <class T>
void append_json(std::string& out, const T& value, const JsonTextOptions& options = {});

/// Fills `out` from `json`, replacing every member the JSON names and leaving the others as they were
/// (a default-constructed `out` gives exactly what the JSON says).
/// @throws JsonError on an unknown key, a value of the wrong kind, a bad date, an unknown enumeration value,
///         or a missing required (non-nillable) member.
template <class T>
void from_json(const nlohmann::json& json, T& out);

/// Builds a contract object of type `T` from `json`. See from_json(const nlohmann::json&, T&).
template <class T>
T from_json(const nlohmann::json& json) {
  T value{};
  kareo::from_json(json, value);
  return value;
}

/// The description of contract type `T`.
template <class T>
const TypeDescription& describe();

/// The description of the contract type named `name` ("PatientCreate", "ArrayOfPatientData", "DeleteAppointment"),
/// or nullptr if there is none.
const TypeDescription* describe_type(std::string_view name) noexcept;

/// Every contract type, sorted by name.
const std::vector<TypeDescription>& contract_types() noexcept;

/// The JSON-kind name of `kind` for messages, e.g. "string", "boolean", "date-time".
std::string_view member_kind_name(MemberKind kind) noexcept;

/// Normalizes an ISO 8601 date or date-time to the form the service takes: `2024-05-01` becomes
/// `2024-05-01T00:00:00`; `2024-05-01T09:30`, `2024-05-01T09:30:00.5`, `...Z` and `...+02:00` are accepted.
/// @throws JsonError (path `$`) when `text` is not such a value or names an impossible date.
std::string normalize_iso_datetime(std::string_view text);

}  // namespace kareo

/// @cond KAREO_ADL
namespace kareo_wire {
// nlohmann::json's own conversions for every contract class (found by argument-dependent lookup), so that
// `nlohmann::json j = patient;` and `j.get<kareo::PatientCreate>()` work like kareo::to_json / kareo::from_json.
template <class T, class = decltype(std::declval<const T&>().soap_type())>
void to_json(nlohmann::json& json, const T& value) {
  json = kareo::to_json(value);
}
template <class T, class = decltype(std::declval<const T&>().soap_type())>
void from_json(const nlohmann::json& json, T& value) {
  kareo::from_json(json, value);
}
}  // namespace kareo_wire
/// @endcond
