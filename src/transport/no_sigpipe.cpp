#include "transport/no_sigpipe.hpp"

#include <openssl/bio.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cerrno>
#include <ctime>

namespace kareo::detail {

SigpipeGuard::SigpipeGuard() {
  sigemptyset(&pipe_);
  sigaddset(&pipe_, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
}

SigpipeGuard::~SigpipeGuard() {
  if (!blocked_) return;
  if (!was_pending_) {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

namespace {

// OpenSSL's socket BIO writes with write(2); this one sends with MSG_NOSIGNAL and reports a full send buffer or
// an interruption as "retry", as the socket BIO does.
int send_quietly(BIO* bio, const char* data, int length) {
  const int fd = static_cast<int>(BIO_get_fd(bio, nullptr));
  errno = 0;
  const ssize_t sent = ::send(fd, data, static_cast<size_t>(length), MSG_NOSIGNAL);
  BIO_clear_retry_flags(bio);
  if (sent <= 0 && BIO_sock_should_retry(static_cast<int>(sent))) BIO_set_retry_write(bio);
  return static_cast<int>(sent);
}

// The socket BIO's method with the write replaced: reading, the descriptor's controls, creation and release
// stay OpenSSL's own.
const BIO_METHOD* quiet_socket_method() {
  static BIO_METHOD* const method = [] {
    const BIO_METHOD* socket = BIO_s_socket();
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "socket, sends with MSG_NOSIGNAL");
    if (m == nullptr) return m;
    if (BIO_meth_set_write(m, send_quietly) != 1 || BIO_meth_set_read(m, BIO_meth_get_read(socket)) != 1 ||
        BIO_meth_set_puts(m, BIO_meth_get_puts(socket)) != 1 || BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(socket)) != 1 ||
        BIO_meth_set_create(m, BIO_meth_get_create(socket)) != 1 ||
        BIO_meth_set_destroy(m, BIO_meth_get_destroy(socket)) != 1) {
      BIO_meth_free(m);
      return static_cast<BIO_METHOD*>(nullptr);
    }
    return m;
  }();
  return method;
}

}  // namespace

bool write_without_sigpipe(SSL* ssl, int fd) {
  const BIO_METHOD* method = quiet_socket_method();
  if (method == nullptr) return false;
  BIO* bio = BIO_new(method);
  if (bio == nullptr) return false;
  BIO_set_fd(bio, fd, BIO_NOCLOSE);
  // One BIO for both directions: SSL_set_bio takes the one reference and frees the socket BIO gSOAP made.
  SSL_set_bio(ssl, bio, bio);
  return true;
}

}  // namespace kareo::detail
