// A scripted kareo::Connection for the policy tests: records every attempt and answers with a handler.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kareo/clock.hpp"
#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/wire.hpp"

namespace kareo::policy_test {

/// One attempt the connection saw.
struct SeenCall {
  Operation operation;
  int attempt;
  Clock::time_point at;
  std::string customer_key;
};

/// Records each call, then runs `handler` (which fills the response or throws).
class MockConnection : public Connection {
 public:
  explicit MockConnection(std::shared_ptr<Clock> clock) : clock_(std::move(clock)) {}

  std::function<void(Exchange&)> handler;

  void call(Exchange& exchange) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back({exchange.operation, exchange.attempt, clock_->now(), key_of(exchange)});
    }
    if (handler) handler(exchange);
  }

  std::vector<SeenCall> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  std::size_t count(Operation op) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto& c : calls_) n += c.operation == op;
    return n;
  }

 private:
  static std::string key_of(const Exchange& ex) {
    if (ex.operation == Operation::GetPatients) {
      const auto* body = &ex.request<Operation::GetPatients>();
      if (body && body->request && body->request->RequestHeader && body->request->RequestHeader->CustomerKey) {
        return *body->request->RequestHeader->CustomerKey;
      }
    }
    return {};
  }
  std::shared_ptr<Clock> clock_;
  mutable std::mutex mutex_;
  std::vector<SeenCall> calls_;
};

/// Error details for a failure of `op`.
inline Error::Details details(Operation op, ErrorKind kind, bool retryable = false,
                              std::optional<int> status = std::nullopt) {
  Error::Details d;
  d.kind = kind;
  d.operation = op;
  d.retryable = retryable;
  d.http_status = status;
  return d;
}

inline Throttled throttled(Operation op, std::chrono::milliseconds interval) {
  const std::string name(operation_name(op));
  return Throttled("429: " + name + " endpoint requested more than allowed over time interval " +
                       std::to_string(interval.count()) + " milliseconds. Please wait to try again.",
                   details(op, ErrorKind::Throttled, true), interval, name);
}

inline SoapFault internal_fault(Operation op) {
  return SoapFault("SOAP fault a:InternalServiceFault", details(op, ErrorKind::SoapFault, !is_write(op), 500),
                   "a:InternalServiceFault", "The server was unable to process the request due to an internal error.");
}

/// A ConnectionError; `sent` says whether the request had gone out (the built-in transport marks a write's
/// failure retryable only when nothing was sent).
inline ConnectionError connection_error(Operation op, bool sent) {
  return ConnectionError(std::string(operation_name(op)) +
                             (sent ? ": connection reset by peer; the connection closed before a response arrived"
                                   : ": connection refused"),
                         details(op, ErrorKind::Transport, !is_write(op) || !sent));
}

inline TimeoutError timeout_error(Operation op) {
  return TimeoutError(std::string(operation_name(op)) + ": no data received within the receive timeout",
                      details(op, ErrorKind::Transport, !is_write(op)));
}

/// The request and response of a call of `op` (empty generated elements) and its Exchange.
class AnyCall {
 public:
  explicit AnyCall(Operation op) {
    switch (op) {
#define KAREO_MOCK_CALL_(Name, M, P, R)                    \
  case Operation::Name:                                    \
    holder_ = std::make_unique<Holder<Operation::Name>>(); \
    break;
      KAREO_OPERATION_LIST(KAREO_MOCK_CALL_)
#undef KAREO_MOCK_CALL_
    }
  }
  /// The exchange of the call.
  Exchange& exchange() { return holder_->exchange(); }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual Exchange& exchange() = 0;
  };
  template <Operation Op>
  struct Holder : Base {
    typename wire::Traits<Op>::Body body;
    typename wire::Traits<Op>::Response response;
    Exchange ex{body, response};
    Exchange& exchange() override { return ex; }
  };
  std::unique_ptr<Base> holder_;
};

/// Fills an empty successful result for the exchange's operation.
inline void succeed(Exchange& ex) {
  switch (ex.operation) {
#define KAREO_MOCK_OK_(Name, M, P, R)                                          \
  case Operation::Name: {                                                      \
    using T = wire::Traits<Operation::Name>;                                   \
    T::result(ex.response<Operation::Name>()) = std::make_shared<T::Result>(); \
    return;                                                                    \
  }
    KAREO_OPERATION_LIST(KAREO_MOCK_OK_)
#undef KAREO_MOCK_OK_
  }
}

}  // namespace kareo::policy_test
