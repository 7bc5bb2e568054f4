#include "kareo/options.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>
#include <cstdlib>
#include <utility>

#include "kareo/errors.hpp"
#include "kareo/version.hpp"

namespace kareo {
namespace {

std::chrono::milliseconds non_negative(std::chrono::milliseconds t, const char* what) {
  if (t.count() < 0) throw InvalidArgument(std::string(what) + " must not be negative");
  return t;
}

// Whether `host` (as written in a URL's authority) names this machine's loopback interface.
bool loopback_host(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6) != 1) return false;
    if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;  // ::ffff:127.x.y.z
  }
  std::string lower;
  for (char c : host) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost") return true;
  in_addr a4{};  // strictly four decimal parts: "127.1" or "0x7f.0.0.1" are not taken for loopback
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

}  // namespace

void check_endpoint(const std::string& url) {
  if (url.rfind("https://", 0) == 0 && url.size() > 8) return;
  if (url.rfind("http://", 0) != 0) {
    throw InvalidArgument("endpoint must be an https:// URL (http:// only for a test server on this machine): " + url);
  }
  const std::string rest = url.substr(7);
  const std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string::npos) {
    throw InvalidArgument(
        "endpoint: a plain http:// URL with user information is refused (the credentials travel in every request); "
        "use https://");
  }
  std::string host = authority;
  std::string port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close != std::string::npos && close + 1 < host.size()) {
      port = host.substr(close + 1);
      host = host.substr(0, close + 1);
    }
  } else if (const auto colon = host.find(':'); colon != std::string::npos) {
    port = host.substr(colon);
    host = host.substr(0, colon);
  }
  bool port_ok = port.empty() || (port.size() > 1 && port.front() == ':');
  for (std::size_t i = 1; port_ok && i < port.size(); ++i) port_ok = std::isdigit(static_cast<unsigned char>(port[i]));
  if (!port_ok || !loopback_host(host)) {
    throw InvalidArgument("endpoint " + url +
                          ": plain http:// is allowed only to this machine's loopback interface (127.0.0.0/8, [::1], "
                          "localhost), because the customer key, user and password travel in every request; use "
                          "https://");
  }
}

Options::Options() : client_version_(std::string("kareo-cpp/") + version()) {
  const char* env = std::getenv("KAREO_ENDPOINT");
  endpoint_ = (env && *env) ? env : kProductionEndpoint;
}

Options& Options::endpoint(std::string url) {
  check_endpoint(url);
  endpoint_ = std::move(url);
  return *this;
}

Options& Options::credentials(Credentials credentials) {
  credentials_ = std::move(credentials);
  return *this;
}

Options& Options::connect_timeout(std::chrono::milliseconds timeout) {
  connect_timeout_ = non_negative(timeout, "connect_timeout");
  return *this;
}

Options& Options::send_timeout(std::chrono::milliseconds timeout) {
  send_timeout_ = non_negative(timeout, "send_timeout");
  return *this;
}

Options& Options::receive_timeout(std::chrono::milliseconds timeout) {
  receive_timeout_ = non_negative(timeout, "receive_timeout");
  return *this;
}

Options& Options::call_timeout(std::chrono::milliseconds timeout) {
  call_timeout_ = non_negative(timeout, "call_timeout");
  return *this;
}

Options& Options::ca_file(std::string path) {
  ca_file_ = std::move(path);
  return *this;
}

Options& Options::ca_directory(std::string path) {
  ca_directory_ = std::move(path);
  return *this;
}

Options& Options::keep_alive(bool on) {
  keep_alive_ = on;
  return *this;
}

Options& Options::gzip(bool on) {
  gzip_ = on;
  return *this;
}

Options& Options::max_response_bytes(std::uint64_t bytes) {
  if (bytes == 0) throw InvalidArgument("max_response_bytes must be positive");
  max_response_bytes_ = bytes;
  return *this;
}

Options& Options::max_idle_connections(std::size_t count) {
  max_idle_connections_ = count;
  return *this;
}

Options& Options::client_version(std::string text) {
  client_version_ = std::move(text);
  return *this;
}

Options& Options::connection(std::shared_ptr<Connection> connection) {
  connection_ = std::move(connection);
  return *this;
}

Options& Options::add_decorator(Decorator decorator) {
  if (!decorator) throw InvalidArgument("add_decorator: empty decorator");
  decorators_.push_back(std::move(decorator));
  return *this;
}

Options& Options::event_sink(EventSink sink) {
  event_sink_ = std::move(sink);
  return *this;
}

Options& Options::wire_trace(WireTrace mode) {
  wire_trace_ = mode;
  return *this;
}

Options& Options::support_capture(WireTrace mode) {
  if (mode == WireTrace::Off) {
    throw InvalidArgument(
        "Options::support_capture: WireTrace::Off is not available (use Redacted, the default, or WithPatientData)");
  }
  support_capture_ = mode;
  return *this;
}

Options& Options::policies(CallPolicies policies) {
  policies_ = std::move(policies);
  return *this;
}

}  // namespace kareo
