// Runs a program in a child process under a wall-time limit and a resident
// memory limit, and says exactly how it ended. The child dies with its
// parent (a killed suite leaves no orphan training on), reads `stdin_text`
// on its standard input, and writes line-oriented events on file
// descriptor 3; its standard error is read line by line, so the caller can
// show it and keep its last lines for a failure reason, unless its output
// is sent to a file instead.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace carbonbench {

inline constexpr int kChildEventsFd = 3;
// Where a child reads the answers to its events (ChildCallbacks::answer_event).
inline constexpr int kChildAnswersFd = 4;

struct ChildLimits {
  double timeout_s = 0;        // wall time; 0: none
  std::int64_t memory_mb = 0;  // resident memory (VmRSS); 0: none
  int poll_interval_ms = 50;   // how often time and memory are checked
};

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the executable's path (or name, see search_path)
  // An argv[0] without a slash is looked up on the parent's PATH, as a
  // shell does; one with a slash is run as given either way.
  bool search_path = false;
  // When set, the child's standard output and standard error both go to
  // this file (created or truncated), and on_stderr and stderr_tail see
  // nothing. When empty, its standard output is the parent's.
  std::string output_path;
  // "NAME=value" entries set in the child's environment, over the parent's.
  std::vector<std::string> environment;
  std::string stdin_text;
  ChildLimits limits;
};

struct ChildCallbacks {
  std::function<void(const std::string& line)> on_event;   // fd 3, one line
  std::function<void(const std::string& line)> on_stderr;  // one line
  // When set, the child reads on descriptor kChildAnswersFd a line for each
  // event this returns non-empty text for (after on_event saw it), so a
  // child can wait for the parent's word on what it reported.
  std::function<std::string(const std::string& line)> answer_event;
};

struct ChildExit {
  int exit_code = -1;            // when it exited; -1 when a signal ended it
  int signal = 0;                // the signal that ended it, 0 when it exited
  bool timed_out = false;        // stopped by the time limit
  bool memory_exceeded = false;  // stopped by the memory limit
  // SIGINT or SIGTERM asked of this process (StopRequested) while the child
  // ran: its process group was stopped for it. 0 when none was.
  int stopped_for_signal = 0;
  std::int64_t peak_rss_mb = 0;  // largest resident memory seen while polling
  double wall_s = 0;
  double cpu_s = 0;                      // user + system time of the child (wait4)
  std::vector<std::string> stderr_tail;  // the last lines it wrote there
  // Why the program could not be executed (an errno such as ENOENT or
  // EACCES; the child then exits with 127), 0 when it was.
  int exec_error = 0;

  bool Exited(int code) const { return signal == 0 && exit_code == code; }
  // "exited with code 2", "crashed: segmentation fault (SIGSEGV)", ...
  std::string Describe(const ChildLimits& limits) const;
};

// Throws std::system_error when the child cannot be started at all (no
// pipe, no process, or output_path cannot be opened). When this process is
// asked to stop (stop_signal.h), the child's process group is killed and
// RunChild returns.
ChildExit RunChild(const ChildSpec& spec, const ChildCallbacks& callbacks = {});

// "segmentation fault (SIGSEGV)", or "signal 42".
std::string SignalDescription(int signal);

// The resident memory of a process in MiB, from /proc/<pid>/status; -1 when
// it cannot be read (the process is gone).
std::int64_t ResidentMemoryMb(int pid);

// The machine's memory in MiB (MemTotal), 0 when unknown.
std::int64_t MachineMemoryMb();

}  // namespace carbonbench
