#include "http_stream.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace kareo_bench {
namespace {
constexpr std::size_t kBufferSize = 256 * 1024;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("floor: " + what); }
}  // namespace

struct HttpStream::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  SSL_SESSION* session = nullptr;
  ~Tls() {
    if (ssl) SSL_free(ssl);
    if (session) SSL_SESSION_free(session);
    if (ctx) SSL_CTX_free(ctx);
  }
};

HttpStream::HttpStream(const std::string& url, const std::string& ca_file)
    : ca_file_(ca_file), buf_(new char[kBufferSize]) {
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    tls_ = true;
  } else {
    fail("unsupported URL " + url);
  }
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  path_ = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  host_ = authority.substr(0, colon);
  port_ = colon == std::string::npos ? (tls_ ? "443" : "80") : authority.substr(colon + 1);
  if (tls_) {
    ssl_ = std::make_unique<Tls>();
    ssl_->ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ssl_->ctx, TLS1_2_VERSION);
    if (!ca_file_.empty()) {
      if (SSL_CTX_load_verify_locations(ssl_->ctx, ca_file_.c_str(), nullptr) != 1) fail("cannot load " + ca_file_);
    } else {
      SSL_CTX_set_default_verify_paths(ssl_->ctx);
    }
    SSL_CTX_set_verify(ssl_->ctx, SSL_VERIFY_PEER, nullptr);
  }
}

HttpStream::~HttpStream() { close(); }

void HttpStream::close() {
  if (ssl_ && ssl_->ssl) {
    if (ssl_->session) SSL_SESSION_free(ssl_->session);
    ssl_->session = SSL_get1_session(ssl_->ssl);
    SSL_shutdown(ssl_->ssl);
    SSL_free(ssl_->ssl);
    ssl_->ssl = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  begin_ = end_ = 0;
}

void HttpStream::connect() {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res) != 0) fail("cannot resolve " + host_);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd_ = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd_ < 0) continue;
    if (::connect(fd_, ai->ai_addr, ai->ai_addrlen) == 0) break;
    ::close(fd_);
    fd_ = -1;
  }
  freeaddrinfo(res);
  if (fd_ < 0) fail("cannot connect to " + host_ + ":" + port_);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ++connects_;
  if (tls_) {
    ssl_->ssl = SSL_new(ssl_->ctx);
    SSL_set_fd(ssl_->ssl, fd_);
    in6_addr addr{};
    const bool literal =
        inet_pton(AF_INET, host_.c_str(), &addr) == 1 || inet_pton(AF_INET6, host_.c_str(), &addr) == 1;
    if (literal) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_->ssl), host_.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_->ssl, host_.c_str());
      SSL_set1_host(ssl_->ssl, host_.c_str());
    }
    if (ssl_->session) SSL_set_session(ssl_->ssl, ssl_->session);
    if (SSL_connect(ssl_->ssl) != 1) {
      char err[256];
      ERR_error_string_n(ERR_get_error(), err, sizeof err);
      fail(std::string("TLS handshake failed: ") + err);
    }
  }
}

void HttpStream::send_all(const char* data, std::size_t n) {
  while (n > 0) {
    long sent;
    if (tls_) {
      sent = SSL_write(ssl_->ssl, data, static_cast<int>(n));
      if (sent <= 0) fail("TLS write failed");
    } else {
      sent = ::send(fd_, data, n, MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        fail(std::string("send: ") + std::strerror(errno));
      }
    }
    data += sent;
    n -= static_cast<std::size_t>(sent);
  }
}

std::size_t HttpStream::receive(char* data, std::size_t n) {
  for (;;) {
    if (tls_) {
      const int got = SSL_read(ssl_->ssl, data, static_cast<int>(n));
      if (got > 0) return static_cast<std::size_t>(got);
      const int err = SSL_get_error(ssl_->ssl, got);
      if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL) return 0;
      fail("TLS read failed");
    }
    const ssize_t got = ::recv(fd_, data, n, 0);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) fail(std::string("recv: ") + std::strerror(errno));
  }
}

bool HttpStream::fill() {
  if (begin_ == end_) begin_ = end_ = 0;
  if (end_ == kBufferSize) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const std::size_t got = receive(buf_.get() + end_, kBufferSize - end_);
  end_ += got;
  return got > 0;
}

