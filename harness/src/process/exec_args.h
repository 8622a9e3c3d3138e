// What a child process is started with, prepared before fork: between fork
// and exec only async-signal-safe calls are allowed, so paths, environment
// and argv arrays are all built in the parent.
#pragma once

#include <string>
#include <vector>

namespace carbonbench {

// The paths to try in turn for `program`, as execvp would when
// `search_path` is set and `program` has no slash; else `program` alone.
std::vector<std::string> ExecCandidates(const std::string& program, bool search_path);

// This process's environment with `own` ("NAME=value") over it.
std::vector<std::string> EnvironmentWith(const std::vector<std::string>& own);

// Executes the first of `candidates` that can be, as execvp does: a path
// that is missing or not allowed moves on to the next. Returns only when
// none ran, with the errno to report (a denial over a missing file).
// Async-signal-safe: for the child between fork and exec.
int ExecFirst(char* const* candidates, char* const* argv, char* const* envp);

// execve's view of `strings`, null-terminated; valid while they are.
std::vector<char*> NullTerminated(const std::vector<std::string>& strings);

}  // namespace carbonbench
