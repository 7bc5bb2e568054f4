// WCF's DataContractSerializer reads the members of a type in contract order and silently skips a known member
// that arrives after a later one (a misplaced Password gives Authenticated=false; a misplaced filter member is no
// filter). gSOAP accepts members in any order, so the fake server looks at the raw request to find the members
// WCF would have skipped and removes them from what the operation sees.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node.hpp"

namespace kareo::testing::detail {

/// A member in a request: element names from the operation's body element down, each with its occurrence
/// among same-named siblings.
using MemberPath = std::vector<std::pair<std::string, int>>;

/// The members of the request body (the XML of a SOAP envelope) WCF would skip as out of order, for operation
/// `op`. Empty when everything is in order or the text cannot be read.
std::vector<MemberPath> out_of_order_members(std::string_view envelope_xml, const std::string& op);

/// Removes the members at `paths` from a request converted to a Node (its root is the body element).
void remove_members(Node& body, const std::vector<MemberPath>& paths);

/// The XML body of a captured HTTP request (headers skipped, chunked transfer undone); empty when it cannot be
/// found or is compressed.
std::string request_body(std::string_view http_request);

}  // namespace kareo::testing::detail
