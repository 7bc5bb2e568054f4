// Part of the built-in transport: the checks of a response's text that gSOAP does not make (it passes over
// what no WCF response contains, and reads broken text as if it were sound).
#pragma once

#include <string>

namespace kareo::detail {

/// What gSOAP passes over silently but no WCF response contains: a document type declaration (SOAP forbids
/// them; gSOAP skips them without expanding entities) and nesting deeper than gSOAP's own limit for the
/// elements it knows (it skips unknown subtrees at any depth). Empty when the body is acceptable.
std::string hostile_markup(const std::string& body);

/// What is wrong with the text of a response the generated deserializer read; empty when nothing is. gSOAP reads
/// bytes that are not UTF-8 as Latin-1 and ends a value at a NUL byte (or at a reference to one), so corrupted
/// text came back as a success; the streaming reader (libxml2) refuses the same bytes. A document that declares
/// ISO-8859-1 is read as Latin-1 by both.
std::string invalid_text(const std::string& body);

}  // namespace kareo::detail
