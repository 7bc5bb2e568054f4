// What the request checker (check.cpp) and the response reader (response.cpp) share: a captured HTTP message split
// into its parts, and the libxml2 helpers.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kareo::check_detail {

/// A captured message: a raw HTTP request or response (start line, headers, blank line, body), or the body alone.
struct Message {
  bool http = false;   ///< The text has a start line and headers.
  std::string method;  ///< Requests: the method ("POST").
  int status = 0;      ///< Responses: the HTTP status.
  int start_line_number = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<int> header_lines;  ///< The input line of each header.
  std::string body;               ///< The body (chunked transfer undone).
  int body_line = 1;              ///< The input line the body starts on.

  /// A header's value by case-insensitive name.
  std::optional<std::string> header(std::string_view name) const;
  /// The input line of a header (that of the start line when absent).
  int header_line(std::string_view name) const;
};

/// Splits a captured message; text that does not start with an HTTP start line is a body. Blank lines and curl's
/// "* " lines before the start line are skipped, and curl -v's "> " prefixes removed.
Message split_message(std::string_view text);

using XmlDoc = std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)>;

/// Where and why a document did not parse.
struct XmlError {
  int line = 0;
  int column = 0;
  int code = 0;  ///< libxml2's xmlParserErrors value
};

/// Parses XML without network access or entity expansion; null (and `error` set) when it does not parse.
XmlDoc parse_xml(const std::string& body, XmlError& error);

std::string local_name(const xmlNode* n);
std::string ns_uri(const xmlNode* n);
std::vector<xmlNode*> element_children(const xmlNode* n);
/// The first child element with this local name, or null.
xmlNode* first_child(const xmlNode* n, std::string_view name);
std::string text_of(const xmlNode* n);
/// True for an element with xsi:nil="true".
bool is_nil(const xmlNode* n);
/// "/Envelope/Body/GetPatients/request" (local names).
std::string path_of(const xmlNode* n);
/// CustomerKey, Password or User.
bool is_credential(std::string_view local_name);

}  // namespace kareo::check_detail
