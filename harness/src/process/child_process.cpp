#include "process/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "process/exec_args.h"
#include "process/stop_signal.h"

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
    throw std::system_error(errno, std::generic_category(),
                            "cannot create a pipe for a child process");
  }
  return {fds[0], fds[1]};
}

// A socket pair rather than a pipe for answers: send() with MSG_NOSIGNAL
// to a child that has died fails with EPIPE instead of raising SIGPIPE.
Pipe MakeAnswerChannel() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot create a channel for a child process");
  }
  return {fds[0], fds[1]};
}

int OpenOutput(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(),
                            fmt::format("cannot open {} for a child process's output", path));
  }
  return fd;
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

// The descriptors the child takes over, all opened before fork.
struct ChildEnds {
  int stdin_read = -1;
  int stderr_write = -1;    // the standard error pipe, or the output file
  bool stdout_too = false;  // the output file takes standard output as well
  int events_write = -1;
  int answers_read = -1;      // -1: the child gets no answers
  int exec_error_write = -1;  // close-on-exec: a failed exec writes its errno there
};

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(char* const* candidates, char* const* argv, char* const* envp,
                            pid_t parent, const ChildEnds& ends) {
  // The child must not outlive a parent killed with SIGKILL: it would train
  // on, unseen, and write to the store the next run is using.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl
  // Its own process group, so a limit stops whatever it started as well.
  setpgid(0, 0);
  // Move the pipe ends clear of 0..3 first, so no dup2 overwrites another.
  const int in = fcntl(ends.stdin_read, F_DUPFD, 10);
  const int err = fcntl(ends.stderr_write, F_DUPFD, 10);
  const int events = fcntl(ends.events_write, F_DUPFD, 10);
  const int exec_error = fcntl(ends.exec_error_write, F_DUPFD_CLOEXEC, 10);
  const int answers = ends.answers_read >= 0 ? fcntl(ends.answers_read, F_DUPFD, 10) : -1;
  if (in < 0 || err < 0 || events < 0 || exec_error < 0) _exit(127);
  if (ends.answers_read >= 0 && (answers < 0 || dup2(answers, kChildAnswersFd) < 0)) _exit(127);
  if (answers >= 0) close(answers);
  if (dup2(in, STDIN_FILENO) < 0 || (ends.stdout_too && dup2(err, STDOUT_FILENO) < 0) ||
      dup2(err, STDERR_FILENO) < 0 || dup2(events, kChildEventsFd) < 0) {
    _exit(127);
  }
  close(in);
  close(err);
  close(events);
  const int error = ExecFirst(candidates, argv, envp);
  ssize_t ignored = write(exec_error, &error, sizeof(error));
  static const char kMessage[] = "cannot execute the cell process\n";
  ignored = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  _exit(127);
}

// The parent's side of a started child: it writes the child's input, reads
// its standard error and events line by line, holds it to its limits and
// says how it ended.
class ChildSupervisor {
 public:
  ChildSupervisor(const ChildSpec& spec, const ChildCallbacks& callbacks)
      : spec_(spec),
        stderr_reader_([this, &callbacks](const std::string& line) {
          tail_.push_back(line);
          if (tail_.size() > kStderrTailLines) tail_.pop_front();
          if (callbacks.on_stderr) callbacks.on_stderr(line);
        }),
        event_reader_([this, &callbacks](const std::string& line) {
          if (callbacks.on_event) callbacks.on_event(line);
          if (callbacks.answer_event && answers_fd_ >= 0) Answer(callbacks.answer_event(line));
        }),
        answers_wanted_(static_cast<bool>(callbacks.answer_event)) {}

  ChildExit Run() {
    Start();
    while (!Reaped()) {
      Pump();
      if (Reaped()) break;
      CheckLimits();
    }
    // Nothing it started may outlive it (or hold its pipes open).
    kill(-pid_, SIGKILL);
    Drain();
    return Result();
  }

