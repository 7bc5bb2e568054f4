// The commands' facts from the operation table (kareo_optable.hpp, generated from src/operations/operations.toml).
#include <stdexcept>

#include "cli.hpp"
#include "kareo_optable.hpp"

namespace kareo_cli {

const kareo::optable::CommandRow& command_row(const std::string& command) {
  for (const auto& row : kareo::optable::kCommands)
    if (command == row.command) return row;
  throw std::logic_error("the operation table has no command " + command);
}

}  // namespace kareo_cli
