/// @file
/// @brief A faithful stand-in for the Tebra (Kareo) Web Services API 2.1 on the local machine, for tests,
/// demos and benchmarks: `kareo::testing::FakeServer` (also run as the `kareo-fake-server` program).
///
/// The server is built from the same contract as the client (the soapcpp2 service skeleton of
/// KareoServices), answers all 28 operations over HTTP or HTTPS on loopback, keeps a deterministic synthetic
/// data set in memory (or one loaded from JSON), checks credentials and permissions the way the service
/// reports them, enforces the published rate limits per account, writes responses the way WCF writes them,
/// and can be told to misbehave (see Fault).
///
/// ```cpp
/// kareo::testing::FakeServerOptions options;
/// options.sizes.patients = 500;
/// options.throttle = false;
/// kareo::testing::FakeServer server(options);
/// server.start();
/// // point the client at server.endpoint() with server.options().credentials ...
/// server.add_fault("internal:count=1");  // the next call fails with an InternalServiceFault
/// auto expected = server.store().ids(kareo::testing::Entity::Patient, {{"PracticeID", "1"}});
/// ```
///
/// ## What a client sees
/// - Any path on the port is the endpoint (endpoint() uses the real one). SOAP 1.1 only: a SOAP 1.2 request
///   gets HTTP 415; a body that is not SOAP gets HTTP 400. The SOAPAction must be
///   `http://www.kareo.com/api/schemas/KareoServices/<Operation>`, else SOAP Fault `a:ActionNotSupported`.
///   The members of the operations whose payload type the contract declares in `http://www.kareo.com/api/schemas`
///   (no slash) must be in that namespace.
/// - Members are read as WCF's DataContractSerializer reads them: a known member after a later one is skipped
///   (a misplaced Password fails authentication; a misplaced filter member filters nothing).
/// - Missing `request` (UpdatePatient: `UpdatePatientReq`), RequestHeader or Filter: `a:InternalServiceFault`
///   (HTTP 500) with WCF's text.
/// - Wrong customer key: SecurityResponse Authenticated=false, CustomerKeyValid=false, SecurityResultSuccess=false,
///   SecurityResult "Invalid customer key.". Wrong user or password: the same with CustomerKeyValid=true and
///   "Invalid user name and/or password.". A denied operation (`--deny`): Authorized=false and PermissionsMissing
///   with one permission name (e.g. "ReadPatient", "NewPatient", "EditPatient"). A denied practice
///   (`--deny-practice`): its records are not returned, and a call naming it gets Authorized=false with
///   PracticesAuthorized. All with HTTP 200. An operation whose credentials go inline in the request (the operation
///   table's `credentials = "inline"`) answers wrong ones with CustomerId -1 / IsAuthorized=false.
/// - Rate limits per customer key and operation (published table, see throttle_table()): a call within the
///   interval of the last accepted one (exactly one interval included) gets HTTP 200, ErrorResponse
///   IsError=true, ErrorMessage "429: <Operation> endpoint requested more than allowed over time interval
///   <N> milliseconds. Please wait to try again." and a null SecurityResponse.
/// - Responses: `<s:Envelope>`, `<OpResponse xmlns="http://www.kareo.com/api/schemas/">`, xmlns:i on the
///   result with `i:nil="true"` for null members, generated prefixes (a, b, ...) for other namespaces, row
///   members as .NET text ("True"/"False", "0.00", "M/d/yyyy h:mm:ss AM"), typed members as XML Schema text.
///   An empty list result of the row-returning Get operations is one placeholder row with an empty ID.
///   Named Fields return those columns (and the ID); an empty Fields returns every column. Answers over 1 MB
///   are sent with chunked transfer as they are written.
/// - Writes: IDs are the next free number per entity; external IDs are cut at 25 characters; CreatedDate and
///   LastModifiedDate are "now" (see FakeServerOptions::today). CreateEncounter adds one charge per service line.
///
/// FakeServer and its Store are thread-safe. Each connection is served on its own thread (up to
/// max_connections), with HTTP keep-alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kareo/testing/fault.hpp"
#include "kareo/testing/store.hpp"

