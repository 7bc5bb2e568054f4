// A send that does not wait, for the built-in transport and the fake server (both send through gSOAP).
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstddef>

#include "stdsoap2.h"

namespace kareo::detail {

/// Sends what the socket of `soap` takes at once, without waiting, and moves `data` and `size` past it. True
/// when all of it went: gSOAP's send, which first waits for the socket to be writable (within its send timeout)
/// and reports failures, is then not needed for this part. One system call where gSOAP makes two.
///
/// Over TLS, OpenSSL writes: gSOAP makes the socket non-blocking when it has a send or receive timeout, and
/// OpenSSL then writes whole records or asks to be called again. gSOAP's send makes that call, with the same
/// bytes, as OpenSSL requires. A blocking TLS socket (no timeouts at all) is left to gSOAP.
inline bool send_at_once(struct soap* soap, const char*& data, std::size_t& size) {
  if (!soap_valid_socket(soap->socket) || size == 0) return size == 0;
  if (soap->ssl) {
    if ((soap->send_timeout == 0 && soap->recv_timeout == 0) || size > static_cast<std::size_t>(INT_MAX)) {
      return false;
    }
    const int written = SSL_write(soap->ssl, data, static_cast<int>(size));
    if (written > 0) {
      data += written;
      size -= static_cast<std::size_t>(written);
    }
    return size == 0;
  }
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
