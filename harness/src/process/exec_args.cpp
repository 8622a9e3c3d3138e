#include "process/exec_args.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace carbonbench {

std::vector<std::string> ExecCandidates(const std::string& program, bool search_path) {
  if (!search_path || program.empty() || program.find('/') != std::string::npos) {
    return {program};
  }
  const char* path = std::getenv("PATH");
  const std::string directories = path != nullptr ? path : "/bin:/usr/bin";
  std::vector<std::string> candidates;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = directories.find(':', start);
    const std::string directory = directories.substr(start, end - start);
    candidates.push_back(directory.empty() ? program : directory + "/" + program);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return candidates;
}

std::vector<std::string> EnvironmentWith(const std::vector<std::string>& own) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('=') + 1);
    bool replaced = false;
    for (const auto& given : own) replaced |= given.rfind(name, 0) == 0;
    if (!replaced) environment.push_back(text);
  }
  environment.insert(environment.end(), own.begin(), own.end());
  return environment;
}

int ExecFirst(char* const* candidates, char* const* argv, char* const* envp) {
  int error = ENOENT;
  for (char* const* path = candidates; *path != nullptr; ++path) {
    execve(*path, argv, envp);
    const int failure = errno;
    if (failure != ENOENT && failure != ENOTDIR && failure != EACCES) return failure;
    if (error != EACCES) error = failure;
  }
  return error;
}

std::vector<char*> NullTerminated(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const auto& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace carbonbench
