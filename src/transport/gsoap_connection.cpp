// The built-in transport: SOAP 1.1 over HTTPS with gSOAP. A pool of contexts (each used by one thread at a
// time) keeps connections alive between calls. Every response is checked for the service's own failure
// reports, and every failure becomes a kareo::Error carrying a support capture with the credentials masked.
// The pieces: gsoap_context (a pooled context and its callbacks), http_framing and http_message (the bytes of
// an attempt), gsoap_dispatch (send and receive, the streaming reader), response_checks (what gSOAP lets
// through), fault_mapping (which error a failure is), canned_connection (the canned transport).

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transport/fault_mapping.hpp"
#include "transport/gsoap_context.hpp"
#include "transport/http_message.hpp"
#include "transport/response_checks.hpp"

namespace kareo::detail {
namespace {

using std::chrono::milliseconds;

// Secrets of the call, to keep them out of messages and captures whatever the server echoes.

template <typename Payload>
void add_header_secrets(Secrets& s, const Payload& p) {
  if constexpr (std::is_base_of_v<kareo_wire::kareo__RequestBase, Payload>) {
    if (p.RequestHeader) {
      s.add(p.RequestHeader->CustomerKey);
      s.add(p.RequestHeader->User);
      s.add(p.RequestHeader->Password);
    }
  } else {
    s.add(p.CustomerKey);
    s.add(p.User);
    s.add(p.Password);
  }
}

Secrets secrets_of(const Exchange& ex) {
  Secrets s;
  switch (ex.operation) {
#define KAREO_SECRETS_(Name, M, P, R)                                       \
  case Operation::Name: {                                                   \
    const auto& body = ex.request<Operation::Name>();                       \
    if (wire::Traits<Operation::Name>::payload(body)) {                     \
      add_header_secrets(s, *wire::Traits<Operation::Name>::payload(body)); \
    }                                                                       \
    break;                                                                  \
  }
    KAREO_OPERATION_LIST(KAREO_SECRETS_)
#undef KAREO_SECRETS_
  }
  return s;
}

TransportOutcome outcome_of(int soap_error) noexcept {
  switch (soap_error) {
    case SOAP_SSL_ERROR:
      return TransportOutcome::Tls;
    case SOAP_FAULT:
      return TransportOutcome::SoapFault;
    case SOAP_TCP_ERROR:
      return TransportOutcome::Tcp;
    case SOAP_EOF:
      return TransportOutcome::Eof;
    case SOAP_HTTP_ERROR:
      return TransportOutcome::Http;
    default:
      return TransportOutcome::Other;
  }
}

class GsoapConnection final : public Connection {
 public:
  explicit GsoapConnection(Settings s)
      : settings_(std::move(s)), tls_(settings_.endpoint.rfind("https:", 0) == 0 && !settings_.responder) {
    static std::once_flag ssl_init;
    std::call_once(ssl_init, [] { soap_ssl_init(); });
  }

