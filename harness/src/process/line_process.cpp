#include "process/line_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "process/child_process.h"
#include "process/exec_args.h"

namespace carbonbench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kStderrTailLines = 20;
constexpr std::size_t kStderrLineChars = 400;  // of each line kept

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void MakePipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot create a pipe for a child process");
  }
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Milliseconds to wait in poll until `deadline_s` seconds after `start`.
int PollMs(Clock::time_point start, double deadline_s) {
  const double left = deadline_s - SecondsSince(start);
  return left <= 0 ? 0 : static_cast<int>(std::min(std::ceil(left * 1000), 3600e3));
}

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(char* const* candidates, char* const* argv, char* const* envp,
                            pid_t parent, const int ends[4]) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl
  // Clear of 0..2 first, so no dup2 overwrites another end.
  int moved[4];
  for (int i = 0; i < 4; ++i) {
    moved[i] = fcntl(ends[i], i == 3 ? F_DUPFD_CLOEXEC : F_DUPFD, 10);
    if (moved[i] < 0) _exit(127);
  }
  for (int i = 0; i < 3; ++i) {
    if (dup2(moved[i], i) < 0) _exit(127);
    close(moved[i]);
  }
  // The host ignores or blocks SIGPIPE around its writes; the child starts
  // with it unblocked and at its default.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  const int error = ExecFirst(candidates, argv, envp);
  ssize_t ignored = write(moved[3], &error, sizeof(error));
  (void)ignored;
  _exit(127);
}

// write(2) that turns a closed pipe into EPIPE without a SIGPIPE reaching
// this process: the signal is blocked in this thread, and one it raised is
// taken off the pending set before the mask is restored.
ssize_t WriteWithoutSigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  const bool already_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const ssize_t n = write(fd, data, size);
  const int error = errno;
  if (n < 0 && error == EPIPE && !already_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = error;
  return n;
}

}  // namespace

LineProcess::LineProcess(std::vector<std::string> argv, std::vector<std::string> environment)
    : argv_(std::move(argv)) {
  if (argv_.empty()) throw std::invalid_argument("LineProcess: no program given");
  for (const auto& word : argv_) name_ += (name_.empty() ? "" : " ") + word;
  const std::vector<std::string> merged = EnvironmentWith(environment);
  const std::vector<std::string> candidates = ExecCandidates(argv_[0], /*search_path=*/true);
  std::vector<char*> argv_pointers = NullTerminated(argv_);
  std::vector<char*> envp = NullTerminated(merged);
  std::vector<char*> paths = NullTerminated(candidates);
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, started[2] = {-1, -1};
  const auto close_all = [&] {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1], &started[0], &started[1]})
      CloseFd(*fd);
  };
  try {
    MakePipe(in);
    MakePipe(out);
    MakePipe(err);
    MakePipe(started);
  } catch (...) {
    close_all();
    throw;
  }
  const int ends[4] = {in[0], out[1], err[1], started[1]};
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    const int error = errno;
    close_all();
    throw std::system_error(error, std::generic_category(),
                            fmt::format("cannot start `{}`", name_));
  }
  if (pid_ == 0) ExecChild(paths.data(), argv_pointers.data(), envp.data(), parent, ends);
  for (int* fd : {&in[0], &out[1], &err[1], &started[1]}) CloseFd(*fd);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  stderr_fd_ = err[0];
  // The pipe closes on exec, or carries the exec's errno.
  int exec_error = 0;
  ssize_t n;
  while ((n = read(started[0], &exec_error, sizeof(exec_error))) < 0 && errno == EINTR) {
  }
  CloseFd(started[0]);
  if (n == static_cast<ssize_t>(sizeof(exec_error))) {
    Reap(1);
    for (int* fd : {&stdin_fd_, &stdout_fd_, &stderr_fd_}) CloseFd(*fd);
    throw LineProcessNotStarted(exec_error, std::generic_category(),
                                fmt::format("cannot execute {}", argv_[0]));
  }
  for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) fcntl(fd, F_SETFL, O_NONBLOCK);
}

LineProcess::~LineProcess() {
  CloseFd(stdin_fd_);  // end of its input: a well-behaved child exits
  if (!reaped_) Reap(2);
  for (int* fd : {&stdout_fd_, &stderr_fd_}) CloseFd(*fd);
}

