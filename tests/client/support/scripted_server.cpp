#include "scripted_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace kareo::test {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// One accepted connection, plain or TLS.
class Stream {
 public:
  Stream(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~Stream() {
    if (ssl_) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
  }
  // Waits up to `ms` for readable data; -1: error/closed, 0: timeout, 1: ready.
  int wait(int ms) {
    if (ssl_ && SSL_pending(ssl_) > 0) return 1;
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, ms);
    if (r < 0) return -1;
    return r;
  }
  long read(char* buf, std::size_t n) {
    if (ssl_) {
      const int r = SSL_read(ssl_, buf, static_cast<int>(n));
      return r > 0 ? r : 0;
    }
    const long r = ::recv(fd_, buf, n, 0);
    return r > 0 ? r : 0;
  }
  // Over TLS: `data` in records of at most `record` bytes, then `after` in a record of its own (when not
  // empty), their encrypted bytes sent in one go: they arrive together.
  bool write_records(const std::string& data, std::size_t record, const std::string& after) {
    std::string sealed;
    for (std::size_t at = 0; at < data.size(); at += record) {
      sealed += seal(data.substr(at, record));
    }
    if (!after.empty()) sealed += seal(after);
    return send_raw(sealed);
  }
  // Over TLS: `data`'s encrypted bytes in two sends, cut `cut` bytes in, `pause` apart; only the first when
  // `rest` is false.
  bool write_cut(const std::string& data, std::size_t cut, std::chrono::milliseconds pause, bool rest) {
    const std::string sealed = seal(data);
    cut = std::min(cut, sealed.size());
    if (!send_raw(sealed.substr(0, cut))) return false;
    if (!rest) return true;
    std::this_thread::sleep_for(pause);
    return send_raw(sealed.substr(cut));
  }
  bool write(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      long r;
      if (ssl_) {
        r = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
      } else {
        r = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      }
      if (r <= 0) return false;
      off += static_cast<std::size_t>(r);
    }
    return true;
  }

 private:
  // The TLS records OpenSSL makes of `data`, written to memory instead of the socket.
  std::string seal(const std::string& data) {
    BIO* socket_bio = SSL_get_wbio(ssl_);
    BIO_up_ref(socket_bio);
    BIO* memory = BIO_new(BIO_s_mem());
    SSL_set0_wbio(ssl_, memory);
    std::string sealed;
    if (SSL_write(ssl_, data.data(), static_cast<int>(data.size())) == static_cast<int>(data.size())) {
      char* bytes = nullptr;
      const long n = BIO_get_mem_data(memory, &bytes);
      sealed.assign(bytes, static_cast<std::size_t>(n));
    }
    SSL_set0_wbio(ssl_, socket_bio);  // frees the memory BIO
    return sealed;
  }
  bool send_raw(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      const long r = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (r <= 0) return false;
      off += static_cast<std::size_t>(r);
    }
    return true;
  }

  int fd_;
  SSL* ssl_;
};

}  // namespace

std::string HttpRequest::header(const std::string& name) const {
  const std::string h = lower(head);
  const std::string key = "\r\n" + lower(name) + ":";
  auto at = h.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  const auto end = h.find("\r\n", at);
  std::string v = head.substr(at, end == std::string::npos ? std::string::npos : end - at);
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
  return v;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&z, data.size()) + 64);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(&out[0]);
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

ScriptedServer::ScriptedServer(HttpHandler handler, TlsSettings tls)
    : handler_(std::move(handler)), tls_(std::move(tls)) {
  if (!tls_.cert_file.empty()) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) throw std::runtime_error("SSL_CTX_new failed");
    if (tls_.max_version) {
      // Debian's default security level refuses to offer anything below TLS 1.2 at all.
      SSL_CTX_set_security_level(ctx, 0);
      SSL_CTX_set_cipher_list(ctx, "DEFAULT@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, tls_.max_version);
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, tls_.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, tls_.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(ctx);
      throw std::runtime_error("cannot load the test server certificate");
    }
    ssl_ctx_ = ctx;
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("cannot listen on loopback");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedServer::~ScriptedServer() {
  stop();
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

void ScriptedServer::stop() {
  if (stopping_.exchange(true)) return;
  stop_cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
  ::close(listen_fd_);
}

std::string ScriptedServer::url(const std::string& host) const {
  return std::string(ssl_ctx_ ? "https" : "http") + "://" + host + ":" + std::to_string(port_) +
         "/services/soap/2.1/KareoServices.svc";
}

std::vector<HttpRequest> ScriptedServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void ScriptedServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    const int number = ++connections_;
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, fd, number] { serve(fd, number); });
  }
}

