// The control endpoint of the fake server (GET /_fake/...): what tests of the out-of-process program use to
// inject faults, read the call log and query the store, like the library API does in-process.
#pragma once

#include <string>

#include "core.hpp"

namespace kareo::testing::detail {

struct ControlAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// True when `path` (with its query) is a control request.
bool is_control_path(const std::string& path);
/// Answers a control request.
ControlAnswer control(ServerCore& core, const std::string& path);

}  // namespace kareo::testing::detail
