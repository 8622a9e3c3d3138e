// SIGINT and SIGTERM to a suite stop the running cell's whole process group
// and let the suite say what it kept, instead of killing the suite outright.
#include "process/stop_signal.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "process/child_process.h"

namespace carbonbench {
namespace {

// Gone, or a zombie no one has reaped yet: either way it runs no more.
bool Runs(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) return line.find('Z') == std::string::npos;
  }
  return false;
}

TEST(StopSignals, ASignalToTheParentStopsTheChildsWholeGroup) {
  for (const int signal : {SIGINT, SIGTERM}) {
    const StopSignals stop;
    ChildSpec spec;
    // A grandchild in the background, then the signal to the parent.
    spec.argv = {
        "/bin/sh", "-c",
        "sleep 300 & echo $! >&3; kill -" + StopSignalName(signal).substr(3) + " $PPID; wait"};
    std::string grandchild;
    ChildCallbacks callbacks;
    callbacks.on_event = [&grandchild](const std::string& line) { grandchild = line; };
    const ChildExit exit = RunChild(spec, callbacks);
    EXPECT_EQ(StopRequested(), signal);
    EXPECT_EQ(exit.stopped_for_signal, signal);
    EXPECT_EQ(exit.signal, SIGKILL);
    EXPECT_EQ(exit.Describe(spec.limits),
              "stopped: this run was interrupted (" + StopSignalName(signal) + ")");
    ASSERT_FALSE(grandchild.empty());
    // SIGKILL was sent to the group; the kernel ends each member in its own time.
    const int pid = std::stoi(grandchild);
    for (int tries = 0; tries < 500 && Runs(pid); ++tries) usleep(20 * 1000);
    EXPECT_FALSE(Runs(pid)) << "the cell's own children outlived it";
  }
}

TEST(StopSignals, WithoutARequestAChildRunsToItsEnd) {
  const StopSignals stop;
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", "exit 4"};
  const ChildExit exit = RunChild(spec);
  EXPECT_EQ(StopRequested(), 0);
  EXPECT_EQ(exit.stopped_for_signal, 0);
  EXPECT_TRUE(exit.Exited(4));
}

TEST(StopSignals, TheHandlersBeforeAreRestored) {
  struct sigaction before {};
  sigaction(SIGTERM, nullptr, &before);
  { const StopSignals stop; }
  struct sigaction after {};
  sigaction(SIGTERM, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

TEST(StopSignals, ExitCodesFollowTheShell) {
  EXPECT_EQ(ExitCodeForStop(SIGINT), 130);
  EXPECT_EQ(ExitCodeForStop(SIGTERM), 143);
  EXPECT_EQ(StopSignalName(SIGINT), "SIGINT");
  EXPECT_EQ(StopSignalName(SIGTERM), "SIGTERM");
}

}  // namespace
}  // namespace carbonbench
