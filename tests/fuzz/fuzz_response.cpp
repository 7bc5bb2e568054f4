// libFuzzer harness: one response of any operation, parsed the way the built-in transport parses it, in
// process (no sockets). The raw HTTP bytes are fed to gSOAP through its receive callback; the generated
// proxy's recv_<Operation> reads the HTTP headers (chunked, gzip) and deserializes the body with the generated
// serializers; a successful parse is detached from the context and checked by the facade's mapping of
// SecurityResponse/ErrorResponse into exceptions; a fault's code and string are read back. The facade's own
// text handling of responses (credential masking, trace redaction, the throttle message parser) runs on the
// body too. Any exception other than a kareo::Error, any crash, leak or runaway allocation is a finding.
#include <cstdlib>
#include <cstring>
#include <string>

#include "facade_internal.hpp"
#include "fuzz_input.hpp"
#include "kareo/observability.hpp"
#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"
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
    // The settings of the built-in transport's contexts (src/gsoap_connection.cpp).
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
  try {
    const std::string body(in.http);
    (void)kareo::mask_credentials(body);
    (void)kareo::redact_xml(body, false);
    (void)kareo::wire::parse_throttle_message(body);
  } catch (const kareo::Error&) {
  }
  return 0;
}
