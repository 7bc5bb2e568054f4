#include "support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

namespace fake_test {

std::string soap_action(const std::string& op) { return "http://www.kareo.com/api/schemas/KareoServices/" + op; }

std::string envelope(const FakeServer& server, const std::string& op, const std::string& inner,
                     const std::string& wrapper) {
  const auto& c = server.options().credentials;
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
         "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:k=\"http://www.kareo.com/api/schemas/\"><soapenv:Body><k:" +
         op + "><k:" + wrapper + "><k:RequestHeader><k:CustomerKey>" + c.customer_key + "</k:CustomerKey><k:Password>" +
         c.password + "</k:Password><k:User>" + c.user + "</k:User></k:RequestHeader>" + inner + "</k:" + wrapper +
         "></k:" + op + "></soapenv:Body></soapenv:Envelope>";
}

namespace {

bool read_some(int fd, std::string& buf) {
  char tmp[65536];
  ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf.append(tmp, static_cast<std::size_t>(n));
  return true;
}

}  // namespace

namespace {
HttpResponse http_request(std::uint16_t port, const std::string& req);
}  // namespace

HttpResponse http_get(std::uint16_t port, const std::string& path) {
  return http_request(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

HttpResponse http_post(std::uint16_t port, const std::string& soap_action, const std::string& body,
                       const std::string& content_type) {
  std::string req =
      "POST /services/soap/2.1/KareoServices.svc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + content_type + "\r\n";
  if (!soap_action.empty()) req += "SOAPAction: \"" + soap_action + "\"\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  return http_request(port, req);
}

namespace {

HttpResponse http_request(std::uint16_t port, const std::string& req) {
  HttpResponse out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string raw;
  std::size_t head_end = std::string::npos;
  while (head_end == std::string::npos && read_some(fd, raw)) head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    ::close(fd);
    return out;
  }
  out.headers = raw.substr(0, head_end);
  std::string rest = raw.substr(head_end + 4);
  auto sp = out.headers.find(' ');
  out.status = std::atoi(out.headers.c_str() + sp + 1);
  auto sp2 = out.headers.find(' ', sp + 1);
  auto eol = out.headers.find("\r\n");
  out.reason = out.headers.substr(sp2 + 1, eol - sp2 - 1);
  std::string lower = out.headers;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto cl = lower.find("content-length:");
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    // Undo chunked transfer.
    std::size_t pos = 0;
    while (true) {
      std::size_t line_end;
      while ((line_end = rest.find("\r\n", pos)) == std::string::npos) {
        if (!read_some(fd, rest)) {
          ::close(fd);
          return out;
        }
      }
      std::size_t size = std::strtoul(rest.c_str() + pos, nullptr, 16);
      while (rest.size() < line_end + 2 + size + 2) {
        if (!read_some(fd, rest)) {
          ::close(fd);
          return out;
        }
      }
      if (size == 0) {
        out.complete = true;
        break;
      }
      out.body.append(rest, line_end + 2, size);
      pos = line_end + 2 + size + 2;
    }
  } else if (cl != std::string::npos) {
    std::size_t length = std::strtoul(out.headers.c_str() + cl + 15, nullptr, 10);
    while (rest.size() < length && read_some(fd, rest)) {
    }
    out.complete = rest.size() >= length;
    out.body = rest.substr(0, length);
  } else {
    while (read_some(fd, rest)) {
    }
    out.body = rest;
  }
  ::close(fd);
  return out;
}

}  // namespace
}  // namespace fake_test

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace fake_test {

void write_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("cannot make a key");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 30);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, const char*>{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                            {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  FILE* f = std::fopen(cert_path.c_str(), "wb");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "wb");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

std::string scratch_dir(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(KAREO_BINARY_DIR) / "tests" / "fake_server" / "scratch" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace fake_test
