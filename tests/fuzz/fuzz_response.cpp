// libFuzzer harness: one response of any operation, parsed the way the built-in transport parses it, in
// process (no sockets). The raw HTTP bytes are fed to gSOAP through its receive callback; the generated
// proxy's recv_<Operation> reads the HTTP headers (chunked, gzip) and deserializes the body with the generated
// serializers; a successful parse is detached from the context and checked by the facade's mapping of
// SecurityResponse/ErrorResponse into exceptions; a fault's code and string are read back. The facade's own
// text handling of responses (credential masking, trace redaction, the throttle message parser) runs on the
// body too. The six list operations' responses also go through the streaming reader (src/transport/fast_reader.hpp).
// Any exception other than a kareo::Error, any crash, leak or runaway allocation is a finding.
#include <cstdlib>
#include <cstring>
#include <string>

#include "client/facade_internal.hpp"
#include "fuzz_input.hpp"
#include "kareo/json.hpp"
#include "kareo/observability.hpp"
#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"
#include "transport/fast_reader.hpp"
#include "wire_helpers.hpp"

namespace {

struct Feed {
  std::string_view bytes;
  std::size_t at = 0;
};

size_t feed_recv(struct soap* soap, char* buf, size_t len) {
  auto* f = static_cast<Feed*>(soap->user);
  const std::size_t n = std::min(len, f->bytes.size() - f->at);
  std::memcpy(buf, f->bytes.data() + f->at, n);
  f->at += n;
  return n;
}

int discard_send(struct soap*, const char*, size_t) { return SOAP_OK; }

template <kareo::Operation Op>
void parse_one(kareo_wire::KareoServicesProxy& proxy);

#define KAREO_FUZZ_RECV_(Name, M, P, R)                                                           \
  template <>                                                                                     \
  void parse_one<kareo::Operation::Name>(kareo_wire::KareoServicesProxy & proxy) {                \
    kareo_wire::_kareo__##Name##Response response;                                                \
    const int rc = proxy.recv_##Name(response);                                                   \
    std::string fault;                                                                            \
    if (rc != SOAP_OK) {                                                                          \
      if (const char* s = soap_fault_string(proxy.soap)) fault = s;                               \
      if (const char** c = soap_faultcode(proxy.soap); c && *c) fault += *c;                      \
    }                                                                                             \
    kareo::detail::detach(response);                                                              \
    soap_destroy(proxy.soap);                                                                     \
    soap_end(proxy.soap);                                                                         \
    if (rc == SOAP_OK) {                                                                          \
      try {                                                                                       \
        kareo::detail::Secrets secrets;                                                           \
        secrets.add(std::string("fuzz-customer-key"));                                            \
        kareo::detail::check_response(kareo::Operation::Name, &response, {}, secrets.scrubber()); \
      } catch (const kareo::Error&) {                                                             \
      }                                                                                           \
    } else {                                                                                      \
      (void)kareo::wire::parse_throttle_message(fault);                                           \
    }                                                                                             \
  }
KAREO_OPERATION_LIST(KAREO_FUZZ_RECV_)
#undef KAREO_FUZZ_RECV_

// The streaming reader of the list operations over the bytes after the HTTP header, fed in two pieces split
// where the input's length says (so the fuzzer also moves the split).
template <kareo::Operation Op>
void stream_one(std::string_view http) {
  using T = kareo::wire::Traits<Op>;
  const auto head = http.find("\r\n\r\n");
  const std::string_view body = head == std::string_view::npos ? http : http.substr(head + 4);
  auto result = std::make_shared<typename T::Result>();
  const std::string op(kareo::operation_name(Op));
  kareo::detail::fast::Reader reader(*kareo::detail::fast::table_of<typename T::Result>(), result.get(),
                                     (op + "Response").c_str(), (op + "Result").c_str());
  const std::size_t split = body.empty() ? 0 : http.size() % body.size();
  auto state = reader.feed(body.data(), split);
  if (state == kareo::detail::fast::Reader::State::Reading)
    state = reader.feed(body.data() + split, body.size() - split);
  if (state == kareo::detail::fast::Reader::State::Reading) state = reader.finish();
  if (state == kareo::detail::fast::Reader::State::Done) (void)kareo::to_json(result);
}

void stream(kareo::Operation op, std::string_view http) {
  switch (op) {
    case kareo::Operation::GetAllPatients:
      return stream_one<kareo::Operation::GetAllPatients>(http);
    case kareo::Operation::GetAppointments:
      return stream_one<kareo::Operation::GetAppointments>(http);
    case kareo::Operation::GetCharges:
      return stream_one<kareo::Operation::GetCharges>(http);
    case kareo::Operation::GetPatients:
      return stream_one<kareo::Operation::GetPatients>(http);
    case kareo::Operation::GetPayments:
      return stream_one<kareo::Operation::GetPayments>(http);
    case kareo::Operation::GetTransactions:
      return stream_one<kareo::Operation::GetTransactions>(http);
    default:
      return;
  }
}

void parse(kareo::Operation op, kareo_wire::KareoServicesProxy& proxy) {
  switch (op) {
#define KAREO_FUZZ_CASE_(Name, M, P, R)       \
  case kareo::Operation::Name:                \
    parse_one<kareo::Operation::Name>(proxy); \
    return;
    KAREO_OPERATION_LIST(KAREO_FUZZ_CASE_)
#undef KAREO_FUZZ_CASE_
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const kareo::fuzz::Input in = kareo::fuzz::split_input(data, size);
  Feed feed{in.http};
  {
    // The settings of the built-in transport's contexts (src/transport/gsoap_connection.cpp).
    kareo_wire::KareoServicesProxy proxy;
    soap_set_imode(proxy.soap, SOAP_C_UTFSTRING | SOAP_IO_KEEPALIVE);
    soap_set_omode(proxy.soap, SOAP_C_UTFSTRING | SOAP_IO_KEEPALIVE);
    proxy.soap->recv_maxlength = 4u << 20;
    proxy.soap->maxlength = 0;
    proxy.soap->user = &feed;
    proxy.soap->frecv = feed_recv;
    proxy.soap->fsend = discard_send;
    parse(in.operation, proxy);
  }
  stream(in.operation, in.http);
  try {
    const std::string body(in.http);
    (void)kareo::mask_credentials(body);
    (void)kareo::redact_xml(body, false);
    (void)kareo::wire::parse_throttle_message(body);
  } catch (const kareo::Error&) {
  }
  return 0;
}
