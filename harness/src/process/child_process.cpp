#include "process/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kStderrTailLines = 20;

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create a pipe for a child process: ") +
                             std::strerror(errno));
  }
  return {fds[0], fds[1]};
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Splits what arrives on a pipe into lines.
class LineReader {
 public:
  explicit LineReader(std::function<void(const std::string&)> on_line)
      : on_line_(std::move(on_line)) {}
  enum class Read { kData, kNothingYet, kEnd };
  Read ReadFrom(int fd) {
    char buffer[4096];
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) return errno == EINTR || errno == EAGAIN ? Read::kNothingYet : Read::kEnd;
    if (n == 0) {
      if (!partial_.empty()) Emit(partial_);
      partial_.clear();
      return Read::kEnd;
    }
    partial_.append(buffer, static_cast<std::size_t>(n));
    std::size_t newline;
    while ((newline = partial_.find('\n')) != std::string::npos) {
      Emit(partial_.substr(0, newline));
      partial_.erase(0, newline + 1);
    }
    return Read::kData;
  }

 private:
  void Emit(const std::string& line) {
    if (on_line_) on_line_(line);
  }
  std::function<void(const std::string&)> on_line_;
  std::string partial_;
};

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(const ChildSpec& spec, char* const* argv, char* const* envp,
                            pid_t parent, int stdin_fd, int stderr_fd, int events_fd) {
  // The child must not outlive a parent killed with SIGKILL: it would train
  // on, unseen, and write to the store the next run is using.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl
  // Its own process group, so a limit stops whatever it started as well.
  setpgid(0, 0);
  // Move the pipe ends clear of 0..3 first, so no dup2 overwrites another.
  const int in = fcntl(stdin_fd, F_DUPFD, 10);
  const int err = fcntl(stderr_fd, F_DUPFD, 10);
  const int events = fcntl(events_fd, F_DUPFD, 10);
  if (in < 0 || err < 0 || events < 0) _exit(127);
  if (dup2(in, STDIN_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
      dup2(events, kChildEventsFd) < 0) {
    _exit(127);
  }
  close(in);
  close(err);
  close(events);
  execve(spec.argv[0].c_str(), argv, envp);
  static const char kMessage[] = "cannot execute the cell process\n";
  ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  _exit(127);
}

}  // namespace

std::string SignalDescription(int signal) {
  switch (signal) {
    case SIGSEGV: return "segmentation fault (SIGSEGV)";
    case SIGABRT: return "aborted (SIGABRT)";
    case SIGBUS: return "bus error (SIGBUS)";
    case SIGFPE: return "arithmetic exception (SIGFPE)";
    case SIGILL: return "illegal instruction (SIGILL)";
    case SIGKILL:
      return "killed (SIGKILL): by the kernel's out-of-memory killer or another process; "
             "`dmesg` tells which";
    case SIGTERM: return "terminated (SIGTERM)";
    case SIGINT: return "interrupted (SIGINT)";
    default: return fmt::format("signal {}", signal);
  }
}

std::int64_t ResidentMemoryMb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      std::int64_t kb = 0;
      fields >> kb;
      return kb / 1024;
    }
  }
  return -1;
}

std::int64_t MachineMemoryMb() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t kb = 0;
  while (meminfo >> key >> kb) {
    if (key == "MemTotal:") return kb / 1024;
    meminfo.ignore(256, '\n');
  }
  return 0;
}

std::string ChildExit::Describe(const ChildLimits& limits) const {
  if (timed_out) {
    return fmt::format("stopped at the cell time limit of {:g} s", limits.timeout_s);
  }
  if (memory_exceeded) {
    return fmt::format(
        "stopped when its resident memory reached {} MB, above the cell memory limit of {} MB",
        peak_rss_mb, limits.memory_mb);
  }
  if (signal != 0) return "crashed: " + SignalDescription(signal);
  return fmt::format("exited with code {}", exit_code);
}

