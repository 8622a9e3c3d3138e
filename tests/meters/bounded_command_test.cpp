// The external meter's command runner: its output and status, its deadline,
// and that nothing it started outlives the reading or the process that ran
// it.
#include "external/bounded_command.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench::external_meter {
namespace {

using std::chrono::milliseconds;

CommandLimits Within(milliseconds deadline) {
  CommandLimits limits;
  limits.deadline = deadline;
  return limits;
}

// Gone, or a zombie waiting for whoever inherited it to reap it.
bool Ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const std::size_t after_name = line.rfind(')');
  return after_name != std::string::npos && line.size() > after_name + 2 &&
         line[after_name + 2] == 'Z';
}

// Killing is asynchronous: give the kernel a while (not a timing assertion;
// the bound only keeps a failure from hanging the test).
bool EndsSoon(pid_t pid) {
  for (int i = 0; i < 1000 && !Ended(pid); ++i) std::this_thread::sleep_for(milliseconds(10));
  return Ended(pid);
}

pid_t PidIn(const std::string& text) {
  std::istringstream in(text);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

TEST(BoundedCommand, GivesItsOutputAndStatus) {
  const CommandOutput ok = RunBoundedCommand("echo 42.5; echo more", Within(milliseconds(60000)));
  EXPECT_FALSE(ok.timed_out);
  EXPECT_EQ(ok.wait_status, 0);
  EXPECT_EQ(ok.output, "42.5\nmore\n");
  const CommandOutput failed =
      RunBoundedCommand("echo broken; exit 3", Within(milliseconds(60000)));
  EXPECT_FALSE(failed.timed_out);
  EXPECT_EQ(ExitText(failed.wait_status), "exited with status 3");
  EXPECT_EQ(failed.output, "broken\n");
}

TEST(BoundedCommand, KeepsNoMoreOutputThanItsLimit) {
  CommandLimits limits = Within(milliseconds(60000));
  limits.max_output_bytes = 10;
  const CommandOutput run = RunBoundedCommand("yes | head -c 100000", limits);
  EXPECT_EQ(run.wait_status, 0);
  EXPECT_EQ(run.output, "y\ny\ny\ny\ny\n");
}

TEST(BoundedCommand, PastTheDeadlineTheWholeGroupIsKilled) {
  const CommandOutput run =
      RunBoundedCommand("sleep 1000 & echo $!; wait", Within(milliseconds(200)));
  EXPECT_TRUE(run.timed_out);
  const pid_t sleeper = PidIn(run.output);
  ASSERT_GT(sleeper, 0) << run.output;
  EXPECT_TRUE(EndsSoon(sleeper)) << "pid " << sleeper;
}

TEST(BoundedCommand, ACommandThatClosesItsOutputStillMeetsTheDeadline) {
  const CommandOutput run = RunBoundedCommand("exec >&-; sleep 1000", Within(milliseconds(200)));
  EXPECT_TRUE(run.timed_out);
}

TEST(BoundedCommand, WhatItLeftRunningInTheBackgroundIsKilled) {
  const CommandOutput run =
      RunBoundedCommand("sleep 1000 >/dev/null & echo $!", Within(milliseconds(60000)));
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.wait_status, 0);
  const pid_t sleeper = PidIn(run.output);
  ASSERT_GT(sleeper, 0) << run.output;
  EXPECT_TRUE(EndsSoon(sleeper)) << "pid " << sleeper;
}

// A run interrupted while a reading is under way (SIGINT ends the process)
// leaves nothing of the command behind.
TEST(BoundedCommand, AnInterruptedReaderTakesTheCommandAlong) {
  test_support::TempDir dir;
  const std::string pid_file = (dir.path() / "sleeper.pid").string();
  const pid_t reader = fork();
  ASSERT_GE(reader, 0);
  if (reader == 0) {
    RunBoundedCommand("sleep 1000 & echo $! > " + pid_file + "; wait",
                      Within(milliseconds(3600 * 1000)));
    _exit(0);
  }
  pid_t sleeper = 0;
  for (int i = 0; i < 1000 && sleeper == 0; ++i) {
    std::ifstream in(pid_file);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find('\n') != std::string::npos) sleeper = PidIn(text.str());
    if (sleeper == 0) std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_GT(sleeper, 0);
  ASSERT_FALSE(Ended(sleeper));
  kill(reader, SIGINT);
  int status = 0;
  waitpid(reader, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
  EXPECT_TRUE(EndsSoon(sleeper)) << "pid " << sleeper << " outlived the reader";
}

}  // namespace
}  // namespace carbonbench::external_meter
