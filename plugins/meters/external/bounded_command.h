// A shell command run to completion within a deadline, in a process group of
// its own that is killed whole on the deadline and whenever the thread that
// started it dies (the run interrupted, the cell killed), so nothing it
// started outlives the reading.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace carbonbench::external_meter {

struct CommandLimits {
  std::chrono::milliseconds deadline{10000};
  std::size_t max_output_bytes = 1 << 20;  // the rest is read and dropped
};

struct CommandOutput {
  std::string output;   // its standard output, up to max_output_bytes
  int wait_status = 0;  // as waitpid gives it; meaningless when timed_out
  bool timed_out = false;
};

// Runs `/bin/sh -c command` with standard input from /dev/null and standard
// error left to the terminal. Throws std::runtime_error when it cannot be
// started at all.
CommandOutput RunBoundedCommand(const std::string& command, const CommandLimits& limits);

// "exited with status 3", "was killed by signal 9", ...
std::string ExitText(int wait_status);

}  // namespace carbonbench::external_meter
