#include "transport/http_message.hpp"

#include <zlib.h>

#include <algorithm>

namespace kareo::detail {
namespace {

std::string dechunk(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto eol = in.find("\r\n", i);
    if (eol == std::string::npos) break;
    std::size_t size = 0;
    try {
      size = std::stoul(in.substr(i, eol - i), nullptr, 16);
    } catch (...) {
      break;
    }
    if (size == 0) break;
    i = eol + 2;
    if (size >= in.size() - i) {  // the last chunk, possibly cut short (and i + size + 2 could wrap around)
      out.append(in, i, std::string::npos);
      break;
    }
    out.append(in, i, size);
    i += size + 2;
  }
  return out;
}

std::string inflate_body(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return in;
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int r = Z_OK;
  while (r == Z_OK && out.size() < kCaptureLimit) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (r == Z_BUF_ERROR) break;
  }
  inflateEnd(&z);
  return out;
}

}  // namespace

void append_captured(std::string& to, const char* data, std::size_t n, bool whole) {
  if (whole) return (void)to.append(data, n);
  if (to.size() >= kCaptureLimit) return;
  to.append(data, std::min(n, kCaptureLimit - to.size()));
}

std::string ascii_lower(std::string s) {
  // ASCII only, whatever the locale: header names and the words compared with them are ASCII.
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string header_value(const std::string& lowered_headers, const std::string& name) {
  const std::string key = "\n" + name + ":";
  auto at = lowered_headers.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  const auto end = lowered_headers.find('\n', at);
  std::string v = lowered_headers.substr(at, end == std::string::npos ? std::string::npos : end - at);
  while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  return v;
}

HttpMessage parse_http(const std::string& raw) {
  HttpMessage m;
  std::size_t start = 0;
  for (;;) {
    const auto end = raw.find("\r\n\r\n", start);
    if (end == std::string::npos) {
      m.body = raw.substr(start);
      return m;
    }
    m.headers = ascii_lower("\n" + raw.substr(start, end - start));
    const std::string first = raw.substr(start, raw.find("\r\n", start) - start);
    if (first.rfind("HTTP/", 0) == 0) {
      const auto sp = first.find(' ');
      if (sp != std::string::npos) {
        try {
          m.status = std::stoi(first.substr(sp + 1, 3));
        } catch (...) {
          m.status.reset();
        }
      }
    }
    start = end + 4;
    if (m.status && *m.status >= 100 && *m.status < 200) continue;
    break;
  }
  std::string body = raw.substr(start);
  if (header_value(m.headers, "transfer-encoding").find("chunked") != std::string::npos) body = dechunk(body);
  const std::string encoding = header_value(m.headers, "content-encoding");
  if (encoding.find("gzip") != std::string::npos || encoding.find("deflate") != std::string::npos) {
    body = inflate_body(body);
  }
  m.body = std::move(body);
  return m;
}

std::string request_body(const std::string& raw) {
  const auto end = raw.find("\r\n\r\n");
  return end == std::string::npos ? raw : raw.substr(end + 4);
}

}  // namespace kareo::detail
