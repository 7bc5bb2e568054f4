#include "member_order.hpp"

#include <cctype>
#include <cstdlib>
#include <memory>

#include "schema.hpp"

namespace kareo::testing::detail {
namespace {

struct Element {
  std::string name;  // local name
  std::vector<std::unique_ptr<Element>> children;
};

std::string_view local_name(std::string_view qname) {
  auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

/// A tree of element names (attributes, text and comments are skipped). Null when the text is not readable.
std::unique_ptr<Element> parse(std::string_view xml) {
  auto root = std::make_unique<Element>();
  std::vector<Element*> stack{root.get()};
  std::size_t i = 0;
  while (true) {
    i = xml.find('<', i);
    if (i == std::string_view::npos) break;
    if (xml.compare(i, 4, "<!--") == 0) {
      i = xml.find("-->", i);
      if (i == std::string_view::npos) return nullptr;
      i += 3;
      continue;
    }
    if (xml.compare(i, 9, "<![CDATA[") == 0) {
      i = xml.find("]]>", i);
      if (i == std::string_view::npos) return nullptr;
      i += 3;
      continue;
    }
    if (xml.compare(i, 2, "<?") == 0 || xml.compare(i, 2, "<!") == 0) {
      i = xml.find('>', i);
      if (i == std::string_view::npos) return nullptr;
      ++i;
      continue;
    }
    bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
    std::size_t start = i + (closing ? 2 : 1);
    std::size_t end = start;
    while (end < xml.size() && !std::isspace(static_cast<unsigned char>(xml[end])) && xml[end] != '>' &&
           xml[end] != '/')
      ++end;
    std::string_view name = local_name(xml.substr(start, end - start));
    // Find the end of the tag, minding quoted attribute values.
    char quote = 0;
    std::size_t j = end;
    for (; j < xml.size(); ++j) {
      if (quote) {
        if (xml[j] == quote) quote = 0;
      } else if (xml[j] == '"' || xml[j] == '\'') {
        quote = xml[j];
      } else if (xml[j] == '>') {
        break;
      }
    }
    if (j >= xml.size() || name.empty()) return nullptr;
    bool self_closing = xml[j - 1] == '/';
    if (closing) {
      if (stack.size() <= 1) return nullptr;
      stack.pop_back();
    } else {
      auto e = std::make_unique<Element>();
      e->name = std::string(name);
      Element* raw = e.get();
      stack.back()->children.push_back(std::move(e));
      if (!self_closing) stack.push_back(raw);
    }
    i = j + 1;
  }
  if (stack.size() != 1) return nullptr;
  return root;
}

const Element* child(const Element* e, std::string_view name) {
  if (!e) return nullptr;
  for (const auto& c : e->children) {
    if (c->name == name) return c.get();
  }
  return nullptr;
}

void walk(const Element& e, int type, MemberPath& path, std::vector<MemberPath>& out) {
  const auto& members = schema::members(type);
  std::size_t next = 0;  // the first member that may still come
  std::vector<std::pair<std::string, int>> seen;
  for (const auto& c : e.children) {
    int occurrence = 0;
    for (auto& [n, count] : seen) {
      if (n == c->name) occurrence = ++count;
    }
    if (occurrence == 0) seen.emplace_back(c->name, 0);
    // A repeated member (the items of an ArrayOf type) may come again.
    std::size_t from = next > 0 && members[next - 1]->repeated ? next - 1 : next;
    std::size_t found = members.size();
    for (std::size_t m = from; m < members.size(); ++m) {
      if (c->name == members[m]->element) {
        found = m;
        break;
      }
    }
    path.emplace_back(c->name, occurrence);
    if (found < members.size()) {
      next = found + 1;
      if (members[found]->type >= 0) walk(*c, members[found]->type, path, out);
    } else {
      for (std::size_t m = 0; m < from; ++m) {
        if (c->name == members[m]->element) {
          out.push_back(path);  // known, but after a later member: skipped
          break;
        }
      }
    }
    path.pop_back();
  }
}

}  // namespace

std::vector<MemberPath> out_of_order_members(std::string_view envelope_xml, const std::string& op) {
  std::vector<MemberPath> out;
  auto root = parse(envelope_xml);
  if (!root || root->children.empty()) return out;
  const Element* body = child(root->children.front().get(), "Body");
  if (!body || body->children.empty()) return out;
  const Element& wrapper = *body->children.front();
  if (wrapper.name != op) return out;
  int type = -1;
  try {
    type = schema::type_index("_kareo__" + op);
  } catch (const std::exception&) {
    return out;
  }
  MemberPath path;
  walk(wrapper, type, path, out);
  return out;
}

void remove_members(Node& body, const std::vector<MemberPath>& paths) {
  for (const auto& path : paths) {
    Node* cur = &body;
    for (std::size_t i = 0; cur && i < path.size(); ++i) {
      const auto& [name, occurrence] = path[i];
      int seen = 0;
      Node* next = nullptr;
      auto& fields = cur->fields;
      for (auto it = fields.begin(); it != fields.end(); ++it) {
        if (it->first != name) continue;
        if (seen++ != occurrence) continue;
        if (i + 1 == path.size()) {
          fields.erase(it);
        } else {
          next = &it->second;
        }
        break;
      }
      cur = next;
    }
  }
}

std::string request_body(std::string_view http) {
  auto head_end = http.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return {};
  std::string head(http.substr(0, head_end));
  for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (head.find("content-encoding:") != std::string::npos) return {};
  std::string_view rest = http.substr(head_end + 4);
  if (head.find("transfer-encoding: chunked") == std::string::npos) return std::string(rest);
  std::string body;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    auto eol = rest.find("\r\n", pos);
    if (eol == std::string_view::npos) return {};
    std::size_t size = std::strtoul(std::string(rest.substr(pos, eol - pos)).c_str(), nullptr, 16);
    if (size == 0) break;
    if (eol + 2 + size > rest.size()) return {};
    body.append(rest.substr(eol + 2, size));
    pos = eol + 2 + size + 2;
  }
  return body;
}

}  // namespace kareo::testing::detail
