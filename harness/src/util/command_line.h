// A process's command line as a user would type it again: to name the
// process holding a store, and to say how to resume an interrupted run.
#pragma once

#include <string>
#include <vector>

namespace carbonbench {

// `arg` quoted for a POSIX shell where it needs it ("a b" -> 'a b').
std::string ShellQuoted(const std::string& arg);

// The arguments joined with spaces, each quoted where it needs it.
std::string ShellCommand(const std::vector<std::string>& args);

// The command line of process `pid` from /proc/<pid>/cmdline, as
// ShellCommand writes it; empty when it cannot be read (the process is
// gone, or this is not Linux).
std::string CommandLineOf(int pid);

}  // namespace carbonbench
