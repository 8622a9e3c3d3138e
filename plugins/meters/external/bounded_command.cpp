#include "bounded_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

namespace carbonbench::external_meter {
namespace {

using Clock = std::chrono::steady_clock;

// The shell that leads the group: it runs the command in the background so
// that a SIGTERM (the death signal below) reaches its trap at once, and the
// trap takes the whole group down. The command is "$1", never spliced into
// this text, so no quoting of it can break out.
constexpr const char* kGroupLeaderScript = "trap 'kill -KILL 0' TERM; /bin/sh -c \"$1\" & wait $!";

// Between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecLeader(const char* command, int stdin_fd, int stdout_fd, pid_t parent) {
  setpgid(0, 0);
  // A parent that dies (SIGINT, SIGKILL of the cell) takes the group along:
  // the signal is sent when the thread that forked exits, and that thread
  // waits here until the command is done.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(127);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(SIGTERM, &default_action, nullptr);  // a shell cannot trap what it starts ignoring
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the sampler thread's mask is not the command's
  if (dup2(stdin_fd, STDIN_FILENO) < 0 || dup2(stdout_fd, STDOUT_FILENO) < 0) _exit(127);
  execl("/bin/sh", "sh", "-c", kGroupLeaderScript, "sh", command, static_cast<char*>(nullptr));
  _exit(127);
}

class Descriptor {
 public:
  explicit Descriptor(int fd = -1) : fd_(fd) {}
  ~Descriptor() { Close(); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::runtime_error CannotStart(const std::string& command, const char* step) {
  return std::runtime_error(
      fmt::format("cannot run external.command '{}': {}: {}", command, step, std::strerror(errno)));
}

// Reads standard output until it closes or the deadline passes; false on
// the deadline.
bool ReadUntilClosed(int fd, Clock::time_point deadline, const CommandLimits& limits,
                     std::string& output) {
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd ready{fd, POLLIN, 0};
    const int count =
        ::poll(&ready, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (count < 0 && errno != EINTR) return true;
    if (count <= 0) continue;
    const ssize_t size = ::read(fd, buffer, sizeof buffer);
    if (size < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (size <= 0) return true;
    const std::size_t room =
        limits.max_output_bytes - std::min(limits.max_output_bytes, output.size());
    output.append(buffer, std::min(room, static_cast<std::size_t>(size)));
  }
}

// Waits for the leader to exit without reaping it, so its process-group id
// cannot be reused before the group is killed; false on the deadline.
bool WaitForExit(pid_t pid, Clock::time_point deadline) {
  while (true) {
    siginfo_t info{};
    const int status = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (status == 0 && info.si_pid == pid) return true;
    if (status < 0 && errno != EINTR) return true;  // nothing to wait for
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

CommandOutput RunBoundedCommand(const std::string& command, const CommandLimits& limits) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw CannotStart(command, "pipe");
  Descriptor read_end(ends[0]);
  Descriptor write_end(ends[1]);
  Descriptor null_input(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null_input.get() < 0) throw CannotStart(command, "/dev/null");

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw CannotStart(command, "fork");
  if (pid == 0) ExecLeader(command.c_str(), null_input.get(), write_end.get(), parent);
  write_end.Close();
  ::setpgid(pid, pid);  // as the child does: whichever runs first makes the group

  CommandOutput result;
  const Clock::time_point deadline = Clock::now() + limits.deadline;
  result.timed_out = !ReadUntilClosed(read_end.get(), deadline, limits, result.output) ||
                     !WaitForExit(pid, deadline);
  // Nothing it started may outlive the reading, finished or not.
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.wait_status = status;
  return result;
}

std::string ExitText(int wait_status) {
  if (WIFEXITED(wait_status)) {
    const int code = WEXITSTATUS(wait_status);
    std::string text = "exited with status " + std::to_string(code);
    if (code == 127) text += " (the shell found no such command)";
    if (code == 126) text += " (the command is not executable)";
    if (code > 128 && code < 128 + 65)
      text += " (killed by signal " + std::to_string(code - 128) + ")";
    return text;
  }
  if (WIFSIGNALED(wait_status))
    return "was killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "failed (wait status " + std::to_string(wait_status) + ")";
}

}  // namespace carbonbench::external_meter