  void call(Exchange& ex) override {
    WireRecord& record = ex.wire();
    record.endpoint = settings_.endpoint;
    std::unique_ptr<Context> context = acquire();
    CallState& st = context->state();
    st.reset();
    st.operation = ex.operation;
    // The response of an operation the streaming reader does not read is kept whole for the checks of its text.
    st.keep_whole_response = !streamed(ex.operation);
    // The attempt's own limit (Options::call_timeout), or the whole call's (Exchange::deadline), if sooner.
    if (settings_.call_timeout.count() > 0) st.deadline = SteadyClock::now() + settings_.call_timeout;
    if (ex.deadline && (!st.deadline || *ex.deadline < *st.deadline)) {
      st.deadline = *ex.deadline;
      st.deadline_is_budget = true;
    }
    st.cancel = ex.cancel;
    soap* soap = context->ctx();
    soap->connect_timeout = gsoap_timeout(settings_.connect_timeout);
    if (const auto left = time_left(st)) {
      if (st.deadline && SteadyClock::now() >= *st.deadline) {
        // Nothing was sent: the time ran out before this attempt could begin (pacing, earlier attempts).
        Error::Details details;
        details.capture.endpoint = settings_.endpoint;
        const bool budget = st.deadline_is_budget;
        finish(std::move(context), true);  // the context goes back to the pool: `st` is not read after this
        raise(expired_before_send(ex.operation, budget, details));
      }
      if (settings_.connect_timeout.count() <= 0 || *left < settings_.connect_timeout) {
        soap->connect_timeout = gsoap_timeout(*left);
      }
    }
    // A kept-alive connection is checked before it is reused by gSOAP's keep-alive poll (keep_alive_usable).
    const std::string action = soap_action(ex.operation);
    const auto started = SteadyClock::now();

    int rc = SOAP_SSL_ERROR;
    std::string tls_reason;
    if (context->ssl_ok() || !tls_) {
      // No write raises SIGPIPE: plain sends and TLS connections' writes pass MSG_NOSIGNAL, and the TLS
      // handshake is made with SIGPIPE blocked (no_sigpipe.hpp).
      verify_error().clear();
      rc = dispatch(context->proxy(), settings_.endpoint.c_str(), action, ex);
      if (rc == SOAP_SSL_ERROR) tls_reason = verify_error();
      if (rc != SOAP_OK) close_abruptly(soap);
    }
    if (st.row_error) {  // the rows' receiver (Exchange::row_sink) threw: its exception, as it is
      const std::exception_ptr error = st.row_error;
      record.elapsed = SteadyClock::now() - started;
      record.bytes_sent = st.bytes_sent;
      record.bytes_received = st.bytes_received;
      detach_response(ex);
      finish(std::move(context), false);
      std::rethrow_exception(error);
    }
    const LazySecrets secrets([&ex] { return secrets_of(ex); });
    const Scrub scrub = secrets.scrubber();
    // A response the streaming reader read needs no second look at its bytes (it checked the markup itself)
    // unless it is traced or turns out to report a failure: the copy of up to 16 MiB is made only then.
    const bool streamed = rc == SOAP_OK && st.streamed;
    HttpMessage response;
    if (streamed && !record.want_xml) {
      response.status = soap->status;
    } else {
      response = parse_http(st.received);
    }
    record.elapsed = SteadyClock::now() - started;
    record.bytes_sent = st.bytes_sent;
    record.bytes_received = st.bytes_received;
    record.http_status = response.status;
    if (record.want_xml) {
      record.request_xml = secrets.get().scrub(mask_credentials(request_body(st.sent)));
      record.response_xml = secrets.get().scrub(mask_credentials(response.body));
    }

    Error::Details details;
    details.operation = ex.operation;
    details.http_status = response.status;
    details.capture.endpoint = settings_.endpoint;
    // The support capture (masked and scrubbed copies of up to 16 MiB of traffic) is only built for a call
    // that fails: building it on every call cost more than a third of a large response's parse.
    const auto capture = [&] {
      const bool full = settings_.capture_patient_data;
      details.capture.request_xml = secrets.get().scrub(redact_xml(request_body(st.sent), full));
      details.capture.response_xml = secrets.get().scrub(redact_xml(response.body, full));
      details.capture.patient_data = full;
    };

    if (rc == SOAP_OK) {
      detach_response(ex);
      std::string why =
          st.framing.error().empty() ? std::string() : "its HTTP framing is broken: " + st.framing.error();
      if (why.empty() && !streamed) why = refused_markup(response.body);
      if (!why.empty()) {
        capture();
        finish(std::move(context), true);
        throw MalformedResponse(std::string(operation_name(ex.operation)) + ": response refused: " + why, details);
      }
      try {
        check_response(ex, details, scrub);
      } catch (const Error&) {
        if (streamed && response.body.empty()) response = parse_http(st.received);
        capture();
        finish(std::move(context), true);
        check_response(ex, details, scrub);  // the same error, captured
        throw;
      }
      finish(std::move(context), true);
      return;
    }
    capture();

    // Failure: gather the facts while the context still holds the fault, then map them to the error.
    FailedAttempt failed;
    failed.operation = ex.operation;
    failed.write = is_write(ex.operation);
    failed.outcome = outcome_of(soap->error);
    failed.fault_code = soap->fault && soap_faultcode(soap) && *soap_faultcode(soap) ? *soap_faultcode(soap) : "";
    failed.fault_string = soap_fault_string(soap) ? soap_fault_string(soap) : "";
    failed.fault_detail = soap->fault && soap_fault_detail(soap) ? soap_fault_detail(soap) : "";
    failed.errnum = soap->errnum;
    failed.too_large = soap->recv_maxlength && soap->count > soap->recv_maxlength;
    failed.max_response_bytes = settings_.max_response_bytes;
    failed.timed_out = st.timed_out;
    failed.deadline_hit = st.deadline_hit;
    failed.deadline_is_budget = st.deadline_is_budget;
    failed.deadline_passed = st.deadline && SteadyClock::now() >= *st.deadline - milliseconds(50);
    failed.framing_error = st.framing.error();
    failed.elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started);
    failed.sent_anything = st.bytes_sent > 0;
    failed.ssl_setup_error = context->ssl_ok() ? std::string() : context->ssl_error();
    failed.tls_reason = tls_reason;
    failed.connect_timeout = settings_.connect_timeout;
    failed.http_status = response.status;
    failed.retry_after = header_value(response.headers, "retry-after");
    failed.body = std::move(response.body);
    detach_response(ex);
    const bool cancelled = st.cancelled;
    // The context goes back to the pool here and another thread may take it at once: nothing below reads it.
    finish(std::move(context), false);
    soap = nullptr;
    if (cancelled) {
      // The caller cancelled while the response was awaited. A read is abandoned; a write was sent and may
      // have been applied: a transport failure after sending, which the retry layer reports as AmbiguousOutcome.
      const std::string name(operation_name(ex.operation));
      if (!failed.write) throw Cancelled(name + ": cancelled while waiting for the response");
      throw ConnectionError(name + ": cancelled after the request was sent, while waiting for the response", details);
    }
    raise(map_failed_attempt(failed, details, scrub));
  }

