// Private plumbing of the facade: the layers the Client composes, and the secrets kept out of messages.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/observability.hpp"
#include "kareo/options.hpp"
#include "transport/response_checks.hpp"
#include "values/secrets.hpp"

namespace kareo::detail {

/// The built-in transport: pooled gSOAP contexts over HTTPS.
std::shared_ptr<Connection> make_gsoap_connection(const Options& options);

/// Wraps `inner` so that each attempt is reported to `sink`, with the wire trace redacted per `mode`.
std::shared_ptr<Connection> make_observed_connection(std::shared_ptr<Connection> inner, EventSink sink, WireTrace mode);
/// Calls `sink` with `event`, whose XML was redacted for `mode`. Defined in client.cpp, apart from its caller in
/// observability.cpp: the test suite's secrets scan wraps it at link time (GNU ld --wrap) to see every event.
void deliver_event(const EventSink& sink, const CallEvent& event, WireTrace mode);

/// Replaces the text of elements named `names` (local names, any prefix) with "***".
std::string mask_elements(std::string_view xml, std::initializer_list<std::string_view> names);

}  // namespace kareo::detail