 private:
  void Start() {
    const std::vector<std::string> environment = EnvironmentWith(spec_.environment);
    const std::vector<std::string> candidates = ExecCandidates(spec_.argv[0], spec_.search_path);
    std::vector<char*> argv = NullTerminated(spec_.argv);
    std::vector<char*> envp = NullTerminated(environment);
    std::vector<char*> paths = NullTerminated(candidates);
    Pipe in, err, events, exec_error, answers;
    int output = -1;
    const auto close_all = [&] {
      for (int* fd : {&in.read, &in.write, &err.read, &err.write, &events.read, &events.write,
                      &exec_error.read, &exec_error.write, &answers.read, &answers.write, &output})
        CloseFd(*fd);
    };
    try {
      if (!spec_.output_path.empty()) output = OpenOutput(spec_.output_path);
      in = MakePipe();
      if (output < 0) err = MakePipe();
      events = MakePipe();
      exec_error = MakePipe();
      if (answers_wanted_) answers = MakeAnswerChannel();
    } catch (...) {
      close_all();
      throw;
    }
    const ChildEnds ends{in.read,      output >= 0 ? output : err.write,
                         output >= 0,  events.write,
                         answers.read, exec_error.write};
    const pid_t parent = getpid();
    start_ = Clock::now();
    pid_ = fork();
    if (pid_ < 0) {
      const int error = errno;
      close_all();
      throw std::system_error(error, std::generic_category(), "cannot start a child process");
    }
    if (pid_ == 0) ExecChild(paths.data(), argv.data(), envp.data(), parent, ends);
    CloseFd(in.read);
    CloseFd(err.write);
    CloseFd(events.write);
    CloseFd(exec_error.write);
    CloseFd(answers.read);
    CloseFd(output);
    answers_fd_ = answers.write;
    stdin_fd_ = in.write;
    stderr_fd_ = err.read;
    events_fd_ = events.read;
    result_.exec_error = ExecError(exec_error.read);
    CloseFd(exec_error.read);
    fcntl(stdin_fd_, F_SETFL, O_NONBLOCK);
    if (spec_.stdin_text.empty()) CloseFd(stdin_fd_);
  }

  // Blocks until the child has executed its program (the pipe closes on
  // exec) or failed to (its errno arrives).
  static int ExecError(int fd) {
    int error = 0;
    ssize_t n;
    while ((n = read(fd, &error, sizeof(error))) < 0 && errno == EINTR) {
    }
    return n == static_cast<ssize_t>(sizeof(error)) ? error : 0;
  }

  // Waits up to one poll interval for the pipes, and serves what is ready.
  void Pump() {
    std::vector<pollfd> fds;
    if (stderr_fd_ >= 0) fds.push_back({stderr_fd_, POLLIN, 0});
    if (events_fd_ >= 0) fds.push_back({events_fd_, POLLIN, 0});
    if (stdin_fd_ >= 0) fds.push_back({stdin_fd_, POLLOUT, 0});
    if (fds.empty()) {
      usleep(static_cast<useconds_t>(spec_.limits.poll_interval_ms) * 1000);
      return;
    }
    poll(fds.data(), fds.size(), spec_.limits.poll_interval_ms);
    for (const pollfd& fd : fds) {
      if (fd.revents == 0) continue;
      if (fd.fd == stderr_fd_ && stderr_reader_.ReadFrom(stderr_fd_) == LineReader::Read::kEnd)
        CloseFd(stderr_fd_);
      if (fd.fd == events_fd_ && event_reader_.ReadFrom(events_fd_) == LineReader::Read::kEnd)
        CloseFd(events_fd_);
      if (fd.fd == stdin_fd_) WriteInput();
    }
  }

  void WriteInput() {
    const ssize_t n =
        write(stdin_fd_, spec_.stdin_text.data() + written_, spec_.stdin_text.size() - written_);
    if (n > 0) written_ += static_cast<std::size_t>(n);
    if ((n < 0 && errno != EAGAIN && errno != EINTR) || written_ == spec_.stdin_text.size())
      CloseFd(stdin_fd_);
  }

  bool Reaped() {
    if (!reaped_) reaped_ = wait4(pid_, &status_, WNOHANG, &usage_) == pid_;
    return reaped_;
  }

