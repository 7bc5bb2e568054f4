// FakeServer: listens (HTTP or HTTPS), accepts connections and serves each on its own thread with its own
// copy of the gSOAP context.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <list>
#include <stdexcept>
#include <thread>

#include "core.hpp"
#include "http.hpp"
#include "kareo/testing/fake_server.hpp"
#include "service.hpp"

namespace kareo::testing {

std::string_view outcome_name(CallRecord::Outcome outcome) noexcept {
  switch (outcome) {
    case CallRecord::Outcome::Ok:
      return "ok";
    case CallRecord::Outcome::ServiceError:
      return "service-error";
    case CallRecord::Outcome::Denied:
      return "denied";
    case CallRecord::Outcome::Throttled:
      return "throttled";
    case CallRecord::Outcome::SoapFault:
      return "soap-fault";
    case CallRecord::Outcome::HttpError:
      return "http-error";
    case CallRecord::Outcome::Dropped:
      return "dropped";
    case CallRecord::Outcome::Corrupted:
      return "corrupted";
  }
  return "unknown";
}

std::chrono::steady_clock::time_point ManualClock::now() {
  std::lock_guard lock(mutex_);
  return now_;
}

void ManualClock::advance(std::chrono::milliseconds by) {
  std::lock_guard lock(mutex_);
  now_ += by;
}

struct FakeServer::Impl {
  explicit Impl(FakeServerOptions options) : core(std::move(options)) {}

  struct Connection {
    struct soap* soap = nullptr;
    SOAP_SOCKET fd = SOAP_INVALID_SOCKET;  ///< valid while the connection is open (guarded by mutex)
    std::thread thread;
    bool done = false;
  };

  detail::ServerCore core;
  struct soap* master = nullptr;
  std::thread acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> accepted{0};
  bool tls = false;
  std::uint16_t port = 0;

  std::mutex mutex;
  std::condition_variable changed;
  std::list<Connection> connections;
  bool running = false;

