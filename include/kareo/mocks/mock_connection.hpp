/// @file
/// Mocks for testing your own code without a server: a GoogleMock kareo::Connection, typed actions that answer or
/// fail an operation, and kareo::mocks::make_client() to put a kareo::Client over either.
///
/// Link `Kareo::mocks` (it brings GoogleMock). A test of your own function that reads patients:
/// @code
/// #include <kareo/mocks/mock_connection.hpp>
///
/// using kareo::Operation;
/// using ::testing::_;
///
/// TEST(MyCode, CountsPatients) {
///   auto mock = std::make_shared<kareo::mocks::MockConnection>();
///   EXPECT_CALL(*mock, call(kareo::mocks::IsOperation(Operation::GetPatients)))
///       .WillOnce(kareo::mocks::Answer<Operation::GetPatients>([](const kareo::mocks::Request<Operation::GetPatients>&
///       request) {
///         kareo::mocks::Result<Operation::GetPatients> result;
///         // ... fill result from what the code under test asked for (request.Filter, request.Fields)
///         return result;
///       }));
///   kareo::Client client = kareo::mocks::make_client(mock);
///   EXPECT_EQ(my_count_of_patients(client), 0);
/// }
/// @endcode
/// kareo::mocks::Responder answers by operation without GoogleMock. Errors to throw from either:
/// kareo::mocks::ambiguous_outcome(), kareo::mocks::throttled(), kareo::mocks::authentication_failed(),
/// kareo::mocks::service_error().
#pragma once

#include <gmock/gmock.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "kareo/client.hpp"
#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/options.hpp"
#include "kareo/policies.hpp"
#include "kareo/wire.hpp"

