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
  if (!seen_.insert(line).second) return;
  if (messages_.size() >= kMaxMessages) {
    ++left_out_;
    return;
  }
  messages_.push_back(std::move(line));
}

void ErrorList::ThrowIfAny() const {
  if (messages_.empty()) return;
  std::vector<std::string> messages = messages_;
  if (left_out_ > 0) {
    messages.push_back(source_ + ": ... and " + std::to_string(left_out_) +
                       " more problems of the same kinds; fix these and run again");
  }
  throw SuiteError(messages);
}

}  // namespace carbonbench::detail