  void accept_loop();
  void serve(Connection* c);
  void close_socket(Connection* c, bool reset);
  void reap(std::unique_lock<std::mutex>& lock);
  void shutdown_all();
};

namespace {

std::string soap_error_text(struct soap* soap) {
  char buf[1024];
  soap_sprint_fault(soap, buf, sizeof buf);
  return buf;
}

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace

void FakeServer::Impl::close_socket(Connection* c, bool reset) {
  std::lock_guard lock(mutex);
  c->fd = SOAP_INVALID_SOCKET;
  detail::drop_connection(c->soap, reset);
}

void FakeServer::Impl::serve(Connection* c) {
  struct soap* s = c->soap;
  if (!tls || soap_ssl_accept(s) == SOAP_OK) {
    detail::FakeService service(s, core);
    detail::prepare_connection(s, service);
    service.drop = [this, c](bool reset) { close_socket(c, reset); };
    service.serve();
  }
  {
    std::lock_guard lock(mutex);
    c->fd = SOAP_INVALID_SOCKET;
    s->keep_alive = 0;
    soap_closesock(s);
    if (soap_valid_socket(s->socket)) soap_force_closesock(s);
  }
  soap_destroy(s);
  soap_end(s);
  soap_free(s);
  std::lock_guard lock(mutex);
  c->soap = nullptr;
  c->done = true;
  changed.notify_all();
}

void FakeServer::Impl::reap(std::unique_lock<std::mutex>& lock) {
  for (auto it = connections.begin(); it != connections.end();) {
    if (it->done) {
      std::thread t = std::move(it->thread);
      it = connections.erase(it);
      lock.unlock();
      t.join();
      lock.lock();
    } else {
      ++it;
    }
  }
}

void FakeServer::Impl::accept_loop() {
  const int max_connections = std::max(1, core.options.max_connections);
  while (!stopping) {
    SOAP_SOCKET fd = soap_accept(master);
    if (stopping) {
      if (soap_valid_socket(fd)) {
        soap_force_closesock(master);
      }
      break;
    }
    {
      std::unique_lock lock(mutex);
      reap(lock);
    }
    if (!soap_valid_socket(fd)) {
      if (master->errnum != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    ++accepted;
    struct soap* copy = soap_copy(master);
    master->socket = SOAP_INVALID_SOCKET;  // the copy owns the connection now
    if (!copy) {
      ::close(fd);
      continue;
    }
    copy->recv_timeout = std::max(1, core.options.idle_timeout_seconds);
    copy->send_timeout = 60;
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] {
      std::size_t active = 0;
      for (const auto& c : connections) active += c.done ? 0 : 1;
      return stopping || active < static_cast<std::size_t>(max_connections);
    });
    connections.emplace_back();
    Connection* c = &connections.back();
    c->soap = copy;
    c->fd = fd;
    if (stopping) {
      // Refuse it: the server is going away.
      c->fd = SOAP_INVALID_SOCKET;
      lock.unlock();
      copy->keep_alive = 0;
      soap_force_closesock(copy);
      soap_free(copy);
      lock.lock();
      c->soap = nullptr;
      c->done = true;
      break;
    }
    c->thread = std::thread([this, c] { serve(c); });
  }
}

void FakeServer::Impl::shutdown_all() {
  std::lock_guard lock(mutex);
  for (auto& c : connections) {
    if (soap_valid_socket(c.fd)) ::shutdown(c.fd, SHUT_RDWR);
  }
  changed.notify_all();
}

FakeServer::FakeServer(FakeServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeServer::~FakeServer() { stop(); }

void FakeServer::start() {
  Impl& d = *impl_;
  if (d.master) throw std::logic_error("the fake server was started already");
  const FakeServerOptions& o = d.core.options;
  // A peer that goes away mid-response must not end the process.
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) std::signal(SIGPIPE, SIG_IGN);
  struct soap* m = soap_new1(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  m->bind_flags = SO_REUSEADDR;
  m->socket_flags = MSG_NOSIGNAL;
  m->accept_timeout = -200000;  // 200 ms: stop() is noticed quickly
  m->max_keep_alive = 100000;
  d.tls = !o.tls_cert.empty();
  if (d.tls) {
    soap_ssl_init();
    if (soap_ssl_server_context(m, SOAP_SSL_NO_AUTHENTICATION | SOAP_TLSv1_2 | SOAP_TLSv1_3, nullptr, nullptr, nullptr,
                                nullptr, nullptr, nullptr, nullptr) != SOAP_OK ||
        !m->ctx) {
      std::string why = soap_error_text(m);
      soap_free(m);
      throw std::runtime_error("cannot set up TLS: " + why);
    }
    auto* ctx = static_cast<SSL_CTX*>(m->ctx);
    const std::string& key = o.tls_key.empty() ? o.tls_cert : o.tls_key;
    if (SSL_CTX_use_certificate_chain_file(ctx, o.tls_cert.c_str()) != 1) {
      std::string why = openssl_error();
      soap_free(m);
      throw std::runtime_error("cannot load the TLS certificate " + o.tls_cert + ": " + why);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
      std::string why = openssl_error();
      soap_free(m);
      throw std::runtime_error("cannot load the TLS private key " + key + ": " + why);
    }
  }
  if (!soap_valid_socket(soap_bind(m, o.host.c_str(), o.port, 128))) {
    std::string why = soap_error_text(m);
    soap_free(m);
    throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + why);
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(m->master, reinterpret_cast<sockaddr*>(&addr), &len);
  d.port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  d.master = m;
  d.stopping = false;
  {
    std::lock_guard lock(d.mutex);
    d.running = true;
  }
  d.acceptor = std::thread([&d] { d.accept_loop(); });
}

void FakeServer::stop() {
  Impl& d = *impl_;
  if (!d.master) return;
  d.stopping = true;
  if (soap_valid_socket(d.master->master)) ::shutdown(d.master->master, SHUT_RDWR);
  d.changed.notify_all();
  if (d.acceptor.joinable()) d.acceptor.join();
  d.shutdown_all();
  std::list<Impl::Connection> left;
  {
    std::lock_guard lock(d.mutex);
    left.swap(d.connections);
  }
  for (auto& c : left) {
    if (c.thread.joinable()) c.thread.join();
  }
  soap_destroy(d.master);
  soap_end(d.master);
  soap_free(d.master);
  d.master = nullptr;
  std::lock_guard lock(d.mutex);
  d.running = false;
  d.changed.notify_all();
}

void FakeServer::wait() {
  Impl& d = *impl_;
  std::unique_lock lock(d.mutex);
  d.changed.wait(lock, [&] { return !d.running; });
}

bool FakeServer::running() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->running;
}

std::uint16_t FakeServer::port() const { return impl_->port; }

std::string FakeServer::url() const {
  const auto& host = impl_->core.options.host;
  bool v6 = host.find(':') != std::string::npos;
  return std::string(impl_->tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(impl_->port);
}

std::string FakeServer::endpoint() const { return url() + "/services/soap/2.1/KareoServices.svc"; }

const FakeServerOptions& FakeServer::options() const { return impl_->core.options; }

std::size_t FakeServer::connections_accepted() const { return impl_->accepted; }

void FakeServer::add_fault(const Fault& fault) { impl_->core.add_fault(fault); }
void FakeServer::add_fault(std::string_view spec) { impl_->core.add_fault(Fault::parse(spec)); }
void FakeServer::clear_faults() { impl_->core.clear_faults(); }
std::vector<Fault> FakeServer::faults() const { return impl_->core.faults(); }

void FakeServer::set_throttle(bool on) { impl_->core.set_throttle(on); }
void FakeServer::reset_throttle() { impl_->core.reset_throttle(); }
std::map<std::string, std::chrono::milliseconds> FakeServer::throttle_table() const {
  return impl_->core.throttle_table();
}

Store& FakeServer::store() { return impl_->core.store; }
const Store& FakeServer::store() const { return impl_->core.store; }

std::vector<CallRecord> FakeServer::calls() const { return impl_->core.calls(); }
std::size_t FakeServer::call_count(std::string_view operation) const { return impl_->core.call_count(operation); }
void FakeServer::clear_calls() { impl_->core.clear_calls(); }

}  // namespace kareo::testing
