// What the library's PostgreSQL users (the mirror's store, the shared rate budget) need of libpq, written once:
// connections and results that free themselves (also when a constructor throws), parameterised statements, and
// the text of messages (the server's, trimmed; where the database is, without the password).
#pragma once

#include <libpq-fe.h>

#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kareo::pq {

/// Closes a connection.
struct ConnectionCloser {
  void operator()(PGconn* connection) const noexcept { PQfinish(connection); }
};
/// An owned connection.
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;

/// Frees a result.
struct ResultFreer {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
/// An owned result.
using Result = std::unique_ptr<PGresult, ResultFreer>;

/// `text` without trailing white space (libpq's messages end with a newline); empty for null.
inline std::string trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

/// "host:port/database" of a connection, for messages (never the password); empty when libpq does not know.
inline std::string describe(PGconn* connection) {
  if (connection == nullptr || PQhost(connection) == nullptr) return {};
  return trimmed(PQhost(connection)) + ":" + trimmed(PQport(connection)) + "/" + trimmed(PQdb(connection));
}

/// A libpq URI (or key=value string) with the password masked, for messages about a database never reached.
inline std::string redacted(const std::string& uri) {
  const auto scheme = uri.find("://");
  const auto at = uri.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return uri;
  const auto colon = uri.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon) + ":***" + uri.substr(at);
}

/// Opens a connection to `uri` (expanded: a URI or key=value string; the keywords here add what it does not
/// say), with a connect timeout in seconds and an application name; the server's notices ("relation ... already
/// exists, skipping") are dropped. Null only when libpq is out of memory; otherwise check PQstatus().
inline Connection connect(const std::string& uri, const char* application_name, const char* timeout_seconds = "10") {
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {uri.c_str(), timeout_seconds, application_name, nullptr};
  Connection connection(PQconnectdbParams(keys, values, 1));
  if (connection)
    PQsetNoticeProcessor(
        connection.get(), [](void*, const char*) {}, nullptr);
  return connection;
}

/// Runs `sql` with text parameters ($1, $2, ...; nullopt sends NULL). The result is returned whatever its
/// status (see succeeded()); null only when libpq is out of memory.
inline Result exec(PGconn* connection, const std::string& sql,
                   const std::vector<std::optional<std::string>>& params = {}) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return Result(PQexecParams(connection, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0));
}

/// True when a statement succeeded (with or without rows).
inline bool succeeded(const PGresult* result) {
  const auto status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace kareo::pq
