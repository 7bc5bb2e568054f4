// Scratch directories of the tests that write files (checkpoints, the shared rate limiter's state).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace kareo::test_support {

/// An empty directory `name`-PID: in /dev/shm when it is writable (checkpoints are flushed with fsync at every
/// step; on a memory file system that costs nothing), else under the build tree's tests-scratch. Removed first
/// when it is left over from an earlier run; the caller removes it when done.
inline std::string fresh_scratch_dir(const std::string& name) {
  std::filesystem::path base = std::filesystem::path(KAREO_BINARY_DIR) / "tests-scratch";
  if (::access("/dev/shm", W_OK) == 0) base = "/dev/shm/kareo-tests";
  const auto dir = base / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace kareo::test_support
