#include "wcf_writer.hpp"

#include <algorithm>

#include "schema.hpp"

namespace kareo::testing::detail {

void XmlOut::text(std::string_view s, bool in_attribute) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char* rep = nullptr;
    switch (s[i]) {
      case '&':
        rep = "&amp;";
        break;
      case '<':
        rep = "&lt;";
        break;
      case '>':
        rep = "&gt;";
        break;
      case '"':
        if (in_attribute) rep = "&quot;";
        break;
      case '\r':
        rep = "&#xD;";
        break;
      default:
        break;
    }
    if (rep) {
      buf_.append(s.data() + start, i - start);
      buf_.append(rep);
      start = i + 1;
    }
  }
  buf_.append(s.data() + start, s.size() - start);
  if (buf_.size() >= block_) flush();
}

void WcfWriter::begin_envelope() {
  out_.raw("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>");
}

void WcfWriter::end_envelope() {
  out_.raw("</s:Body></s:Envelope>");
  out_.flush();
}

void WcfWriter::begin_body_element(std::string_view local, int ns) {
  default_ns_ = ns;
  out_.raw('<');
  out_.raw(local);
  out_.raw(" xmlns=\"");
  out_.text(schema::namespace_uri(ns), true);
  out_.raw("\">");
  frames_.push_back(Frame{std::string(local), bindings_.size()});
}

void WcfWriter::end_body_element() { close(); }

int WcfWriter::lookup(int ns) const {
  if (ns == default_ns_) return 0;
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
    if (it->ns == ns) return it->prefix;
  }
  return -1;
}

char WcfWriter::allocate() const {
  for (char c = 'a'; c <= 'z'; ++c) {
    if (c == 'i' || c == 's') continue;
    bool used = std::any_of(bindings_.begin(), bindings_.end(), [c](const Binding& b) { return b.prefix == c; });
    if (!used) return c;
  }
  return 'z';
}

void WcfWriter::start_tag(std::string_view local, int ns, const std::vector<int>& contract_ns, bool declare_xsi,
                          std::string& qname) {
  std::vector<Binding> declared;
  int p = lookup(ns);
  if (p < 0) {
    Binding b{allocate(), ns};
    bindings_.push_back(b);
    declared.push_back(b);
    p = b.prefix;
  }
  qname.clear();
  if (p > 0) {
    qname.push_back(static_cast<char>(p));
    qname.push_back(':');
  }
  qname.append(local);
  for (int cns : contract_ns) {
    if (lookup(cns) >= 0) continue;
    Binding b{allocate(), cns};
    bindings_.push_back(b);
    declared.push_back(b);
  }
  out_.raw('<');
  out_.raw(qname);
  for (const auto& b : declared) {
    out_.raw(" xmlns:");
    out_.raw(b.prefix);
    out_.raw("=\"");
    out_.text(schema::namespace_uri(b.ns), true);
    out_.raw('"');
  }
  if (declare_xsi && !xsi_bound_) {
    out_.raw(" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"");
  }
}

void WcfWriter::open(std::string_view local, int ns, const std::vector<int>& contract_ns, bool declare_xsi) {
  std::size_t mark = bindings_.size();
  start_tag(local, ns, contract_ns, declare_xsi, qname_);
  out_.raw('>');
  frames_.push_back(Frame{qname_, mark});
  if (declare_xsi) xsi_bound_ = true;
}

void WcfWriter::close() {
  Frame& f = frames_.back();
  out_.raw("</");
  out_.raw(f.qname);
  out_.raw('>');
  bindings_.resize(f.bindings);
  frames_.pop_back();
}

void WcfWriter::leaf(std::string_view local, int ns, std::string_view text) {
  std::size_t mark = bindings_.size();
  start_tag(local, ns, {}, false, qname_);
  if (text.empty()) {
    out_.raw("/>");
  } else {
    out_.raw('>');
    out_.text(text);
    out_.raw("</");
    out_.raw(qname_);
    out_.raw('>');
  }
  bindings_.resize(mark);
}

void WcfWriter::nil(std::string_view local, int ns) {
  std::size_t mark = bindings_.size();
  start_tag(local, ns, {}, false, qname_);
  out_.raw(" i:nil=\"true\"/>");
  bindings_.resize(mark);
}

std::string_view WcfWriter::default_text(std::string_view xml_type) {
  if (xml_type == "xsd:boolean") return "false";
  if (xml_type == "xsd:dateTime") return "0001-01-01T00:00:00";
  if (xml_type == "xsd:int" || xml_type == "xsd:long" || xml_type == "xsd:double" || xml_type == "xsd:decimal" ||
      xml_type == "xsd:short")
    return "0";
  return "";
}

void WcfWriter::value(std::string_view local, int ns, int type, const Node* node, bool root) {
  if (!node || node->is_null()) {
    nil(local, ns);
    return;
  }
  if (type < 0) {
    leaf(local, ns, node->text);
    return;
  }
  open(local, ns, schema::contract_namespaces(type), root);
  if (node->kind == Node::Kind::Custom) {
    node->custom(*this);
  } else {
    for (const MemberDef* m : schema::members(type)) {
      if (m->repeated) {
        for (const auto& [name, child] : node->fields) {
          if (name == m->element) value(m->element, m->ns, m->type, &child);
        }
        continue;
      }
      const Node* child = node->get(m->element);
      if (!child && node->omit_absent) continue;
      if (!child && m->required && !m->nillable && m->type < 0) {
        // A required value type (xs:int, xs:boolean, ...) is never null on the wire: its default.
        leaf(m->element, m->ns, default_text(m->xml_type));
        continue;
      }
      value(m->element, m->ns, m->type, child);
    }
  }
  close();
}

}  // namespace kareo::testing::detail
