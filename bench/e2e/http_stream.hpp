// A minimal HTTP/1.1 client for the floor measurement: one kept-alive connection (plain or TLS), POSTs a
// body and streams the response body to a callback as it arrives, de-chunking when needed. No objects,
// no copies beyond one receive buffer.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace kareo_bench {

/// One connection to one server; reconnects only when the server closes it.
class HttpStream {
 public:
  /// `url` is http://host:port/path or https://host:port/path; `ca_file` verifies https servers.
  HttpStream(const std::string& url, const std::string& ca_file);
  ~HttpStream();
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  /// Sends a SOAP 1.1 POST and calls `on_body` with each piece of the response body as it arrives.
  /// Returns the HTTP status. Throws std::runtime_error on a network or protocol failure.
  int post(const std::string& soap_action, const std::string& body,
           const std::function<void(const char*, std::size_t)>& on_body);

  /// Pull interface: sends the request and reads the status line and headers; then read_body() until it
  /// returns 0. Returns the HTTP status.
  int begin_post(const std::string& soap_action, const std::string& body);
  /// Up to `n` more bytes of the body begun by begin_post(); 0 at its end.
  std::size_t read_body(char* data, std::size_t n);

  /// How many TCP connections (and TLS handshakes) this stream has made.
  int connects() const noexcept { return connects_; }

 private:
  struct Tls;
  void connect();
  void close();
  void send_all(const char* data, std::size_t n);
  std::size_t receive(char* data, std::size_t n);  // 0 at end of stream
  bool fill();                                     // more bytes into buf_; false at end of stream
  std::string read_line();

  std::string host_, port_, path_;
  bool tls_ = false;
  std::string ca_file_;
  int fd_ = -1;
  int connects_ = 0;
  std::unique_ptr<Tls> ssl_;
  std::unique_ptr<char[]> buf_;
  std::size_t begin_ = 0, end_ = 0;
  // The body being read: chunked, or `left` bytes (-1: until the connection closes).
  bool chunked_ = false, keep_ = true, done_ = true;
  long long left_ = 0;
};

}  // namespace kareo_bench
