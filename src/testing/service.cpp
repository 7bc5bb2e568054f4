// The call pipeline of the fake service: SOAPAction, injected faults, security, rate limit, the operation,
// and writing the answer (possibly damaged on purpose).
#include "service.hpp"

#include <chrono>
#include <thread>

#include "control.hpp"
#include "http.hpp"
#include "kareo_optable.hpp"
#include "member_order.hpp"
#include "node_convert.hpp"
#include "schema.hpp"
#include "wcf_writer.hpp"

namespace kareo::testing::detail {
namespace {

constexpr const char* kSoapAction = "http://www.kareo.com/api/schemas/KareoServices/";
constexpr const char* kDispatcherNs =
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher";
constexpr const char* kAddressingNoneNs = "http://schemas.microsoft.com/ws/2005/05/addressing/none";
constexpr const char* kXmlContentType = "text/xml; charset=utf-8";

std::string reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

std::string html_page(int status) {
  std::string reason = reason_phrase(status);
  return "<!DOCTYPE html>\r\n<html><head><title>" + std::to_string(status) + " " + reason +
         "</title></head>\r\n<body><h1>" + reason + "</h1><p>The request could not be served (HTTP " +
         std::to_string(status) + ").</p></body></html>\r\n";
}

Reply throttle_reply(const std::string& op, std::chrono::milliseconds interval) {
  Reply r;
  Node& err = r.result.add("ErrorResponse", Node::object());
  err.add("ErrorMessage", "429: " + op + " endpoint requested more than allowed over time interval " +
                              std::to_string(interval.count()) + " milliseconds. Please wait to try again.");
  err.add("IsError", "true");
  r.outcome = CallRecord::Outcome::Throttled;
  return r;
}

Reply http_error(int status) {
  Reply r;
  r.kind = Reply::Kind::Http;
  r.http_status = status;
  r.reason = reason_phrase(status);
  r.outcome = CallRecord::Outcome::HttpError;
  return r;
}

// Makes a well-formed body ill-formed in a way every XML parser rejects (gSOAP's lenient one included): a bare
// "<" inside the text of the first element that has text.
std::string malform(std::string body) {
  for (std::size_t i = 1; i + 1 < body.size(); ++i) {
    if (body[i] == '<' && body[i + 1] == '/' && body[i - 1] != '>') {
      body.insert(i, " < 1 ");
      return body;
    }
  }
  return body + "<";
}

}  // namespace

Reply internal_fault() {
  return soap_fault(kDispatcherNs, "InternalServiceFault",
                    "The server was unable to process the request due to an internal error.  For more information "
                    "about the error, either turn on IncludeExceptionDetailInFaults (either from "
                    "ServiceBehaviorAttribute or from the <serviceDebug> configuration behavior) on the server in "
                    "order to send the exception information back to the client, or turn on tracing as per the "
                    "Microsoft .NET Framework SDK documentation and inspect the server trace logs.");
}

Reply soap_fault(std::string code_ns, std::string code, std::string text) {
  Reply r;
  r.kind = Reply::Kind::Fault;
  r.http_status = 500;
  r.fault_code_ns = std::move(code_ns);
  r.fault_code = std::move(code);
  r.fault_string = std::move(text);
  r.outcome = CallRecord::Outcome::SoapFault;
  return r;
}

void write_reply(const std::string& op, const Reply& reply, Sink& sink) {
  XmlOut out(sink);
  WcfWriter w(out);
  w.begin_envelope();
  if (reply.kind == Reply::Kind::Fault) {
    out.raw("<s:Fault><faultcode xmlns:a=\"");
    out.text(reply.fault_code_ns, true);
    out.raw("\">a:");
    out.raw(reply.fault_code);
    out.raw("</faultcode><faultstring xml:lang=\"en-US\">");
    out.text(reply.fault_string);
    out.raw("</faultstring></s:Fault>");
  } else {
    const int wrapper = schema::type_index("_kareo__" + op + "Response");
    const MemberDef* result = schema::members(wrapper).at(0);
    w.begin_body_element(op + "Response", schema::kareo_ns());
    w.value(result->element, result->ns, result->type, &reply.result, true);
    w.end_body_element();
  }
  w.end_envelope();
}

FakeService::FakeService(struct soap* soap, ServerCore& core) : KareoServicesService(soap), core_(core) {
  drop = [this](bool reset) { drop_connection(this->soap, reset); };
}

int FakeService::serve() {
  soap->keep_alive = soap->max_keep_alive + 1;
  do {
    if (soap->keep_alive > 0 && soap->max_keep_alive > 0) soap->keep_alive--;
    raw_request.clear();
    raw_complete = true;
    if (soap_begin_recv(soap) || soap_envelope_begin_in(soap) || soap_recv_header(soap) || soap_body_begin_in(soap)) {
      if (soap->error == SOAP_STOP) continue;  // answered already (a GET)
      const int error = soap->error;
      // Nothing received: the client closed its idle connection (or the idle timeout passed).
      if (raw_request.empty() || error == SOAP_TCP_ERROR || error == SOAP_SSL_ERROR) return error;
      Reply r;
      r.kind = Reply::Kind::Unsupported;
      r.http_status = 400;
      r.reason = "Bad Request";
      r.outcome = CallRecord::Outcome::HttpError;
      CallRecord rec;
      soap->keep_alive = 0;
      finish_call(rec, r, 400);
      send("", r);
      return error;
    }
    dispatch();
    if (soap->error && soap->error < SOAP_STOP) return soap->error;
    soap_destroy(soap);
    soap_end(soap);
  } while (soap->keep_alive);
  return SOAP_OK;
}

int FakeService::dispatch() {
  // WCF's BasicHttpBinding refuses SOAP 1.2 before reading the body.
  if (content_type.find("application/soap+xml") != std::string::npos || soap->version == 2) {
    Reply r;
    r.kind = Reply::Kind::Unsupported;
    r.http_status = 415;
    r.reason = "Cannot process the message because the content type '" + content_type +
               "' was not the expected type 'text/xml; charset=utf-8'.";
    r.outcome = CallRecord::Outcome::HttpError;
    CallRecord rec;
    soap->keep_alive = 0;
    finish_call(rec, r, 415);
    send("", r);
    return soap->error = SOAP_STOP;
  }
  content_type.clear();
  int rc = KareoServicesService::dispatch();
  raw_request.clear();
  raw_complete = true;
  if (rc == SOAP_OK || rc >= SOAP_STOP) return rc;
  if (rc == SOAP_EOF || rc == SOAP_TCP_ERROR || rc == SOAP_SSL_ERROR || rc == SOAP_UDP_ERROR) return rc;
  // The body named no operation, or did not deserialize: answer as WCF does, then close (the rest of the
  // request may still be unread).
  Reply r;
  if (rc == SOAP_NO_METHOD) {
    std::string action = soap->action ? soap->action : "";
    r = soap_fault(kAddressingNoneNs, "ActionNotSupported",
                   "The message with Action '" + action +
                       "' cannot be processed at the receiver, due to a ContractFilter mismatch at the "
                       "EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions "
                       "between sender and receiver) or a binding/security mismatch between the sender and the "
                       "receiver.  Check that the sender and receiver have the same contract and the same binding "
                       "(including security requirements, e.g. Message, Transport, None).");
  } else {
    r = soap_fault(kDispatcherNs, "DeserializationFailed",
                   "The formatter threw an exception while trying to deserialize the message: There was an error "
                   "while trying to deserialize the request (gSOAP error " +
                       std::to_string(rc) + ").");
  }
  soap->keep_alive = 0;
  CallRecord rec;
  finish_call(rec, r, 500);
  send("", r);
  return soap->error = SOAP_STOP;
}

void FakeService::finish_call(CallRecord& rec, const Reply& reply, int http_status) {
  rec.outcome = reply.outcome;
  rec.http_status = http_status;
  rec.rows = reply.rows;
  rec.applied = reply.applied;
  core_.record(std::move(rec));
}

bool FakeService::send(const std::string& op, const Reply& reply) {
  const bool keep = soap->keep_alive != 0;
  switch (reply.kind) {
    case Reply::Kind::Unsupported:
      return HttpOut::send_whole(soap, reply.http_status, reply.reason, "", "", keep);
    case Reply::Kind::Http:
      return HttpOut::send_whole(soap, reply.http_status, reply.reason, "text/html", html_page(reply.http_status),
                                 keep);
    case Reply::Kind::Fault:
    case Reply::Kind::Result: {
      HttpOut http(soap, reply.http_status, reason_phrase(reply.http_status), kXmlContentType, keep);
      write_reply(op, reply, http);
      return http.finish();
    }
  }
  return false;
}

int FakeService::handle(const std::string& op, Node wrapper) {
  // Members WCF would skip as out of order do not reach the operation.
  if (raw_complete) remove_members(wrapper, out_of_order_members(request_body(raw_request), op));
  raw_request.clear();
  raw_complete = true;
  CallRecord rec;
  rec.operation = op;
  // Where the payload and the credentials are: the operation table's payload_member and credentials columns.
  const optable::Row* row = nullptr;
  for (const auto& o : optable::kTable) {
    if (op == o.name) row = &o;
  }
  const Node* request = wrapper.get(row ? row->payload_member : "request");
  if (request) {
    if (const Node* header = request->get("RequestHeader")) rec.customer_key = header->str("CustomerKey").value_or("");
    if (row && row->inline_credentials) rec.customer_key = request->str("CustomerKey").value_or("");
  }

  // WCF dispatches on the SOAPAction; one without the KareoServices/ segment matches no operation.
  const std::string action = soap->action ? soap->action : "";
  if (action != kSoapAction + op) {
    Reply r = soap_fault(kAddressingNoneNs, "ActionNotSupported",
                         "The message with Action '" + action +
                             "' cannot be processed at the receiver, due to a ContractFilter mismatch at the "
                             "EndpointDispatcher. This may be because of either a contract mismatch (mismatched "
                             "Actions between sender and receiver) or a binding/security mismatch between the sender "
                             "and the receiver.  Check that the sender and receiver have the same contract and the "
                             "same binding (including security requirements, e.g. Message, Transport, None).");
    finish_call(rec, r, 500);
    send(op, r);
    return soap->error = SOAP_STOP;
  }

  PickedFaults faults = core_.pick_faults(op);
  if (faults.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(faults.latency_ms));
  }
  const std::optional<Fault>& decisive = faults.decisive;
  Reply reply;
  bool decided = false;
  if (decisive) {
    switch (decisive->kind) {
      case Fault::Kind::Internal:
        reply = internal_fault();
        decided = true;
        break;
      case Fault::Kind::Http:
        reply = http_error(decisive->status);
        decided = true;
        break;
      case Fault::Kind::Throttle: {
        auto interval = published_interval(op);
        auto table = core_.throttle_table();
        if (table.count(op)) interval = table[op];
        reply = throttle_reply(op, interval.count() ? interval : std::chrono::milliseconds(1000));
        decided = true;
        break;
      }
      case Fault::Kind::Drop:
        if (decisive->drop == Fault::DropPoint::BeforeApply) {
          rec.outcome = CallRecord::Outcome::Dropped;
          rec.http_status = 0;
          core_.record(std::move(rec));
          drop(decisive->reset);
          return soap->error = SOAP_STOP;
        }
        break;
      default:
        break;
    }
  }

