// What the fault-mapping tests share: the scrubber they hand to the mapping (it hides "s3cret").
#pragma once

#include <string>

namespace kareo::detail::mapping_test {

inline std::string scrub_secret(std::string text) {
  for (auto at = text.find("s3cret"); at != std::string::npos; at = text.find("s3cret", at)) {
    text.replace(at, 6, "***");
  }
  return text;
}

}  // namespace kareo::detail::mapping_test
