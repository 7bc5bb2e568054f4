// The store's internals: entity definitions (row types and their columns), rows, synthesized members,
// filters. Shared by the store, the data generator and the service.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dates.hpp"
#include "kareo/testing/store.hpp"
#include "node.hpp"

namespace kareo::testing::detail {

constexpr std::size_t kEntityCount = 12;

inline std::size_t entity_slot(Entity e) { return static_cast<std::size_t>(e); }

/// How a member's value is made up for a generated record that does not store it.
enum class SynthKind : std::uint8_t {
  None,
  Date,
  BirthDate,
  Phone,
  PhoneExt,
  Zip,
  State,
  Country,
  City,
  Address1,
  Address2,
  Email,
  FirstName,
  LastName,
  MiddleName,
  FullName,
  Prefix,
  Suffix,
  Money,
  Bool,
  Number,
  Ssn,
  Npi,
  TaxId,
  Gender,
  Age,
  Code,
  Text,
};

struct EntityDef {
  Entity entity;
  std::string id_column;
  std::string practice_id_column;    ///< empty when the record has none
  std::string practice_name_column;  ///< empty when the record has none
  std::vector<int> row_types;        ///< schema types the record is written as (first: the list operation's)
  std::vector<std::string> columns;  ///< union of the row types' leaf members, plus extra columns
  std::map<std::string, int, std::less<>> index;
  std::vector<std::vector<int>> member_column;  ///< per row type: member position -> column (-1: complex)
  std::vector<SynthKind> synth;                 ///< per column
  std::vector<std::string> complex_members;     ///< complex members of the row types (e.g. Cases)

  int col(std::string_view name) const {
    auto it = index.find(name);
    return it == index.end() ? -1 : it->second;
  }
  int id_col() const { return col(id_column); }
};

const EntityDef& entity_def(Entity e);
std::optional<Entity> entity_from_json_key(std::string_view key);

struct Row {
  std::int64_t id = 0;
  /// Non-zero: members without a stored value are synthesized from this seed (generated records).
  std::uint64_t synth = 0;
  std::vector<std::pair<std::uint16_t, std::string>> values;  ///< sorted by column
  std::vector<std::pair<int, std::string>> external_ids;      ///< vendor ID -> external ID
  std::vector<std::pair<std::string, Node>> complex;          ///< complex members (Cases, ServiceLines, ...)

  const std::string* find(int col) const;
  void set(int col, std::string value);
  void erase(int col);
  const Node* complex_member(std::string_view name) const;
  void set_complex(const std::string& name, Node value);
};

/// What synthesized values depend on besides the record.
struct SynthContext {
  CivilTime today = 0;
};

/// The member's text (stored or synthesized) into out; false when it is null.
bool row_value(const EntityDef& def, const Row& row, int col, const SynthContext& ctx, std::string& out);
std::optional<std::string> row_value(const EntityDef& def, const Row& row, std::string_view column,
                                     const SynthContext& ctx);
/// A complex member (stored, or synthesized for generated patients' Cases); nullptr when null.
std::shared_ptr<const Node> row_complex(const EntityDef& def, const Row& row, std::string_view member,
                                        const SynthContext& ctx);

/// .NET text forms.
std::string money(std::int64_t cents);
inline const char* net_bool(bool b) { return b ? "True" : "False"; }

struct Table {
  std::map<std::int64_t, std::shared_ptr<const Row>> rows;
  std::int64_t next_id = 1;
};

/// The outcome of a refused filter: an ErrorResponse message or an InternalServiceFault.
struct Refusal {
  std::string message;
  bool fault = false;
};

/// Per-call restrictions applied while selecting (practices the user may not see).
struct Visibility {
  std::set<std::int64_t> denied_practice_ids;
};

/// Limits that make the service fault on wide windows (by default those of the operation table,
/// kareo::testing::default_window_limits()).
struct WindowLimits {
  std::map<std::string, int> days;  ///< operation -> widest window in days (0: none)
  /// The operations whose limit is about their primary date window only (Range::primary in filter.cpp): those the
  /// operation table gives a limit. Any other operation is limited on every window.
  std::set<std::string> primary_window_only;
};

}  // namespace kareo::testing::detail

namespace kareo::testing {

struct Store::Impl {
  mutable std::shared_mutex mutex;
  std::array<detail::Table, detail::kEntityCount> tables;
  int customer_id = 31337;
  detail::SynthContext synth;
  /// Offset added to the wall clock for "now" (non-zero when a fixed today was configured).
  std::int64_t clock_offset = 0;
  detail::WindowLimits window_limits;

  detail::CivilTime now() const;
  detail::Table& table(Entity e) { return tables[detail::entity_slot(e)]; }
  const detail::Table& table(Entity e) const { return tables[detail::entity_slot(e)]; }

  /// Practice ID by name (case-insensitive), under the lock held by the caller.
  std::optional<std::int64_t> practice_id_by_name(std::string_view name) const;
  std::optional<std::string> practice_name(std::int64_t id) const;
  std::shared_ptr<const detail::Row> find(Entity e, std::int64_t id) const;

  /// Rows of `e` a list operation answers for the filter; throws FilterError. Caller holds the lock.
  std::vector<std::shared_ptr<const detail::Row>> select(Entity e, const Filter& filter, const detail::Visibility& vis,
                                                         const std::string& operation) const;
  /// The practice IDs a filter targets explicitly (PracticeID / PracticeName), empty when none.
  std::vector<std::int64_t> targeted_practices(Entity e, const Filter& filter) const;
  /// The record's practice ID, if it has one.
  std::optional<std::int64_t> row_practice(Entity e, const detail::Row& row) const;

  std::int64_t insert_locked(Entity e, detail::Row row);
  Record record(Entity e, const detail::Row& row) const;
  detail::Row row_from_record(Entity e, const Record& record) const;

  void load_json(const std::string& text);
  std::string dump_json() const;
};

}  // namespace kareo::testing