  // A stop request at once; at most once per poll interval: its memory,
  // and both limits.
  void CheckLimits() {
    if (StopRequested() != 0 && result_.stopped_for_signal == 0) {
      result_.stopped_for_signal = StopRequested();
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      return;
    }
    const auto now = Clock::now();
    if (now - last_check_ < std::chrono::milliseconds(spec_.limits.poll_interval_ms)) return;
    last_check_ = now;
    const std::int64_t rss_mb = ResidentMemoryMb(pid_);
    if (rss_mb > result_.peak_rss_mb) result_.peak_rss_mb = rss_mb;
    if (result_.timed_out || result_.memory_exceeded) return;
    if (spec_.limits.memory_mb > 0 && rss_mb > spec_.limits.memory_mb) {
      KillFor(&result_.memory_exceeded);
    } else if (spec_.limits.timeout_s > 0 &&
               std::chrono::duration<double>(now - start_).count() > spec_.limits.timeout_s) {
      KillFor(&result_.timed_out);
    }
  }

  void KillFor(bool* reason) {
    *reason = true;
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);  // in case it had not yet made its group
  }

  // What the child wrote just before it ended is still in the pipes.
  void Drain() {
    for (int fd : {stderr_fd_, events_fd_}) {
      if (fd >= 0) fcntl(fd, F_SETFL, O_NONBLOCK);
    }
    while (stderr_fd_ >= 0 && stderr_reader_.ReadFrom(stderr_fd_) == LineReader::Read::kData) {
    }
    while (events_fd_ >= 0 && event_reader_.ReadFrom(events_fd_) == LineReader::Read::kData) {
    }
    for (int* fd : {&stdin_fd_, &stderr_fd_, &events_fd_, &answers_fd_}) CloseFd(*fd);
  }

  // Sends one answer line; a child that has gone just misses it.
  void Answer(const std::string& answer) {
    if (answer.empty()) return;
    const std::string line = answer + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
      const ssize_t n = send(answers_fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        CloseFd(answers_fd_);
        return;
      }
      sent += static_cast<std::size_t>(n);
    }
  }

  ChildExit Result() {
    ChildExit result = result_;
    result.wall_s = std::chrono::duration<double>(Clock::now() - start_).count();
    result.cpu_s = static_cast<double>(usage_.ru_utime.tv_sec + usage_.ru_stime.tv_sec) +
                   static_cast<double>(usage_.ru_utime.tv_usec + usage_.ru_stime.tv_usec) / 1e6;
    // ru_maxrss is in KiB and catches a peak the polling missed.
    result.peak_rss_mb = std::max<std::int64_t>(result.peak_rss_mb, usage_.ru_maxrss / 1024);
    if (WIFEXITED(status_)) {
      result.exit_code = WEXITSTATUS(status_);
    } else if (WIFSIGNALED(status_)) {
      result.signal = WTERMSIG(status_);
    }
    result.stderr_tail.assign(tail_.begin(), tail_.end());
    return result;
  }

  const ChildSpec& spec_;
  std::deque<std::string> tail_;
  LineReader stderr_reader_;
  LineReader event_reader_;
  const bool answers_wanted_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1, stderr_fd_ = -1, events_fd_ = -1, answers_fd_ = -1;
  std::size_t written_ = 0;
  Clock::time_point start_;
  Clock::time_point last_check_ = Clock::now() - std::chrono::hours(1);
  int status_ = 0;
  struct rusage usage_ {};
  bool reaped_ = false;
  ChildExit result_;
};

}  // namespace

std::string SignalDescription(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "segmentation fault (SIGSEGV)";
    case SIGABRT:
      return "aborted (SIGABRT)";
    case SIGBUS:
      return "bus error (SIGBUS)";
    case SIGFPE:
      return "arithmetic exception (SIGFPE)";
    case SIGILL:
      return "illegal instruction (SIGILL)";
    case SIGKILL:
      return "killed (SIGKILL): by the kernel's out-of-memory killer or another process; "
             "`dmesg` tells which";
    case SIGTERM:
      return "terminated (SIGTERM)";
    case SIGINT:
      return "interrupted (SIGINT)";
    default:
      return fmt::format("signal {}", signal);
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
  if (stopped_for_signal != 0) {
    return fmt::format("stopped: this run was interrupted ({})",
                       StopSignalName(stopped_for_signal));
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
  return ChildSupervisor(spec, callbacks).Run();
}

}  // namespace carbonbench
