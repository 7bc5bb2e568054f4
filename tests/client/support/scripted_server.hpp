// A tiny scripted HTTP(S) server on loopback for tests: each request is answered by a handler that returns
// canned bytes, or misbehaves on purpose (drops the connection, stalls, truncates).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kareo::test {

struct HttpRequest {
  std::string method;
  std::string target;
  std::string head;  // request line and headers, as received
  std::string body;
  int connection = 0;  // which accepted connection carried it (1, 2, ...)
  // The value of a header (case-insensitive name), or "".
  std::string header(const std::string& name) const;
};

struct HttpReply {
  enum class Action {
    Respond,    // send the reply
    Drop,       // close the connection without answering
    Stall,      // send nothing until the server stops (or `stall` elapses), then close
    StallBody,  // send the headers and half of the body, then stall
    Truncate,   // send the headers and half of the body, then close
  };
  Action action = Action::Respond;
  int status = 200;
  std::string reason = "OK";
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "text/xml; charset=utf-8"}};
  std::string body;
  bool gzip = false;     // compress the body (Content-Encoding: gzip)
  bool chunked = false;  // Transfer-Encoding: chunked
  bool close = false;    // Connection: close after this reply
  bool hangup = false;   // close the connection after this reply without announcing it
  std::chrono::milliseconds stall{5000};
  // Over TLS: the reply in records of at most this many bytes, all sent at once (0: as few as OpenSSL makes).
  std::size_t record_size = 0;
  // Over TLS: the reply's encrypted bytes in two sends, cut `cut` bytes in (inside its first record), with
  // `pause` between them; no second send when `pause` is at least `stall` (the rest never comes).
  std::size_t cut = 0;
  std::chrono::milliseconds pause{0};
  // Bytes sent after the reply, unasked for, in the same send (over TLS, in a record of their own).
  std::string trailing;
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

// TLS settings of the server; an empty cert_file means plain HTTP.
struct TlsSettings {
  std::string cert_file;  // PEM chain: server certificate (then intermediates)
  std::string key_file;   // PEM private key
  int max_version = 0;    // e.g. TLS1_1_VERSION to offer nothing newer; 0: library default
};

class ScriptedServer {
 public:
  explicit ScriptedServer(HttpHandler handler, TlsSettings tls = {});
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>/KareoServices.svc" (https and the given host when TLS is on).
  std::string url(const std::string& host = "127.0.0.1") const;

  std::vector<HttpRequest> requests() const;
  int connections() const { return connections_.load(); }
  // Connections the server has closed so far.
  int closed_connections() const { return closed_.load(); }
  // Waits (up to `limit`) until the server has closed `count` connections; false on timeout.
  bool wait_closed(int count, std::chrono::milliseconds limit = std::chrono::seconds(2)) const;
  // TLS handshakes that failed (refused by either side).
  int failed_handshakes() const { return failed_handshakes_.load(); }
  void stop();

 private:
  void accept_loop();
  void serve(int fd, int number);

  HttpHandler handler_;
  TlsSettings tls_;
  void* ssl_ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> failed_handshakes_{0};
  std::atomic<int> closed_{0};
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  std::vector<HttpRequest> requests_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::thread acceptor_;
};

// Waits (up to `limit`) until `condition` holds; false on timeout. For events the server thread records
// after the client has already seen the outcome.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit = std::chrono::seconds(2));

// gzip-compresses `data`.
std::string gzip(const std::string& data);

// A temporary directory removed (with its files) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A test CA and a server certificate for `host` signed by it, made with the openssl command line.
struct TestPki {
  std::string ca_cert;      // PEM file of the CA certificate
  std::string ca_dir;       // directory with the CA certificate under its hashed name (c_rehash layout)
  std::string server_cert;  // PEM file: server certificate
  std::string server_key;   // PEM file: server key
};
// Creates the files in `dir`; throws std::runtime_error when openssl fails.
TestPki make_test_pki(const std::string& dir, const std::string& host = "localhost");

}  // namespace kareo::test
