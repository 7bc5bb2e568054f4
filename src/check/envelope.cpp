// The envelope-level checks: Content-Type and the SOAP version it implies, well-formedness, the SOAP envelope and
// header (credentials sent there), the SOAPAction, and the namespaces of the elements.
#include <libxml/xmlerror.h>

#include <algorithm>
#include <optional>
#include <regex>
#include <string>

#include "check/check_internal.hpp"
#include "kareo_optable.hpp"

namespace kareo::check_detail {
namespace {

/// "A", "A and B", "A, B and C".
std::string and_list(const std::vector<std::string>& names) {
  if (names.size() < 2) return join(names, "");
  std::vector<std::string> head(names.begin(), names.end() - 1);
  return join(head, ", ") + " and " + names.back();
}

/// The operations whose credentials go directly in the request (the operation table's credentials = "inline").
const std::string& inline_credential_operations() {
  static const std::string text = [] {
    std::vector<std::string> names;
    for (const auto& row : optable::kTable) {
      if (row.inline_credentials) names.emplace_back(row.name);
    }
    return and_list(names);
  }();
  return text;
}

/// The operations whose members the contract puts in the namespace of the operation element without its trailing
/// slash (their payload type is declared there, e.g. http://www.kareo.com/api/schemas).
const std::string& unslashed_operations() {
  static const std::string text = [] {
    std::vector<std::string> names;
    for (const auto& row : optable::kTable) {
      const int wrapper = contract::type_index(std::string("_kareo__") + row.name);
      if (wrapper < 0 || contract::members(wrapper).empty()) continue;
      const int payload = contract::members(wrapper).front()->type;
      if (payload < 0) continue;
      const std::string own(contract::namespace_uri(contract::type(wrapper).ns));
      if (std::string(contract::namespace_uri(contract::type(payload).ns)) + "/" == own) names.emplace_back(row.name);
    }
    return and_list(names);
  }();
  return text;
}

}  // namespace

void Checker::check_http() {
  if (!in_.http) return;
  auto ct = in_.header("Content-Type");
  const int line = in_.header_line("Content-Type");
  if (!ct) {
    add("content-type", Severity::Error, "The request has no Content-Type header; the service answers HTTP 415.", line,
        "", "Send 'Content-Type: text/xml; charset=utf-8'.");
    return;
  }
  const std::string value = lower(*ct);
  const std::string media = trim(value.substr(0, value.find(';')));
  if (media == "application/soap+xml") {
    add("soap-version", Severity::Error,
        "Content-Type application/soap+xml is SOAP 1.2; the service speaks SOAP 1.1 only and answers HTTP 415.", line,
        "",
        "Send a SOAP 1.1 request: 'Content-Type: text/xml; charset=utf-8', a SOAPAction header, and the envelope "
        "namespace http://schemas.xmlsoap.org/soap/envelope/ (zeep, Node soap: select the SOAP 1.1 binding; "
        "PHP SoapClient: 'soap_version' => SOAP_1_1).");
    soap12_ = true;
    return;
  }
  if (media != "text/xml") {
    add("content-type", Severity::Error,
        "Content-Type '" + media + "' is not what the service reads; it answers HTTP 415.", line, "",
        "Send 'Content-Type: text/xml; charset=utf-8'.");
    return;
  }
  auto cs = value.find("charset=");
  if (cs == std::string::npos) {
    add("content-type", Severity::Warning,
        "Content-Type text/xml without a charset: the service assumes UTF-8, and any other encoding of the body "
        "(a name with accents, a password) is misread.",
        line, "", "Send 'Content-Type: text/xml; charset=utf-8' and encode the body as UTF-8.");
    return;
  }
  std::string charset = trim(value.substr(cs + 8));
  charset = charset.substr(0, charset.find(';'));
  charset.erase(std::remove(charset.begin(), charset.end(), '"'), charset.end());
  if (charset != "utf-8" && charset != "utf-16" && charset != "utf-16le" && charset != "utf-16be") {
    add("content-type", Severity::Error,
        "Content-Type charset '" + charset + "' is not one the service reads (UTF-8 or UTF-16); it answers HTTP 415.",
        line, "", "Send 'Content-Type: text/xml; charset=utf-8' and encode the body as UTF-8.");
  }
}

void Checker::not_well_formed(const XmlError& error) {
  // A credential with an unescaped '<' or '&' is the usual cause: name the element, never its text.
  static const std::regex open_re(R"(<([A-Za-z_][\w.-]*:)?(CustomerKey|Password|User)(\s[^>]*)?>)");
  static const std::regex entity_re(R"(^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)");
  const std::string& body = in_.body;
  bool found = false;
  for (std::sregex_iterator it(body.begin(), body.end(), open_re), end; it != end; ++it) {
    const auto& m = *it;
    const std::string name = m[2];
    std::size_t start = static_cast<std::size_t>(m.position(0) + m.length(0));
    std::regex close_re("</([A-Za-z_][\\w.-]*:)?" + name + "\\s*>");
    std::smatch cm;
    auto from = body.begin() + static_cast<std::ptrdiff_t>(start);
    if (!std::regex_search(from, body.end(), cm, close_re)) continue;
    std::string content(from, from + cm.position(0));
    bool bad = content.find('<') != std::string::npos;
    for (std::size_t a = content.find('&'); !bad && a != std::string::npos; a = content.find('&', a + 1)) {
      if (!std::regex_search(content.substr(a, 12), entity_re)) bad = true;
    }
    if (!bad) continue;
    int line = in_.body_line + static_cast<int>(std::count(body.begin(), body.begin() + m.position(0), '\n'));
    add("not-well-formed", Severity::Error,
        "The text of <" + name +
            "> holds an unescaped '<' or '&': the XML does not parse, and the service answers with a fault "
            "(a " +
            name + " that parses differently from what was meant fails authentication).",
        line, "/" + name,
        "Escape the text of <" + name +
            ">: & as &amp;, < as &lt;, > as &gt; (an XML library does it when the value is set as text, not "
            "pasted into a template).",
        true);
    found = true;
  }
  if (found) return;
  std::string what;
  switch (error.code) {
    case XML_ERR_ENTITYREF_SEMICOL_MISSING:
    case XML_ERR_NAME_REQUIRED:
    case XML_ERR_UNDECLARED_ENTITY:
    case XML_WAR_UNDECLARED_ENTITY:
      what = "an '&' that does not start an entity (write & as &amp;)";
      break;
    case XML_ERR_TAG_NAME_MISMATCH:
    case XML_ERR_TAG_NOT_FINISHED:
      what = "an end tag that does not match its start tag (or an unescaped '<' in a text)";
      break;
    case XML_ERR_LT_IN_ATTRIBUTE:
      what = "an unescaped '<' in an attribute value";
      break;
    case XML_ERR_DOCUMENT_EMPTY:
      what = "no XML at all";
      break;
    case XML_ERR_DOCUMENT_END:
      what = "text after the end of the document";
      break;
    default:
      what = "XML that does not parse (libxml2 error " + std::to_string(error.code) + ")";
  }
  add("not-well-formed", Severity::Error,
      "The request is not well-formed XML: " + what + " at line " +
          std::to_string(in_.body_line - 1 + std::max(error.line, 1)) + ", column " + std::to_string(error.column) +
          ". The service answers with a fault.",
      in_.body_line - 1 + std::max(error.line, 1), "",
      "Build the request with an XML library (or escape every text: & as &amp;, < as &lt;).", true);
}

bool Checker::check_envelope(xmlNode* root) {
  const std::string uri = ns_uri(root);
  if (local_name(root) == "Envelope" && uri == kSoap12) {
    if (!soap12_) {
      add("soap-version", Severity::Error,
          "The envelope is SOAP 1.2 (" + std::string(kSoap12) +
              "); the service speaks SOAP 1.1 only and refuses it (HTTP 415).",
          line_of(root), path_of(root),
          "Use the SOAP 1.1 envelope namespace http://schemas.xmlsoap.org/soap/envelope/ with "
          "'Content-Type: text/xml; charset=utf-8' and a SOAPAction header.");
    }
    soap12_ = true;
  } else if (local_name(root) != "Envelope" || uri != kSoap11) {
    if (operation_row(local_name(root)) >= 0) {
      add("soap-version", Severity::Error,
          "The operation element <" + local_name(root) + "> is not inside a SOAP envelope; the service faults.",
          line_of(root), path_of(root),
          "Wrap it: <s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>...</s:Body>"
          "</s:Envelope>.",
          true);
      body_ = nullptr;
      wrapper_ = root;
      return true;
    }
    add("soap-version", Severity::Error,
        "The document is no SOAP 1.1 envelope (root <" + local_name(root) + "> in namespace '" + uri +
            "'); the service faults.",
        line_of(root), path_of(root),
        "Send <s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>...</s:Body></s:Envelope>.",
        true);
    return false;
  }
  xmlNode* header = nullptr;
  for (xmlNode* c : element_children(root)) {
    if (local_name(c) == "Header") header = c;
    if (local_name(c) == "Body") body_ = c;
  }
  if (header) check_soap_header(header);
  if (!body_) {
    add("missing-member", Severity::Error, "The envelope has no Body; the service faults.", line_of(root),
        path_of(root), "Put the operation element inside <s:Body>.", true);
    return false;
  }
  auto kids = element_children(body_);
  if (kids.empty()) {
    add("missing-member", Severity::Error, "The Body is empty: no operation is called; the service faults.",
        line_of(body_), path_of(body_),
        "Put the operation element (the operation's name, in the service's namespace) inside <s:Body>.", true);
    return false;
  }
  wrapper_ = kids.front();
  for (std::size_t i = 1; i < kids.size(); ++i) {
    add("unknown-member", Severity::Warning,
        "A second element <" + local_name(kids[i]) + "> in the Body: the service reads only the first.",
        line_of(kids[i]), path_of(kids[i]), "Send one operation per request.");
  }
  return true;
}

void Checker::check_soap_header(xmlNode* header) {
  std::vector<std::string> names;
  xmlNode* first = nullptr;
  std::vector<xmlNode*> stack{header};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    auto kids = element_children(n);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
    const std::string name = local_name(n);
    if (n != header && (name == "RequestHeader" || is_credential(name))) {
      if (!first || line_of(n) < line_of(first)) first = n;
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  if (!first) return;
  credentials_in_header_ = true;
  add("credentials-in-soap-header", Severity::Error,
      "The credentials (" + join(names, ", ") +
          ") are in the SOAP Header, which the service does not read: it sees a request without RequestHeader "
          "and faults (InternalServiceFault), or answers Authenticated=false.",
      line_of(first), path_of(first),
      "Remove them from <s:Header> and send them as the first member of the request: "
      "<request><RequestHeader><CustomerKey>...</CustomerKey><Password>...</Password><User>...</User>"
      "</RequestHeader>...</request>" +
          (inline_credential_operations().empty()
               ? std::string()
               : " (" + inline_credential_operations() + ": CustomerKey, Password and User directly in <request>)") +
          ". No SOAP header is used.",
      true);
}

void Checker::check_soap_action(const std::string& op) {
  if (soap12_) return;  // the action of SOAP 1.2 travels elsewhere; the version finding says what to do
  std::optional<std::string> action;
  int line = 0;
  if (in_.http) {
    action = in_.header("SOAPAction");
    line = in_.header_line("SOAPAction");
    if (!action) {
      add("soap-action", Severity::Error,
          "The request has no SOAPAction header; the service cannot dispatch it and faults (ContractFilter "
          "mismatch).",
          line, "", "Send 'SOAPAction: \"" + std::string(kActionBase) + op + "\"'.", true);
      return;
    }
  } else if (options_.soap_action) {
    action = options_.soap_action;
  } else {
    return;
  }
  std::string a = trim(*action);
  if (a.size() >= 2 && a.front() == '"' && a.back() == '"') a = a.substr(1, a.size() - 2);
  const std::string expected = std::string(kActionBase) + op;
  if (a == expected) return;
  const std::string fix = "Send 'SOAPAction: \"" + expected + "\"'.";
  auto slash = a.find_last_of("/#");
  const std::string last = slash == std::string::npos ? a : a.substr(slash + 1);
  if (a.empty()) {
    add("soap-action", Severity::Error,
        "The SOAPAction is empty; the service cannot dispatch the request and faults (ContractFilter mismatch).", line,
        "", fix, true);
  } else if (last != op && operation_row(last) >= 0) {
    add("soap-action", Severity::Error,
        "The SOAPAction names " + last + " but the body calls " + op +
            "; the service dispatches by the SOAPAction and faults (the body is not that operation's).",
        line, "", fix, true);
  } else if (a == "http://www.kareo.com/api/schemas/" + op) {
    add("soap-action", Severity::Error,
        "The SOAPAction lacks the 'KareoServices/' segment; the service faults (ContractFilter mismatch).", line, "",
        fix, true);
  } else {
    add("soap-action", Severity::Error,
        "The SOAPAction '" + a + "' is not the contract's action for " + op +
            " (it is in another namespace); the service faults (ContractFilter mismatch).",
        line, "", fix, true);
  }
}

void Checker::expect_ns(const xmlNode* n, std::string_view expected) {
  const std::string actual = ns_uri(n);
  if (actual == expected) return;
  for (auto& issue : ns_issues_) {
    if (issue.actual == actual && issue.expected == expected) {
      ++issue.count;
      return;
    }
  }
  ns_issues_.push_back({actual, std::string(expected), line_of(n), path_of(n), local_name(n), 1});
}

void Checker::report_namespaces() {
  for (const auto& i : ns_issues_) {
    const std::string more = i.count > 1 ? " and " + std::to_string(i.count - 1) + " more element(s)" : "";
    const std::string where = i.actual.empty() ? "have no namespace" : "are in the namespace '" + i.actual + "'";
    std::string message =
        "<" + i.first + ">" + more + " " + where + "; the contract puts them in '" + i.expected + "'. ";
    std::string fix = "Put them in '" + i.expected + "'";
    const bool slash = i.actual + "/" == i.expected || i.expected + "/" == i.actual;
    if (slash) {
      message +=
          i.expected.back() == '/'
              ? "Only the members of " + unslashed_operations() + " use the namespace without the trailing slash."
              : "The members of " + unslashed_operations() +
                    " are in the namespace WITHOUT the trailing slash: with the slashed one the service "
                    "faults (\"Expecting element 'Fields'\").";
      fix += i.expected.back() == '/' ? " (with the trailing slash)." : " (no trailing slash).";
    } else {
      message +=
          "The service does not recognise elements of another namespace: it reads them as absent, so it faults "
          "(InternalServiceFault) or ignores the values.";
      fix += " (declare xmlns=\"" + i.expected + "\" on the operation element, or a prefix bound to it).";
    }
    add("namespace", Severity::Error, message, i.line, i.path, fix, true);
  }
}

}  // namespace kareo::check_detail
