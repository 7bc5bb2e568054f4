#include "kareo/options.hpp"

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

}  // namespace

Options::Options() : client_version_(std::string("kareo-cpp/") + version()) {
  const char* env = std::getenv("KAREO_ENDPOINT");
  endpoint_ = (env && *env) ? env : kProductionEndpoint;
}

Options& Options::endpoint(std::string url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    throw InvalidArgument("endpoint must be an https:// (or, for local tests, http://) URL: " + url);
  }
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
