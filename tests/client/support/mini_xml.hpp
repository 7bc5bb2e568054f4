// A small namespace-aware XML reader for checking captured requests structurally in tests.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kareo::test {

struct XmlNode {
  std::string qname;                              // as written, e.g. "kareo:GetPatients"
  std::string local;                              // "GetPatients"
  std::string ns;                                 // resolved namespace URI ("" when none)
  std::map<std::string, std::string> attributes;  // by qualified name, as written
  std::string text;                               // concatenated text directly inside
  std::vector<std::unique_ptr<XmlNode>> children;

  // The first child with this local name, or null.
  const XmlNode* child(std::string_view local_name) const;
  // Local names of the children, in order.
  std::vector<std::string> child_names() const;
  // Whether an attribute with this local name and namespace is present ("nil" in the XSI namespace, say).
  std::string attribute(std::string_view ns_uri, std::string_view local_name) const;
  // Resolved namespace of attribute values, for xsi:type checks.
  std::map<std::string, std::string> ns_in_scope;
};

// Parses a document; throws std::runtime_error on malformed input.
std::unique_ptr<XmlNode> parse_xml(std::string_view text);

// Decodes the five predefined entities and numeric character references.
std::string xml_unescape(std::string_view text);

}  // namespace kareo::test
