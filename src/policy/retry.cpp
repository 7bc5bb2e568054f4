#include "kareo/retry.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "kareo/pacing.hpp"
#include "operations/exchange_access.hpp"

namespace kareo {

using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------------------------
// Backoff

Backoff::Backoff(const RetryPolicy& policy, std::uint64_t seed) : policy_(policy), seed_(seed) {
  policy_.not_sent = nullptr;  // not needed here; keeps copies cheap
}

milliseconds Backoff::nominal(int retry) const noexcept {
  if (retry < 1) retry = 1;
  const double initial = static_cast<double>(std::max(policy_.initial_backoff, milliseconds::zero()).count());
  const double cap = static_cast<double>(std::max(policy_.max_backoff, milliseconds::zero()).count());
  const double multiplier = policy_.multiplier >= 1.0 ? policy_.multiplier : 1.0;
  double delay = initial * std::pow(multiplier, retry - 1);
  if (!std::isfinite(delay) || delay > cap) delay = cap;
  return milliseconds(static_cast<long long>(delay));
}

milliseconds Backoff::next() {
  ++retries_;
  const milliseconds d = nominal(retries_);
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (jitter <= 0.0 || d <= milliseconds::zero()) return d;
  const auto low = static_cast<long long>(std::ceil(static_cast<double>(d.count()) * (1.0 - jitter)));
  const long long high = d.count();
  std::uniform_int_distribution<long long> pick(std::min(low, high), high);
  if (!rng_) rng_.emplace(seed_);
  return milliseconds(pick(*rng_));
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool mentions_any(const std::string& text, std::initializer_list<const char*> needles) {
  for (const char* n : needles) {
    if (text.find(n) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

bool request_not_sent(const Error& error) noexcept {
  try {
    if (dynamic_cast<const InvalidArgument*>(&error) != nullptr) return true;
    if (dynamic_cast<const TlsError*>(&error) != nullptr) return true;
    const bool connection = dynamic_cast<const ConnectionError*>(&error) != nullptr;
    const bool timeout = dynamic_cast<const TimeoutError*>(&error) != nullptr;
    if (!connection && !timeout) return false;
    // A response (or part of one) proves the request arrived.
    if (error.http_status() || !error.support_capture().response_xml.empty()) return false;
    const std::string text = lower(std::string(error.what()) + " " + error.server_message());
    if (timeout) {
      return mentions_any(text, {"connecting timed out", "connect timed out", "connect timeout",
                                 "expired before the request was sent"});
    }
    // The built-in transport marks a write's connection failure retryable exactly when no byte was sent.
    if (error.operation() && is_write(*error.operation())) return error.retryable();
    // Other connections: only a failure to connect proves that nothing was sent; a reset or an early close may
    // come after the request was written.
    if (mentions_any(text, {"reset", "broken pipe", "closed", "eof", "while sending", "after sending"})) return false;
    return mentions_any(text, {"connection refused", "connect failed", "could not connect", "cannot connect",
                               "failed to connect", "host not found", "name resolution", "could not resolve",
                               "unreachable", "tcp_connect", "no route to host"});
  } catch (...) {
  }
  return false;
}

RetryDecision classify_failure(const Error& error, Operation op, int soap_fault_retries, const RetryPolicy& policy) {
  if (dynamic_cast<const AmbiguousOutcome*>(&error) != nullptr) return {RetryVerdict::Rethrow, {}};
  if (const auto* t = dynamic_cast<const Throttled*>(&error)) {
    // The service refused the call without executing it: safe to send again, reads and writes alike.
    milliseconds wait = t->interval() > milliseconds::zero() ? t->interval() : published_interval(op);
    return {RetryVerdict::Retry, with_margin(wait, policy.throttle_margin)};
  }
  // The service's own answers: sending again gives the same answer.
  if (dynamic_cast<const InvalidArgument*>(&error) != nullptr ||
      dynamic_cast<const AuthenticationFailed*>(&error) != nullptr ||
      dynamic_cast<const NotAuthorized*>(&error) != nullptr || dynamic_cast<const ServiceError*>(&error) != nullptr) {
    return {RetryVerdict::Rethrow, {}};
  }

  const bool not_sent = policy.not_sent ? policy.not_sent(error) : request_not_sent(error);
  const bool transient_transport =
      dynamic_cast<const ConnectionError*>(&error) != nullptr || dynamic_cast<const TimeoutError*>(&error) != nullptr;

  if (is_write(op)) {
    if (not_sent) return {transient_transport ? RetryVerdict::Retry : RetryVerdict::Rethrow, {}};
    return {RetryVerdict::Ambiguous, {}};
  }

  if (dynamic_cast<const TlsError*>(&error) != nullptr) return {RetryVerdict::Rethrow, {}};
  if (transient_transport) return {RetryVerdict::Retry, {}};
  if (const auto* h = dynamic_cast<const HttpError*>(&error)) {
    const int status = h->http_status().value_or(500);
    return {status >= 500 || status == 408 ? RetryVerdict::Retry : RetryVerdict::Rethrow, {}};
  }
  if (const auto* f = dynamic_cast<const SoapFault*>(&error)) {
    if (f->internal_service_fault() && soap_fault_retries < policy.max_soap_fault_retries) {
      return {RetryVerdict::Retry, {}};
    }
    return {RetryVerdict::Rethrow, {}};
  }
  if (error.kind() == ErrorKind::Transport && error.retryable()) return {RetryVerdict::Retry, {}};
  return {RetryVerdict::Rethrow, {}};
}

AmbiguousOutcome ambiguous_outcome(const Error& cause, Operation op) {
  Error::Details details = cause.details();
  details.kind = ErrorKind::AmbiguousOutcome;
  details.operation = op;
  details.retryable = false;
  const std::string name(operation_name(op));
  std::string message = name + " may or may not have been applied: the request may have reached the server before " +
                        "the call failed (" + std::string(error_kind_name(cause.kind())) + ": " + cause.what() +
                        "). It was not sent again. Look the record up (for example by its ExternalID) before " +
                        "trying again, or a second copy may be created.";
  return AmbiguousOutcome(message, std::move(details), cause.kind(), cause.what());
}

// ---------------------------------------------------------------------------------------------------------------
// RetryingConnection

RetryingConnection::RetryingConnection(std::shared_ptr<Connection> inner, RetryPolicy policy,
                                       std::shared_ptr<Clock> clock)
    : inner_(std::move(inner)),
      policy_(std::move(policy)),
      clock_(clock ? std::move(clock) : SystemClock::instance()),
      seeds_(policy_.seed != 0 ? policy_.seed : std::random_device{}()) {
  if (!inner_) throw InvalidArgument("RetryingConnection needs an inner connection");
}

std::uint64_t RetryingConnection::next_seed() {
  std::lock_guard<std::mutex> lock(rng_mutex_);
  return seeds_();
}

void RetryingConnection::call(Exchange& exchange) {
  const auto start = clock_->now();
  std::optional<Backoff> backoff;  // made at the first failure: most calls succeed at once
  int attempts = 0;
  int soap_fault_retries = 0;
  // Every attempt gets what is left of the call's budget as its deadline (on the steady clock the transport
  // measures with; the budget is measured on this layer's clock, which may be a manual one).
  const std::optional<std::chrono::steady_clock::time_point> outer = exchange.deadline;
  struct Restore {
    Exchange& exchange;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    ~Restore() { exchange.deadline = deadline; }
  } restore{exchange, outer};
  for (;;) {
    ++attempts;
    if (policy_.max_elapsed > milliseconds::zero()) {
      const auto left = policy_.max_elapsed - std::chrono::duration_cast<milliseconds>(clock_->now() - start);
      const auto deadline = std::chrono::steady_clock::now() + std::max(left, milliseconds::zero());
      exchange.deadline = outer && *outer < deadline ? *outer : deadline;
    }
    try {
      inner_->call(exchange);
      return;
    } catch (const Error& error) {
      const RetryDecision decision = classify_failure(error, exchange.operation, soap_fault_retries, policy_);
      if (decision.verdict == RetryVerdict::Ambiguous) throw ambiguous_outcome(error, exchange.operation);
      if (decision.verdict == RetryVerdict::Rethrow || attempts >= policy_.max_attempts) throw;
      if (!backoff) backoff.emplace(policy_, next_seed());
      const milliseconds wait = std::max(backoff->next(), decision.min_wait);
      if (clock_->now() + wait - start > policy_.max_elapsed) throw;
      if (dynamic_cast<const SoapFault*>(&error) != nullptr) ++soap_fault_retries;
      clock_->sleep_until(clock_->now() + wait);
      detail::reset_response(exchange);
      ++exchange.attempt;
    }
  }
}

}  // namespace kareo
