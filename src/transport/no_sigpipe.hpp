// Part of the built-in transport: writes to a connection the peer has closed must not raise SIGPIPE, which
// would end the caller's program. Plain sends pass MSG_NOSIGNAL (soap->socket_flags). A TLS connection is made
// with SIGPIPE blocked on the calling thread (SigpipeGuard: OpenSSL writes the handshake itself); once it is
// made, its writes go through a socket BIO that also sends with MSG_NOSIGNAL, so the calls on it change no
// signal mask. The process's signal disposition is never touched.
#pragma once

#include <openssl/ssl.h>
#include <signal.h>

namespace kareo::detail {

/// Blocks SIGPIPE on the calling thread for its lifetime; a SIGPIPE raised meanwhile is consumed, one that was
/// already pending before is left pending.
class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
  bool blocked_ = false;
};

/// Makes `ssl`, connected over socket `fd`, read and write through a socket BIO whose writes pass MSG_NOSIGNAL.
/// Call it after the handshake. False when the BIO could not be made (out of memory).
bool write_without_sigpipe(SSL* ssl, int fd);

}  // namespace kareo::detail
