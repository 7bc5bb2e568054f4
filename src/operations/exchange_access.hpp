// Typed access to the generated request and response behind a kareo::Exchange, for the decorators.
#pragma once

#include <string>

#include "kareo/connection.hpp"

namespace kareo::detail {

/// The customer key in the request's RequestHeader (or in the request itself, for an operation whose credentials
/// go inline); empty when the request carries none.
std::string customer_key_of(const Exchange& exchange);

/// Clears whatever an earlier attempt left in the response, so that a resent call starts from nothing.
void reset_response(Exchange& exchange);

/// A stable, non-reversible name for the account of `customer_key` ("acct-" and 16 hex digits), so that the
/// key itself never appears in file names, logs or memory dumps of the limiter.
std::string account_id(const std::string& customer_key);

}  // namespace kareo::detail
