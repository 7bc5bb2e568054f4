// The corrected request: the request's members rewritten in the contract's order and namespaces, with the
// credentials masked and what is missing added or marked.
#include <algorithm>
#include <string>

#include "check/check_internal.hpp"
#include "kareo_optable.hpp"

namespace kareo::check_detail {

namespace {

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

}  // namespace

void Checker::write_member(std::string& x, const MemberDef& m, const std::vector<xmlNode*>& nodes,
                           std::string_view cur_ns, int depth) {
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

void Checker::write_type(std::string& x, int type, const std::vector<xmlNode*>& kids, std::string_view cur_ns,
                         int depth) {
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

void Checker::build_corrected() {
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

}  // namespace kareo::check_detail
