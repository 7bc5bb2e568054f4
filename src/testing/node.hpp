// A generic tree of XML element values: what the fake server reads requests into (by element name) and
// what it builds small responses from. Rows of large results are written straight from the store instead.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kareo::testing::detail {

class WcfWriter;

struct Node {
  enum class Kind { Null, Text, Object, Custom };

  Kind kind = Kind::Null;
  std::string text;
  /// Children in document order; a repeated element appears once per occurrence.
  std::vector<std::pair<std::string, Node>> fields;
  /// Kind::Object: absent members are left out instead of written as i:nil (WCF's EmitDefaultValue=false).
  bool omit_absent = false;
  /// Kind::Custom: writes the element's content itself (used to stream rows).
  std::function<void(WcfWriter&)> custom;

  Node() = default;
  explicit Node(std::string value) : kind(Kind::Text), text(std::move(value)) {}

  static Node object() {
    Node n;
    n.kind = Kind::Object;
    return n;
  }
  static Node streamed(std::function<void(WcfWriter&)> writer) {
    Node n;
    n.kind = Kind::Custom;
    n.custom = std::move(writer);
    return n;
  }

  bool is_null() const { return kind == Kind::Null; }
  void make_object() { kind = Kind::Object; }
  void set_text(const char* value) {
    if (value) {
      kind = Kind::Text;
      text = value;
    }
  }
  void set_text(std::string value) {
    kind = Kind::Text;
    text = std::move(value);
  }

  /// Appends a child element (object kind assumed) and returns it.
  Node& add(std::string name) {
    kind = Kind::Object;
    fields.emplace_back(std::move(name), Node{});
    return fields.back().second;
  }
  Node& add(std::string name, std::string value) {
    Node& n = add(std::move(name));
    n.set_text(std::move(value));
    return n;
  }
  Node& add(std::string name, Node value) {
    kind = Kind::Object;
    fields.emplace_back(std::move(name), std::move(value));
    return fields.back().second;
  }

  /// The first child with this element name, or nullptr.
  const Node* get(std::string_view name) const {
    for (const auto& [n, v] : fields) {
      if (n == name) return &v;
    }
    return nullptr;
  }
  /// Every child with this element name.
  std::vector<const Node*> all(std::string_view name) const {
    std::vector<const Node*> out;
    for (const auto& [n, v] : fields) {
      if (n == name) out.push_back(&v);
    }
    return out;
  }
  /// The text of a leaf child, if present (an empty element gives "").
  std::optional<std::string> str(std::string_view name) const {
    const Node* n = get(name);
    if (!n || n->kind != Kind::Text) return std::nullopt;
    return n->text;
  }
  /// Follows a path of element names, e.g. path({"Filter", "PracticeName"}).
  const Node* path(std::initializer_list<std::string_view> names) const {
    const Node* cur = this;
    for (auto name : names) {
      if (!cur) return nullptr;
      cur = cur->get(name);
    }
    return cur;
  }
};

}  // namespace kareo::testing::detail
