// The range an integer setting accepts: what its spec declares, narrowed to
// what the code that reads it can hold. A value outside it is refused with
// the value as the user wrote it, never wrapped or truncated on the way in.
#pragma once

#include <cstdint>
#include <string>

#include "carbonbench/params.h"

namespace carbonbench {

struct IntegerRange {
  std::int64_t min = 0;
  std::int64_t max = 0;
};

// A bound the spec leaves open is that of a 32-bit int: the training loop,
// the runner and plugins keep counts and sizes in `int`. A spec that needs
// more declares its bound (seed does).
IntegerRange StoredRange(const ParamSpec& spec);

// "" when `parsed` (read from `written`) is an integer within
// StoredRange(spec); else a sentence naming the setting, the value as written
// and the range.
std::string CheckIntegerSetting(const ParamSpec& spec, const std::string& written,
                                const ParamValue& parsed);

// CheckIntegerSetting for bare text, as a command-line flag gives it.
std::string CheckIntegerText(const ParamSpec& spec, const std::string& written);

}  // namespace carbonbench
