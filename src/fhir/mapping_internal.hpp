// What the FHIR mapping's parts share (private to Kareo::fhir).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kareo::fhir {

/// The text without surrounding white space; empty when absent or blank.
std::optional<std::string> trimmed(const std::optional<std::string>& text);
/// Whether `id` is a valid FHIR resource id: 1 to 64 of A-Z, a-z, 0-9, '-' and '.'.
bool valid_id(std::string_view id);

}  // namespace kareo::fhir