void ScriptedServer::serve(int fd, int number) {
  // TLS writes to a client that already left raise SIGPIPE; the server thread keeps it blocked (the client
  // side of the library must cope with SIGPIPE on its own, and the tests check that it does).
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  SSL* ssl = nullptr;
  if (ssl_ctx_) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      ++failed_handshakes_;
      ERR_clear_error();
      SSL_free(ssl);
      ::close(fd);
      return;
    }
  }
  {
    Stream stream(fd, ssl);
    std::string buffer;
    char chunk[65536];
    bool open = true;
    while (open && !stopping_) {
      // Read one request: headers, then Content-Length bytes of body.
      std::size_t header_end;
      while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const int w = stream.wait(50);
        if (stopping_ || w < 0) {
          open = false;
          break;
        }
        if (w == 0) continue;
        const long n = stream.read(chunk, sizeof chunk);
        if (n <= 0) {
          open = false;
          break;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      if (!open) break;
      HttpRequest req;
      req.connection = number;
      req.head = buffer.substr(0, header_end + 2);
      buffer.erase(0, header_end + 4);
      const auto sp1 = req.head.find(' ');
      const auto sp2 = req.head.find(' ', sp1 + 1);
      req.method = req.head.substr(0, sp1);
      req.target = req.head.substr(sp1 + 1, sp2 - sp1 - 1);
      std::size_t length = 0;
      const std::string cl = req.header("Content-Length");
      if (!cl.empty()) length = std::stoul(cl);
      if (lower(req.header("Expect")) == "100-continue") stream.write("HTTP/1.1 100 Continue\r\n\r\n");
      while (buffer.size() < length && !stopping_) {
        const int w = stream.wait(50);
        if (w < 0) break;
        if (w == 0) continue;
        const long n = stream.read(chunk, sizeof chunk);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      req.body = buffer.substr(0, length);
      buffer.erase(0, std::min(length, buffer.size()));
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      HttpReply reply = handler_(req);
      if (reply.action == HttpReply::Action::Drop) break;
      if (reply.action == HttpReply::Action::Stall) {
        std::unique_lock<std::mutex> lock(mu_);
        stop_cv_.wait_for(lock, reply.stall, [this] { return stopping_.load(); });
        break;
      }
      std::string body = reply.gzip ? gzip(reply.body) : reply.body;
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reply.reason + "\r\n";
      for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
      if (reply.gzip) out += "Content-Encoding: gzip\r\n";
      if (reply.chunked) {
        out += "Transfer-Encoding: chunked\r\n";
      } else {
        out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
      }
      if (reply.close) out += "Connection: close\r\n";
      out += "\r\n";
      if (reply.action == HttpReply::Action::Truncate || reply.action == HttpReply::Action::StallBody) {
        stream.write(out + body.substr(0, body.size() / 2));
        if (reply.action == HttpReply::Action::StallBody) {
          std::unique_lock<std::mutex> lock(mu_);
          stop_cv_.wait_for(lock, reply.stall, [this] { return stopping_.load(); });
        }
        break;
      }
      if (reply.chunked) {
        const std::size_t piece = 1000;
        for (std::size_t at = 0; at < body.size(); at += piece) {
          const std::string part = body.substr(at, piece);
          char size[32];
          std::snprintf(size, sizeof size, "%zx\r\n", part.size());
          out += size + part + "\r\n";
        }
        out += "0\r\n\r\n";
      } else {
        out += body;
      }
      if (ssl && reply.cut > 0) {
        const bool rest = reply.pause < reply.stall;
        if (!stream.write_cut(out, reply.cut, reply.pause, rest)) break;
        if (!rest) {
          std::unique_lock<std::mutex> lock(mu_);
          stop_cv_.wait_for(lock, reply.stall, [this] { return stopping_.load(); });
          break;
        }
      } else if (ssl && (reply.record_size > 0 || !reply.trailing.empty())) {
        if (!stream.write_records(out, reply.record_size > 0 ? reply.record_size : out.size(), reply.trailing)) break;
      } else if (!stream.write(out + reply.trailing)) {
        break;
      }
      if (reply.close || reply.hangup) break;
    }
  }
  ::close(fd);
  ++closed_;
}

bool ScriptedServer::wait_closed(int count, std::chrono::milliseconds limit) const {
  return wait_until([&] { return closed_.load() >= count; }, limit);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "kareo-test-XXXXXX").string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestPki make_test_pki(const std::string& dir, const std::string& host) {
  TestPki pki;
  pki.ca_cert = dir + "/ca.pem";
  pki.ca_dir = dir + "/ca.d";
  pki.server_cert = dir + "/server.pem";
  pki.server_key = dir + "/server.key";
  const std::string ca_key = dir + "/ca.key";
  const std::string csr = dir + "/server.csr";
  const std::string ext = dir + "/server.ext";
  const std::string quiet = " >/dev/null 2>&1";
  auto run = [&](const std::string& cmd) {
    if (std::system((cmd + quiet).c_str()) != 0) throw std::runtime_error("openssl failed: " + cmd);
  };
  run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + ca_key + " -out " + pki.ca_cert +
      " -days 2 -subj '/CN=Kareo Test CA' -addext basicConstraints=critical,CA:TRUE -addext "
      "keyUsage=critical,keyCertSign,cRLSign");
  run("openssl req -newkey rsa:2048 -nodes -keyout " + pki.server_key + " -out " + csr + " -subj '/CN=" + host + "'");
  run("printf 'subjectAltName=DNS:" + host + "\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > " + ext);
  run("openssl x509 -req -in " + csr + " -CA " + pki.ca_cert + " -CAkey " + ca_key +
      " -CAcreateserial -days 2 -sha256 -extfile " + ext + " -out " + pki.server_cert);
  std::filesystem::create_directories(pki.ca_dir);
  run("cp " + pki.ca_cert + " " + pki.ca_dir + "/$(openssl x509 -hash -noout -in " + pki.ca_cert + ").0");
  return pki;
}

}  // namespace kareo::test
