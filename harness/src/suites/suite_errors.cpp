#include "suites/suite_errors.h"

#include "suites/suite.h"

namespace carbonbench::detail {

Loc LocOf(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line, mark.column};
}

void ErrorList::Add(Loc loc, const std::string& message) {
  std::string line = source_ + ":";
  if (with_positions_) {
    line += std::to_string(loc.line + 1) + ":" + std::to_string(loc.column + 1) + ":";
  }
  line += " " + message;
  if (seen_.insert(line).second) messages_.push_back(std::move(line));
}

void ErrorList::ThrowIfAny() const {
  if (!messages_.empty()) throw SuiteError(messages_);
}

}  // namespace carbonbench::detail
