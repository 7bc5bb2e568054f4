// The mirror's schema shared by its stores: table definitions, the conversion of records into rows, and the SQL
// that creates a table (each store names its own column types).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kareo/datetime.hpp"
#include "kareo/mirror.hpp"

namespace kareo::mirror {

/// The schema version this library writes (the `kareo_mirror_schema` table records the database's).
constexpr int kSchemaVersion = 1;

/// 'YYYY-MM-DD HH:MM:SS'.
std::string sql_timestamp(const DateTime& t);

/// The value of a typed column from the service's text of its member (empty: NULL), read by kareo/values.hpp.
std::optional<std::string> column_value(values::Kind kind, const std::string& text);

/// The row of `record` (a row type's JSON, kareo/json.hpp) in `table` of the practice.
MirrorRow make_row(MirrorTable table, const std::string& practice_id, const nlohmann::json& record);

/// The SQL types a store uses.
struct SqlTypes {
  const char* text;     ///< Text columns, the keys.
  const char* json;     ///< The record.
  const char* local;    ///< last_modified and DateTime columns (the practice's clock, no zone).
  const char* utc;      ///< mirrored_at, deleted_at and UtcDateTime columns.
  const char* date;     ///< Date columns.
  const char* numeric;  ///< Numeric columns.
  const char* boolean;  ///< Boolean columns.
};

/// CREATE TABLE IF NOT EXISTS for `table`, and its indexes, as statements.
std::vector<std::string> create_table_sql(MirrorTable table, const SqlTypes& types);

/// The statements that bring a database whose `kareo_mirror_schema` table records `version` (0: new) to
/// kSchemaVersion, the version row included; run in the store's transaction, after the version table exists.
std::vector<std::string> migration_sql(int version, const SqlTypes& types);

/// The error for a database at schema `version`, newer than this library's (`where` names the database).
MirrorDatabaseError newer_schema(const std::string& where, int version);

/// What differs between the stores' statements besides the types.
struct SqlDialect {
  const char* parameter;  ///< A numbered parameter's prefix: "$" (PostgreSQL), "?" (SQLite: ?1, ?2, ...).
  const char* json_cast;  ///< Appended to the record's parameter ("::jsonb"; "" for none).
};

/// The INSERT and the UPDATE of a row of `table`: both take upsert_parameters(), by number.
std::string insert_sql(MirrorTable table, const SqlDialect& dialect);
std::string update_sql(MirrorTable table, const SqlDialect& dialect);
/// The parameters of insert_sql() and update_sql(): practice_id, id, record, last_modified, mirrored_at, then the
/// table's typed columns in the order of mirror_columns().
std::vector<std::optional<std::string>> upsert_parameters(const MirrorRow& row, const std::string& mirrored_at);

}  // namespace kareo::mirror