std::string HttpStream::read_line() {
  std::string line;
  for (;;) {
    const char* start = buf_.get() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl) {
      const std::size_t len = static_cast<const char*>(nl) - start;
      line.append(start, len);
      begin_ += len + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    line.append(start, end_ - begin_);
    begin_ = end_;
    if (!fill()) fail("connection closed inside the HTTP header");
  }
}

int HttpStream::begin_post(const std::string& soap_action, const std::string& body) {
  for (int attempt = 0;; ++attempt) {
    if (fd_ < 0) connect();
    std::string head = "POST " + path_ + " HTTP/1.1\r\nHost: " + host_ + ":" + port_ +
                       "\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: \"" + soap_action +
                       "\"\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\nConnection: keep-alive\r\nAccept-Encoding: identity\r\n\r\n";
    head += body;
    try {
      send_all(head.data(), head.size());
      if (begin_ == end_ && !fill()) throw std::runtime_error("closed");
    } catch (const std::exception&) {
      // A kept-alive connection the server closed meanwhile: reconnect once.
      close();
      if (attempt > 0) throw;
      continue;
    }
    break;
  }
  const std::string status_line = read_line();
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) fail("bad status line: " + status_line);
  const int status = std::stoi(status_line.substr(9, 3));
  left_ = -1;
  chunked_ = false;
  keep_ = true;
  for (;;) {
    const std::string line = read_line();
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (strcasecmp(name.c_str(), "Content-Length") == 0) left_ = std::stoll(value);
    if (strcasecmp(name.c_str(), "Transfer-Encoding") == 0 && strcasecmp(value.c_str(), "chunked") == 0)
      chunked_ = true;
    if (strcasecmp(name.c_str(), "Connection") == 0 && strcasecmp(value.c_str(), "close") == 0) keep_ = false;
    if (strcasecmp(name.c_str(), "Content-Encoding") == 0 && strcasecmp(value.c_str(), "identity") != 0)
      fail("the floor reads identity bodies only, got Content-Encoding " + value);
  }
  if (chunked_) left_ = 0;  // no chunk open yet
  done_ = false;
  return status;
}

std::size_t HttpStream::read_body(char* data, std::size_t n) {
  if (done_) return 0;
  if (chunked_ && left_ == 0) {
    const std::string size_line = read_line();
    left_ = static_cast<long long>(std::stoull(size_line, nullptr, 16));
    if (left_ == 0) {
      while (!read_line().empty()) {
      }
      done_ = true;
      if (!keep_) close();
      return 0;
    }
  }
  if (!chunked_ && left_ == 0) {
    done_ = true;
    if (!keep_) close();
    return 0;
  }
  if (begin_ == end_ && !fill()) {
    if (left_ < 0) {  // body delimited by the end of the connection
      done_ = true;
      close();
      return 0;
    }
    fail("connection closed inside the body");
  }
  std::size_t take = std::min(n, end_ - begin_);
  if (left_ >= 0) take = static_cast<std::size_t>(std::min<long long>(static_cast<long long>(take), left_));
  std::memcpy(data, buf_.get() + begin_, take);
  begin_ += take;
  if (left_ >= 0) left_ -= static_cast<long long>(take);
  if (chunked_ && left_ == 0) read_line();  // the CRLF after the chunk
  return take;
}

int HttpStream::post(const std::string& soap_action, const std::string& body,
                     const std::function<void(const char*, std::size_t)>& on_body) {
  const int status = begin_post(soap_action, body);
  // Hand the receive buffer's contents over directly (no copy), piece by piece.
  for (;;) {
    if (done_) break;
    if (chunked_ && left_ == 0) {
      const std::string size_line = read_line();
      left_ = static_cast<long long>(std::stoull(size_line, nullptr, 16));
      if (left_ == 0) {
        while (!read_line().empty()) {
        }
        done_ = true;
        break;
      }
    }
    if (!chunked_ && left_ == 0) {
      done_ = true;
      break;
    }
    if (begin_ == end_ && !fill()) {
      if (left_ < 0) {
        done_ = true;
        keep_ = false;
        break;
      }
      fail("connection closed inside the body");
    }
    std::size_t take = end_ - begin_;
    if (left_ >= 0) take = static_cast<std::size_t>(std::min<long long>(static_cast<long long>(take), left_));
    on_body(buf_.get() + begin_, take);
    begin_ += take;
    if (left_ >= 0) left_ -= static_cast<long long>(take);
    if (chunked_ && left_ == 0) read_line();
  }
  if (!keep_) close();
  return status;
}

}  // namespace kareo_bench
