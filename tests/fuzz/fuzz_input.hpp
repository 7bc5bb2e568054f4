// The input format shared by the harnesses and the seed corpus: the first line names the operation whose
// response follows ("GetPatients"; anything else picks one from its bytes), the rest is the raw HTTP response
// as it would arrive on the socket (status line, headers, body).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kareo/operations.hpp"

namespace kareo::fuzz {

struct Input {
  Operation operation;
  std::string_view http;  ///< The raw HTTP response.
};

inline Input split_input(const std::uint8_t* data, std::size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto nl = all.find('\n');
  std::string_view name = nl == std::string_view::npos ? std::string_view() : all.substr(0, nl);
  std::string_view http = nl == std::string_view::npos ? all : all.substr(nl + 1);
  if (!name.empty() && name.back() == '\r') name.remove_suffix(1);
  if (auto op = operation_from_name(name)) return {*op, http};
  unsigned h = 0;
  for (char c : name) h = h * 31 + static_cast<unsigned char>(c);
  return {all_operations()[h % kOperationCount], http};
}

}  // namespace kareo::fuzz