  if (!decided) {
    if (row && row->inline_credentials) {
      // The credentials inline in the request (the table's credentials = "inline"): no RequestHeader and no rate
      // limit; the operation checks them itself.
      const Node none = Node::object();
      CallContext ctx{core_, op, rec.customer_key, Visibility{core_.denied_practices()}, {}};
      try {
        reply = run_operation(ctx, request ? request : &none);
      } catch (const std::exception&) {
        reply = internal_fault();
      }
    } else if (!request || !request->get("RequestHeader")) {
      // What WCF does with a null request or header: a NullReferenceException in the service.
      reply = internal_fault();
    } else {
      const Node& header = *request->get("RequestHeader");
      const auto& creds = core_.options.credentials;
      std::chrono::milliseconds interval{0};
      const std::vector<std::int64_t> authorized = core_.authorized_practices();
      if (header.str("CustomerKey").value_or("") != creds.customer_key) {
        reply = security_failure(core_, authorized, false, false, "", "Invalid customer key.");
      } else if (header.str("User").value_or("") != creds.user ||
                 header.str("Password").value_or("") != creds.password) {
        reply = security_failure(core_, authorized, true, false, "", "Invalid user name and/or password.");
      } else if (core_.operation_denied(op)) {
        reply = security_failure(core_, authorized, true, true, permission_name(op),
                                 "The user does not have the permissions required for " + op + ".");
      } else if (core_.throttled(rec.customer_key, op, interval)) {
        reply = throttle_reply(op, interval);
      } else {
        CallContext ctx{core_, op, rec.customer_key, Visibility{core_.denied_practices()}, authorized};
        try {
          reply = run_operation(ctx, request);
        } catch (const std::exception&) {
          reply = internal_fault();
        }
      }
    }
  }

