// kareo::check_request: reads a captured request against the contract (src/check/contract.hpp) and the operation
// table (kareo_optable.hpp) and says what the service does with each mistake. What the service does is documented
// in docs/cli.md (kareo check-request) and docs/reliability.md.
#include "kareo/check.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "check/check_internal.hpp"
#include "check/contract.hpp"
#include "kareo_optable.hpp"

namespace kareo {

const char* severity_name(Severity severity) noexcept { return severity == Severity::Error ? "error" : "warning"; }

bool RequestCheck::accepted() const noexcept {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::Error; });
}

namespace check_detail {

namespace {

constexpr std::string_view kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSoap12 = "http://www.w3.org/2003/05/soap-envelope";
constexpr std::string_view kActionBase = "http://www.kareo.com/api/schemas/KareoServices/";
constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

bool is_credential(std::string_view local_name) {
  return local_name == "CustomerKey" || local_name == "Password" || local_name == "User";
}

std::optional<std::string> Message::header(std::string_view name) const {
  const std::string wanted = lower(name);
  for (const auto& [n, v] : headers) {
    if (lower(n) == wanted) return v;
  }
  return std::nullopt;
}

int Message::header_line(std::string_view name) const {
  const std::string wanted = lower(name);
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (lower(headers[i].first) == wanted) return header_lines[i];
  }
  return start_line_number;
}

Message split_message(std::string_view text) {
  Message m;
  // Lines, keeping their numbers; a UTF-8 byte order mark is skipped.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t pos = 0;
  int number = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    auto eol = text.find('\n', pos);
    std::size_t end = eol == std::string_view::npos ? text.size() : eol;
    line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    ++number;
    return true;
  };
  // Skip blank lines and curl's "* " information lines before the start line.
  std::size_t start_pos = 0;
  std::string_view line;
  bool found = false;
  while (next_line(line)) {
    std::string t = trim(line);
    if (t.empty() || t.rfind("* ", 0) == 0) {
      start_pos = pos;
      continue;
    }
    found = true;
    break;
  }
  if (!found || trim(line).rfind("<", 0) == 0) {
    m.body = std::string(text.substr(start_pos));
    m.body_line = number > 0 ? number : 1;
    if (!found) m.body_line = 1;
    return m;
  }
  // "> " prefixes: curl -v's request lines.
  auto unprefix = [](std::string_view l) {
    if (l.rfind("> ", 0) == 0) l.remove_prefix(2);
    if (l == ">") l = {};
    return l;
  };
  static const std::regex start_re(R"(^([A-Z]+) (\S+) HTTP/\d(\.\d)?\s*$)");
  static const std::regex status_re(R"(^HTTP/\d(\.\d)? (\d{3})( .*)?$)");
  std::string start = trim(unprefix(line));
  std::smatch sm;
  if (std::regex_match(start, sm, start_re)) {
    m.http = true;
    m.method = sm[1];
  } else if (std::regex_match(start, sm, status_re)) {
    m.http = true;
    m.status = std::atoi(sm[2].str().c_str());
  } else {
    // Not a start line: the text is taken as the body (it will not parse as XML).
    m.body = std::string(text.substr(start_pos));
    m.body_line = number;
    return m;
  }
  m.start_line_number = number;
  while (next_line(line)) {
    std::string_view l = unprefix(line);
    if (trim(l).empty()) break;
    auto colon = l.find(':');
    if (colon == std::string_view::npos) continue;
    m.headers.emplace_back(trim(l.substr(0, colon)), trim(l.substr(colon + 1)));
    m.header_lines.push_back(number);
  }
  std::string body(text.substr(pos));
  m.body_line = number + 1;
  auto te = m.header("Transfer-Encoding");
  if (te && lower(*te).find("chunked") != std::string::npos) {
    std::string out;
    std::size_t p = 0;
    while (p < body.size()) {
      auto eol = body.find("\r\n", p);
      if (eol == std::string::npos) break;
      std::size_t size = std::strtoul(body.substr(p, eol - p).c_str(), nullptr, 16);
      if (size == 0) break;
      out.append(body, eol + 2, size);
      p = eol + 2 + size + 2;
    }
    body = out;
  }
  m.body = std::move(body);
  return m;
}

