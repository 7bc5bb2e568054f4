// Writing HTTP responses on a gSOAP connection byte by byte: the fake server writes its own status line,
// headers and body (Content-Length for small bodies, chunked transfer for large ones).
#pragma once

#include <cstddef>
#include <string>

#include "wcf_writer.hpp"

struct soap;

namespace kareo::testing::detail {

/// Sends bytes on the connection (TLS included). False when the peer is gone.
bool send_raw(struct soap* soap, const char* data, std::size_t size);
/// Closes the connection now; `reset` sends a TCP RST instead of an orderly close.
void drop_connection(struct soap* soap, bool reset);

class HttpOut : public Sink {
 public:
  /// `keep_alive`: the connection stays open after this response (else "Connection: close").
  HttpOut(struct soap* soap, int status, std::string reason, std::string content_type, bool keep_alive);
  /// Body bytes; buffered until `limit`, then sent chunked.
  void write(const char* data, std::size_t size) override;
  /// Sends what is left. False when sending failed.
  bool finish();
  bool failed() const { return failed_; }
  std::size_t body_size() const { return body_size_; }

  /// A complete response with this body and a Content-Length of `body.size()`.
  static bool send_whole(struct soap* soap, int status, const std::string& reason, const std::string& content_type,
                         const std::string& body, bool keep_alive);
  /// The status line and headers of a response with a known length.
  static std::string head(int status, const std::string& reason, const std::string& content_type,
                          std::size_t content_length, bool keep_alive);

 private:
  void start_chunked();
  void send_chunk(const char* data, std::size_t size);

  struct soap* soap_;
  int status_;
  std::string reason_, content_type_;
  bool keep_alive_;
  std::string buffer_;
  bool chunked_ = false;
  bool failed_ = false;
  std::size_t body_size_ = 0;
  static constexpr std::size_t kLimit = 1024 * 1024;
};

}  // namespace kareo::testing::detail
