// The canned transport (wire::make_canned_connection): the built-in transport with the socket replaced by a
// function that answers each request. Everything above the socket (framing, parsing, the checks, the fault
// mapping, the support capture) is the built-in transport's own.
#include <cstring>

#include "transport/gsoap_context.hpp"

namespace kareo::detail {
namespace {

// The socket stand-ins.
SOAP_SOCKET canned_open(struct soap*, const char*, const char*, int) { return 0; }
int canned_close(struct soap*) { return SOAP_OK; }

// The request's bytes are in CallState::sent already (capture_send keeps them whole for this transport).
int canned_send(struct soap*, const char*, size_t) { return SOAP_OK; }

size_t canned_recv(struct soap* soap, char* data, size_t n) {
  auto* st = static_cast<CallState*>(soap->user);
  if (!st->canned_answered) {
    st->canned_answered = true;
    const std::string& raw = st->sent;
    const auto head_end = raw.find("\r\n\r\n");
    wire::CannedRequest request;
    request.operation = st->operation;
    request.soap_action = soap_action(st->operation);
    request.xml = head_end == std::string::npos ? raw : raw.substr(head_end + 4);
    wire::CannedResponse reply;
    try {
      reply = (*st->responder)(request);
    } catch (...) {
      return 0;  // the responder failed: like a connection closed without an answer
    }
    st->canned_head = "HTTP/1.1 " + std::to_string(reply.status) + " Canned\r\nContent-Type: " + reply.content_type +
                      "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n";
    st->canned_body = std::move(reply.body);
    st->canned_at = 0;
  }
  // Read from an offset: the body may be hundreds of megabytes, read a buffer at a time.
  size_t got = 0;
  while (got < n) {
    const bool in_head = st->canned_at < st->canned_head.size();
    const std::string& part = in_head ? st->canned_head : st->canned_body;
    const std::size_t at = in_head ? st->canned_at : st->canned_at - st->canned_head.size();
    if (at >= part.size()) break;  // all read
    const std::size_t k = std::min(n - got, part.size() - at);
    std::memcpy(data + got, part.data() + at, k);
    got += k;
    st->canned_at += k;
  }
  return got;
}

}  // namespace

void use_canned_transport(soap* soap, CallState& state) {
  state.fsend = canned_send;
  state.frecv = canned_recv;
  soap->fopen = canned_open;
  soap->fclose = canned_close;
}

}  // namespace kareo::detail

namespace kareo::wire {

std::shared_ptr<Connection> make_canned_connection(CannedResponder responder, const Options& o) {
  if (!responder) throw InvalidArgument("make_canned_connection: no responder");
  detail::Settings s{"http://canned.invalid/services/soap/2.1/KareoServices.svc",
                     o.connect_timeout(),
                     o.send_timeout(),
                     o.receive_timeout(),
                     o.call_timeout(),
                     {},
                     {},
                     false,
                     false,
                     o.max_response_bytes(),
                     o.max_idle_connections(),
                     std::make_shared<const CannedResponder>(std::move(responder)),
                     o.support_capture() == WireTrace::WithPatientData};
  return detail::make_gsoap_connection(std::move(s));
}

}  // namespace kareo::wire
