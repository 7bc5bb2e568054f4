// Private plumbing of the facade: what the built-in transport reports to the observability layer, and the
// layers the Client composes.
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

/// What a transport saw of one attempt.
struct WireRecord {
  bool want_xml = false;  ///< Set by the caller: fill request_xml/response_xml.
  std::string endpoint;
  std::size_t bytes_sent = 0;
  std::size_t bytes_received = 0;
  std::optional<int> http_status;
  std::string request_xml;   ///< The request body as sent (only with want_xml).
  std::string response_xml;  ///< The response body as received, decompressed (only with want_xml).
};

/// A transport that can report a WireRecord of each attempt.
class RecordingConnection : public Connection {
 public:
  void call(Exchange& exchange) override {
    WireRecord record;
    call(exchange, record);
  }
  /// Like call(Exchange&), and fills `record` (also when throwing).
  virtual void call(Exchange& exchange, WireRecord& record) = 0;
};

/// The built-in transport: pooled gSOAP contexts over HTTPS.
std::shared_ptr<RecordingConnection> make_gsoap_connection(const Options& options);

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

/// Replaces the text of elements named `names` (local names, any prefix) with "***".
std::string mask_elements(std::string_view xml, std::initializer_list<std::string_view> names);

}  // namespace kareo::detail