  // Faults that act on the way out.
  if (decisive && decisive->kind == Fault::Kind::Drop) {
    rec.applied = reply.applied;
    rec.rows = reply.rows;
    rec.outcome = CallRecord::Outcome::Dropped;
    rec.http_status = decisive->drop == Fault::DropPoint::MidResponse ? reply.http_status : 0;
    // The call is logged before the client can notice anything.
    core_.record(std::move(rec));
    if (decisive->drop == Fault::DropPoint::AfterApply) {
      drop(decisive->reset);
    } else {
      StringSink body;
      write_reply(op, reply, body);
      std::string head =
          HttpOut::head(reply.http_status, reason_phrase(reply.http_status), kXmlContentType, body.text.size(), true);
      send_raw(soap, head.data(), head.size());
      send_raw(soap, body.text.data(), body.text.size() / 2);
      drop(decisive->reset);
    }
    return soap->error = SOAP_STOP;
  }
  if (decisive && (decisive->kind == Fault::Kind::Truncate || decisive->kind == Fault::Kind::Malformed) &&
      (reply.kind == Reply::Kind::Result || reply.kind == Reply::Kind::Fault)) {
    StringSink body;
    write_reply(op, reply, body);
    std::string text = decisive->kind == Fault::Kind::Truncate ? body.text.substr(0, body.text.size() / 2)
                                                               : malform(std::move(body.text));
    // The connection is closed after a damaged body, so a client sees its end right away; with keep-open it
    // stays open (the server waits for the next request), and only the message's length tells where it ends.
    if (!decisive->keep_open) {
      soap->keep_alive = 0;
    } else if (soap->keep_alive == 0) {
      soap->keep_alive = 1;
    }
    Reply shown = reply;
    shown.outcome = CallRecord::Outcome::Corrupted;
    finish_call(rec, shown, reply.http_status);
    HttpOut::send_whole(soap, reply.http_status, reason_phrase(reply.http_status), kXmlContentType, text,
                        decisive->keep_open);
    return soap->error = SOAP_STOP;
  }

