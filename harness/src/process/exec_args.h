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

// execve's view of `strings`, null-terminated; valid while they are.
std::vector<char*> NullTerminated(const std::vector<std::string>& strings);

}  // namespace carbonbench
