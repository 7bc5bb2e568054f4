// The built-in transport's send and receive of one operation: the generated proxy call, or for the streamed
// list operations (the operation table's `streamed` column) the generated send and the streaming reader.
#include <cstring>
#include <memory>

#include "kareo_optable.hpp"
#include "transport/fast_reader.hpp"
#include "transport/gsoap_context.hpp"
#include "wire_helpers.hpp"

namespace kareo::detail {
namespace {

// Receives a list operation's response with the streaming reader: the rows are built as the body arrives, and
// the body is never held. A response of another shape (a fault, a page, a document type declaration...) is
// read to its end and then given to the generated deserializer, from the bytes the transport captured, so it
// is reported exactly as the generated code reports it.
template <typename Response, typename Result>
int streamed_recv(kareo_wire::KareoServicesProxy& proxy, Response& response, std::shared_ptr<Result>& result_slot,
                  const char* response_element, const char* result_element,
                  int (kareo_wire::KareoServicesProxy::*generated_recv)(Response&), Exchange& ex) {
  soap* soap = proxy.soap;
  auto* st = static_cast<CallState*>(soap->user);
  response.soap_default(soap);
  if (soap_begin_recv(soap)) return soap_closesock(soap);
  auto result = std::make_shared<Result>();
  fast::Reader reader(*fast::table_of<Result>(), result.get(), response_element, result_element);
  if (ex.row_sink) {
    const auto& row = optable::kTable[static_cast<std::size_t>(ex.operation)];
    reader.hand_rows(row.rows_array, row.rows_item, ex.row_sink);
  }
  fast::Reader::State state = fast::Reader::State::Reading;
  if (soap->ahead > 0 && soap->ahead < 0x80) {  // a character gSOAP looked ahead at
    const char c = static_cast<char>(soap->ahead);
    state = reader.feed(&c, 1);
  } else if (soap->ahead != 0) {
    return soap->error = SOAP_SYNTAX_ERROR;
  }
  soap->ahead = 0;
  while (state == fast::Reader::State::Reading) {
    if (soap->bufidx < soap->buflen) {
      state = reader.feed(soap->buf + soap->bufidx, soap->buflen - soap->bufidx);
      soap->bufidx = soap->buflen;
      if (reader.aside()) st->keep_whole_response = true;
      continue;
    }
    if (soap_recv(soap)) {
      // The body ended, or reading failed (a timeout, a reset, the size limit): the reader's verdict on what
      // arrived, unless the failure is the transport's.
      const int err = soap->error;
      state = reader.finish();
      if (state == fast::Reader::State::Done) break;
      if (err != SOAP_OK && err != SOAP_EOF) return soap_closesock(soap);
      if (st->timed_out || (soap->recv_maxlength && soap->count > soap->recv_maxlength)) {
        soap->error = SOAP_EOF;
        return soap_closesock(soap);
      }
      break;
    }
  }
  fast::count(static_cast<int>(state));
  if (state == fast::Reader::State::Done) {
    st->streamed = true;
    if (!reader.result_absent()) result_slot = std::move(result);
    if (soap_end_recv(soap)) return soap_closesock(soap);
    return soap_closesock(soap);
  }
  if (state == fast::Reader::State::Failed && reader.sink_error()) {
    // The caller's receiver of the rows threw: the transport's caller rethrows it (the connection is dropped).
    st->row_error = reader.sink_error();
    return soap->error = SOAP_USER_ERROR;
  }
  if (state == fast::Reader::State::Failed) {
    // gSOAP keeps the pointer: the text must live in the context, not in the reader that is about to go.
    soap_set_receiver_error(soap, soap_strdup(soap, reader.error().c_str()), nullptr, SOAP_SYNTAX_ERROR);
    return soap->error = SOAP_SYNTAX_ERROR;
  }
  // Aside: the generated deserializer reads the captured response.
  if (st->received.size() < st->bytes_received) {
    soap_set_receiver_error(soap, "an unexpected response too large to read a second time", nullptr, SOAP_SYNTAX_ERROR);
    return soap->error = SOAP_SYNTAX_ERROR;
  }
  st->replay = st->received;
  st->replay_at = 0;
  end_inflate(soap);  // the replay starts the response over, decompression included
  const auto saved = soap->frecv;
  soap->frecv = replay_recv;
  soap->error = SOAP_OK;
  soap->bufidx = soap->buflen = 0;
  soap->ahead = 0;
  const int rc = (proxy.*generated_recv)(response);
  soap->frecv = saved;
  // The connection's state is unknown after a response the reader could not follow: never reuse it.
  const int error = soap->error;
  soap_force_closesock(soap);
  soap->error = error;
  return rc;
}

}  // namespace

bool streamed(Operation op) noexcept {
  const auto i = static_cast<std::size_t>(op);
  return i < optable::kRows && optable::kTable[i].streamed;
}

int dispatch(kareo_wire::KareoServicesProxy& proxy, const char* endpoint, const std::string& action, Exchange& ex) {
  if (streamed(ex.operation)) {
    switch (ex.operation) {
#define KAREO_STREAMED_(Name)                                                                    \
  case Operation::Name: {                                                                        \
    using T = wire::Traits<Operation::Name>;                                                     \
    auto* body = const_cast<T::Body*>(&ex.request<Operation::Name>());                           \
    auto& response = ex.response<Operation::Name>();                                             \
    if (proxy.send_##Name(endpoint, action.c_str(), body)) return proxy.soap->error;             \
    return streamed_recv(proxy, response, T::result(response), #Name "Response", #Name "Result", \
                         &kareo_wire::KareoServicesProxy::recv_##Name, ex);                      \
  }
      KAREO_STREAMED_OPERATIONS(KAREO_STREAMED_)
#undef KAREO_STREAMED_
      default:
        break;
    }
  }
  switch (ex.operation) {
#define KAREO_DISPATCH_(Name, M, P, R)                                                         \
  case Operation::Name:                                                                        \
    return proxy.Name(endpoint, action.c_str(),                                                \
                      const_cast<kareo_wire::_kareo__##Name*>(&ex.request<Operation::Name>()), \
                      ex.response<Operation::Name>());
    KAREO_OPERATION_LIST(KAREO_DISPATCH_)
#undef KAREO_DISPATCH_
  }
  return SOAP_ERR;
}

void detach_response(Exchange& ex) {
  switch (ex.operation) {
#define KAREO_DETACH_(Name, M, P, R)        \
  case Operation::Name:                     \
    detach(ex.response<Operation::Name>()); \
    break;
    KAREO_OPERATION_LIST(KAREO_DETACH_)
#undef KAREO_DETACH_
  }
}

}  // namespace kareo::detail
