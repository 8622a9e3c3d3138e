// How a child process ends is told apart exactly: exit codes, crashes,
// the time limit and the memory limit, with its output passed on.
#include "process/child_process.h"

#include <signal.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

ChildSpec Shell(const std::string& script) {
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  return spec;
}

TEST(ChildProcess, ReportsTheExitCodeAndPassesStandardErrorLineByLine) {
  std::vector<std::string> lines;
  ChildCallbacks callbacks;
  callbacks.on_stderr = [&](const std::string& line) { lines.push_back(line); };
  const ChildExit exit = RunChild(Shell("echo one >&2; printf 'two' >&2; exit 7"), callbacks);
  EXPECT_TRUE(exit.Exited(7));
  EXPECT_EQ(exit.signal, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(exit.stderr_tail, lines);
  EXPECT_EQ(exit.Describe({}), "exited with code 7");
}

TEST(ChildProcess, EventsArriveOnDescriptorThreeAndStandardInputIsFed) {
  std::vector<std::string> events;
  ChildCallbacks callbacks;
  callbacks.on_event = [&](const std::string& line) { events.push_back(line); };
  ChildSpec spec = Shell("read first; echo \"got $first\" >&3; echo done >&3");
  spec.stdin_text = "hello\n";
  const ChildExit exit = RunChild(spec, callbacks);
  EXPECT_TRUE(exit.Exited(0));
  EXPECT_EQ(events, (std::vector<std::string>{"got hello", "done"}));
}

TEST(ChildProcess, TheSpecsEnvironmentIsSetOverTheParents) {
  setenv("CARBONBENCH_TEST_INHERITED", "kept", 1);
  setenv("CARBONBENCH_TEST_REPLACED", "parent", 1);
  std::vector<std::string> events;
  ChildCallbacks callbacks;
  callbacks.on_event = [&](const std::string& line) { events.push_back(line); };
  ChildSpec spec = Shell(
      "echo \"$CARBONBENCH_TEST_INHERITED $CARBONBENCH_TEST_REPLACED $CARBONBENCH_TEST_NEW\" >&3");
  spec.environment = {"CARBONBENCH_TEST_REPLACED=child", "CARBONBENCH_TEST_NEW=1"};
  EXPECT_TRUE(RunChild(spec, callbacks).Exited(0));
  EXPECT_EQ(events, (std::vector<std::string>{"kept child 1"}));
  unsetenv("CARBONBENCH_TEST_INHERITED");
  unsetenv("CARBONBENCH_TEST_REPLACED");
}

TEST(ChildProcess, ALargeStandardInputIsWrittenWithoutBlocking) {
  ChildSpec spec = Shell("wc -c >&3");
  spec.stdin_text.assign(1 << 20, 'x');  // far beyond a pipe's buffer
  std::string count;
  ChildCallbacks callbacks;
  callbacks.on_event = [&](const std::string& line) { count = line; };
  ASSERT_TRUE(RunChild(spec, callbacks).Exited(0));
  EXPECT_EQ(std::stoll(count), 1 << 20);
}

TEST(ChildProcess, ACrashIsNamedBySignal) {
  const ChildExit segv = RunChild(Shell("kill -SEGV $$"));
  EXPECT_EQ(segv.signal, SIGSEGV);
  EXPECT_EQ(segv.exit_code, -1);
  EXPECT_EQ(segv.Describe({}), "crashed: segmentation fault (SIGSEGV)");
  const ChildExit abort = RunChild(Shell("echo 'terminate called' >&2; kill -ABRT $$"));
  EXPECT_EQ(abort.Describe({}), "crashed: aborted (SIGABRT)");
  EXPECT_EQ(abort.stderr_tail.back(), "terminate called");
}

TEST(ChildProcess, TheTimeLimitStopsTheChild) {
  ChildSpec spec = Shell("sleep 30");
  spec.limits.timeout_s = 0.3;
  const ChildExit exit = RunChild(spec);
  EXPECT_TRUE(exit.timed_out);
  EXPECT_EQ(exit.signal, SIGKILL);
  EXPECT_LT(exit.wall_s, 25.0);  // stopped, not waited out
  EXPECT_EQ(exit.Describe(spec.limits), "stopped at the cell time limit of 0.3 s");
}

TEST(ChildProcess, TheMemoryLimitStopsAChildThatKeepsAllocating) {
  // A shell doubling a string grows without bound in resident memory.
  ChildSpec spec = Shell("x=xxxxxxxxxxxxxxxx; while :; do x=\"$x$x\"; done");
  spec.limits.memory_mb = 64;
  spec.limits.timeout_s = 60;  // a safety net should the memory never grow
  const ChildExit exit = RunChild(spec);
  EXPECT_TRUE(exit.memory_exceeded);
  EXPECT_FALSE(exit.timed_out);
  EXPECT_GT(exit.peak_rss_mb, 64);
  EXPECT_NE(exit.Describe(spec.limits).find("above the cell memory limit of 64 MB"),
            std::string::npos);
}

TEST(ChildProcess, CpuTimeIsTheChildsOwn) {
  const ChildExit exit = RunChild(Shell("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"));
  ASSERT_TRUE(exit.Exited(0));
  EXPECT_GT(exit.cpu_s, 0.0);
}

TEST(ChildProcess, AProgramThatCannotBeExecutedExitsWith127) {
  ChildSpec spec;
  spec.argv = {"/nonexistent/carbonbench"};
  const ChildExit exit = RunChild(spec);
  EXPECT_TRUE(exit.Exited(127));
  ASSERT_FALSE(exit.stderr_tail.empty());
  EXPECT_EQ(exit.stderr_tail.back(), "cannot execute the cell process");
}

TEST(ChildProcess, MemoryFiguresOfThisMachineAreRead) {
  EXPECT_GT(MachineMemoryMb(), 0);
  EXPECT_GT(ResidentMemoryMb(getpid()), 0);
  EXPECT_EQ(ResidentMemoryMb(-5), -1);
}

}  // namespace
}  // namespace carbonbench
