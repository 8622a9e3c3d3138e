// What the installed optimizations declare that a report reads, so that the
// report names no optimization itself: which of them are stopping rules, and
// which settings hold a target accuracy. The host fills it from the plugins'
// declarations (plugins/declared_roles.h); a report without it speaks of
// "a stopping rule" in words.
#pragma once

#include <string>
#include <vector>

namespace carbonbench::report {

struct DeclaredRoles {
  std::vector<std::string> stopping_rules;  // optimization names
  // "<optimization>.<param>": a target test accuracy in percent (0: none).
  std::vector<std::string> target_accuracy_settings;
};

}  // namespace carbonbench::report
