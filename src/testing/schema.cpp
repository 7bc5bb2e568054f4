#include "schema.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

namespace kareo::testing::detail {
namespace {

#include "fake_schema_gen.inc"

const kareo::detail::contract::Index& index() {
  static const kareo::detail::contract::Index idx(kTypeDefs, kTypeCount, kMemberDefs);
  return idx;
}

int ns_by_uri(std::string_view uri) {
  for (int i = 0; i < kNamespaceCount; ++i) {
    if (uri == kNamespaceUris[i]) return i;
  }
  throw std::logic_error("the contract lacks the namespace " + std::string(uri));
}

}  // namespace

namespace schema {

int namespace_count() { return kNamespaceCount; }
std::string_view namespace_uri(int ns) { return kNamespaceUris[ns]; }
int namespace_index(std::string_view prefix) {
  for (int i = 0; i < kNamespaceCount; ++i) {
    if (prefix == kNamespacePrefixes[i]) return i;
  }
  return -1;
}
int kareo_ns() {
  static const int ns = ns_by_uri("http://www.kareo.com/api/schemas/");
  return ns;
}
int kareons_ns() {
  static const int ns = ns_by_uri("http://www.kareo.com/api/schemas");
  return ns;
}
int arrays_ns() {
  static const int ns = ns_by_uri("http://schemas.microsoft.com/2003/10/Serialization/Arrays");
  return ns;
}

int type_count() { return kTypeCount; }
const TypeDef& type(int i) { return kTypeDefs[i]; }

int type_index(std::string_view cname) {
  const int i = index().find(cname);
  if (i < 0) throw std::out_of_range("no generated type " + std::string(cname));
  return i;
}

const std::vector<const MemberDef*>& members(int t) { return index().members(t); }

int member_index(int t, std::string_view element) {
  const auto& m = members(t);
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (element == m[i]->element) return static_cast<int>(i);
  }
  return -1;
}

std::vector<int> contract_namespaces(int t) {
  // Base contracts first, as WCF lists them.
  std::vector<int> chain;
  for (; t >= 0; t = kTypeDefs[t].base) chain.push_back(kTypeDefs[t].ns);
  std::vector<int> out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
  }
  return out;
}

}  // namespace schema
}  // namespace kareo::testing::detail
