// `kareo doctor`: checks a Tebra connection step by step and says in plain words what is wrong and how to fix it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <sstream>
#include <type_traits>

#include "cli.hpp"
#include "kareo/observability.hpp"
#include "kareo/operations.hpp"
#include "kareo/version.hpp"
#include "kareo_wireKareoServicesProxy.h"

namespace kareo_cli {

namespace {

struct DoctorArgs {
  bool show_request = false;
  bool skip_permissions = false;
};

struct Url {
  std::string scheme;
  std::string host;
  int port = 0;
  std::string path;
};

std::optional<Url> parse_url(const std::string& text) {
  Url u;
  auto colon = text.find("://");
  if (colon == std::string::npos) return std::nullopt;
  u.scheme = text.substr(0, colon);
  std::string rest = text.substr(colon + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  u.port = u.scheme == "https" ? 443 : 80;
  if (!authority.empty() && authority[0] == '[') {  // [IPv6]:port
    auto end = authority.find(']');
    if (end == std::string::npos) return std::nullopt;
    u.host = authority.substr(1, end - 1);
    if (end + 1 < authority.size() && authority[end + 1] == ':') u.port = std::atoi(authority.c_str() + end + 2);
  } else {
    auto c = authority.rfind(':');
    u.host = authority.substr(0, c);
    if (c != std::string::npos) u.port = std::atoi(authority.c_str() + c + 1);
  }
  if (u.host.empty() || u.port <= 0 || u.port > 65535) return std::nullopt;
  return u;
}

// Prints the steps and remembers the exit code of the first failure.
class Report {
 public:
  void ok(const std::string& step, const std::string& text) { line("[ok]  ", step, text); }
  void warn(const std::string& step, const std::string& text) { line("[warn]", step, text); }
  void skip(const std::string& step, const std::string& text) { line("[skip]", step, text); }
  void fail(const std::string& step, const std::string& text, const std::string& fix, int code) {
    line("[FAIL]", step, text);
    if (!fix.empty()) std::cout << "         fix: " << fix << '\n';
    // A call the service answered with a failure (codes 3..7): the same answer to an integrator's own program is
    // usually a mistake in its request, which check-request finds offline.
    if (code >= 3 && code <= 7 && !pointed_to_check_) {
      std::cout << "         your own program gets such answers? save one of its requests (with its HTTP headers) and "
                   "run: kareo check-request FILE\n";
      pointed_to_check_ = true;
    }
    if (!exit_code_) exit_code_ = code;
  }
  void detail(const std::string& text) { std::cout << "         " << text << '\n'; }
  int exit_code() const { return exit_code_; }

 private:
  void line(const char* mark, const std::string& step, const std::string& text) {
    std::cout << mark << ' ' << step << ": " << text << '\n' << std::flush;
  }
  int exit_code_ = 0;
  bool pointed_to_check_ = false;
};

// Connects a TCP socket within `timeout`; returns the socket or -1 with `error` set.
int connect_tcp(const Url& url, std::chrono::milliseconds timeout, std::string& error, std::string& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &result);
  if (rc != 0) {
    error = "cannot resolve the host name " + url.host + " (" + gai_strerror(rc) + ")";
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = result; ai; ai = ai->ai_next) {
    char host[NI_MAXHOST] = "";
    getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, nullptr, 0, NI_NUMERICHOST);
    address = host;
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int c = connect(fd, ai->ai_addr, ai->ai_addrlen);
    int err = c == 0 ? 0 : errno;
    if (c != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int n = poll(&p, 1, static_cast<int>(timeout.count()));
      if (n == 0) {
        err = ETIMEDOUT;
      } else {
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
    if (err == 0) {
      fcntl(fd, F_SETFL, flags);
      break;
    }
    if (err == ECONNREFUSED)
      error = "the connection to " + url.host + ":" + std::to_string(url.port) + " (" + host +
              ") was refused: nothing listens there, or a firewall rejects it";
    else if (err == ETIMEDOUT)
      error = "no answer from " + url.host + ":" + std::to_string(url.port) + " (" + host + ") within " +
              std::to_string(timeout.count() / 1000) + " s: a firewall may drop the traffic, or a proxy is required";
    else
      error =
          "cannot connect to " + url.host + ":" + std::to_string(url.port) + " (" + host + "): " + std::strerror(err);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(result);
  return fd;
}

std::string name_entry(X509_NAME* name, int nid) {
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  std::string out = n > 0 ? std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n)) : std::string();
  OPENSSL_free(utf8);
  return out;
}

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

// Checks the TLS handshake and certificate on an open socket.
bool check_tls(Report& report, int fd, const Url& url, const std::string& ca_file, std::chrono::milliseconds timeout) {
  const std::string step = "3. TLS certificate";
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  bool loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                                : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1;
  if (!loaded) {
    report.fail(
        step, "cannot load the trusted certificates" + (ca_file.empty() ? "" : " from " + ca_file),
        ca_file.empty() ? "install the ca-certificates package" : "give --ca-file a PEM file of CA certificates", 8);
    SSL_CTX_free(ctx);
    return false;
  }
  bool valid = false;
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  in6_addr ip6{};
  in_addr ip4{};
  if (inet_pton(AF_INET, url.host.c_str(), &ip4) == 1 || inet_pton(AF_INET6, url.host.c_str(), &ip6) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, url.host.c_str());
    SSL_set1_host(ssl, url.host.c_str());
  }
  ERR_clear_error();
  if (SSL_connect(ssl) != 1) {
    std::string why = openssl_errors();
    std::string text = "the TLS handshake with " + url.host + " failed" + (why.empty() ? "" : " (" + why + ")");
    std::string fix =
        "check that the endpoint is Tebra's https:// URL; a proxy or an old TLS version (below 1.2) on "
        "the way can cause this";
    if (why.find("wrong version number") != std::string::npos ||
        why.find("packet length too long") != std::string::npos)
      fix =
          "the server does not speak TLS on this port: the endpoint should probably start with http:// (test "
          "servers) or use another port";
    report.fail(step, text, fix, 8);
  } else {
    X509* cert = SSL_get1_peer_certificate(ssl);
    long verify = SSL_get_verify_result(ssl);
    std::string subject = cert ? name_entry(X509_get_subject_name(cert), NID_commonName) : "";
    std::string issuer = cert ? name_entry(X509_get_issuer_name(cert), NID_commonName) : "";
    int days = 0, seconds = 0;
    if (cert) ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert));
    std::string about = "certificate for \"" + subject + "\", issued by \"" + issuer + "\", " +
                        (days >= 0 ? "expires in " + std::to_string(days) + " days"
                                   : "expired " + std::to_string(-days) + " days ago") +
                        ", " + SSL_get_version(ssl);
    switch (verify) {
      case X509_V_OK:
        valid = true;
        if (days < 14)
          report.warn(step, about + ": valid, but renewal is due");
        else
          report.ok(step, "valid " + about);
        break;
      case X509_V_ERR_CERT_HAS_EXPIRED:
        report.fail(step, "the server's certificate has expired (" + about + ")",
                    "if this machine's date is wrong, correct it; otherwise the server is misconfigured", 8);
        break;
      case X509_V_ERR_CERT_NOT_YET_VALID:
        report.fail(step, "the server's certificate is not valid yet (" + about + ")", "correct this machine's clock",
                    8);
        break;
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        report.fail(step, "the certificate was issued for \"" + subject + "\", not for " + url.host,
                    "check the endpoint's host name; a proxy that intercepts TLS causes this too", 8);
        break;
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        report.fail(step,
                    "the certificate (" + about + ") is not issued by a certificate authority this machine trusts",
                    "a company proxy that inspects TLS does this: pass its CA certificate with --ca-file; otherwise "
                    "update the ca-certificates package",
                    8);
        break;
      default:
        report.fail(
            step,
            std::string("the certificate is not valid: ") + X509_verify_cert_error_string(verify) + " (" + about + ")",
            "check the endpoint URL and this machine's clock and CA certificates", 8);
    }
    X509_free(cert);
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return valid;
}

