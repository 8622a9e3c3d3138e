// A line process answers each request line with one reply line; one that is
// silent too long, ends early or stops reading says so, naming the program
// and its last standard error lines, and never takes this process down.
#include "process/line_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

std::vector<std::string> Shell(const std::string& script) { return {"/bin/sh", "-c", script}; }

// Waits (up to 5 s) until the child has exited, leaving it to be reaped.
void WaitUntilExited(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      return;
    }
    usleep(10000);
  }
}

std::string ErrorOf(LineProcess& process, const std::string& line, double timeout_s) {
  try {
    process.Exchange(line, timeout_s);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(LineProcess, EachLineIsAnsweredByOneLine) {
  LineProcess cat({"/bin/cat"});
  EXPECT_EQ(cat.Exchange("hello", 5), "hello");
  EXPECT_EQ(cat.Exchange("{\"op\": \"ask\"}", 5), "{\"op\": \"ask\"}");
  EXPECT_EQ(cat.Exchange("", 5), "");
}

TEST(LineProcess, RepliesArrivingInPiecesOrTogetherAreSplitIntoLines) {
  // Two replies to the first request: the second is the next request's.
  LineProcess process(
      Shell("read a; printf 'one\\ntw'; sleep 0.1; printf 'o\\n'; "
            "read b; read c; echo \"three $c\""));
  EXPECT_EQ(process.Exchange("first", 5), "one");
  EXPECT_EQ(process.Exchange("second", 5), "two");
  EXPECT_EQ(process.Exchange("third", 5), "three third");
}

TEST(LineProcess, ALongLineIsWrittenAndReadWhole) {
  const std::string line(1 << 20, 'x');  // beyond a pipe's buffer both ways
  LineProcess cat({"/bin/cat"});
  EXPECT_EQ(cat.Exchange(line, 10), line);
}

TEST(LineProcess, TheEnvironmentIsSetOverTheParentsAndPathIsSearched) {
  setenv("CARBONBENCH_TEST_LINE_KEPT", "kept", 1);
  setenv("CARBONBENCH_TEST_LINE_REPLACED", "parent", 1);
  LineProcess process({"sh", "-c",
                       "read line; echo \"$CARBONBENCH_TEST_LINE_KEPT "
                       "$CARBONBENCH_TEST_LINE_REPLACED $CARBONBENCH_TEST_LINE_NEW\""},
                      {"CARBONBENCH_TEST_LINE_REPLACED=own", "CARBONBENCH_TEST_LINE_NEW=new"});
  EXPECT_EQ(process.Exchange("go", 5), "kept own new");
}

TEST(LineProcess, ASilentChildTimesOutAndIsKilled) {
  LineProcess process(Shell("echo waiting >&2; read line; sleep 30"));
  const auto start = std::chrono::steady_clock::now();
  const std::string error = ErrorOf(process, "hello", 0.3);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(error.find("`/bin/sh -c"), std::string::npos) << error;
  EXPECT_NE(error.find("did not answer within 0.3 s"), std::string::npos) << error;
  EXPECT_NE(error.find("waiting"), std::string::npos) << error;
  EXPECT_EQ(kill(process.pid(), 0), -1);  // reaped
  EXPECT_NE(ErrorOf(process, "again", 1).find("no longer running"), std::string::npos);
}

TEST(LineProcess, AChildEndingEarlySaysHowWithItsLastStandardErrorLines) {
  LineProcess process(Shell("read line; echo 'Traceback' >&2; echo 'bad thing' >&2; exit 3"));
  const std::string error = ErrorOf(process, "hello", 5);
  EXPECT_NE(error.find("ended without answering (exited with code 3)"), std::string::npos) << error;
  EXPECT_NE(error.find("\n  Traceback\n  bad thing"), std::string::npos) << error;
}

TEST(LineProcess, WritingToAChildThatStoppedReadingFailsWithoutSigpipe) {
  // It has exited (stdin closed) before the request is written: the write
  // meets a closed pipe, which must be an exception here, not SIGPIPE.
  LineProcess process(Shell("exec 0<&-; echo gone >&2; exit 0"));
  WaitUntilExited(process.pid());
  const std::string error = ErrorOf(process, std::string(1 << 17, 'x'), 5);
  EXPECT_TRUE(error.find("could not be written to") != std::string::npos ||
              error.find("ended without answering") != std::string::npos)
      << error;
}

TEST(LineProcess, AnAnswerWrittenBeforeTheChildStoppedReadingIsReturned) {
  // As the search's driver does without its module: one line, then exit.
  LineProcess process(Shell("exec 0<&-; echo '{\"ok\": false}'; echo missing >&2; exit 3"));
  WaitUntilExited(process.pid());
  EXPECT_EQ(process.Exchange("{\"op\": \"open\"}", 5), "{\"ok\": false}");
  const std::string error = ErrorOf(process, "again", 5);
  EXPECT_NE(error.find("no longer running (exited with code 3)"), std::string::npos) << error;
  EXPECT_NE(error.find("\n  missing"), std::string::npos) << error;
}

TEST(LineProcess, ChattyStandardErrorDoesNotBlockTheChild) {
  // 1 MB on standard error before the reply: more than a pipe holds.
  LineProcess process(
      Shell("read line; head -c 1000000 /dev/zero | tr '\\0' 'e' >&2; "
            "echo >&2; echo done"));
  EXPECT_EQ(process.Exchange("go", 10), "done");
}

TEST(LineProcess, AProgramThatCannotBeExecutedSaysWhy) {
  try {
    LineProcess process({"/nonexistent/carbonbench-python"});
    FAIL() << "started";
  } catch (const LineProcessNotStarted& error) {
    EXPECT_EQ(error.code().value(), ENOENT);
    EXPECT_NE(std::string(error.what()).find("/nonexistent/carbonbench-python"), std::string::npos);
  }
}

TEST(LineProcess, ClosingEndsAChildThatIgnoresTheEndOfItsInput) {
  pid_t pid = -1;
  const auto start = std::chrono::steady_clock::now();
  {
    LineProcess process(Shell("trap '' TERM; read line; echo ok; sleep 30"));
    EXPECT_EQ(process.Exchange("go", 5), "ok");
    pid = process.pid();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(kill(pid, 0), -1);
}

}  // namespace
}  // namespace carbonbench
