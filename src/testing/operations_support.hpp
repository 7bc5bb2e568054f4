// What the fake server's operations share (operations_support.cpp), and the handler of every operation of the
// operation table, each defined in the operations_<concern>.cpp of its concern.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kareo_optable.hpp"
#include "schema.hpp"
#include "service.hpp"
#include "wcf_writer.hpp"

namespace kareo::testing::detail::ops {

/// The longest external ID the service keeps; longer ones are cut.
constexpr std::size_t kExternalIdLength = 25;

/// Rows of the store, shared with the reply that streams them.
using Rows = std::vector<std::shared_ptr<const Row>>;

// ---- request values -------------------------------------------------------------------------------------

/// `s` without leading and trailing white space.
std::string trimmed(std::string_view s);
/// Case-insensitive equality (ASCII).
bool iequals(std::string_view a, std::string_view b);
/// The integer `s` holds, if it holds one (surrounding white space allowed).
std::optional<std::int64_t> to_int(const std::optional<std::string>& s);
/// The number `s` holds, if it holds one (surrounding white space allowed).
std::optional<double> to_double(const std::optional<std::string>& s);
/// The text of `member` of `n`, or `fallback`.
std::string text_or(const Node* n, std::string_view member, std::string fallback = {});
/// `id` cut to kExternalIdLength characters, as the service stores it.
std::string truncate_external_id(std::string id);
/// The text members of a request's Filter.
Filter to_filter(const Node& n);
/// The practice a request's Practice element names (by ID or by name), if it exists.
std::optional<std::int64_t> resolve_practice(const Store::Impl& data, const Node* practice);
/// A .NET date-time text as ISO 8601 (empty when absent or not a date).
std::string iso(const std::optional<std::string>& net);

// ---- replies --------------------------------------------------------------------------------------------

/// A successful reply: no error, the caller's security response.
Reply result(const CallContext& ctx);
/// The service's ErrorResponse with IsError=true and `message`.
Reply failure(const CallContext& ctx, const std::string& message);
/// The SecurityResponse refusing a practice the user may not see.
Reply practice_denied(const CallContext& ctx, std::int64_t practice);
/// An array of int elements.
Node int_list(const std::vector<std::int64_t>& ids);

// ---- rows -----------------------------------------------------------------------------------------------

/// The columns a Fields element asks for (empty: all of them; the ID always).
std::vector<bool> fields_mask(const EntityDef& def, std::size_t row_type, const Node* fields);
/// The rows as the array of a list result, streamed when written.
Node rows_node(const ServerCore& core, Entity e, std::size_t rt, Rows rows, std::vector<bool> mask, bool placeholder);
/// One row as a result member, streamed when written.
Node row_node(const ServerCore& core, Entity e, std::size_t rt, std::shared_ptr<const Row> row);
/// What the caller may see.
Visibility visibility(const CallContext& ctx);
/// The first of `practices` the caller may not see.
std::optional<std::int64_t> denied_target(const CallContext& ctx, const std::vector<std::int64_t>& practices);
/// The generic reply of a list operation: the rows of `e` that the request's Filter selects, as `member`.
Reply list(CallContext& ctx, const Node& req, Entity e, const char* member, bool placeholder = true);

// ---- the handlers ---------------------------------------------------------------------------------------

// One per row of the operation table, named like its method column (get_patients, create_patient, ...).
#define KAREO_FAKE_DECLARE_HANDLER_(Name, method) Reply method(CallContext& ctx, const Node& request);
KAREO_EVERY_OPERATION(KAREO_FAKE_DECLARE_HANDLER_)
#undef KAREO_FAKE_DECLARE_HANDLER_

}  // namespace kareo::testing::detail::ops
