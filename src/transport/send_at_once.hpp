// A send that does not wait, for the built-in transport and the fake server (both send through gSOAP).
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <cstddef>

#include "stdsoap2.h"

namespace kareo::detail {

/// Sends what the plain (not TLS) socket of `soap` takes at once, without waiting, and moves `data` and `size`
/// past it. True when all of it went: gSOAP's send, which first waits for the socket to be writable (within
/// its send timeout) and reports failures, is then not needed for this part. One system call where gSOAP makes
/// two; a TLS connection is left to gSOAP (OpenSSL writes to the socket).
inline bool send_at_once(struct soap* soap, const char*& data, std::size_t& size) {
  if (soap->ssl || !soap_valid_socket(soap->socket) || size == 0) return size == 0;
  ssize_t sent;
  do {
    sent = ::send(soap->socket, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  if (sent > 0) {
    data += sent;
    size -= static_cast<std::size_t>(sent);
  }
  return size == 0;
}

}  // namespace kareo::detail