 private:
  std::unique_ptr<Context> acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return std::make_unique<Context>(settings_);
  }

  // Frees the call's temporary memory and returns the context to the pool (keeping its connection open when
  // the call succeeded).
  void finish(std::unique_ptr<Context> c, bool ok) {
    soap* soap = c->ctx();
    // A connection that delivered bytes past the end of the response is out of step: never reused.
    if (!ok || c->state().overrun || !c->state().framing.error().empty()) close_abruptly(soap);
    soap_destroy(soap);
    soap_end(soap);
    soap->error = SOAP_OK;
    c->state().reset();
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < settings_.max_idle) idle_.push_back(std::move(c));
  }

  Settings settings_;
  const bool tls_;  // the endpoint is https
  std::mutex mu_;
  std::vector<std::unique_ptr<Context>> idle_;
};

}  // namespace

std::shared_ptr<Connection> make_gsoap_connection(Settings s) {
  return std::make_shared<GsoapConnection>(std::move(s));
}

std::shared_ptr<Connection> make_gsoap_connection(const Options& o) {
  // Also an endpoint that came from KAREO_ENDPOINT: refused before any connection is made.
  check_endpoint(o.endpoint());
  Settings s{o.endpoint(),
             o.connect_timeout(),
             o.send_timeout(),
             o.receive_timeout(),
             o.call_timeout(),
             o.ca_file(),
             o.ca_directory(),
             o.keep_alive(),
             o.gzip(),
             o.max_response_bytes(),
             o.max_idle_connections(),
             nullptr,
             o.support_capture() == WireTrace::WithPatientData};
  return make_gsoap_connection(std::move(s));
}

}  // namespace kareo::detail
