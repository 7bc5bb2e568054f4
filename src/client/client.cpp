#include "kareo/client.hpp"

#include <cctype>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "client/facade_internal.hpp"
#include "client/row_call.hpp"
#include "kareo/policies.hpp"
#include "kareo/retry.hpp"
#include "kareo/wire.hpp"
#include "kareo_optable.hpp"
#include "kareo_wireH.h"
#include "wire_helpers.hpp"

namespace kareo {
namespace {

template <typename P, typename = void>
struct HasFields : std::false_type {};
template <typename P>
struct HasFields<P, std::void_t<decltype(std::declval<P&>().Fields)>> : std::true_type {};
template <typename P, typename = void>
struct HasFilter : std::false_type {};
template <typename P>
struct HasFilter<P, std::void_t<decltype(std::declval<P&>().Filter)>> : std::true_type {};

// A new shared object holding `value`'s members.
template <typename T>
std::shared_ptr<T> share(T& value) {
  return std::make_shared<T>(std::move(value));
}

bool blank(const std::optional<std::string>& s) {
  if (!s) return true;
  for (char c : *s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The clock of a cancellable call's retry layer: its waits end early, with kareo::Cancelled, when the token is
// cancelled.
class CancellingClock final : public Clock {
 public:
  CancellingClock(std::shared_ptr<Clock> inner, CancellationToken token, Operation op)
      : inner_(std::move(inner)), token_(std::move(token)), op_(op) {}
  time_point now() override { return inner_->now(); }
  std::chrono::system_clock::time_point wall_now() override { return inner_->wall_now(); }
  void sleep_until(time_point deadline) override {
    if (!inner_->sleep_until(deadline, token_)) {
      throw Cancelled(std::string(operation_name(op_)) + ": cancelled while waiting to try again");
    }
  }
  bool sleep_until(time_point deadline, const CancellationToken& token) override {
    return inner_->sleep_until(deadline, token);
  }

 private:
  std::shared_ptr<Clock> inner_;
  CancellationToken token_;
  Operation op_;
};

}  // namespace

struct Client::Impl {
  Options options;
  std::shared_ptr<Connection> stack;
  std::shared_ptr<Connection> paced;  // the stack under the retry layer (pacing, observability, transport)

  void credentials_or_throw(Operation op) const {
    const Credentials& c = options.credentials();
    if (c.complete()) return;
    std::string missing;
    auto add = [&](bool empty, const char* name) {
      if (!empty) return;
      if (!missing.empty()) missing += ", ";
      missing += name;
    };
    add(c.customer_key().empty(), "customer key");
    add(c.user().empty(), "user");
    add(c.password().empty(), "password");
    throw InvalidArgument(std::string(operation_name(op)) + ": credentials incomplete: missing " + missing, op);
  }

  // The stack a call with `o` goes through: the client's, or, when the call has its own retry policy, timeout or
  // cancellation token, a retry layer of its own over the client's pacing and transport, under the decorators.
  std::shared_ptr<Connection> stack_for(Operation op, const CallOptions& o) const {
    if (!o.retry && !o.timeout && !o.cancel) return stack;
    const CallPolicies& p = options.policies();
    if (!p.retry && !o.retry && !o.cancel) return stack;  // no retry layer: the deadline alone bounds the call
    RetryPolicy policy = o.retry ? *o.retry : p.retry_policy;
    if (!p.retry && !o.retry) policy.max_attempts = 1;
    if (o.timeout && (policy.max_elapsed <= std::chrono::milliseconds::zero() || *o.timeout < policy.max_elapsed)) {
      policy.max_elapsed = *o.timeout;
    }
    std::shared_ptr<Clock> clock = p.clock ? p.clock : SystemClock::instance();
    if (o.cancel) clock = std::make_shared<CancellingClock>(std::move(clock), *o.cancel, op);
    std::shared_ptr<Connection> out = std::make_shared<RetryingConnection>(paced, std::move(policy), std::move(clock));
    for (const auto& decorate : options.decorators()) out = decorate(std::move(out));
    return out;
  }

  template <Operation Op>
  typename wire::Traits<Op>::Result call(typename wire::Traits<Op>::Payload& payload, const CallOptions& o,
                                         std::function<void(std::shared_ptr<void>, int)> row_sink = nullptr) {
    using T = wire::Traits<Op>;
    using P = typename T::Payload;
    credentials_or_throw(Op);
    if (o.cancel && o.cancel->cancelled()) {
      throw Cancelled(std::string(operation_name(Op)) + ": cancelled before it was sent");
    }
    const Credentials& c = options.credentials();
    if constexpr (std::is_base_of_v<kareo_wire::kareo__RequestBase, P>) {
      auto header = std::make_shared<kareo_wire::kareo__RequestHeader>();
      header->ClientVersion = options.client_version();
      header->CustomerKey = c.customer_key();
      header->Password = c.password();
      header->User = c.user();
      payload.RequestHeader = std::move(header);
    } else {
      payload.CustomerKey = c.customer_key();
      payload.Password = c.password();
      payload.User = c.user();
    }
    // The service faults on a missing Fields or Filter; empty ones ask for every column and no narrowing.
    if constexpr (HasFields<P>::value) {
      if (!payload.Fields) payload.Fields = std::make_shared<typename decltype(payload.Fields)::element_type>();
    }
    if constexpr (HasFilter<P>::value) {
      if (!payload.Filter) payload.Filter = std::make_shared<typename decltype(payload.Filter)::element_type>();
    }
    typename T::Body body;
    T::payload(body) = share(payload);
    typename T::Response response;
    Exchange exchange{body, response};
    if (row_sink) {
      exchange.row_sink = [&exchange, sink = std::move(row_sink)](std::shared_ptr<void> row) {
        sink(std::move(row), exchange.attempt);
      };
    }
    if (o.timeout) exchange.deadline = std::chrono::steady_clock::now() + *o.timeout;
    exchange.cancel = o.cancel;
    // A write that may have reached the server is reported as kareo::AmbiguousOutcome by the retry layer, which
    // every stack has (kareo/policies.hpp).
    stack_for(Op, o)->call(exchange);
    if (o.on_received) o.on_received(exchange.wire().bytes_received);
    // A user-supplied transport may fill a failure report without throwing. The secrets are gathered only for
    // the message of such a failure.
    const detail::LazySecrets secrets([&c] {
      detail::Secrets s;
      s.add(c.customer_key());
      s.add(c.user());
      s.add(c.password());
      return s;
    });
    detail::check_response(Op, &response, {}, secrets.scrubber());
    typename T::Result out;
    detail::take(out, *T::result(response));
    detail::detach(out);
    return out;
  }
};

namespace detail {

void deliver_event(const EventSink& sink, const CallEvent& event, WireTrace mode) {
  (void)mode;  // what the event's XML was redacted for; read by the test suite's secrets scan
  sink(event);
}

}  // namespace detail

Client::Client(Options options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  const Options& o = impl_->options;
  std::shared_ptr<Connection> transport = o.connection();
  if (!transport) transport = detail::make_gsoap_connection(o);
  std::shared_ptr<Connection> stack = transport;
  if (o.event_sink()) stack = detail::make_observed_connection(std::move(stack), o.event_sink(), o.wire_trace());
  // Pacing, then retries (kareo/policies.hpp); the stack under the retry layer is kept for calls with options.
  stack = apply_pacing(std::move(stack), o.policies());
  impl_->paced = stack;
  stack = apply_retries(std::move(stack), o.policies());
  for (const auto& decorate : o.decorators()) {
    stack = decorate(std::move(stack));
    if (!stack) throw InvalidArgument("a decorator returned no connection");
  }
  impl_->stack = std::move(stack);
}

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Client::Impl& Client::impl() const {
  if (!impl_) {
    throw InvalidArgument(
        "this kareo::Client was moved from and has no connections or options left; use the Client it was moved "
        "to (ranges and change feeds made before the move keep working)");
  }
  return *impl_;
}

namespace detail {
std::shared_ptr<Client> share_client(const Client& client) {
  client.impl();  // throws for a moved-from client
  return std::shared_ptr<Client>(new Client(client.impl_));
}
}  // namespace detail

const Options& Client::options() const { return impl().options; }
std::shared_ptr<Connection> Client::connection() const { return impl().stack; }

// ---- any operation --------------------------------------------------------------------------------------

template <Operation Op>
typename wire::Traits<Op>::Result Client::call(typename wire::Traits<Op>::Payload request, const CallOptions& options) {
  return impl().call<Op>(request, options);
}
#define KAREO_CALL_(Name, PayloadMember, PayloadType, ResultType)               \
  template wire::Traits<Operation::Name>::Result Client::call<Operation::Name>( \
      wire::Traits<Operation::Name>::Payload request, const CallOptions& options);
KAREO_OPERATION_LIST(KAREO_CALL_)
#undef KAREO_CALL_

namespace detail {
template <Operation Op>
typename wire::Traits<Op>::Result RowCall::call(Client& client, typename wire::Traits<Op>::Payload request,
                                                const CallOptions& options,
                                                std::function<void(std::shared_ptr<void>, int)> sink) {
  return client.impl().call<Op>(request, options, std::move(sink));
}
#define KAREO_ROW_CALL_(Name, method, array, item, id)                                             \
  template wire::Traits<Operation::Name>::Result RowCall::call<Operation::Name>(                   \
      Client & client, wire::Traits<Operation::Name>::Payload request, const CallOptions& options, \
      std::function<void(std::shared_ptr<void>, int)> sink);
KAREO_LIST_OPERATIONS(KAREO_ROW_CALL_)
#undef KAREO_ROW_CALL_
}  // namespace detail

// ---- writes ----------------------------------------------------------------------------------------------

namespace {

// What the service needs of a write although the contract does not say so: refused here, before anything is sent.
template <class T>
void check_write(const T&, Operation) {}

void check_write(const AppointmentCreate& appointment, Operation op) {
  // A default-constructed AppointmentType (0) is not one of the contract's values: the service would refuse it.
  const auto type = appointment.AppointmentType;
  if (type != AppointmentType::P && type != AppointmentType::O && type != AppointmentType::U) {
    throw InvalidArgument(std::string(operation_name(op)) +
                              ": set AppointmentType (P: patient appointment, O: other, U: unavailable time)",
                          op);
  }
}

void check_write(const PaymentCreate& payment, Operation op) {
  // The service needs Payment/PaymentMethod, one of the contract's PaymentMethodCode values, although the contract
  // lets it be nil: refuse the payment here rather than have it fail, or be posted without a method, there.
  if (!payment.Payment) return;
  std::string accepted;
  bool known = false;
  for (auto code : {PaymentMethodCode::Cash, PaymentMethodCode::ElectronicFundsTransfer, PaymentMethodCode::Check,
                    PaymentMethodCode::Other, PaymentMethodCode::CreditCard, PaymentMethodCode::Unknown}) {
    const std::string name = kareo_wire::soap_wcf__PaymentMethodCode2s(nullptr, code);
    accepted += (accepted.empty() ? "" : ", ") + name;
    known = known || payment.Payment->PaymentMethod == name;
  }
  if (known) return;
  const auto& given = payment.Payment->PaymentMethod;
  throw InvalidArgument(std::string(operation_name(op)) + ": " +
                            (blank(given) ? std::string("set Payment/PaymentMethod")
                                          : "Payment/PaymentMethod \"" + *given + "\" is not accepted") +
                            " (one of " + accepted + ")",
                        op);
}

void check_write(const ExternalVendorReq& vendor, Operation op) {
  if (blank(vendor.ExternalVendorName)) {
    throw InvalidArgument(std::string(operation_name(op)) + ": give the ExternalVendorName", op);
  }
}

// Puts a write's argument in its payload member: shared when the member is a pointer, else copied.
template <class M, class V>
void put(std::shared_ptr<M>& member, V&& value) {
  member = std::make_shared<M>(std::forward<V>(value));
}
template <class M, class V>
void put(M& member, V&& value) {
  member = std::forward<V>(value);
}

}  // namespace

// Every write method: check what the service needs, put the argument in the payload, call (kareo_optable.hpp).
#define KAREO_WRITE_(Name, Method, Arg, Member)                                                 \
  wire::Traits<Operation::Name>::Result Client::Method(Arg value, const CallOptions& options) { \
    check_write(value, Operation::Name);                                                        \
    wire::Traits<Operation::Name>::Payload request;                                             \
    put(request.Member, std::move(value));                                                      \
    return impl().call<Operation::Name>(request, options);                                      \
  }
KAREO_CLIENT_WRITES(KAREO_WRITE_)
#undef KAREO_WRITE_

DeleteAppointmentResp Client::delete_appointment(std::int64_t appointment_id, const CallOptions& options) {
  AppointmentDelete appointment;
  appointment.AppointmentId = appointment_id;
  return delete_appointment(std::move(appointment), options);
}

std::vector<ThrottleLimit> refresh_limits(Client& client, RateLimiter& limiter) {
  auto limits = throttle_limits(client.throttles().collect());
  ThrottleTable table = limiter.limits();
  table.apply(limits);
  limiter.update_limits(table);
  return limits;
}

}  // namespace kareo
