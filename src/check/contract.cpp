#include "check/contract.hpp"

#include <string>

namespace kareo::check_detail {
namespace {

#include "check_contract_tables.inc"

const detail::contract::Index& index() {
  static const detail::contract::Index idx(kTypeDefs, kTypeCount, kMemberDefs);
  return idx;
}

}  // namespace

namespace contract {

std::string_view namespace_uri(int ns) { return ns >= 0 && ns < kNamespaceCount ? kNamespaceUris[ns] : ""; }

int type_index(std::string_view cname) { return index().find(cname); }

const TypeDef& type(int i) { return kTypeDefs[i]; }

const std::vector<const MemberDef*>& members(int t) { return index().members(t); }

}  // namespace contract
}  // namespace kareo::check_detail
