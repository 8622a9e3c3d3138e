// A child process spoken to one line at a time: a request line written to
// its standard input, one reply line read from its standard output. Its
// standard error is read while a reply is awaited (so the child never blocks
// on it) and its last lines are kept for error messages. The child dies with
// the thread that started it, as RunChild's children do.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <deque>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace carbonbench {

// The program could not be executed at all (code(): the exec's errno, such
// as ENOENT or EACCES).
class LineProcessNotStarted : public std::system_error {
 public:
  using std::system_error::system_error;
};

class LineProcess {
 public:
  // Starts argv (argv[0] without a slash is looked up on PATH) with the
  // "NAME=value" entries of `environment` over this process's. Throws
  // LineProcessNotStarted when the program cannot be executed, and
  // std::system_error when no pipe or process can be made.
  LineProcess(std::vector<std::string> argv, std::vector<std::string> environment = {});
  // Closes the child's standard input, gives it a moment to exit, then
  // kills it.
  ~LineProcess();
  LineProcess(const LineProcess&) = delete;
  LineProcess& operator=(const LineProcess&) = delete;

  // Writes `line` and a newline, and returns the next line the child writes
  // (without its newline). Throws std::runtime_error naming the program when
  // no reply comes within timeout_s (the child is then killed: its replies
  // would no longer match the requests), when the child ends first (with how
  // it ended and its last standard error lines), or when the write fails. A
  // child that closed its input before the line was written may still have
  // answered: that line is returned, and the next Exchange throws.
  std::string Exchange(const std::string& line, double timeout_s);

  pid_t pid() const { return pid_; }
  // The last lines the child wrote to its standard error, read so far.
  std::vector<std::string> stderr_tail() const { return {tail_.begin(), tail_.end()}; }

 private:
  // False when the child has closed its standard input (EPIPE).
  bool Write(const std::string& text, double deadline_s);
  // Reads what has arrived; false at the end of the child's output.
  bool ReadStdout();
  void ReadStderr();
  void KeepStderrLine(const std::string& line);
  // Reaps the child, waiting up to wait_s before killing it; returns how it
  // ended ("exited with code 1").
  std::string Reap(double wait_s);
  std::string Failure(const std::string& what) const;

  std::vector<std::string> argv_;
  std::string name_;  // the command line, for messages
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string ended_;  // how it ended, once reaped
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdout_buffer_;
  bool stdout_ended_ = false;
  std::string stderr_partial_;
  std::deque<std::string> tail_;
};

}  // namespace carbonbench
