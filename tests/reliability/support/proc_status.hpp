// Resident memory of this process, from /proc/self/status.
#pragma once

#include <fstream>
#include <string>

namespace kareo::reliability {

/// The value in kB of a /proc/self/status line such as "VmRSS:" or "VmHWM:"; -1 when unavailable.
inline long proc_status_kb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  }
  return -1;
}

/// Resident set size in kB.
inline long rss_kb() { return proc_status_kb("VmRSS:"); }

/// True when built with AddressSanitizer or ThreadSanitizer: their allocators hold on to freed memory, so
/// resident memory says nothing about leaks there (LeakSanitizer does).
inline constexpr bool kSanitized =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

}  // namespace kareo::reliability