namespace kareo::testing {

/// How many records the generated data set has. Every number is an exact total across all practices;
/// records are spread over the practices round-robin and their dates over the two years before today.
struct DataSizes {
  int practices = 2;          ///< Practices ("Testpractice Alpha", "Testpractice Bravo", ...).
  int providers = 6;          ///< Providers (rendering and scheduling providers of the practices).
  int service_locations = 4;  ///< Service locations.
  int procedure_codes = 12;   ///< Procedure codes ("T1001", ...); not per practice.
  int patients = 100;         ///< Patients; every column of PatientData is filled.
  int appointments = 200;     ///< Appointments of the patients.
  int encounters = 100;       ///< Encounters (each for an appointment when there are any).
  int charges = 200;          ///< Charges (each on an encounter when there are any).
  int payments = 100;         ///< Payments.
  int transactions = 300;     ///< Transactions.
  int external_vendors = 2;   ///< External vendors ("Testvendor Alpha", ...).
};

/// The account the server accepts.
struct Credentials {
  std::string customer_key = "test-customer-key";  ///< RequestHeader/CustomerKey.
  std::string user = "test-user@example.test";     ///< RequestHeader/User.
  std::string password = "test-password";          ///< RequestHeader/Password.
};

/// The time source of the rate limiter. Tests substitute ManualClock to step time instead of sleeping.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The current time.
  virtual std::chrono::steady_clock::time_point now() = 0;
};

/// A clock that moves only when told to. Thread-safe.
class ManualClock : public Clock {
 public:
  /// The current (manual) time.
  std::chrono::steady_clock::time_point now() override;
  /// Moves the clock forward.
  void advance(std::chrono::milliseconds by);

 private:
  std::mutex mutex_;
  std::chrono::steady_clock::time_point now_{};
};

struct CallRecord;

/// Everything a FakeServer can be configured with. The command-line flags of `kareo-fake-server` map 1:1.
struct FakeServerOptions {
  std::string host = "127.0.0.1";  ///< `--host`: address to listen on (loopback by default).
  std::uint16_t port = 0;          ///< `--port`: 0 picks a free port (see FakeServer::port()).
  std::uint64_t seed = 1;          ///< `--seed`: the generated data depends only on the seed, the sizes and today.
  DataSizes sizes;                 ///< `--patients`, `--appointments`, ...
  /// `--today YYYY-MM-DD`: the date generated data is relative to and "now" for writes (the wall-clock time
  /// of day is kept). Empty: the current date (UTC).
  std::string today;
  /// `--data FILE`: load the records from this JSON file instead of generating them (see Store).
  std::string data_file;
  Credentials credentials;  ///< `--customer-key`, `--user`, `--password`.
  /// `--customer-id`: what SecurityResponse/CustomerId reports, and the CustomerId of the customer key's look-up.
  int customer_id = 31337;
  bool throttle = true;  ///< `--throttle on|off`: enforce the published rate limits per customer key.
  /// `--throttle-ms OP=MS`: rate limits that differ from the published table (0: none for that operation).
  std::map<std::string, int> throttle_ms;
  /// `--window-limit OP=DAYS`: the widest date window an operation accepts before faulting (0: none). Defaults:
  /// default_window_limits(), the limits the operation table publishes (60 days for the posting-date and
  /// service-date reads), which apply to the operation's primary date window only (posting dates of charges, the
  /// StartDate/EndDate of appointments); a limit set here for another operation applies to every date window.
  std::map<std::string, int> window_limit_days;
  std::vector<std::string> denied_operations;  ///< `--deny OP`: the user lacks the permission for these.
  std::vector<std::string> denied_practices;   ///< `--deny-practice NAME`: the user may not see these practices.
  std::vector<Fault> faults;                   ///< `--fault SPEC`: faults active from the start.
  std::string tls_cert;                        ///< `--tls-cert FILE`: serve HTTPS with this PEM certificate (chain).
  std::string tls_key;  ///< `--tls-key FILE`: its PEM private key (empty: the key is in tls_cert).
  /// The rate limiter's clock; null: std::chrono::steady_clock.
  std::shared_ptr<Clock> clock;
  int max_connections = 64;  ///< Connections served at the same time (one thread each).
  /// `--idle-timeout SECONDS`: a kept-alive connection without a request for this long is closed.
  int idle_timeout_seconds = 30;
  /// `--no-control` turns it off: the control endpoint, HTTP GET on `/_fake/...`, which lets tests of the
  /// out-of-process program do what the library API does: `/_fake/faults?add=SPEC` (repeatable), `&clear`;
  /// `/_fake/calls[?clear]` (the call log as JSON); `/_fake/throttle?on|off|reset`; `/_fake/count?entity=Patient`;
  /// `/_fake/ids?entity=Patient&PracticeID=1&...` (Store::ids with those filter members);
  /// `/_fake/record?entity=Patient&id=1`; `/_fake/find?entity=Patient&external_id=X[&vendor=1]`.
  bool control_endpoint = true;
  /// Called on a server thread after every call (`--log` prints one line per call). Must be thread-safe.
  std::function<void(const CallRecord&)> on_call;
};

