// Part of the built-in transport: the bytes of one attempt as the transport captures them, and reading them
// back as HTTP messages (status, headers, body de-chunked and decompressed).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace kareo::detail {

/// How much of each message is kept for support captures and traces.
inline constexpr std::size_t kCaptureLimit = 16 * 1024 * 1024;

/// Appends `n` captured bytes to `to`, up to kCaptureLimit in all (or all of them when `whole`).
void append_captured(std::string& to, const char* data, std::size_t n, bool whole = false);

/// One HTTP message read back from captured bytes.
struct HttpMessage {
  std::optional<int> status;
  std::string headers;  ///< The lower-cased header block, each line after a '\n'.
  std::string body;     ///< De-chunked and decompressed.
};

/// Splits the raw bytes of one HTTP message. Interim 1xx responses are skipped.
HttpMessage parse_http(const std::string& raw);

/// The value of header `name` (lower case) in a header block of HttpMessage::headers; empty when absent.
std::string header_value(const std::string& lowered_headers, const std::string& name);

/// The body of a captured request: what follows its headers.
std::string request_body(const std::string& raw);

/// `s` in lower case (ASCII).
std::string ascii_lower(std::string s);

}  // namespace kareo::detail
