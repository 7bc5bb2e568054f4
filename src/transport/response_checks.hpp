// Part of the built-in transport: the checks of a response: the service's own reports in it, and the checks of
// its text that gSOAP does not make (it passes over what no WCF response contains, and reads broken text as if it
// were sound).
#pragma once

#include <string>

#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "stdsoap2.h"
#include "values/secrets.hpp"

namespace kareo::detail {

/// Throws what the service reported in a successful response of `op` (SecurityResponse refusals, ErrorResponse
/// with IsError): the fault mapping's verdict on the facts of the result. `scrub` keeps the call's secrets out of
/// the messages.
void check_response(Operation op, const void* response, const Error::Details& details, const Scrub& scrub);
/// check_response on the exchange's response.
void check_response(const Exchange& exchange, const Error::Details& details, const Scrub& scrub);

/// Why a response the generated deserializer read is refused for its markup or its text; empty when it is not.
/// gSOAP passes over what no WCF response contains: a document type declaration (SOAP forbids them; gSOAP skips
/// them without expanding entities) and nesting deeper than its own limit for the elements it knows (it skips
/// unknown subtrees at any depth). It also reads bytes that are not UTF-8 as Latin-1 and ends a value at a NUL
/// byte (or at a reference to one), so corrupted text would come back as a success; the streaming reader
/// (libxml2) refuses the same bytes. A document that declares ISO-8859-1 is read as Latin-1 by both. Elements
/// are counted in the markup only, not in CDATA sections or comments.
std::string refused_markup(const std::string& body, unsigned max_depth = SOAP_MAXLEVEL);

}  // namespace kareo::detail
