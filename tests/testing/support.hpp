// Helpers of the fake server's tests: a server with a small data set, the generated proxy pointed at it, and
// a plain HTTP client for looking at raw bytes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "kareo/testing/fake_server.hpp"
#include "kareo_wireKareoServicesProxy.h"

namespace fake_test {

using namespace kareo_wire;
using kareo::testing::Entity;
using kareo::testing::FakeServer;
using kareo::testing::FakeServerOptions;

/// Small, fixed data set; no rate limiting unless a test turns it on.
inline FakeServerOptions small_options() {
  FakeServerOptions o;
  o.today = "2025-06-15";
  o.seed = 7;
  o.sizes.practices = 2;
  o.sizes.providers = 4;
  o.sizes.service_locations = 2;
  o.sizes.procedure_codes = 5;
  o.sizes.patients = 40;
  o.sizes.appointments = 60;
  o.sizes.encounters = 30;
  o.sizes.charges = 60;
  o.sizes.payments = 30;
  o.sizes.transactions = 50;
  o.sizes.external_vendors = 2;
  o.throttle = false;
  return o;
}

/// A server that is already listening.
inline std::unique_ptr<FakeServer> started(FakeServerOptions options) {
  auto s = std::make_unique<FakeServer>(std::move(options));
  s->start();
  return s;
}

/// A proxy with its own context (keep-alive, UTF-8 strings, short timeouts).
class Client {
 public:
  explicit Client(const FakeServer& server) : endpoint_(server.endpoint()), creds_(server.options().credentials) {
    proxy.soap->recv_timeout = 20;
    proxy.soap->send_timeout = 20;
    proxy.soap->connect_timeout = 5;
    soap_set_mode(proxy.soap, SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  }
  const char* endpoint() const { return endpoint_.c_str(); }

  std::shared_ptr<kareo__RequestHeader> header() const {
    auto h = std::make_shared<kareo__RequestHeader>();
    h->CustomerKey = creds_.customer_key;
    h->User = creds_.user;
    h->Password = creds_.password;
    return h;
  }
  /// A request of type Req with credentials.
  template <class Req>
  std::shared_ptr<Req> request() const {
    auto r = std::make_shared<Req>();
    r->RequestHeader = header();
    return r;
  }
  std::string fault() {
    char buf[2048];
    soap_sprint_fault(proxy.soap, buf, sizeof buf);
    return buf;
  }

  KareoServicesProxy proxy{SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING};

 private:
  std::string endpoint_;
  kareo::testing::Credentials creds_;
};

/// GetPatients with a filter by PracticeID and everything else empty.
inline std::shared_ptr<kareo__GetPatientsReq> patients_request(const Client& c, const std::string& practice_id) {
  auto r = c.request<kareo__GetPatientsReq>();
  r->Fields = std::make_shared<kareo__PatientFieldsToReturn>();
  r->Filter = std::make_shared<kareo__PatientFilter>();
  r->Filter->PracticeID = practice_id;
  return r;
}

/// Row IDs of a list, without the empty-ID placeholder.
template <class Row>
std::vector<std::int64_t> row_ids(const std::vector<std::shared_ptr<Row>>& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& r : rows) {
    if (r && r->ID && !r->ID->empty()) ids.push_back(std::stoll(*r->ID));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::string headers;  ///< raw header block
  std::string body;     ///< decoded (chunked transfer undone)
  bool complete = false;
};

/// POSTs a body with a SOAPAction over a fresh connection and reads the whole answer (until the connection
/// closes or the body is complete).
HttpResponse http_post(std::uint16_t port, const std::string& soap_action, const std::string& body,
                       const std::string& content_type = "text/xml; charset=utf-8");

/// GETs a path (with its query) over a fresh connection.
HttpResponse http_get(std::uint16_t port, const std::string& path);

/// A minimal SOAP 1.1 request envelope for `op` whose <request> holds `inner` after a valid RequestHeader.
std::string envelope(const FakeServer& server, const std::string& op, const std::string& inner,
                     const std::string& wrapper = "request");

std::string soap_action(const std::string& op);

}  // namespace fake_test

namespace fake_test {

/// Writes a self-signed certificate (CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1) and its key as PEM.
void write_self_signed(const std::string& cert_path, const std::string& key_path);

/// A directory under the build tree for one test's files (created empty).
std::string scratch_dir(const std::string& name);

}  // namespace fake_test
