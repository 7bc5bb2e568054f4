#include "check/contract.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace kareo::check_detail {
namespace {

#include "check_contract_tables.inc"

struct Index {
  std::map<std::string, int, std::less<>> by_name;
  std::vector<std::vector<const MemberDef*>> members;

  Index() {
    members.resize(kTypeCount);
    for (int i = 0; i < kTypeCount; ++i) by_name.emplace(kTypeDefs[i].cname, i);
    for (int i = 0; i < kTypeCount; ++i) {
      std::vector<int> chain;
      for (int t = i; t >= 0; t = kTypeDefs[t].base) chain.push_back(t);
      std::reverse(chain.begin(), chain.end());
      for (int t : chain) {
        for (int m = 0; m < kTypeDefs[t].member_count; ++m) {
          members[i].push_back(&kMemberDefs[kTypeDefs[t].first_member + m]);
        }
      }
    }
  }
};

const Index& index() {
  static const Index idx;
  return idx;
}

}  // namespace

namespace contract {

std::string_view namespace_uri(int ns) { return ns >= 0 && ns < kNamespaceCount ? kNamespaceUris[ns] : ""; }

int type_index(std::string_view cname) {
  const auto& idx = index();
  auto it = idx.by_name.find(cname);
  return it == idx.by_name.end() ? -1 : it->second;
}

const TypeDef& type(int i) { return kTypeDefs[i]; }

const std::vector<const MemberDef*>& members(int t) { return index().members.at(static_cast<std::size_t>(t)); }

}  // namespace contract
}  // namespace kareo::check_detail
