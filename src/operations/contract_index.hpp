// The contract's types and members as the tables generated from the soapcpp2 output list them (the request
// checker's, scripts/generate_contract_tables.py, and the fake server's, src/testing/gen_schema.py), and the index
// both look them up with: a type by its generated class name, and its members in wire order (base-type members
// first). Header-only: the fake server's library uses it too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kareo::detail::contract {

struct MemberDef {
  const char* element;   ///< local element name
  int ns;                ///< namespace index of the element (that of the declaring type)
  int type;              ///< type index of a complex member, -1 for a leaf
  const char* xml_type;  ///< "xsd:string", "kareo:PatientData", ...
  bool repeated;         ///< an item element of an ArrayOf type
  bool required;         ///< the contract requires it (WCF's IsRequired: absent, the service faults)
  bool nillable;
};

struct TypeDef {
  const char* cname;     ///< generated class name, e.g. "kareo__PatientData"
  const char* xml_name;  ///< e.g. "PatientData"
  int ns;                ///< namespace index of the type
  int base;              ///< type index of the base type, -1 when none
  int first_member;
  int member_count;
  bool wrapper;  ///< an operation's body element (e.g. _kareo__GetPatients)
};

/// The types of one generated table by name, and each type's members in wire order.
class Index {
 public:
  Index(const TypeDef* types, int type_count, const MemberDef* members) {
    members_.resize(static_cast<std::size_t>(type_count));
    for (int i = 0; i < type_count; ++i) by_name_.emplace(types[i].cname, i);
    for (int i = 0; i < type_count; ++i) {
      std::vector<int> chain;
      for (int t = i; t >= 0; t = types[t].base) chain.push_back(t);
      std::reverse(chain.begin(), chain.end());
      for (int t : chain) {
        for (int m = 0; m < types[t].member_count; ++m) {
          members_[static_cast<std::size_t>(i)].push_back(&members[types[t].first_member + m]);
        }
      }
    }
  }

  /// The index of the generated class `cname`, or -1.
  int find(std::string_view cname) const {
    auto it = by_name_.find(cname);
    return it == by_name_.end() ? -1 : it->second;
  }

  /// The members of type `type`, base-type members first (the wire order). Throws std::out_of_range.
  const std::vector<const MemberDef*>& members(int type) const { return members_.at(static_cast<std::size_t>(type)); }

 private:
  std::map<std::string, int, std::less<>> by_name_;
  std::vector<std::vector<const MemberDef*>> members_;
};

}  // namespace kareo::detail::contract