std::string local_name(const xmlNode* n) { return n && n->name ? reinterpret_cast<const char*>(n->name) : ""; }

std::string ns_uri(const xmlNode* n) {
  return n && n->ns && n->ns->href ? reinterpret_cast<const char*>(n->ns->href) : "";
}

std::vector<xmlNode*> element_children(const xmlNode* n) {
  std::vector<xmlNode*> out;
  if (!n) return out;
  for (xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

xmlNode* first_child(const xmlNode* n, std::string_view name) {
  for (xmlNode* c : element_children(n)) {
    if (local_name(c) == name) return c;
  }
  return nullptr;
}

std::string text_of(const xmlNode* n) {
  xmlChar* t = xmlNodeGetContent(n);
  std::string out = t ? reinterpret_cast<const char*>(t) : "";
  xmlFree(t);
  return out;
}

bool is_nil(const xmlNode* n) {
  for (xmlAttr* a = n->properties; a; a = a->next) {
    if (!a->name || std::string_view(reinterpret_cast<const char*>(a->name)) != "nil" || !a->ns || !a->ns->href ||
        kXsi != reinterpret_cast<const char*>(a->ns->href)) {
      continue;
    }
    xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
    const std::string value = v ? lower(trim(reinterpret_cast<const char*>(v))) : "";
    xmlFree(v);
    return value == "true" || value == "1";
  }
  return false;
}

std::string path_of(const xmlNode* n) {
  std::vector<std::string> parts;
  for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) parts.push_back(local_name(n));
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += "/" + *it;
  return out;
}

XmlDoc parse_xml(const std::string& body, XmlError& error) {
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) return XmlDoc(nullptr, xmlFreeDoc);
  // No network, no entity substitution (no external entities), big line numbers; errors are not printed.
  const int flags = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
  xmlDocPtr doc =
      xmlCtxtReadMemory(ctxt.get(), body.data(), static_cast<int>(body.size()), "request.xml", nullptr, flags);
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    error.line = e ? e->line : 0;
    error.column = e ? e->int2 : 0;
    error.code = e ? e->code : 0;
  }
  return XmlDoc(doc, xmlFreeDoc);
}

namespace {

/// The operation table's row of an operation name, or -1.
int operation_row(std::string_view name) {
  for (std::size_t i = 0; i < optable::kRows; ++i) {
    if (name == optable::kTable[i].name) return static_cast<int>(i);
  }
  return -1;
}

/// The closest operation name to a name that is none (case, a plural 's'), or "".
std::string closest_operation(std::string_view name) {
  const std::string l = lower(name);
  for (std::size_t i = 0; i < optable::kRows; ++i) {
    const std::string op = lower(optable::kTable[i].name);
    if (op == l || op + "s" == l || op == l + "s") return optable::kTable[i].name;
  }
  return "";
}

/// Days since 1970-01-01 of a civil date.
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/// A filter date in a form the service is known to read (M/d/yyyy [h:mm[:ss] [AM|PM]], yyyy-MM-dd[Thh:mm[:ss]]),
/// as days since the epoch; nullopt for any other form.
std::optional<long> filter_date(const std::string& text) {
  static const std::regex us(R"(^(\d{1,2})/(\d{1,2})/(\d{4})( \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?)?$)");
  static const std::regex iso(R"(^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$)");
  std::smatch m;
  int y = 0, mo = 0, d = 0;
  const std::string t = trim(text);
  if (std::regex_match(t, m, us)) {
    mo = std::atoi(m[1].str().c_str());
    d = std::atoi(m[2].str().c_str());
    y = std::atoi(m[3].str().c_str());
  } else if (std::regex_match(t, m, iso)) {
    y = std::atoi(m[1].str().c_str());
    mo = std::atoi(m[2].str().c_str());
    d = std::atoi(m[3].str().c_str());
  } else {
    return std::nullopt;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1753 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1]) return std::nullopt;
  if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return std::nullopt;
  return days_from_civil(y, mo, d);
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct NamespaceIssue {
  std::string actual;
  std::string expected;
  int line = 0;
  std::string path;
  std::string first;
  int count = 0;
};

class Checker {
 public:
  Checker(const Message& in, const CheckOptions& options) : in_(in), options_(options) {}

