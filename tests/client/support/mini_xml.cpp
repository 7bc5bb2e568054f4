#include "mini_xml.hpp"

#include <cctype>

namespace kareo::test {

const XmlNode* XmlNode::child(std::string_view local_name) const {
  for (const auto& c : children) {
    if (c->local == local_name) return c.get();
  }
  return nullptr;
}

std::vector<std::string> XmlNode::child_names() const {
  std::vector<std::string> out;
  for (const auto& c : children) out.push_back(c->local);
  return out;
}

std::string XmlNode::attribute(std::string_view ns_uri, std::string_view local_name) const {
  for (const auto& [q, v] : attributes) {
    const auto colon = q.find(':');
    const std::string prefix = colon == std::string::npos ? "" : q.substr(0, colon);
    const std::string local = colon == std::string::npos ? q : q.substr(colon + 1);
    if (local != local_name || prefix.empty()) continue;
    auto it = ns_in_scope.find(prefix);
    if (it != ns_in_scope.end() && it->second == ns_uri) return v;
  }
  return {};
}

std::string xml_unescape(std::string_view t) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '&') {
      out += t[i];
      continue;
    }
    const auto semi = t.find(';', i);
    if (semi == std::string_view::npos) throw std::runtime_error("bad entity");
    const std::string_view e = t.substr(i + 1, semi - i - 1);
    if (e == "amp")
      out += '&';
    else if (e == "lt")
      out += '<';
    else if (e == "gt")
      out += '>';
    else if (e == "quot")
      out += '"';
    else if (e == "apos")
      out += '\'';
    else if (!e.empty() && e[0] == '#') {
      unsigned long cp = e.size() > 1 && (e[1] == 'x' || e[1] == 'X')
                             ? std::stoul(std::string(e.substr(2)), nullptr, 16)
                             : std::stoul(std::string(e.substr(1)));
      if (cp < 0x80) {
        out += static_cast<char>(cp);
      } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      }
    } else {
      throw std::runtime_error("unknown entity &" + std::string(e) + ";");
    }
    i = semi;
  }
  return out;
}

namespace {

struct Parser {
  std::string_view s;
  std::size_t i = 0;

  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("XML: " + what + " at offset " + std::to_string(i));
  }
  void skip_ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  void skip_misc() {
    for (;;) {
      skip_ws();
      if (s.substr(i, 2) == "<?") {
        const auto e = s.find("?>", i);
        if (e == std::string_view::npos) fail("unterminated PI");
        i = e + 2;
      } else if (s.substr(i, 4) == "<!--") {
        const auto e = s.find("-->", i);
        if (e == std::string_view::npos) fail("unterminated comment");
        i = e + 3;
      } else {
        return;
      }
    }
  }
  std::string name() {
    const std::size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '>' && s[i] != '/' &&
           s[i] != '=') {
      ++i;
    }
    if (b == i) fail("name expected");
    return std::string(s.substr(b, i - b));
  }

  std::unique_ptr<XmlNode> element(const std::map<std::string, std::string>& scope) {
    if (i >= s.size() || s[i] != '<') fail("'<' expected");
    ++i;
    auto n = std::make_unique<XmlNode>();
    n->qname = name();
    n->ns_in_scope = scope;
    for (;;) {
      skip_ws();
      if (i >= s.size()) fail("unterminated tag");
      if (s[i] == '/' || s[i] == '>') break;
      const std::string an = name();
      skip_ws();
      if (i >= s.size() || s[i] != '=') fail("'=' expected");
      ++i;
      skip_ws();
      const char q = s[i];
      if (q != '"' && q != '\'') fail("quote expected");
      const auto e = s.find(q, i + 1);
      if (e == std::string_view::npos) fail("unterminated attribute");
      const std::string value = xml_unescape(s.substr(i + 1, e - i - 1));
      i = e + 1;
      if (an == "xmlns")
        n->ns_in_scope[""] = value;
      else if (an.rfind("xmlns:", 0) == 0)
        n->ns_in_scope[an.substr(6)] = value;
      n->attributes[an] = value;
    }
    const auto colon = n->qname.find(':');
    const std::string prefix = colon == std::string::npos ? "" : n->qname.substr(0, colon);
    n->local = colon == std::string::npos ? n->qname : n->qname.substr(colon + 1);
    auto it = n->ns_in_scope.find(prefix);
    if (it != n->ns_in_scope.end())
      n->ns = it->second;
    else if (!prefix.empty())
      fail("undeclared prefix " + prefix);
    if (s[i] == '/') {
      if (s.substr(i, 2) != "/>") fail("'/>' expected");
      i += 2;
      return n;
    }
    ++i;  // '>'
    for (;;) {
      const auto lt = s.find('<', i);
      if (lt == std::string_view::npos) fail("unterminated element " + n->qname);
      n->text += xml_unescape(s.substr(i, lt - i));
      i = lt;
      if (s.substr(i, 2) == "</") {
        i += 2;
        const std::string end = name();
        if (end != n->qname) fail("end tag " + end + " does not match " + n->qname);
        skip_ws();
        if (s[i] != '>') fail("'>' expected");
        ++i;
        return n;
      }
      if (s.substr(i, 4) == "<!--") {
        const auto e = s.find("-->", i);
        if (e == std::string_view::npos) fail("unterminated comment");
        i = e + 3;
        continue;
      }
      if (s.substr(i, 9) == "<![CDATA[") {
        const auto e = s.find("]]>", i);
        if (e == std::string_view::npos) fail("unterminated CDATA");
        n->text += std::string(s.substr(i + 9, e - i - 9));
        i = e + 3;
        continue;
      }
      n->children.push_back(element(n->ns_in_scope));
    }
  }
};

}  // namespace

std::unique_ptr<XmlNode> parse_xml(std::string_view text) {
  Parser p{text};
  p.skip_misc();
  auto root = p.element({});
  p.skip_misc();
  if (p.i != text.size()) p.fail("content after the document element");
  return root;
}

}  // namespace kareo::test
