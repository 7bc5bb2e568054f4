// kareo-fake-server: a local stand-in for the Tebra (Kareo) Web Services API 2.1.
//
//   kareo-fake-server --port 0 --patients 1000 --throttle off
//   listening on http://127.0.0.1:41234
//
// Prints exactly one line on stdout when ready; everything else goes to stderr. Stops cleanly (status 0) on
// SIGINT or SIGTERM.
#include <pthread.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "kareo/testing/fake_server.hpp"

namespace {

const char* const kFaultHelp = R"(Fault SPEC: KIND[:PARAM]... (repeatable)
  internal                 SOAP Fault a:InternalServiceFault, HTTP 500
  http[:status=N]          HTTP error (default 503) with an HTML body
  latency:ms=N             delay the response by N ms
  drop[:before-apply|:after-apply][:rst]
                           close the connection mid-response (default), before the operation runs, or after it ran
                           (a write is applied) without a response; rst: with a TCP reset
  truncate[:keep-open]     a complete HTTP response whose XML stops half way, then the connection is closed
                           (keep-open: left open, so only the response's length tells where it ends)
  malformed[:keep-open]    a complete HTTP response whose XML is not well-formed
  throttle[:all]           the service's "429: ..." ErrorResponse
  wide-window:days=N[:empty]
                           InternalServiceFault (or an empty result) when a date window is wider than N days
  every kind: op=NAME (one operation), count=N (N calls, then gone), skip=N (let N matching calls through first)
  examples: internal:count=3  internal:op=UpdateEncounterStatus  http:status=503  latency:ms=200
            drop:op=CreateDocument:after-apply  throttle:all  wide-window:days=30

Control endpoint (HTTP GET, JSON answers), for tests that run this program:
  /_fake/faults?add=SPEC[&add=SPEC][&clear]   /_fake/calls[?clear]   /_fake/throttle?on|off|reset
  /_fake/count?entity=Patient   /_fake/ids?entity=Patient&PracticeID=1&FromCreatedDate=1/1/2025&...
  /_fake/record?entity=Patient&id=1   /_fake/find?entity=Patient&external_id=X[&vendor=1])";

std::pair<std::string, int> op_value(const std::string& text, const char* flag) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw CLI::ValidationError(flag, "expected OP=NUMBER, got " + text);
  try {
    std::size_t used = 0;
    int v = std::stoi(text.substr(eq + 1), &used);
    if (used != text.size() - eq - 1) throw std::invalid_argument(text);
    return {text.substr(0, eq), v};
  } catch (const std::exception&) {
    throw CLI::ValidationError(flag, "expected OP=NUMBER, got " + text);
  }
}

}  // namespace

int main(int argc, char** argv) {
  kareo::testing::FakeServerOptions o;
  std::string throttle = "on";
  std::vector<std::string> throttle_ms, window_limits, faults;
  std::string dump;
  bool log = false;
  auto& n = o.sizes;

  CLI::App app{
      "kareo-fake-server: a local stand-in for the Tebra (Kareo) Web Services API 2.1 (SOAP 1.1, "
      "all 28 operations, synthetic data).\nWhen ready it prints one line, \"listening on URL\", and serves "
      "until SIGINT or SIGTERM."};
  app.footer(kFaultHelp);
  app.add_option("--host", o.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", o.port, "Port (0: pick a free one)")->capture_default_str();
  app.add_option("--tls-cert", o.tls_cert, "Serve HTTPS with this PEM certificate (chain)")->check(CLI::ExistingFile);
  app.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert (default: in the certificate file)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", o.seed, "Seed of the generated data")->capture_default_str();
  app.add_option("--today", o.today, "Date the data is relative to, YYYY-MM-DD (default: today, UTC)");
  app.add_option("--practices", n.practices, "Practices")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--providers", n.providers, "Providers")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--service-locations", n.service_locations, "Service locations")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--procedure-codes", n.procedure_codes, "Procedure codes")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--patients", n.patients, "Patients (exact total)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--appointments", n.appointments, "Appointments")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--encounters", n.encounters, "Encounters")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--charges", n.charges, "Charges")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--payments", n.payments, "Payments")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--transactions", n.transactions, "Transactions")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--external-vendors", n.external_vendors, "External vendors")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--data", o.data_file, "Load the records from this JSON file instead of generating them")
      ->check(CLI::ExistingFile);
  app.add_option("--dump-data", dump, "Write the data set as JSON to this file (the --data format) and exit");
  app.add_option("--customer-key", o.credentials.customer_key, "Accepted customer key")->capture_default_str();
  app.add_option("--user", o.credentials.user, "Accepted user")->capture_default_str();
  app.add_option("--password", o.credentials.password, "Accepted password")->capture_default_str();
  app.add_option("--customer-id", o.customer_id, "Customer ID reported by SecurityResponse")->capture_default_str();
  app.add_option("--throttle", throttle, "Enforce the published rate limits per customer key")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_option("--throttle-ms", throttle_ms, "OP=MS: a rate limit other than the published one (0: none)");
  std::string default_limits;
  for (const auto& [op, days] : kareo::testing::default_window_limits()) {
    default_limits += (default_limits.empty() ? "" : ", ") + op + "=" + std::to_string(days);
  }
  app.add_option("--window-limit", window_limits,
                 "OP=DAYS: widest date window before an InternalServiceFault (default " + default_limits +
                     ", the operation table's; 0: none)");
  app.add_option("--deny", o.denied_operations, "Operation the user lacks the permission for (repeatable)");
  app.add_option("--deny-practice", o.denied_practices, "Practice (name) the user may not see (repeatable)");
  app.add_option("--fault", faults, "Inject a fault (repeatable; grammar below)");
  app.add_option("--max-connections", o.max_connections, "Connections served at the same time")->capture_default_str();
  app.add_option("--idle-timeout", o.idle_timeout_seconds, "Seconds an idle kept-alive connection stays open")
      ->capture_default_str();
  bool no_control = false;
  app.add_flag("--no-control", no_control, "Turn off the control endpoint (GET /_fake/..., see below)");
  app.add_flag("--log", log, "Print one line per call on stderr");

  try {
    app.parse(argc, argv);
    o.throttle = throttle == "on";
    o.control_endpoint = !no_control;
    for (const auto& t : throttle_ms) o.throttle_ms.insert(op_value(t, "--throttle-ms"));
    for (const auto& w : window_limits) o.window_limit_days.insert(op_value(w, "--window-limit"));
    for (const auto& f : faults) {
      try {
        o.faults.push_back(kareo::testing::Fault::parse(f));
      } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError("--fault", e.what());
      }
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (log) {
    static std::mutex log_mutex;
    o.on_call = [](const kareo::testing::CallRecord& c) {
      std::lock_guard lock(log_mutex);
      std::cerr << (c.operation.empty() ? std::string("(none)") : c.operation) << " "
                << kareo::testing::outcome_name(c.outcome) << " http=" << c.http_status << " rows=" << c.rows
                << (c.applied ? " applied" : "") << std::endl;
    };
  }

  // Block the stop signals in every thread; this one waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    kareo::testing::FakeServer server(o);
    if (!dump.empty()) {
      server.store().save_json(dump);
      std::cerr << "kareo-fake-server: wrote the data set to " << dump << "\n";
      return 0;
    }
    server.start();
    std::cout << "listening on " << server.url() << std::endl;
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();
  } catch (const std::exception& e) {
    std::cerr << "kareo-fake-server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
