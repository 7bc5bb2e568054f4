/// @file
/// @brief What a Client reports about each attempt of each call, and the redaction of wire traces.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kareo/errors.hpp"
#include "kareo/operations.hpp"

namespace kareo {

/// How much of the XML exchanged the event sink receives (Options::wire_trace).
enum class WireTrace {
  Off,              ///< No XML in the events (the default).
  Redacted,         ///< XML with every text masked as "***" except allow-listed elements (IDs, dates, flags,
                    ///< error texts, SOAP structure); credentials always masked.
  WithPatientData,  ///< XML with all texts, including patient data; credentials still masked.
};

/// One attempt of one call, as reported to the sink set with Options::event_sink.
struct CallEvent {
  Operation operation{};                           ///< The operation called.
  int attempt = 1;                                 ///< 1 for the first attempt, more when the call is retried.
  std::string endpoint;                            ///< The URL called (empty for a user-supplied transport).
  std::chrono::steady_clock::duration duration{};  ///< How long the attempt took.
  std::size_t bytes_sent = 0;                      ///< Bytes written to the network (HTTP headers included).
  std::size_t bytes_received = 0;                  ///< Bytes read from the network (as transferred, e.g. gzipped).
  bool ok = true;                                  ///< True when the attempt succeeded.
  std::optional<ErrorKind> error;                  ///< The class of failure when `ok` is false.
  std::string message;                             ///< The failure's message (what()) when `ok` is false.
  std::optional<int> http_status;                  ///< The HTTP status, when a response arrived.
  std::string request_xml;   ///< The request, redacted per Options::wire_trace; empty when tracing is off.
  std::string response_xml;  ///< The response, redacted per Options::wire_trace; empty when tracing is off.
};

/// Receives one CallEvent per attempt. Called on the thread that made the call; must not throw (exceptions
/// from a sink are swallowed so that they cannot change the outcome of the call).
using EventSink = std::function<void(const CallEvent&)>;

/// Replaces the text of `<CustomerKey>`, `<Password>` and `<User>` elements (with any namespace prefix) by
/// "***". Everything else is kept. Used for support captures and error messages.
std::string mask_credentials(std::string_view xml);

/// Redacts an XML document for a trace. With `include_patient_data` false, the text of an element is kept only
/// when the element is on the allow-list (IDs and keys other than CustomerKey, dates other than birth and death
/// dates, flags, counts, error and fault texts, practice and vendor names, version and SOAP structure) or is a
/// boolean; all other text becomes "***". Credentials are masked in both modes. Markup and attributes are kept.
std::string redact_xml(std::string_view xml, bool include_patient_data = false);

/// True when the text of an element with this local name may appear in a redacted trace.
bool trace_allows(std::string_view element_local_name) noexcept;

}  // namespace kareo