  RequestCheck run() {
    check_http();
    XmlError error;
    auto doc = parse_xml(in_.body, error);
    if (!doc) {
      not_well_formed(error);
      return finish();
    }
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!check_envelope(root)) return finish();
    check_body();
    return finish();
  }

 private:
  int line_of(const xmlNode* n) const {
    long l = xmlGetLineNo(n);
    return l > 0 ? in_.body_line - 1 + static_cast<int>(l) : in_.body_line;
  }

  Finding& add(std::string code, Severity severity, std::string message, int line, std::string path, std::string fix,
               bool faults = false) {
    Finding f;
    f.code = std::move(code);
    f.severity = severity;
    f.message = std::move(message);
    f.line = line;
    f.path = std::move(path);
    f.fix = std::move(fix);
    f.faults = faults;
    out_.findings.push_back(std::move(f));
    return out_.findings.back();
  }

  bool has(std::string_view code) const {
    return std::any_of(out_.findings.begin(), out_.findings.end(), [&](const Finding& f) { return f.code == code; });
  }

  // ---- HTTP: Content-Type and the SOAP version it implies ----------------------------------------------------------
  void check_http() {
    if (!in_.http) return;
    auto ct = in_.header("Content-Type");
    const int line = in_.header_line("Content-Type");
    if (!ct) {
      add("content-type", Severity::Error, "The request has no Content-Type header; the service answers HTTP 415.",
          line, "", "Send 'Content-Type: text/xml; charset=utf-8'.");
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

  // ---- Not well-formed ---------------------------------------------------------------------------------------------
  void not_well_formed(const XmlError& error) {
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

  // ---- Envelope ----------------------------------------------------------------------------------------------------
  bool check_envelope(xmlNode* root) {
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
          line_of(body_), path_of(body_), "Put the operation element (e.g. <GetPatients>) inside <s:Body>.", true);
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

  void check_soap_header(xmlNode* header) {
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
        "</RequestHeader>...</request> (GetCustomerIdFromKey: CustomerKey, Password and User directly in "
        "<request>). No SOAP header is used.",
        true);
  }

  // ---- SOAPAction --------------------------------------------------------------------------------------------------
  void check_soap_action(const std::string& op) {
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
          "The SOAPAction is empty; the service cannot dispatch the request and faults (ContractFilter mismatch).",
          line, "", fix, true);
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

  // ---- Namespaces --------------------------------------------------------------------------------------------------
  void expect_ns(const xmlNode* n, std::string_view expected) {
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

  void report_namespaces() {
    for (const auto& i : ns_issues_) {
      const std::string more = i.count > 1 ? " and " + std::to_string(i.count - 1) + " more element(s)" : "";
      const std::string where = i.actual.empty() ? "have no namespace" : "are in the namespace '" + i.actual + "'";
      std::string message =
          "<" + i.first + ">" + more + " " + where + "; the contract puts them in '" + i.expected + "'. ";
      std::string fix = "Put them in '" + i.expected + "'";
      const bool slash = i.actual + "/" == i.expected || i.expected + "/" == i.actual;
      if (slash) {
        message += i.expected.back() == '/'
                       ? "Only the members of GetServiceLocations and GetProcedureCodes use the namespace without "
                         "the trailing slash."
                       : "The members of GetServiceLocations and GetProcedureCodes are in the namespace WITHOUT the "
                         "trailing slash: with the slashed one the service faults (\"Expecting element 'Fields'\").";
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

  // ---- The body ----------------------------------------------------------------------------------------------------
  void check_body() {
    const std::string op = local_name(wrapper_);
    row_ = operation_row(op);
    if (row_ < 0) {
      const std::string close = closest_operation(op);
      add("unknown-operation", Severity::Error,
          "<" + op + "> is no operation of the KareoServices 2.1 contract; the service faults." +
              (close.empty() ? "" : " Did you mean " + close + "?"),
          line_of(wrapper_), path_of(wrapper_),
          close.empty() ? "Call one of the contract's 28 operations (kareo describe lists them)."
                        : "Use <" + close + ">, with the SOAPAction \"" + std::string(kActionBase) + close + "\".",
          true);
      return;
    }
    out_.operation = op;
    check_soap_action(op);
    const auto& row = optable::kTable[row_];
    const int wrapper_type = contract::type_index("_kareo__" + op);
    if (wrapper_type < 0) return;
    expect_ns(wrapper_, contract::namespace_uri(contract::type(wrapper_type).ns));
    const auto& wmembers = contract::members(wrapper_type);
    if (wmembers.empty()) return;
    const MemberDef& payload_def = *wmembers.front();
    const std::string payload_name = row.payload_member;
    xmlNode* payload = nullptr;
    for (xmlNode* c : element_children(wrapper_)) {
      const std::string name = local_name(c);
      if (name == payload_name) {
        payload = c;
        break;
      }
      if (name == "request" || name == "UpdatePatientReq") {
        payload = c;
        add("wrapper", Severity::Error,
            "<" + op + "> takes its payload in <" + payload_name + ">, not <" + name +
                ">; the service sees no payload and faults (InternalServiceFault).",
            line_of(c), path_of(c), "Rename <" + name + "> to <" + payload_name + ">.", true);
        break;
      }
    }
    for (xmlNode* c : element_children(wrapper_)) {
      if (c == payload) continue;
      add("unknown-member", Severity::Warning,
          "<" + local_name(c) + "> is no member of <" + op + "> (it takes only <" + payload_name +
              ">); the service ignores it.",
          line_of(c), path_of(c), "Move it inside <" + payload_name + "> or remove it.");
    }
    if (!payload) {
      add("missing-member", Severity::Error,
          "<" + op + "> has no <" + payload_name + ">; the service faults (InternalServiceFault).", line_of(wrapper_),
          path_of(wrapper_),
          "Put the request members inside <" + op + "><" + payload_name + ">...</" + payload_name + "></" + op + ">.",
          true);
      report_namespaces();
      return;
    }
    payload_ = payload;
    expect_ns(payload, contract::namespace_uri(payload_def.ns));
    payload_type_ = payload_def.type;
    if (payload_type_ < 0) return;
    std::vector<xmlNode*> kids = element_children(payload);
    if (row.inline_credentials) {
      // GetCustomerIdFromKey: the credentials directly in the request. Wrapped in a RequestHeader, the service
      // answers CustomerId = -1; the members are checked as if they were where they belong.
      std::vector<xmlNode*> flat;
      for (xmlNode* c : kids) {
        if (local_name(c) == "RequestHeader") {
          add("wrapper", Severity::Error,
              op + " takes CustomerKey, Password and User directly in <request>; wrapped in <RequestHeader> they "
                   "are not read and the service answers CustomerId = -1.",
              line_of(c), path_of(c), "Remove the <RequestHeader> element and keep its members in <request>.");
          for (xmlNode* g : element_children(c)) flat.push_back(g);
        } else {
          flat.push_back(c);
        }
      }
      kids = std::move(flat);
    }
    walk(kids, payload_type_, payload);
    check_required_paths();
    check_dates();
    report_namespaces();
    build_corrected();
  }

  static std::string lost_when_dropped(const std::string& name, const TypeDef& parent) {
    if (is_credential(name)) {
      return "the service reads no " + name + " and answers Authenticated=false" +
             (name == "CustomerKey" ? " (CustomerKeyValid=false)" : "");
    }
    const std::string type = parent.xml_name;
    if (type.size() >= 6 && type.compare(type.size() - 6, 6, "Filter") == 0) {
      return "the service does not apply this filter: the result is not narrowed by it";
    }
    if (type.find("FieldsToReturn") != std::string::npos) return "the service does not return this column";
    return "the service reads " + name + " as absent: its value is lost";
  }

  void walk(const std::vector<xmlNode*>& kids, int type, const xmlNode* parent) {
    const auto& ms = contract::members(type);
    const TypeDef& tdef = contract::type(type);
    std::size_t next = 0;
    std::vector<bool> seen(ms.size(), false);
    std::vector<std::string> present_in_order;  // names of known members present, for the fix of an order mistake
    bool order_mistake = false;
    int order_line = 0;
    for (xmlNode* c : kids) {
      const std::string name = local_name(c);
      const std::size_t from = next > 0 && ms[next - 1]->repeated ? next - 1 : next;
      std::size_t found = ms.size();
      for (std::size_t m = from; m < ms.size(); ++m) {
        if (name == ms[m]->element) {
          found = m;
          break;
        }
      }
      if (found < ms.size()) {
        next = found + 1;
        seen[found] = true;
        expect_ns(c, contract::namespace_uri(ms[found]->ns));
        if (ms[found]->type >= 0 && !is_nil(c)) walk(element_children(c), ms[found]->type, c);
        continue;
      }
      std::size_t earlier = ms.size();
      for (std::size_t m = 0; m < from; ++m) {
        if (name == ms[m]->element) {
          earlier = m;
          break;
        }
      }
      if (earlier < ms.size()) {
        expect_ns(c, contract::namespace_uri(ms[earlier]->ns));
        seen[earlier] = true;
        dropped_.push_back(c);
        add("member-order", Severity::Error,
            "<" + name + "> comes after <" + ms[next - 1]->element +
                ">, but the contract orders it before; the service skips a member out of order silently: " +
                lost_when_dropped(name, tdef) + ".",
            line_of(c), path_of(c), "");
        if (!order_mistake) order_line = static_cast<int>(out_.findings.size()) - 1;
        order_mistake = true;
        if (ms[earlier]->type >= 0 && !is_nil(c)) walk(element_children(c), ms[earlier]->type, c);
        continue;
      }
      unknown_member(c, ms, tdef);
    }
    if (order_mistake) {
      // One order for the whole element, in the contract's order.
      for (std::size_t m = 0; m < ms.size(); ++m) {
        if (seen[m]) present_in_order.push_back(ms[m]->element);
      }
      const std::string fix =
          "Send the members of <" + local_name(parent) +
          "> in the contract's order (base type first, then ordinal name order): " + join(present_in_order, ", ") + ".";
      for (std::size_t i = static_cast<std::size_t>(order_line); i < out_.findings.size(); ++i) {
        if (out_.findings[i].code == "member-order" && out_.findings[i].fix.empty()) out_.findings[i].fix = fix;
      }
    }
    // Members the contract requires, and the credentials.
    const bool credentials_here = std::string(tdef.cname) == "kareo__RequestHeader" ||
                                  (type == payload_type_ && row_ >= 0 && optable::kTable[row_].inline_credentials);
    for (std::size_t m = 0; m < ms.size(); ++m) {
      if (seen[m]) continue;
      const std::string name = ms[m]->element;
      if (name == "RequestHeader" && credentials_in_header_) continue;  // said by credentials-in-soap-header
      if (ms[m]->required) {
        add("missing-member", Severity::Error,
            "<" + local_name(parent) + "> has no <" + name + ">, which the contract requires; the service faults.",
            line_of(parent), path_of(parent) + "/" + name,
            name == "Fields" ? "Add <Fields/> (an empty Fields returns every column)."
                             : "Add <" + name + "> to <" + local_name(parent) + ">.",
            true);
      } else if (credentials_here && is_credential(name)) {
        add("missing-member", Severity::Error,
            "<" + local_name(parent) + "> has no <" + name + ">; the service answers Authenticated=false.",
            line_of(parent), path_of(parent) + "/" + name,
            "Add <" + name + "> (CustomerKey, Password and User, in that order, after an optional ClientVersion).");
      }
    }
  }

  void unknown_member(xmlNode* c, const std::vector<const MemberDef*>& ms, const TypeDef& tdef) {
    const std::string name = local_name(c);
    std::string hint;
    for (const MemberDef* m : ms) {
      if (lower(m->element) == lower(name)) {
        hint = " Names are case-sensitive: the contract's member is <" + std::string(m->element) + ">.";
        break;
      }
    }
    if (hint.empty()) {
      for (const MemberDef* m : ms) {
        if (m->type < 0) continue;
        for (const MemberDef* g : contract::members(m->type)) {
          if (g->element == name) {
            hint = " It is a member of <" + std::string(m->element) + ">: put it inside that element.";
            break;
          }
        }
        if (!hint.empty()) break;
      }
    }
    add("unknown-member", Severity::Warning,
        "<" + name + "> is no member of " + tdef.xml_name + " (<" + local_name(c->parent) +
            ">); the service ignores it." + hint,
        line_of(c), path_of(c),
        hint.empty() ? "Remove it, or check the member's name in the contract." : hint.substr(1));
  }

  /// The element at a path of local names below `from` (members dropped as out of order do not count), or null.
  xmlNode* find_path(xmlNode* from, const std::string& path) const {
    xmlNode* cur = from;
    std::size_t pos = 0;
    while (cur) {
      auto slash = path.find('/', pos);
      const std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      xmlNode* next = nullptr;
      for (xmlNode* c : element_children(cur)) {
        if (local_name(c) == part && std::find(dropped_.begin(), dropped_.end(), c) == dropped_.end()) {
          next = c;
          break;
        }
      }
      cur = next;
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    return cur;
  }

  void check_required_paths() {
    const std::string spec = optable::kRequiredMembers[row_];
    std::size_t pos = 0;
    while (pos < spec.size()) {
      auto semi = spec.find(';', pos);
      const std::string alternatives = spec.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
      pos = semi == std::string::npos ? spec.size() : semi + 1;
      std::vector<std::string> options;
      for (std::size_t p = 0; p <= alternatives.size();) {
        auto bar = alternatives.find('|', p);
        options.push_back(alternatives.substr(p, bar == std::string::npos ? std::string::npos : bar - p));
        if (bar == std::string::npos) break;
        p = bar + 1;
      }
      bool present = false;
      for (const auto& o : options) {
        xmlNode* n = find_path(payload_, o);
        if (n && !is_nil(n)) present = true;
      }
      if (present) continue;
      // Report only the first missing level: when Filter is absent, "Filter/PatientID" says nothing more.
      const std::string first = options.front();
      auto slash = first.rfind('/');
      if (slash != std::string::npos && !find_path(payload_, first.substr(0, slash))) continue;
      std::vector<std::string> shown;
      for (const auto& o : options) shown.push_back("<" + o + ">");
      const std::string what = options.size() == 1 ? shown.front() : "one of " + join(shown, ", ");
      const std::string op = optable::kTable[row_].name;
      add("missing-member", Severity::Error,
          op + " needs " + what + " in <" + local_name(payload_) +
              "> (the contract makes it optional, the service does not): without it the service faults "
              "(InternalServiceFault) or finds nothing.",
          line_of(payload_), path_of(payload_) + "/" + first,
          first == "Filter" ? "Add a <Filter> with at least one filter member (e.g. a practice and a date range)."
                            : "Add " + what + ".",
          true);
      missing_paths_.push_back(first);
    }
  }

  void check_dates() {
    const auto& row = optable::kTable[row_];
    xmlNode* filter = find_path(payload_, "Filter");
    if (!filter) return;
    for (std::size_t f = 0; f < optable::kDateFields; ++f) {
      const auto& pair = row.paging[f];
      if (!*pair.from) continue;
      xmlNode* from = find_path(filter, pair.from);
      xmlNode* to = find_path(filter, pair.to);
      auto value = [](xmlNode* n) -> std::optional<std::string> {
        if (!n || is_nil(n)) return std::nullopt;
        std::string t = trim(text_of(n));
        if (t.empty()) return std::nullopt;
        return t;
      };
      auto vf = value(from);
      auto vt = value(to);
      if (!vf && !vt) continue;
      if (!vf || !vt) {
        xmlNode* there = vf ? from : to;
        const std::string missing = vf ? pair.to : pair.from;
        add("date-range", Severity::Error,
            "<" + local_name(there) + "> is given without <" + missing +
                ">: the service needs both ends of a date range and otherwise applies a default window (or none), "
                "not the range meant.",
            line_of(there), path_of(there), "Add <" + missing + ">.");
        continue;
      }
      auto df = filter_date(*vf);
      auto dt = filter_date(*vt);
      bool form_ok = true;
      for (auto [n, d] : {std::make_pair(from, df), std::make_pair(to, dt)}) {
        if (d) continue;
        form_ok = false;
        add("date-range", Severity::Error,
            "The date in <" + local_name(n) +
                "> is in a form the service does not read (it reads M/d/yyyy, M/d/yyyy h:mm:ss AM and yyyy-MM-dd); "
                "it faults or ignores the filter.",
            line_of(n), path_of(n), "Write the date as M/d/yyyy (3/1/2024) or yyyy-MM-dd (2024-03-01).");
      }
      if (!form_ok) continue;
      if (*df > *dt) {
        add("date-range", Severity::Warning,
            "<" + local_name(from) + "> is after <" + local_name(to) +
                ">: the range is empty, the service finds "
                "nothing.",
            line_of(from), path_of(from), "Swap the two dates.");
        continue;
      }
      if (pair.max_window_days > 0 && *dt - *df > pair.max_window_days) {
        add("date-range", Severity::Error,
            "The window " + local_name(from) + " .. " + local_name(to) + " spans " + std::to_string(*dt - *df) +
                " days; " + std::string(row.name) + " tolerates about " + std::to_string(pair.max_window_days) +
                ": wider windows give an InternalServiceFault or silently nothing.",
            line_of(from), path_of(from),
            "Split the range into windows of at most " + std::to_string(pair.max_window_days - 1) +
                " days (the library's ranged reads do this).",
            true);
      }
    }
  }

  // ---- The corrected request ---------------------------------------------------------------------------------------
  void write_member(std::string& x, const MemberDef& m, const std::vector<xmlNode*>& nodes, std::string_view cur_ns,
                    int depth) {
    const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
    const std::string_view ns = contract::namespace_uri(m.ns);
    const std::string decl = ns != cur_ns ? " xmlns=\"" + std::string(ns) + "\"" : "";
    for (xmlNode* n : nodes) {
      if (is_nil(n)) {
        x += pad + "<" + m.element + decl + " i:nil=\"true\"/>\n";
        continue;
      }
      if (m.type >= 0) {
        std::string inner;
        write_type(inner, m.type, element_children(n), ns, depth + 1);
        if (inner.empty()) {
          x += pad + "<" + m.element + decl + "/>\n";
        } else {
          x += pad + "<" + m.element + decl + ">\n" + inner + pad + "</" + m.element + ">\n";
        }
      } else {
        const std::string text = is_credential(m.element) ? "***" : escape(text_of(n));
        x += pad + "<" + m.element + decl + ">" + text + "</" + m.element + ">\n";
      }
    }
  }

  void write_type(std::string& x, int type, const std::vector<xmlNode*>& kids, std::string_view cur_ns, int depth) {
    const auto& ms = contract::members(type);
    const bool header_type = std::string(contract::type(type).cname) == "kareo__RequestHeader";
    const bool inline_payload = type == payload_type_ && optable::kTable[row_].inline_credentials;
    for (const MemberDef* m : ms) {
      std::vector<xmlNode*> nodes;
      for (xmlNode* k : kids) {
        if (local_name(k) == m->element) nodes.push_back(k);
      }
      if (nodes.empty()) {
        const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
        const std::string_view ns = contract::namespace_uri(m->ns);
        const std::string decl = ns != cur_ns ? " xmlns=\"" + std::string(ns) + "\"" : "";
        const std::string name = m->element;
        if ((header_type || inline_payload) && is_credential(name)) {
          x += pad + "<" + name + decl + ">***</" + name + ">\n";
        } else if (name == "RequestHeader" && type == payload_type_) {
          x += pad + "<RequestHeader" + decl + ">\n";
          for (const char* c : {"CustomerKey", "Password", "User"}) {
            x += pad + "  <" + std::string(c) + ">***</" + c + ">\n";
          }
          x += pad + "</RequestHeader>\n";
        } else if (name == "Fields" && m->required) {
          x += pad + "<Fields" + decl + "/>\n";
        } else if (type == payload_type_ &&
                   std::find(missing_paths_.begin(), missing_paths_.end(), name) != missing_paths_.end()) {
          x += pad + "<!-- add <" + name + "> here -->\n";
        }
        continue;
      }
      write_member(x, *m, nodes, cur_ns, depth);
    }
  }

  void build_corrected() {
    if (out_.findings.empty() || !payload_ || payload_type_ < 0) return;
    const auto& row = optable::kTable[row_];
    const std::string op = row.name;
    std::vector<xmlNode*> kids;
    for (xmlNode* c : element_children(payload_)) {
      if (row.inline_credentials && local_name(c) == "RequestHeader") {
        for (xmlNode* g : element_children(c)) kids.push_back(g);
      } else {
        kids.push_back(c);
      }
    }
    const int wrapper_type = contract::type_index("_kareo__" + op);
    const std::string_view ns = contract::namespace_uri(contract::type(wrapper_type).ns);
    const MemberDef& payload_def = *contract::members(wrapper_type).front();
    std::string inner;
    write_type(inner, payload_type_, kids, contract::namespace_uri(payload_def.ns), 4);
    std::string x;
    x += "Content-Type: text/xml; charset=utf-8\n";
    x += "SOAPAction: \"" + std::string(kActionBase) + op + "\"\n\n";
    x += "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:i=\"" + std::string(kXsi) + "\">\n";
    x += "  <s:Body>\n";
    x += "    <" + op + " xmlns=\"" + std::string(ns) + "\">\n";
    const std::string payload_ns = std::string(contract::namespace_uri(payload_def.ns));
    const std::string pdecl = payload_ns != ns ? " xmlns=\"" + payload_ns + "\"" : "";
    x += "      <" + std::string(row.payload_member) + pdecl + ">\n";
    x += inner;
    x += "      </" + std::string(row.payload_member) + ">\n";
    x += "    </" + op + ">\n";
    x += "  </s:Body>\n";
    x += "</s:Envelope>\n";
    out_.corrected_request = std::move(x);
  }

  RequestCheck finish() {
    std::stable_sort(out_.findings.begin(), out_.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.line < b.line; });
    return std::move(out_);
  }

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

}  // namespace
}  // namespace check_detail

RequestCheck check_request(std::string_view request, const CheckOptions& options) {
  const auto message = check_detail::split_message(request);
  return check_detail::Checker(message, options).run();
}

std::vector<Finding> check_request(std::string_view request) { return check_request(request, CheckOptions{}).findings; }

}  // namespace kareo
