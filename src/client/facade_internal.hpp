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

namespace kareo::detail {

/// The built-in transport: pooled gSOAP contexts over HTTPS.
std::shared_ptr<Connection> make_gsoap_connection(const Options& options);

/// Wraps `inner` so that each attempt is reported to `sink`, with the wire trace redacted per `mode`.
std::shared_ptr<Connection> make_observed_connection(std::shared_ptr<Connection> inner, EventSink sink, WireTrace mode);
/// Calls `sink` with `event`, whose XML was redacted for `mode`. Defined in client.cpp, apart from its caller in
/// observability.cpp: the test suite's secrets scan wraps it at link time (GNU ld --wrap) to see every event.
void deliver_event(const EventSink& sink, const CallEvent& event, WireTrace mode);

/// Removes secrets from text the server sent back (it may echo a user name).
using Scrub = std::function<std::string(std::string)>;

/// The credentials of a call, to be replaced by "***" wherever they turn up.
class Secrets {
 public:
  /// Adds a secret (values shorter than 3 characters are ignored: masking them would garble any text).
  void add(const std::optional<std::string>& value);
  /// `text` with every secret (raw or XML-escaped) replaced by "***".
  std::string scrub(std::string text) const;
  /// scrub() as a function object.
  Scrub scrubber() const {
    return [self = *this](std::string text) { return self.scrub(std::move(text)); };
  }

 private:
  std::vector<std::string> values_;
};

/// wire::check_response, with every server text passed through `scrub`.
void check_response(Operation op, const void* response, const Error::Details& details, const Scrub& scrub);
/// check_response on the exchange's response.
void check_response(const Exchange& exchange, const Error::Details& details, const Scrub& scrub);

/// Replaces the text of elements named `names` (local names, any prefix) with "***".
std::string mask_elements(std::string_view xml, std::initializer_list<std::string_view> names);

}  // namespace kareo::detail
