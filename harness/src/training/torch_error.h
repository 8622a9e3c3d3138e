// libtorch's errors carry a C++ stack trace of twenty frames or more in
// what(); a user needs the first line, which says what went wrong.
#pragma once

#include <string>

#include <c10/util/Exception.h>

namespace carbonbench {

// The first line of the error's message, without libtorch's stack trace.
inline std::string TorchErrorText(const c10::Error& error) {
  const std::string message = error.what_without_backtrace();
  const std::size_t end = message.find('\n');
  return end == std::string::npos ? message : message.substr(0, end);
}

}  // namespace carbonbench
