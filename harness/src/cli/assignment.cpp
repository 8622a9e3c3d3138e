#include <stdexcept>

#include <fmt/format.h>

#include "cli/commands.h"

namespace carbonbench::cli {

std::pair<std::string, std::string> SplitAssignment(const std::string& assignment,
                                                    const std::string& example) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw std::runtime_error(
        fmt::format("--set '{}' must look like key=value, e.g. --set {}", assignment, example));
  }
  return {assignment.substr(0, equals), assignment.substr(equals + 1)};
}

}  // namespace carbonbench::cli
