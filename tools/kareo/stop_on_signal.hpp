// The kareo tool's commands that run until stopped (sync, mirror): SIGINT and SIGTERM cancel a token.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ctime>
#include <iostream>
#include <string>
#include <thread>
#include <utility>

#include "kareo/cancellation.hpp"

namespace kareo_cli {

/// Cancels `token` on SIGINT or SIGTERM while alive (the signals are handled by a thread of its own, so the
/// feed can stop cleanly, between records, with its checkpoint written).
class StopOnSignal {
 public:
  StopOnSignal(kareo::CancellationToken token, std::string message) : message_(std::move(message)) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::thread([this, token]() mutable {
      timespec wait{0, 200 * 1000 * 1000};
      while (!done_) {
        if (sigtimedwait(&set_, nullptr, &wait) > 0) {
          std::cerr << message_;
          token.cancel();
          return;
        }
      }
    });
  }
  ~StopOnSignal() {
    done_ = true;
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  std::string message_;
  sigset_t set_{};
  sigset_t old_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace kareo_cli