  // Logged first: a client that has its answer finds the call in the log.
  finish_call(rec, reply, reply.http_status);
  if (!send(op, reply)) soap->keep_alive = 0;
  return soap->error = SOAP_STOP;
}

#define KAREO_FAKE_OPERATION_(Name, Member, Payload, Result)                                     \
  int FakeService::Name(kareo_wire::_kareo__##Name* in, kareo_wire::_kareo__##Name##Response&) { \
    return handle(#Name, request_node(soap, in));                                                \
  }
KAREO_OPERATION_LIST(KAREO_FAKE_OPERATION_)
#undef KAREO_FAKE_OPERATION_

namespace {

int capture_header(struct soap* soap, const char* key, const char* val) {
  auto* svc = static_cast<FakeService*>(soap->user);
  if (key && val && !soap_tag_cmp(key, "Content-Type")) svc->content_type = val;
  return svc->default_parsehdr(soap, key, val);
}

constexpr std::size_t kRawRequestLimit = 16 * 1024 * 1024;

std::size_t capture_recv(struct soap* soap, char* buf, std::size_t len) {
  auto* svc = static_cast<FakeService*>(soap->user);
  std::size_t n = svc->default_frecv(soap, buf, len);
  if (n > 0 && svc->raw_complete) {
    if (svc->raw_request.size() + n > kRawRequestLimit) {
      svc->raw_complete = false;
      svc->raw_request.clear();
    } else {
      svc->raw_request.append(buf, n);
    }
  }
  return n;
}

// A GET (a browser, a health check) gets a small service page instead of a gSOAP error.
int answer_get(struct soap* soap) {
  auto* svc = static_cast<FakeService*>(soap->user);
  const std::string path = soap->path;
  if (svc->core().options.control_endpoint && is_control_path(path)) {
    ControlAnswer a = control(svc->core(), path);
    HttpOut::send_whole(soap, a.status,
                        a.status == 200   ? "OK"
                        : a.status == 404 ? "Not Found"
                                          : "Bad Request",
                        a.content_type, a.body, soap->keep_alive != 0);
    return SOAP_OK;
  }
  static const std::string page =
      "<!DOCTYPE html>\r\n<html><head><title>KareoServices Service</title></head><body><h1>KareoServices "
      "Service</h1><p>kareo-fake-server: a local stand-in for the Tebra (Kareo) Web Services API 2.1. "
      "Send SOAP 1.1 POST requests to this address.</p></body></html>\r\n";
  HttpOut::send_whole(soap, 200, "OK", "text/html; charset=UTF-8", page, soap->keep_alive != 0);
  return SOAP_OK;
}

}  // namespace

void prepare_connection(struct soap* soap, FakeService& service) {
  soap->user = &service;
  service.default_parsehdr = soap->fparsehdr;
  soap->fparsehdr = capture_header;
  service.default_frecv = soap->frecv;
  soap->frecv = capture_recv;
  soap->fget = answer_get;
}

}  // namespace kareo::testing::detail

// The generated service class declares its 28 operations without defining them (they are meant to be
// overridden), yet its vtable refers to them. These definitions answer "no such method"; they live here, in
// the object that derives from the class, so a static link always finds them.
namespace kareo_wire {

#define KAREO_NO_METHOD_(Name, Member, Payload, Result) \
  int KareoServicesService::Name(_kareo__##Name*, _kareo__##Name##Response&) { return SOAP_NO_METHOD; }
KAREO_OPERATION_LIST(KAREO_NO_METHOD_)
#undef KAREO_NO_METHOD_

}  // namespace kareo_wire
