#include "kareo/operations.hpp"

#include "kareo_optable.hpp"

namespace kareo {
namespace {

using std::chrono::milliseconds;

static_assert(optable::kRows == kOperationCount, "the operation table and kareo::Operation disagree");

// Operations without a published limit are paced at one call a second.
constexpr milliseconds kUnpublishedInterval{1000};

const optable::Row& row(Operation op) noexcept { return optable::kTable[static_cast<std::size_t>(op)]; }

}  // namespace

const std::array<Operation, kOperationCount>& all_operations() noexcept {
  static const std::array<Operation, kOperationCount> ops = [] {
    std::array<Operation, kOperationCount> a{};
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<Operation>(i);
    return a;
  }();
  return ops;
}

std::string_view operation_name(Operation op) noexcept { return row(op).name; }

std::optional<Operation> operation_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < optable::kRows; ++i) {
    if (optable::kTable[i].name == name) return static_cast<Operation>(i);
  }
  return std::nullopt;
}

std::string soap_action(Operation op) {
  return "http://www.kareo.com/api/schemas/KareoServices/" + std::string(operation_name(op));
}

bool is_write(Operation op) noexcept { return row(op).write; }

std::chrono::milliseconds published_interval(Operation op) noexcept {
  const int ms = row(op).interval_ms;
  return ms > 0 ? milliseconds(ms) : kUnpublishedInterval;
}

}  // namespace kareo