namespace kareo::mocks {

/// The request payload type of operation `Op` (for GetPatients the generated `kareo_wire::kareo__GetPatientsReq`).
template <Operation Op>
using Request = typename wire::Traits<Op>::Payload;

/// The result type of operation `Op` (for GetPatients: the generated `kareo_wire::kareo__GetPatientsResp`).
template <Operation Op>
using Result = typename wire::Traits<Op>::Result;

/// A kareo::Connection whose `call` is a GoogleMock method: set expectations with `EXPECT_CALL(*mock, call(...))`
/// and answer with kareo::mocks::Answer(), kareo::mocks::Respond() or GoogleMock's `Throw`.
class MockConnection : public Connection {
 public:
  /// The mocked kareo::Connection::call.
  MOCK_METHOD(void, call, (Exchange & exchange), (override));
};

/// A kareo::Client over `connection` for a test: synthetic credentials (unless `options` has some), no pacing and
/// no retries (CallPolicies::none()), so every call reaches the mock once and at once.
inline Client make_client(std::shared_ptr<Connection> connection, Options options = Options{}) {
  if (!options.credentials().complete())
    options.credentials(Credentials("test-customer-key", "test-user", "test-password"));
  options.policies(CallPolicies::none());
  options.connection(std::move(connection));
  return Client(std::move(options));
}

/// The request of an exchange of operation `Op`. Throws kareo::InvalidArgument when the exchange is of another
/// operation or carries no request.
template <Operation Op>
const Request<Op>& request_of(const Exchange& exchange) {
  const auto& body = exchange.request<Op>();  // throws for an exchange of another operation
  if (!wire::Traits<Op>::payload(body)) {
    throw InvalidArgument(std::string("kareo::mocks::request_of: the ") + std::string(operation_name(Op)) +
                          " exchange carries no request");
  }
  return *wire::Traits<Op>::payload(body);
}

/// Answers an exchange of operation `Op` with `result`, as the service would have. Throws kareo::InvalidArgument
/// when the exchange is of another operation.
template <Operation Op>
void respond(Exchange& exchange, Result<Op> result) {
  wire::Traits<Op>::result(exchange.response<Op>()) = std::make_shared<Result<Op>>(std::move(result));
}

/// Matches an exchange of operation `op`: `EXPECT_CALL(*mock, call(IsOperation(Operation::GetPatients)))`.
MATCHER_P(IsOperation, op,
          std::string(negation ? "isn't a " : "is a ") + std::string(::kareo::operation_name(op)) + " call") {
  return arg.operation == op;
}

/// A GoogleMock action answering operation `Op` with what `handler` returns for the request:
/// `handler(const Request<Op>&) -> Result<Op>`. The handler may throw a kareo::Error to fail the call.
template <Operation Op, typename Handler>
auto Answer(Handler handler) {
  return [handler = std::move(handler)](Exchange& exchange) mutable {
    respond<Op>(exchange, handler(request_of<Op>(exchange)));
  };
}

/// A GoogleMock action answering operation `Op` with `result`, whatever was asked.
template <Operation Op>
auto Respond(Result<Op> result) {
  return [result = std::move(result)](Exchange& exchange) { respond<Op>(exchange, result); };
}

/// Error details of a failure of `op`, for building your own kareo::Error subclasses.
inline Error::Details details(Operation op, ErrorKind kind, bool retryable = false,
                              std::optional<int> http_status = std::nullopt, std::string server_message = {}) {
  Error::Details d;
  d.kind = kind;
  d.operation = op;
  d.retryable = retryable;
  d.http_status = http_status;
  d.server_message = std::move(server_message);
  return d;
}

/// What the library throws for a write that may have been applied (the connection broke after the request went
/// out): never retried; the caller has to find out whether the record exists.
inline AmbiguousOutcome ambiguous_outcome(Operation op,
                                          std::string cause = "the connection closed after the request was sent") {
  return AmbiguousOutcome(
      std::string(operation_name(op)) + ": the outcome is unknown: " + cause + "; the server may have applied it",
      details(op, ErrorKind::AmbiguousOutcome), ErrorKind::Transport, cause);
}

/// What the library throws when the service refuses a call for the account's rate limit.
inline Throttled throttled(Operation op, std::chrono::milliseconds interval = std::chrono::milliseconds(1000)) {
  const std::string name(operation_name(op));
  return Throttled(name + ": throttled: " + name + " endpoint requested more than allowed over time interval " +
                       std::to_string(interval.count()) + " milliseconds",
                   details(op, ErrorKind::Throttled, true, 200), interval, name);
}

/// What the library throws when the service does not accept the credentials.
inline AuthenticationFailed authentication_failed(Operation op) {
  return AuthenticationFailed(
      std::string(operation_name(op)) + ": authentication failed: Invalid user name and/or password",
      details(op, ErrorKind::AuthenticationFailed, false, 200, "Invalid user name and/or password"), true, false);
}

/// What the library throws when the service answers with an error of its own (ErrorResponse/IsError).
inline ServiceError service_error(Operation op, std::string message) {
  return ServiceError(std::string(operation_name(op)) + ": the service reported an error: " + message,
                      details(op, ErrorKind::ServiceError, false, 200, message));
}

/// A kareo::Connection that answers by operation, without GoogleMock: register a handler per operation with
/// on(); a call of an operation without one fails with kareo::InvalidArgument naming it. Thread-safe.
/// @code
/// auto responder = std::make_shared<kareo::mocks::Responder>();
/// responder->on<kareo::Operation::CreateAppointment>([](const auto&) ->
/// kareo::mocks::Result<kareo::Operation::CreateAppointment> {
///   throw kareo::mocks::ambiguous_outcome(kareo::Operation::CreateAppointment);
/// });
/// kareo::Client client = kareo::mocks::make_client(responder);
/// @endcode
class Responder : public Connection {
 public:
  /// Answers every call of `Op` with `handler(const Request<Op>&) -> Result<Op>` (or the handler's exception).
  template <Operation Op, typename Handler>
  Responder& on(Handler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handlers_[Op] = Answer<Op>(std::move(handler));
    return *this;
  }

  /// Answers every call of `Op` with `result`.
  template <Operation Op>
  Responder& answer(Result<Op> result) {
    std::lock_guard<std::mutex> lock(mutex_);
    handlers_[Op] = Respond<Op>(std::move(result));
    return *this;
  }

  /// Fails every call of `op` with `error` (any exception type, normally a kareo::Error subclass).
  template <typename E>
  Responder& fail(Operation op, E error) {
    std::lock_guard<std::mutex> lock(mutex_);
    handlers_[op] = [error = std::move(error)](Exchange&) { throw error; };
    return *this;
  }

  /// How many calls of `op` arrived.
  std::size_t calls(Operation op) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = counts_.find(op);
    return it == counts_.end() ? 0 : it->second;
  }

  /// Runs the handler of the exchange's operation.
  void call(Exchange& exchange) override {
    std::function<void(Exchange&)> handler;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++counts_[exchange.operation];
      auto it = handlers_.find(exchange.operation);
      if (it == handlers_.end()) {
        throw InvalidArgument("kareo::mocks::Responder: no answer for " +
                                  std::string(operation_name(exchange.operation)) + " (register one with on())",
                              exchange.operation);
      }
      handler = it->second;
    }
    handler(exchange);
  }

 private:
  mutable std::mutex mutex_;
  std::map<Operation, std::function<void(Exchange&)>> handlers_;
  std::map<Operation, std::size_t> counts_;
};

}  // namespace kareo::mocks
