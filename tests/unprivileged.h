// Runs a check as an unprivileged user, for tests of "permission denied"
// paths that root (which the tests may run as) never meets.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace carbonbench::test_support {

// The string `call` returns, computed in a child process that has dropped to
// uid/gid 65534 (nobody) when the test runs as root; in this process
// otherwise. A thrown exception's message is returned as "threw: <what>".
template <typename Call>
std::string AsUnprivilegedUser(Call call) {
  const auto run = [&]() -> std::string {
    try {
      return call();
    } catch (const std::exception& error) {
      return std::string("threw: ") + error.what();
    }
  };
  if (::geteuid() != 0) return run();
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pipe_fds[0]);
    std::string result = ::setgid(65534) == 0 && ::setuid(65534) == 0 ? run() : "setuid failed";
    (void)!::write(pipe_fds[1], result.data(), result.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string result;
  char buffer[4096];
  for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    result.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return result;
}

}  // namespace carbonbench::test_support
