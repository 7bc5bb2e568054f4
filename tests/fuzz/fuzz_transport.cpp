// libFuzzer harness: one response of any operation through the whole client, on a real loopback socket. A
// server thread in this process answers each connection with the input's raw HTTP bytes and closes it; the
// call goes through the connection stack of a kareo::Client (the built-in gSOAP transport with its capture,
// de-chunking, decompression, masking and failure classification, then the response checks). A call must end
// with a result or a kareo::Error; anything else (another exception, a crash, a hang, runaway memory) is a
// finding.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "fuzz_input.hpp"
#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "kareo/wire.hpp"

namespace {

class OneShotServer {
 public:
  OneShotServer() {
    std::signal(SIGPIPE, SIG_IGN);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0) std::abort();
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~OneShotServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  void set_reply(std::string_view reply) {
    std::lock_guard<std::mutex> lock(mu_);
    reply_.assign(reply.data(), reply.size());
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      // Read the request: headers, then Content-Length bytes.
      std::string in;
      char buf[16384];
      std::size_t need = std::string::npos;
      while (need == std::string::npos || in.size() < need) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 2000) <= 0) break;
        const long n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
        const auto end = in.find("\r\n\r\n");
        if (need == std::string::npos && end != std::string::npos) {
          const auto cl = in.find("Content-Length:");
          need = end + 4 + (cl == std::string::npos ? 0 : std::strtoul(in.c_str() + cl + 15, nullptr, 10));
        }
      }
      std::string reply;
      {
        std::lock_guard<std::mutex> lock(mu_);
        reply = reply_;
      }
      std::size_t off = 0;
      while (off < reply.size()) {
        const long n = ::send(c, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      ::shutdown(c, SHUT_WR);
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string reply_;
  std::thread thread_;
};

template <kareo::Operation Op>
void call_one(kareo::Connection& connection) {
  using T = kareo::wire::Traits<Op>;
  typename T::Body body;
  T::payload(body) = std::make_shared<typename T::Payload>();
  typename T::Response response;
  kareo::Exchange exchange{body, response};
  connection.call(exchange);
}

void call(kareo::Operation op, kareo::Connection& connection) {
  switch (op) {
#define KAREO_FUZZ_CALL_(Name, M, P, R)           \
  case kareo::Operation::Name:                    \
    call_one<kareo::Operation::Name>(connection); \
    return;
    KAREO_OPERATION_LIST(KAREO_FUZZ_CALL_)
#undef KAREO_FUZZ_CALL_
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static OneShotServer server;
  static kareo::Client client(kareo::Options{}
                                  .endpoint("http://127.0.0.1:" + std::to_string(server.port()) + "/KareoServices.svc")
                                  .credentials(kareo::Credentials("fuzz-customer-key", "fuzz-user", "fuzz-password"))
                                  .keep_alive(false)
                                  .connect_timeout(std::chrono::seconds(2))
                                  .receive_timeout(std::chrono::seconds(2))
                                  .call_timeout(std::chrono::seconds(5))
                                  .max_response_bytes(4u << 20)
                                  .policies(kareo::CallPolicies::none()));
  const kareo::fuzz::Input in = kareo::fuzz::split_input(data, size);
  server.set_reply(in.http);
  try {
    call(in.operation, *client.connection());
  } catch (const kareo::Error&) {
  }
  return 0;
}
