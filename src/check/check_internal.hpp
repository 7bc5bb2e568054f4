// What the parts of the request checker and the response reader (response.cpp) share: a captured HTTP message split
// into its parts (message.cpp), the libxml2 helpers (xml.cpp), and the request checker, whose work is divided by
// concern: check.cpp (entry point and findings), envelope.cpp (HTTP headers, SOAP envelope, SOAPAction, namespaces),
// body.cpp (the members against the contract tables, date ranges) and corrected.cpp (the corrected request).
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/contract.hpp"
#include "kareo/check.hpp"

namespace kareo::check_detail {

inline constexpr std::string_view kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSoap12 = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kActionBase = "http://www.kareo.com/api/schemas/KareoServices/";
inline constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";

/// ASCII lower case.
std::string lower(std::string_view s);
/// Without leading and trailing white space.
std::string trim(std::string_view s);

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
/// "/Envelope/Body/UpdatePatientsExternalID/request" (local names).
std::string path_of(const xmlNode* n);
/// CustomerKey, Password or User.
bool is_credential(std::string_view local_name);

/// The operation table's row of an operation name, or -1.
int operation_row(std::string_view name);
std::string join(const std::vector<std::string>& parts, const std::string& sep);

/// Elements in an unexpected namespace, one entry per (actual, expected) pair.
struct NamespaceIssue {
  std::string actual;
  std::string expected;
  int line = 0;
  std::string path;
  std::string first;
  int count = 0;
};

/// Checks one captured request; run() once.
class Checker {
 public:
  Checker(const Message& in, const CheckOptions& options) : in_(in), options_(options) {}

  RequestCheck run();

 private:
  int line_of(const xmlNode* n) const;
  Finding& add(std::string code, Severity severity, std::string message, int line, std::string path, std::string fix,
               bool faults = false);
  RequestCheck finish();

  // envelope.cpp
  void check_http();
  void not_well_formed(const XmlError& error);
  bool check_envelope(xmlNode* root);
  void check_soap_header(xmlNode* header);
  void check_soap_action(const std::string& op);
  void expect_ns(const xmlNode* n, std::string_view expected);
  void report_namespaces();

  // body.cpp
  void check_body();
  void walk(const std::vector<xmlNode*>& kids, int type, const xmlNode* parent);
  void unknown_member(xmlNode* c, const std::vector<const MemberDef*>& ms, const TypeDef& tdef);
  /// The element at a path of local names below `from` (members dropped as out of order do not count), or null.
  xmlNode* find_path(xmlNode* from, const std::string& path) const;
  void check_required_paths();
  void check_dates();

  // corrected.cpp
  void write_member(std::string& x, const MemberDef& m, const std::vector<xmlNode*>& nodes, std::string_view cur_ns,
                    int depth);
  void write_type(std::string& x, int type, const std::vector<xmlNode*>& kids, std::string_view cur_ns, int depth);
  void build_corrected();

  const Message& in_;
  const CheckOptions& options_;
  RequestCheck out_;
  bool soap12_ = false;
  bool credentials_in_header_ = false;
  xmlNode* body_ = nullptr;
  xmlNode* wrapper_ = nullptr;
  xmlNode* payload_ = nullptr;
  int payload_type_ = -1;
  int row_ = -1;
  std::vector<NamespaceIssue> ns_issues_;
  std::vector<xmlNode*> dropped_;
  std::vector<std::string> missing_paths_;
};

}  // namespace kareo::check_detail