// A correct GetPractices request, as the library sends it, with the credentials masked.
std::string correct_request(const Url& url, const kareo::Credentials& credentials, const std::string& client_version) {
  kareo_wire::KareoServicesProxy proxy;
  soap* ctx = proxy.soap;
  kareo::GetPracticesReq request;
  request.RequestHeader = std::make_shared<kareo::RequestHeader>();
  request.RequestHeader->ClientVersion = client_version;
  request.RequestHeader->CustomerKey =
      credentials.customer_key().empty() ? "your-customer-key" : credentials.customer_key();
  request.RequestHeader->Password = credentials.password().empty() ? "your-password" : credentials.password();
  request.RequestHeader->User = credentials.user().empty() ? "api-user@example.com" : credentials.user();
  request.Fields = std::make_shared<kareo::PracticeFieldsToReturn>();
  request.Filter = std::make_shared<kareo::PracticeFilter>();
  kareo_wire::_kareo__GetPractices body;
  body.request = std::make_shared<kareo::GetPracticesReq>(request);
  kareo_wire::__kareo__GetPractices wrapper;
  wrapper.kareo__GetPractices = &body;

  std::ostringstream xml;
  soap_begin(ctx);
  soap_set_version(ctx, 1);
  soap_set_omode(ctx, SOAP_XML_INDENT);
  ctx->encodingStyle = nullptr;
  kareo_wire::soap_serialize___kareo__GetPractices(ctx, &wrapper);
  ctx->os = &xml;
  bool ok = soap_begin_send(ctx) == SOAP_OK && soap_envelope_begin_out(ctx) == SOAP_OK &&
            soap_body_begin_out(ctx) == SOAP_OK &&
            kareo_wire::soap_out___kareo__GetPractices(ctx, "-kareo:GetPractices", -1, &wrapper, "") == SOAP_OK &&
            soap_body_end_out(ctx) == SOAP_OK && soap_envelope_end_out(ctx) == SOAP_OK && soap_end_send(ctx) == SOAP_OK;
  ctx->os = nullptr;
  soap_destroy(ctx);
  soap_end(ctx);
  if (!ok) throw std::runtime_error("could not render the request");
  std::string envelope = kareo::mask_credentials(xml.str());
  std::string host = url.host + ((url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80)
                                     ? ""
                                     : ":" + std::to_string(url.port));
  return "POST " + url.path + " HTTP/1.1\n" + "Host: " + host + "\n" + "Content-Type: text/xml; charset=utf-8\n" +
         "SOAPAction: \"" + kareo::soap_action(kareo::Operation::GetPractices) + "\"\n\n" + envelope;
}

