// The contract as the fake server writes it: types, members in wire order, element namespaces.
// The tables come from the soapcpp2 output (see gen_schema.py).
#pragma once

#include <string_view>
#include <vector>

#include "operations/contract_index.hpp"

namespace kareo::testing::detail {

using MemberDef = kareo::detail::contract::MemberDef;
using TypeDef = kareo::detail::contract::TypeDef;

namespace schema {

int namespace_count();
std::string_view namespace_uri(int ns);
/// The index of a namespace prefix of the generated code ("kareo", "kareons", "arr", ...), or -1.
int namespace_index(std::string_view prefix);
int kareo_ns();    ///< http://www.kareo.com/api/schemas/
int kareons_ns();  ///< http://www.kareo.com/api/schemas
int arrays_ns();   ///< http://schemas.microsoft.com/2003/10/Serialization/Arrays

int type_count();
const TypeDef& type(int index);
/// The index of a generated class by name ("kareo__PatientData"); throws std::out_of_range when unknown.
int type_index(std::string_view cname);
/// The members of a type, base-type members first (the wire order).
const std::vector<const MemberDef*>& members(int type);
/// The position of a member in members(type), or -1.
int member_index(int type, std::string_view element);
/// The namespaces of a type and its bases (what WCF declares where a value of the type starts).
std::vector<int> contract_namespaces(int type);

}  // namespace schema
}  // namespace kareo::testing::detail
