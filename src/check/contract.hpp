// The request checker's view of the contract: every type with its members in wire order, the namespace of each
// element, which members repeat and which the contract requires. The tables are generated from the soapcpp2 output
// (scripts/generate_contract_tables.py), so they follow the contract the wire layer is generated from.
#pragma once

#include <string_view>
#include <vector>

#include "operations/contract_index.hpp"

namespace kareo::check_detail {

using MemberDef = detail::contract::MemberDef;
using TypeDef = detail::contract::TypeDef;

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