/// One call the server answered (or failed on purpose), in arrival order.
struct CallRecord {
  /// How the call ended.
  enum class Outcome {
    Ok,            ///< A normal response.
    ServiceError,  ///< ErrorResponse/IsError=true (a refused filter, a missing record, ...).
    Denied,        ///< SecurityResponse refused it (authentication or authorization).
    Throttled,     ///< The rate-limit ErrorResponse (real or injected).
    SoapFault,     ///< A SOAP Fault (InternalServiceFault, ActionNotSupported, ...).
    HttpError,     ///< An HTTP error status with an HTML body (injected).
    Dropped,       ///< The connection was closed without a complete response (injected).
    Corrupted,     ///< Truncated or malformed XML (injected).
  };
  std::string operation;          ///< The operation name (empty if the body named none).
  Outcome outcome = Outcome::Ok;  ///< How it ended.
  int http_status = 200;          ///< The HTTP status sent (0 when none was).
  std::string customer_key;       ///< The RequestHeader's customer key.
  std::size_t rows = 0;           ///< Rows in the answer of a list operation (placeholder rows not counted).
  bool applied = false;           ///< A write that changed the store.
};

/// A short name of an outcome: "ok", "service-error", "denied", "throttled", "soap-fault", "http-error",
/// "dropped", "corrupted".
std::string_view outcome_name(CallRecord::Outcome outcome) noexcept;

/// The window limits a FakeServer applies unless FakeServerOptions::window_limit_days says otherwise: operation
/// name → days, from the operation table's max_window_days (the widest window the service tolerates).
std::map<std::string, int> default_window_limits();

/// The fake server. start() listens and serves on background threads until stop() (or destruction).
class FakeServer {
 public:
  /// Generates (or loads) the data set; throws std::runtime_error or std::invalid_argument on bad options.
  explicit FakeServer(FakeServerOptions options = {});
  /// Stops the server.
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  /// Binds and starts serving in the background. Throws std::runtime_error when it cannot listen
  /// (or the TLS certificate cannot be loaded).
  void start();
  /// Stops accepting, closes every connection and joins the threads. Idempotent.
  void stop();
  /// Blocks until stop() is called from another thread (or a signal handler's thread).
  void wait();
  /// True between start() and stop().
  bool running() const;

  /// The bound port (the chosen one when options.port was 0). Valid after start().
  std::uint16_t port() const;
  /// "http://127.0.0.1:PORT" (or "https://..."): what `kareo-fake-server` prints when ready.
  std::string url() const;
  /// url() + "/services/soap/2.1/KareoServices.svc", the path of the real endpoint (any path is served).
  std::string endpoint() const;
  /// The options in effect.
  const FakeServerOptions& options() const;
  /// Connections accepted since start() (a client that keeps its connection alive makes one).
  std::size_t connections_accepted() const;

  /// Adds a fault (see Fault); it applies to calls that arrive from now on.
  void add_fault(const Fault& fault);
  /// Parses and adds a fault SPEC; throws std::invalid_argument when it does not parse.
  void add_fault(std::string_view spec);
  /// Removes every fault.
  void clear_faults();
  /// The faults still active (limited faults disappear when used up).
  std::vector<Fault> faults() const;

  /// Turns rate limiting on or off while running.
  void set_throttle(bool on);
  /// Forgets every account's last call times (the next call of each operation is allowed).
  void reset_throttle();
  /// The rate limits in effect: operation → minimum interval (what the service's throttle read answers).
  std::map<std::string, std::chrono::milliseconds> throttle_table() const;

  /// The records; thread-safe, also while serving.
  Store& store();
  /// The records; thread-safe, also while serving.
  const Store& store() const;

  /// Every call answered so far.
  std::vector<CallRecord> calls() const;
  /// How many calls of `operation` were answered (every call when empty).
  std::size_t call_count(std::string_view operation = {}) const;
  /// Forgets the call log.
  void clear_calls();

  /// @cond INTERNAL
  struct Impl;
  /// @endcond

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kareo::testing