ChildExit RunChild(const ChildSpec& spec, const ChildCallbacks& callbacks) {
  if (spec.argv.empty()) throw std::invalid_argument("RunChild: no program given");
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  // The environment is built before fork: the child may only exec.
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& own : spec.environment) replaced |= own.rfind(name + "=", 0) == 0;
    if (!replaced) environment.push_back(text);
  }
  environment.insert(environment.end(), spec.environment.begin(), spec.environment.end());
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  Pipe in = MakePipe(), err = MakePipe(), events = MakePipe();
  const pid_t parent = getpid();
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    for (int* fd : {&in.read, &in.write, &err.read, &err.write, &events.read, &events.write})
      CloseFd(*fd);
    throw std::runtime_error(std::string("cannot start a child process: ") +
                             std::strerror(errno));
  }
  if (pid == 0) {
    ExecChild(spec, argv.data(), envp.data(), parent, in.read, err.write, events.write);
  }
  CloseFd(in.read);
  CloseFd(err.write);
  CloseFd(events.write);
  fcntl(in.write, F_SETFL, O_NONBLOCK);

  ChildExit result;
  std::deque<std::string> tail;
  LineReader stderr_reader([&](const std::string& line) {
    tail.push_back(line);
    if (tail.size() > kStderrTailLines) tail.pop_front();
    if (callbacks.on_stderr) callbacks.on_stderr(line);
  });
  LineReader event_reader(callbacks.on_event);
  std::size_t written = 0;
  if (spec.stdin_text.empty()) CloseFd(in.write);

  auto kill_for = [&](bool* reason) {
    *reason = true;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);  // in case it had not yet made its group
  };
  int status = 0;
  struct rusage usage {};
  bool reaped = false;
  auto last_check = Clock::now() - std::chrono::hours(1);
  while (!reaped) {
    std::vector<pollfd> fds;
    if (err.read >= 0) fds.push_back({err.read, POLLIN, 0});
    if (events.read >= 0) fds.push_back({events.read, POLLIN, 0});
    if (in.write >= 0) fds.push_back({in.write, POLLOUT, 0});
    if (!fds.empty()) {
      poll(fds.data(), fds.size(), spec.limits.poll_interval_ms);
      for (const pollfd& fd : fds) {
        if (fd.revents == 0) continue;
        if (fd.fd == err.read && stderr_reader.ReadFrom(err.read) == LineReader::Read::kEnd)
          CloseFd(err.read);
        if (fd.fd == events.read && event_reader.ReadFrom(events.read) == LineReader::Read::kEnd)
          CloseFd(events.read);
        if (fd.fd == in.write) {
          const ssize_t n = write(in.write, spec.stdin_text.data() + written,
                                  spec.stdin_text.size() - written);
          if (n > 0) written += static_cast<std::size_t>(n);
          if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == spec.stdin_text.size())
            CloseFd(in.write);
        }
      }
    } else {
      usleep(static_cast<useconds_t>(spec.limits.poll_interval_ms) * 1000);
    }
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) {
      reaped = true;
      break;
    }
    const auto now = Clock::now();
    if (now - last_check < std::chrono::milliseconds(spec.limits.poll_interval_ms)) continue;
    last_check = now;
    const std::int64_t rss_mb = ResidentMemoryMb(pid);
    if (rss_mb > result.peak_rss_mb) result.peak_rss_mb = rss_mb;
    if (!result.timed_out && !result.memory_exceeded) {
      if (spec.limits.memory_mb > 0 && rss_mb > spec.limits.memory_mb) {
        kill_for(&result.memory_exceeded);
      } else if (spec.limits.timeout_s > 0 &&
                 std::chrono::duration<double>(now - start).count() > spec.limits.timeout_s) {
        kill_for(&result.timed_out);
      }
    }
  }
  // Nothing it started may outlive it (or hold its pipes open).
  kill(-pid, SIGKILL);
  // What the child wrote just before it ended is still in the pipes.
  for (int fd : {err.read, events.read}) {
    if (fd >= 0) fcntl(fd, F_SETFL, O_NONBLOCK);
  }
  while (err.read >= 0 && stderr_reader.ReadFrom(err.read) == LineReader::Read::kData) {
  }
  while (events.read >= 0 && event_reader.ReadFrom(events.read) == LineReader::Read::kData) {
  }
  for (int* fd : {&in.write, &err.read, &events.read}) CloseFd(*fd);

  result.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  result.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                 static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  // ru_maxrss is in KiB and catches a peak the polling missed.
  result.peak_rss_mb = std::max<std::int64_t>(result.peak_rss_mb, usage.ru_maxrss / 1024);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  result.stderr_tail.assign(tail.begin(), tail.end());
  return result;
}

}  // namespace carbonbench
