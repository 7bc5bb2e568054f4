/// @file
/// @brief Cooperative cancellation of long-running reads and of the change feed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

namespace kareo {

/// A shared stop flag. Copies share one state: cancelling any copy cancels them all.
///
/// Ranged reads (kareo/paging.hpp) check it before each call and end by throwing kareo::Cancelled;
/// ChangeFeed::run() returns when it is cancelled, also from the middle of a wait between polls.
/// Safe to use from several threads; cancel() may be called from a signal-handling thread.
class CancellationToken {
 public:
  /// A new token, not cancelled.
  CancellationToken() : state_(std::make_shared<State>()) {}

  /// Requests cancellation and wakes every wait_until()/wait_for() on this token.
  void cancel() noexcept {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->cancelled = true;
    }
    state_->cv.notify_all();
  }

  /// True once cancel() was called on this token or a copy of it.
  bool cancelled() const noexcept {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->cancelled;
  }

  /// Blocks the calling thread until `deadline` (steady clock) or until cancelled, whichever comes first.
  /// @return true if the token was cancelled.
  bool wait_until(std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock<std::mutex> lock(state_->mutex);
    return state_->cv.wait_until(lock, deadline, [&] { return state_->cancelled; });
  }

 private:
  struct State {
    mutable std::mutex mutex;
    std::condition_variable cv;
    bool cancelled = false;
  };
  std::shared_ptr<State> state_;
};

/// Thrown out of a ranged read (from its iterator's increment or from begin()) when its
/// CancellationToken was cancelled. Not a kareo::Error: nothing failed.
class Cancelled : public std::exception {
 public:
  /// `what` describes where the work stopped (e.g. "{operation}: cancelled after 3 of 12 windows").
  explicit Cancelled(std::string what) : what_(std::move(what)) {}
  /// The description given at construction.
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

}  // namespace kareo
