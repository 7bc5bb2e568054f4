// A loopback server for hostile-response tests: every connection's request is read, then a script decides,
// byte by byte, what the client gets back (drip-fed bytes, a reset, an endless body, a redirect...). Plain TCP
// or TLS with any certificate and protocol version, so that refused handshakes can be shown too.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kareo::reliability {

/// One request as the server read it.
struct RawRequest {
  std::string head;  ///< Request line and headers.
  std::string body;  ///< The body (Content-Length bytes).
};

/// The server side of one connection, handed to the script.
class RawConnection {
 public:
  virtual ~RawConnection() = default;
  /// Sends bytes; false once the peer has gone (or the server is stopping).
  virtual bool send(const std::string& bytes) = 0;
  /// Waits, returning early (false) when the server stops.
  virtual bool pause(std::chrono::milliseconds how_long) = 0;
  /// Closes with a TCP reset (RST) instead of an orderly close.
  virtual void reset() = 0;
  /// The request that was read.
  virtual const RawRequest& request() const = 0;
};

/// What to do with a connection once its request is in.
using RawScript = std::function<void(RawConnection&)>;

/// TLS settings: PEM files and the protocol range offered (0: OpenSSL's default). `legacy` lowers OpenSSL's
/// security level to 0 so that TLS 1.0 and 1.1 can really be spoken.
struct RawTls {
  std::string cert_file;
  std::string key_file;
  int min_version = 0;
  int max_version = 0;
  bool legacy = false;
};

class RawServer {
 public:
  /// Listens on `host` (a loopback address) on a free port.
  explicit RawServer(RawScript script, std::string host = "127.0.0.1");
  /// The same over TLS.
  RawServer(RawScript script, RawTls tls, std::string host = "127.0.0.1");
  ~RawServer();
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  int port() const { return port_; }
  const std::string& host() const { return host_; }
  /// scheme://host:port/services/soap/2.1/KareoServices.svc; `host` overrides the name used in the URL.
  std::string url(const std::string& host = {}) const;
  /// Connections accepted so far.
  int connections() const { return connections_.load(); }
  /// Requests read so far (after a completed handshake).
  std::vector<RawRequest> requests() const;
  /// TLS handshakes that did not complete.
  int failed_handshakes() const { return failed_handshakes_.load(); }
  /// Bytes the scripts managed to send.
  std::size_t bytes_sent() const { return bytes_sent_.load(); }
  /// Stops accepting, ends every script (pause() returns false, send() fails) and joins the threads.
  void stop();

 private:
  void start();
  void serve(int fd);

  RawScript script_;
  RawTls tls_;
  std::string host_;
  void* ssl_ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> failed_handshakes_{0};
  std::atomic<std::size_t> bytes_sent_{0};
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  std::vector<RawRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

/// An IPv4 address of this machine that is not a loopback address (for tests that must show that nothing
/// reaches another host); empty when the machine has none.
std::string non_loopback_address();

/// "HTTP/1.1 <status> <reason>" + headers + Content-Length + body, as one string.
std::string http_response(int status, const std::string& reason, const std::string& content_type,
                          const std::string& body, const std::string& extra_headers = {});

/// A WCF-style SOAP 1.1 envelope around `body_xml`.
std::string soap_envelope(const std::string& body_xml);

/// A successful, empty `<Op>Response` as WCF writes it (authenticated, no error).
std::string empty_result(const std::string& op, const std::string& payload = {});

}  // namespace kareo::reliability