void show_request(const Url& url, const kareo::Credentials& credentials, const std::string& client_version) {
  std::cout << "A correct GetPractices request (credentials masked as ***):\n\n"
            << correct_request(url, credentials, client_version) << "\n"
            << "What Tebra insists on, and hand-made requests often get wrong:\n"
               "  - SOAP 1.1: Content-Type text/xml, and the SOAPAction header with the KareoServices/ segment.\n"
               "  - The credentials are NOT a SOAP header: RequestHeader is the first member inside <request>.\n"
               "  - Members in contract order: ClientVersion, CustomerKey, Password, User. A member out of order is\n"
               "    silently dropped (a misplaced Password gives Authenticated=false).\n"
               "  - Fields and Filter follow RequestHeader; an empty <Fields/> returns every column.\n"
               "  - Characters such as & < > in the password are XML-escaped (this library does it).\n\n";
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

// Whether a query's filter has the member PracticeName.
template <class Filter, class = void>
struct has_practice_name : std::false_type {};
template <class Filter>
struct has_practice_name<Filter, std::void_t<decltype(std::declval<Filter&>().PracticeName)>> : std::true_type {};

// Step 8: the permissions of the reads, each probed with the narrowest query (the first practice, today).
class PermissionProbes {
 public:
  PermissionProbes(Report& report, kareo::Client& client, std::string practice, kareo::TimeRange day)
      : report_(report), client_(client), practice_(std::move(practice)), day_(day) {}

  // Probes the list read `list` of `Query`: filtered by the practice when there is one and the filter has it,
  // with the date range `range` (when given) set to today.
  template <class Query, class Row>
  void read(kareo::PagedRange<Row> (kareo::Client::*list)(Query, const kareo::CallOptions&),
            std::optional<kareo::TimeRange> Query::*range = nullptr) {
    call(Query::operation, [&] {
      Query q;
      if constexpr (has_practice_name<decltype(q.filter)>::value)
        if (!practice_.empty()) q.filter.PracticeName = practice_;
      if (range) q.*range = day_;
      (client_.*list)(std::move(q), kareo::CallOptions{}).collect();
    });
  }

  // Probes operation `op` by calling `run`: allowed, refused (its missing permissions reported), or not checked.
  template <class Run>
  void call(kareo::Operation op, Run run) {
    const std::string_view operation = kareo::operation_name(op);
    try {
      run();
      allowed_.emplace_back(operation);
    } catch (const kareo::NotAuthorized& e) {
      missing_ = true;
      report_.fail("8. Permissions",
                   std::string(operation) + " is not allowed" +
                       (e.permissions_missing().empty() ? "" : "; missing: " + join(e.permissions_missing())),
                   "", 4);
    } catch (const kareo::Error& e) {
      report_.warn("8. Permissions", std::string(operation) + " could not be checked: " +
                                         std::string(kareo::error_kind_name(e.kind())) + ": " + one_line(e.what()));
    }
  }

  // Reports what was allowed, and how to fix what was not.
  void finish() {
    if (missing_)
      report_.detail("fix: ask the Tebra account administrator to grant the missing permissions to the API user");
    if (!allowed_.empty()) report_.ok("8. Permissions", "allowed: " + join(allowed_));
    report_.detail(
        "(writes cannot be checked without writing: a write refused for a permission exits with code 4 "
        "and names it)");
  }

 private:
  Report& report_;
  kareo::Client& client_;
  const std::string practice_;
  const kareo::TimeRange day_;
  std::vector<std::string> allowed_;
  bool missing_ = false;
};

// Runs the checks in order; returns the exit code of the first that failed (0: all passed).
int run_doctor(Session& s, const DoctorArgs& a) {
  Report report;
  const std::string endpoint = s.endpoint();
  std::cout << "kareo doctor " << kareo::version() << "\n"
            << "  endpoint     " << endpoint << "\n"
            << "  credentials  from " << s.credentials_source() << "\n\n";

  // 1. Credentials present.
  std::optional<kareo::Credentials> credentials;
  try {
    credentials = s.credentials();
    report.ok("1. Credentials", "customer key, user (" + credentials->user() + ") and password are set");
  } catch (const kareo::Error& e) {
    report.fail("1. Credentials", one_line(e.what()),
                "set KAREO_CUSTOMER_KEY, KAREO_USER and KAREO_PASSWORD, or pass --credentials-file FILE (lines "
                "customer_key=..., user=..., password=...; chmod 600)",
                e.exit_code());
  }

  auto url = parse_url(endpoint);
  if (!url) {
    report.fail("2. Endpoint", "\"" + endpoint + "\" is not an http(s):// URL",
                "use --endpoint https://webservice.kareo.com/services/soap/2.1/KareoServices.svc", 2);
    return report.exit_code();
  }
  // Plain http:// only to this machine: the credentials travel in every request. Checked before connecting.
  try {
    kareo::check_endpoint(endpoint);
  } catch (const kareo::InvalidArgument& e) {
    report.fail("2. Endpoint", one_line(e.what()),
                "use https:// (Tebra's service is https://webservice.kareo.com/services/soap/2.1/"
                "KareoServices.svc); plain http:// is only for a test server on this machine",
                2);
    return report.exit_code();
  }
  if (a.show_request) show_request(*url, credentials ? *credentials : kareo::Credentials(), s.client_version());

  // 2. Reachable; 3. TLS.
  auto timeout = s.stall_timeout(std::chrono::seconds(10));
  std::string error, address;
  auto started = std::chrono::steady_clock::now();
  int fd = connect_tcp(*url, timeout, error, address);
  bool network_ok = fd >= 0;
  if (!network_ok) {
    report.fail("2. Endpoint reachable", error,
                "check the endpoint URL, this machine's network, DNS and proxy settings (and the firewall)", 8);
  } else {
    long ms = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
    report.ok("2. Endpoint reachable", "connected to " + url->host + ":" + std::to_string(url->port) + " (" + address +
                                           ") in " + std::to_string(ms) + " ms");
    if (url->scheme == "https") {
      network_ok = check_tls(report, fd, *url, s.globals().ca_file, timeout);
    } else {
      report.warn("3. TLS certificate",
                  "not checked: the endpoint is plain http://, acceptable only for a local test server (Tebra "
                  "is https://)");
    }
    close(fd);
  }
  if (!credentials || !network_ok) {
    report.skip("4-9. Service checks", "skipped until the steps above pass");
    return report.exit_code();
  }

  // 4. Customer key; 5. user; 6. authorized: one GetPractices call answers all three.
  kareo::Client& client = s.client();
  kareo::GetPracticesResp practices;
  try {
    practices = client.call<kareo::Operation::GetPractices>({});
  } catch (const kareo::AuthenticationFailed& e) {
    if (!e.customer_key_valid()) {
      report.fail("4. Customer key",
                  "Tebra did not accept the customer key" +
                      (e.server_message().empty() ? "" : " (\"" + one_line(e.server_message()) + "\")"),
                  "copy the customer key again from Tebra (it is the account's API key, not the user's password) "
                  "into KAREO_CUSTOMER_KEY or the credentials file",
                  3);
    } else {
      report.ok("4. Customer key", "accepted");
      report.fail("5. User authenticated",
                  "the user name or password was refused for " + credentials->user() +
                      (e.server_message().empty() ? "" : " (\"" + one_line(e.server_message()) + "\")"),
                  "check KAREO_USER and KAREO_PASSWORD (the API user's, not your own login), and that the user is "
                  "active and not locked out; run with --show-request to compare your own request with a correct one",
                  3);
    }
    report.skip("6-9. Service checks", "skipped until the credentials are accepted");
    return report.exit_code();
  } catch (const kareo::NotAuthorized& e) {
    report.ok("4. Customer key", "accepted");
    report.ok("5. User authenticated", credentials->user());
    report.fail("6. Authorized",
                "the user may not list practices" + (e.permissions_missing().empty()
                                                         ? std::string()
                                                         : "; missing permissions: " + join(e.permissions_missing())),
                "ask the Tebra account administrator to grant the API user these permissions", 4);
    report.skip("7-9. Service checks", "skipped until the user is authorized");
    return report.exit_code();
  } catch (const kareo::Error& e) {
    report.fail("4. Service call", std::string(kareo::error_kind_name(e.kind())) + ": " + one_line(e.what()),
                e.kind() == kareo::ErrorKind::SoapFault
                    ? "the service faulted on a correct request; try again later, then contact Tebra support with "
                      "a --wire-log"
                    : e.hint(),
                e.exit_code());
    report.skip("5-9. Service checks", "skipped");
    return report.exit_code();
  }
  std::string customer;
  if (practices.SecurityResponse && practices.SecurityResponse->CustomerId)
    customer = " (customer ID " + std::to_string(*practices.SecurityResponse->CustomerId) + ")";
  report.ok("4. Customer key", "accepted" + customer);
  report.ok("5. User authenticated", credentials->user());
  report.ok("6. Authorized", "GetPractices allowed");

  // 7. Practices.
  std::vector<kareo::PracticeData> rows;
  if (practices.Practices)
    for (const auto& p : practices.Practices->PracticeData)
      if (p && p->ID && !p->ID->empty()) rows.push_back(*p);
  if (rows.empty()) {
    report.fail("7. Practices", "the user sees no practice",
                "ask the administrator to give the API user access to the practices it should read", 4);
  } else {
    report.ok("7. Practices", std::to_string(rows.size()) + " visible");
    for (const auto& p : rows)
      report.detail(*p.ID + "  " + p.PracticeName.value_or("") +
                    (p.Active && kareo::parse_bool(*p.Active) == false ? "  (inactive)" : ""));
  }

  // 8. Permissions of the reads, probed with the narrowest filters (today, first practice).
  if (a.skip_permissions) {
    report.skip("8. Permissions", "not probed (--skip-permissions)");
  } else {
    std::string practice = rows.empty() ? std::string() : rows.front().PracticeName.value_or("");
    kareo::Date today = now_local().date();
    PermissionProbes probes(report, client, practice, kareo::TimeRange{today, today});
    probes.read(&kareo::Client::providers);
    probes.read(&kareo::Client::service_locations);
    probes.read(&kareo::Client::procedure_codes, &kareo::ProcedureCodeQuery::last_modified);
    if (!practice.empty()) {  // these reads need a practice
      probes.read(&kareo::Client::patients, &kareo::PatientQuery::last_modified);
      probes.read(&kareo::Client::appointments, &kareo::AppointmentQuery::service_date);
      probes.read(&kareo::Client::charges, &kareo::ChargeQuery::posting_date);
      probes.read(&kareo::Client::payments, &kareo::PaymentQuery::posting_date);
      probes.read(&kareo::Client::transactions, &kareo::TransactionQuery::transaction_date);
    }
    probes.call(kareo::Operation::GetExternalVendors, [&] { client.external_vendors().collect(); });
    probes.finish();
  }

  // 9. The live throttle table.
  try {
    auto limits = client.throttles().collect();
    report.ok("9. Rate limits", std::to_string(limits.size()) + " limits (GetThrottles)" +
                                    (s.globals().no_pacing ? std::string() : "; calls are paced to them"));
    report.detail("operation                  live        published");
    for (const auto& t : limits) {
      std::string name = t.Endpoint.value_or("?");
      std::string live = t.ThrottleTimeMs ? std::to_string(static_cast<long long>(*t.ThrottleTimeMs)) + " ms" : "?";
      std::string published = "-";
      if (auto op = kareo::operation_from_name(name))
        published = std::to_string(kareo::published_interval(*op).count()) + " ms";
      std::string line = name + std::string(name.size() < 27 ? 27 - name.size() : 1, ' ') + live +
                         std::string(live.size() < 12 ? 12 - live.size() : 1, ' ') + published;
      if (published != "-" && live != published) line += "  (differs from the published limit)";
      report.detail(line);
    }
  } catch (const kareo::NotAuthorized&) {
    report.warn("9. Rate limits", "GetThrottles is not allowed for this user; the published limits are used");
  } catch (const kareo::Error& e) {
    report.warn("9. Rate limits", std::string("could not read the live limits: ") +
                                      std::string(kareo::error_kind_name(e.kind())) + ": " + one_line(e.what()));
  }

  std::cout << '\n'
            << (report.exit_code() == 0 ? "Everything checked works." : "Some checks failed: see the fix lines above.")
            << '\n';
  return report.exit_code();
}

}  // namespace

void add_doctor_command(CLI::App& app, Commands& commands) {
  add_command<DoctorArgs>(
      app, commands, "doctor",
      "Check the connection to Tebra step by step (endpoint, TLS, credentials, authorization, practices, "
      "permissions, rate limits) and say how to fix what is wrong",
      [](CLI::App& sub, DoctorArgs& a) {
        sub.add_flag("--show-request", a.show_request,
                     "Also print a correct GetPractices request (credentials masked) to compare with your own");
        sub.add_flag("--skip-permissions", a.skip_permissions,
                     "Do not probe the read operations for missing permissions");
      },
      run_doctor);
}

}  // namespace kareo_cli
