#include "raw_server.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace kareo::reliability {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t content_length(const std::string& head) {
  const std::string h = lower(head);
  const auto at = h.find("\ncontent-length:");
  if (at == std::string::npos) return 0;
  return static_cast<std::size_t>(std::strtoull(h.c_str() + at + 16, nullptr, 10));
}

class Connection final : public RawConnection {
 public:
  Connection(int fd, SSL* ssl, std::atomic<bool>& stopping, std::mutex& mu, std::condition_variable& cv,
             std::atomic<std::size_t>& sent)
      : fd_(fd), ssl_(ssl), stopping_(stopping), mu_(mu), cv_(cv), sent_(sent) {}

  bool send(const std::string& bytes) override {
    std::size_t off = 0;
    while (off < bytes.size()) {
      if (stopping_ || gone_) return false;
      long n;
      if (ssl_) {
        n = SSL_write(ssl_, bytes.data() + off, static_cast<int>(std::min<std::size_t>(bytes.size() - off, 1 << 20)));
      } else {
        n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      }
      if (n <= 0) {
        if (!ssl_ && n < 0 && errno == EINTR) continue;
        gone_ = true;
        return false;
      }
      off += static_cast<std::size_t>(n);
      sent_ += static_cast<std::size_t>(n);
    }
    return true;
  }

  bool pause(std::chrono::milliseconds how_long) override {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_for(lock, how_long, [&] { return stopping_.load(); });
  }

  void reset() override {
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    reset_ = true;
  }

  const RawRequest& request() const override { return request_; }

  // Reads one request; false when the peer closed first.
  bool read_request() {
    std::string in;
    char buf[8192];
    std::size_t need = std::string::npos;
    for (;;) {
      const auto end = in.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        request_.head = in.substr(0, end + 2);
        need = end + 4 + content_length(request_.head);
      }
      if (need != std::string::npos && in.size() >= need) {
        request_.body = in.substr(request_.head.size() + 2, need - request_.head.size() - 2);
        return true;
      }
      long n = ssl_ ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (!ssl_ && n < 0 && errno == EINTR) continue;
        return false;
      }
      in.append(buf, static_cast<std::size_t>(n));
    }
  }

  bool was_reset() const { return reset_; }

 private:
  int fd_;
  SSL* ssl_;
  std::atomic<bool>& stopping_;
  std::mutex& mu_;
  std::condition_variable& cv_;
  std::atomic<std::size_t>& sent_;
  RawRequest request_;
  bool gone_ = false;
  bool reset_ = false;
};

}  // namespace

RawServer::RawServer(RawScript script, std::string host) : script_(std::move(script)), host_(std::move(host)) {
  start();
}

RawServer::RawServer(RawScript script, RawTls tls, std::string host)
    : script_(std::move(script)), tls_(std::move(tls)), host_(std::move(host)) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) throw std::runtime_error("SSL_CTX_new failed");
  ssl_ctx_ = ctx;
  if (tls_.legacy) {
    // OpenSSL 3 refuses TLS 1.0/1.1 (and their SHA-1 signatures) above security level 0.
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  }
  if (tls_.min_version) SSL_CTX_set_min_proto_version(ctx, tls_.min_version);
  if (tls_.max_version) SSL_CTX_set_max_proto_version(ctx, tls_.max_version);
  if (SSL_CTX_use_certificate_chain_file(ctx, tls_.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, tls_.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(ctx);
    ssl_ctx_ = nullptr;
    throw std::runtime_error("cannot load the test server certificate " + tls_.cert_file);
  }
  start();
}

void RawServer::start() {
  std::signal(SIGPIPE, SIG_IGN);
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) throw std::runtime_error("bad address " + host_);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("cannot listen on " + host_ + ": " + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  });
}

void RawServer::serve(int fd) {
  // A small send buffer, so that what the client refuses to read stays visible in bytes_sent().
  int sndbuf = 64 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  SSL* ssl = nullptr;
  bool ok = true;
  if (ssl_ctx_) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      ++failed_handshakes_;
      ok = false;
    }
  }
  if (ok) {
    Connection c(fd, ssl, stopping_, mu_, stop_cv_, bytes_sent_);
    if (c.read_request()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(c.request());
      }
      script_(c);
    }
    if (ssl && !c.was_reset()) SSL_shutdown(ssl);
  }
  if (ssl) SSL_free(ssl);
  ERR_clear_error();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = open_fds_.begin(); it != open_fds_.end(); ++it) {
    if (*it == fd) {
      open_fds_.erase(it);
      break;
    }
  }
  ::close(fd);
}

RawServer::~RawServer() {
  stop();
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

void RawServer::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_cv_.notify_all();
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  ::close(listen_fd_);
}

std::string RawServer::url(const std::string& host) const {
  return std::string(ssl_ctx_ ? "https://" : "http://") + (host.empty() ? host_ : host) + ":" + std::to_string(port_) +
         "/services/soap/2.1/KareoServices.svc";
}

std::vector<RawRequest> RawServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::string non_loopback_address() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  std::string found;
  for (ifaddrs* i = list; i && found.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN] = "";
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
  }
  ::freeifaddrs(list);
  return found;
}

std::string http_response(int status, const std::string& reason, const std::string& content_type,
                          const std::string& body, const std::string& extra_headers) {
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
  r += extra_headers;
  r += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  return r + body;
}

std::string soap_envelope(const std::string& body_xml) {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>" + body_xml +
         "</s:Body></s:Envelope>";
}

std::string empty_result(const std::string& op, const std::string& payload) {
  return soap_envelope("<" + op + "Response xmlns=\"http://www.kareo.com/api/schemas/\"><" + op +
                       "Result xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><ErrorResponse><ErrorMessage "
                       "i:nil=\"true\"/><IsError>false</IsError><StackTrace i:nil=\"true\"/></ErrorResponse>"
                       "<SecurityResponse><Authenticated>true</Authenticated><Authorized>true</Authorized>"
                       "<CustomerKeyValid>true</CustomerKeyValid><SecurityResult>Success</SecurityResult>"
                       "<SecurityResultSuccess>true</SecurityResultSuccess></SecurityResponse>" +
                       payload + "</" + op + "Result></" + op + "Response>");
}

}  // namespace kareo::reliability
