#include "http.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "stdsoap2.h"
#include "transport/send_at_once.hpp"

namespace kareo::testing::detail {
namespace {

constexpr std::size_t kOneSend = 64 * 1024;

std::string http_date() {
  char buf[64];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string common_headers(int status, const std::string& reason, const std::string& content_type, bool keep_alive) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  h += "Cache-Control: private\r\n";
  if (!content_type.empty()) h += "Content-Type: " + content_type + "\r\n";
  h += "Server: kareo-fake-server\r\n";
  h += "Date: " + http_date() + "\r\n";
  if (!keep_alive) h += "Connection: close\r\n";
  return h;
}

}  // namespace

bool send_raw(struct soap* soap, const char* data, std::size_t size) {
  if (size == 0) return true;
  // A socket with room in its send buffer takes the bytes at once; gSOAP's send takes what is left.
  if (kareo::detail::send_at_once(soap, data, size)) return true;
  return soap->fsend(soap, data, size) == SOAP_OK;
}

void drop_connection(struct soap* soap, bool reset) {
  if (!soap_valid_socket(soap->socket)) return;
  if (reset) {
    struct linger lg {
      1, 0
    };
    setsockopt(soap->socket, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  soap->keep_alive = 0;
  soap_force_closesock(soap);
}

std::string HttpOut::head(int status, const std::string& reason, const std::string& content_type,
                          std::size_t content_length, bool keep_alive) {
  return common_headers(status, reason, content_type, keep_alive) +
         "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

bool HttpOut::send_whole(struct soap* soap, int status, const std::string& reason, const std::string& content_type,
                         const std::string& body, bool keep_alive) {
  std::string h = head(status, reason, content_type, body.size(), keep_alive);
  // A response that fits in one buffer goes out in one send: one segment, one wake-up of the client.
  if (body.size() <= kOneSend) {
    h += body;
    return send_raw(soap, h.data(), h.size());
  }
  return send_raw(soap, h.data(), h.size()) && send_raw(soap, body.data(), body.size());
}

HttpOut::HttpOut(struct soap* soap, int status, std::string reason, std::string content_type, bool keep_alive)
    : soap_(soap),
      status_(status),
      reason_(std::move(reason)),
      content_type_(std::move(content_type)),
      keep_alive_(keep_alive) {}

void HttpOut::write(const char* data, std::size_t size) {
  if (failed_) return;
  body_size_ += size;
  if (chunked_) {
    send_chunk(data, size);
    return;
  }
  buffer_.append(data, size);
  if (buffer_.size() >= kLimit) {
    start_chunked();
    send_chunk(buffer_.data(), buffer_.size());
    buffer_.clear();
    buffer_.shrink_to_fit();
  }
}

void HttpOut::start_chunked() {
  chunked_ = true;
  std::string h = common_headers(status_, reason_, content_type_, keep_alive_) + "Transfer-Encoding: chunked\r\n\r\n";
  if (!send_raw(soap_, h.data(), h.size())) failed_ = true;
}

void HttpOut::send_chunk(const char* data, std::size_t size) {
  if (failed_ || size == 0) return;
  char len[32];
  int n = std::snprintf(len, sizeof len, "%zx\r\n", size);
  if (!send_raw(soap_, len, static_cast<std::size_t>(n)) || !send_raw(soap_, data, size) ||
      !send_raw(soap_, "\r\n", 2)) {
    failed_ = true;
  }
}

bool HttpOut::finish() {
  if (failed_) return false;
  if (chunked_) {
    if (!send_raw(soap_, "0\r\n\r\n", 5)) failed_ = true;
    return !failed_;
  }
  if (!send_whole(soap_, status_, reason_, content_type_, buffer_, keep_alive_)) failed_ = true;
  return !failed_;
}

}  // namespace kareo::testing::detail
