// SIGINT and SIGTERM during a suite: instead of dying at once (which left
// the running cell's attempt as a bare "running" row and said nothing),
// the suite notes the request, stops the cell's process group, stores what
// finished and says how to resume. A second signal of the same kind ends
// the process at once, as the user who presses Ctrl-C twice expects.
#pragma once

#include <string>

namespace carbonbench {

// While one exists, SIGINT and SIGTERM only set the request; the handlers
// before it are restored when it goes.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// The signal asked of this process (SIGINT or SIGTERM) since the current
// StopSignals was made; 0 when none.
int StopRequested();

// For tests: as if `signal` had arrived.
void RequestStop(int signal);

// "SIGINT", "SIGTERM", else "signal N".
std::string StopSignalName(int signal);

// 128 + the signal, as a shell reports a process ended by it (130 for
// SIGINT, 143 for SIGTERM).
int ExitCodeForStop(int signal);

}  // namespace carbonbench