std::string LineProcess::Exchange(const std::string& line, double timeout_s) {
  if (reaped_ || stdin_fd_ < 0) {
    Reap(1);  // its input closed: it is ending, if it has not
    throw std::runtime_error(Failure("is no longer running"));
  }
  const Clock::time_point start = Clock::now();
  // A child that stopped reading may still have answered (a driver that
  // reports a missing module and exits before reading): its reply is read.
  const bool written = Write(line + "\n", timeout_s);
  while (true) {
    const std::size_t newline = stdout_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string reply = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return reply;
    }
    if (SecondsSince(start) >= timeout_s) {
      Reap(0);
      throw std::runtime_error(Failure(fmt::format("did not answer within {:g} s", timeout_s)));
    }
    pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
    const int ready = poll(fds, 2, PollMs(start, timeout_s));  // a closed fd (-1) is skipped
    if (ready < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), Failure("cannot be read"));
    }
    if (fds[1].revents != 0) ReadStderr();
    if (fds[0].revents != 0 && !ReadStdout() && stdout_buffer_.find('\n') == std::string::npos) {
      Reap(1);
      throw std::runtime_error(Failure(written ? "ended without answering"
                                               : "stopped reading and ended without answering"));
    }
  }
}

bool LineProcess::ReadStdout() {
  char buffer[65536];
  while (true) {
    const ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n > 0) {
      stdout_buffer_.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      stdout_ended_ = !(n < 0 && errno == EAGAIN);
      return !stdout_ended_;
    }
  }
}

bool LineProcess::Write(const std::string& text, double deadline_s) {
  const Clock::time_point start = Clock::now();
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = WriteWithoutSigpipe(stdin_fd_, text.data() + written, text.size() - written);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE) {
      CloseFd(stdin_fd_);
      return false;
    }
    if (errno != EAGAIN) {
      const int error = errno;
      CloseFd(stdin_fd_);
      Reap(1);
      throw std::runtime_error(Failure(
          fmt::format("could not be written to ({})", std::generic_category().message(error))));
    }
    if (SecondsSince(start) >= deadline_s) {
      Reap(0);
      throw std::runtime_error(
          Failure(fmt::format("did not read its input within {:g} s", deadline_s)));
    }
    // Full pipe: wait for room, reading what it writes meanwhile (a child
    // that answers while it reads would otherwise block on its output).
    pollfd fds[3] = {{stdin_fd_, POLLOUT, 0},
                     {stdout_ended_ ? -1 : stdout_fd_, POLLIN, 0},
                     {stderr_fd_, POLLIN, 0}};
    poll(fds, 3, PollMs(start, deadline_s));
    if (fds[1].revents != 0) ReadStdout();
    if (fds[2].revents != 0) ReadStderr();
  }
  return true;
}

void LineProcess::ReadStderr() {
  char buffer[8192];
  while (stderr_fd_ >= 0) {
    const ssize_t n = read(stderr_fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      if (!stderr_partial_.empty()) KeepStderrLine(stderr_partial_);
      stderr_partial_.clear();
      CloseFd(stderr_fd_);
      break;
    }
    stderr_partial_.append(buffer, static_cast<std::size_t>(n));
    std::size_t newline;
    while ((newline = stderr_partial_.find('\n')) != std::string::npos) {
      KeepStderrLine(stderr_partial_.substr(0, newline));
      stderr_partial_.erase(0, newline + 1);
    }
    // A line without end: its start is what a message can show.
    if (stderr_partial_.size() > kStderrLineChars) {
      stderr_partial_.resize(kStderrLineChars);
    }
  }
}

void LineProcess::KeepStderrLine(const std::string& line) {
  tail_.push_back(line.size() <= kStderrLineChars ? line
                                                  : line.substr(0, kStderrLineChars) + " ...");
  if (tail_.size() > kStderrTailLines) tail_.pop_front();
}

std::string LineProcess::Reap(double wait_s) {
  if (reaped_) return ended_;
  const Clock::time_point start = Clock::now();
  int status = 0;
  bool killed = false;
  while (true) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) break;
    if (!killed && SecondsSince(start) >= wait_s) {
      kill(pid_, SIGKILL);
      killed = true;
    }
    // Its last words are still arriving on standard error.
    if (stderr_fd_ >= 0) {
      pollfd fd{stderr_fd_, POLLIN, 0};
      if (poll(&fd, 1, 10) > 0) ReadStderr();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  reaped_ = true;
  if (stderr_fd_ >= 0) ReadStderr();
  if (killed) {
    ended_ = "was killed";
  } else if (WIFEXITED(status)) {
    ended_ = fmt::format("exited with code {}", WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    ended_ = "crashed: " + SignalDescription(WTERMSIG(status));
  }
  return ended_;
}

std::string LineProcess::Failure(const std::string& what) const {
  std::string message = fmt::format("`{}` {}", name_, what);
  if (!ended_.empty() && what.find(ended_) == std::string::npos) message += " (" + ended_ + ")";
  if (!tail_.empty()) {
    message += "; its last standard error lines:";
    for (const auto& line : tail_) message += "\n  " + line;
  }
  return message;
}

}  // namespace carbonbench
