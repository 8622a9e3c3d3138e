// How a child process ends is told apart exactly: exit codes, crashes,
// the time limit and the memory limit, with its output passed on or sent
// to a file; a program is found on PATH when asked, and one that cannot be
// executed says why.
#include "process/child_process.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

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

TEST(ChildProcess, AProgramThatCannotBeExecutedSaysWhy) {
  ChildSpec spec;
  spec.argv = {"/nonexistent/carbonbench"};
  EXPECT_EQ(RunChild(spec).exec_error, ENOENT);
  EXPECT_EQ(RunChild(Shell("exit 127")).exec_error, 0);  // ran, then chose 127
}

// A folder of its own, removed with the test.
class ChildProcessFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("carbonbench_child_process_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A shell script named `name` in the folder, with `mode` as its permissions.
  fs::path Script(const std::string& name, const std::string& body,
                  fs::perms mode = fs::perms::owner_all) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(path, mode);
    return path;
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

// PATH set for one test, and put back after it.
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& path) : before_(getenv("PATH")) {
    setenv("PATH", path.c_str(), 1);
  }
  ~ScopedPath() { setenv("PATH", before_.c_str(), 1); }

 private:
  std::string before_;
};

TEST_F(ChildProcessFilesTest, ABareNameIsFoundOnPathWhenAskedTo) {
  Script("carbonbench-test-tool", "echo \"ran as $0 with $1\" >&3");
  const ScopedPath path((dir_ / "missing").string() + ":" + dir_.string() + ":/bin:/usr/bin");
  std::vector<std::string> events;
  ChildCallbacks callbacks;
  callbacks.on_event = [&](const std::string& line) { events.push_back(line); };
  ChildSpec spec;
  spec.argv = {"carbonbench-test-tool", "x"};
  spec.search_path = true;
  const ChildExit exit = RunChild(spec, callbacks);
  EXPECT_TRUE(exit.Exited(0));
  EXPECT_EQ(exit.exec_error, 0);
  EXPECT_EQ(events, (std::vector<std::string>{
                        "ran as " + (dir_ / "carbonbench-test-tool").string() + " with x"}));
}

TEST_F(ChildProcessFilesTest, ABareNameIsNotSearchedForUnlessAskedTo) {
  Script("carbonbench-test-tool", "exit 0");
  const ScopedPath path(dir_.string());
  ChildSpec spec;
  spec.argv = {"carbonbench-test-tool"};
  const ChildExit exit = RunChild(spec);
  EXPECT_TRUE(exit.Exited(127));
  EXPECT_EQ(exit.exec_error, ENOENT);
}

TEST_F(ChildProcessFilesTest, ANameFoundNowhereOnPathSaysSo) {
  ChildSpec spec;
  spec.argv = {"carbonbench-no-such-program"};
  spec.search_path = true;
  const ChildExit exit = RunChild(spec);
  EXPECT_TRUE(exit.Exited(127));
  EXPECT_EQ(exit.exec_error, ENOENT);
  ASSERT_FALSE(exit.stderr_tail.empty());
  EXPECT_EQ(exit.stderr_tail.back(), "cannot execute the cell process");
}

TEST_F(ChildProcessFilesTest, AFileOnPathThatMayNotBeExecutedIsADenialAndTheSearchGoesOn) {
  Script("carbonbench-test-tool", "exit 0", fs::perms::owner_read | fs::perms::owner_write);
  ChildSpec spec;
  spec.argv = {"carbonbench-test-tool"};
  spec.search_path = true;
  {
    const ScopedPath path(dir_.string());
    EXPECT_EQ(RunChild(spec).exec_error, EACCES);
  }
  fs::create_directories(dir_ / "later");
  Script("later/carbonbench-test-tool", "exit 4");
  const ScopedPath path(dir_.string() + ":" + (dir_ / "later").string());
  EXPECT_TRUE(RunChild(spec).Exited(4));
}

TEST_F(ChildProcessFilesTest, OutputGoesToTheGivenFileInOrder) {
  const fs::path log = dir_ / "child.log";
  std::ofstream(log) << "from an earlier run\n";
  std::vector<std::string> lines;
  ChildCallbacks callbacks;
  callbacks.on_stderr = [&](const std::string& line) { lines.push_back(line); };
  ChildSpec spec = Shell("echo out; echo err >&2; echo out again; exit 3");
  spec.output_path = log.string();
  const ChildExit exit = RunChild(spec, callbacks);
  EXPECT_TRUE(exit.Exited(3));
  EXPECT_EQ(Read(log), "out\nerr\nout again\n");
  EXPECT_TRUE(lines.empty());
  EXPECT_TRUE(exit.stderr_tail.empty());
}

TEST_F(ChildProcessFilesTest, AnOutputFileThatCannotBeOpenedIsAnError) {
  ChildSpec spec = Shell("exit 0");
  spec.output_path = (dir_ / "missing" / "child.log").string();
  try {
    RunChild(spec);
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), ENOENT);
    EXPECT_NE(std::string(error.what()).find(spec.output_path), std::string::npos) << error.what();
  }
}

TEST(ChildProcess, MemoryFiguresOfThisMachineAreRead) {
  EXPECT_GT(MachineMemoryMb(), 0);
  EXPECT_GT(ResidentMemoryMb(getpid()), 0);
  EXPECT_EQ(ResidentMemoryMb(-5), -1);
}

}  // namespace
}  // namespace carbonbench
