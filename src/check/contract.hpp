// The request checker's view of the contract: every type with its members in wire order, the namespace of each
// element, which members repeat and which the contract requires. The tables are generated from the soapcpp2 output
// (scripts/generate_contract_tables.py), so they follow the contract the wire layer is generated from.
#pragma once

#include <string_view>
#include <vector>

namespace kareo::check_detail {

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

namespace contract {

/// The URI of a namespace index.
std::string_view namespace_uri(int ns);
/// The index of a generated class by name ("_kareo__GetPatients"), or -1.
int type_index(std::string_view cname);
/// A type by index.
const TypeDef& type(int index);
/// The members of a type, base-type members first (the wire order).
const std::vector<const MemberDef*>& members(int type);

}  // namespace contract
}  // namespace kareo::check_detail
