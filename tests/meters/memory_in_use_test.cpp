// The memory figures a RAM estimate charges, read from fake /proc and
// /sys/fs/cgroup trees: a process's resident memory, the machine's memory in
// use, and the cgroup that holds a container to less.
#include "ram_estimate/memory_in_use.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench::ram_estimate {
namespace {

namespace fs = std::filesystem;

constexpr double kGib = 1024.0 * 1024.0 * 1024.0;

class MemoryInUseTest : public test_support::TempDirTest {
 protected:
  std::string Proc() const { return (dir_ / "proc").string(); }
  std::string Cgroup() const { return (dir_ / "cgroup").string(); }

  void WriteFile(const fs::path& path, const std::string& text) const {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  // A meminfo of 8 GB with `available_kb` available.
  void MemInfo(long available_kb) const {
    WriteFile(dir_ / "proc/meminfo",
              "MemTotal:        8388608 kB\n"
              "MemFree:         1048576 kB\n"
              "MemAvailable:    " +
                  std::to_string(available_kb) + " kB\nBuffers: 0 kB\n");
  }
  void ProcCgroup(const std::string& lines) const { WriteFile(dir_ / "proc/self/cgroup", lines); }
  void CgroupFile(const std::string& relative, const std::string& text) const {
    WriteFile(dir_ / "cgroup" / relative, text + "\n");
  }
};

TEST_F(MemoryInUseTest, MachineInUseIsTotalLessAvailable) {
  MemInfo(6291456);  // 6 of 8 GB available
  EXPECT_DOUBLE_EQ(*ReadTotalRamGb(Proc()), 8.0);
  EXPECT_DOUBLE_EQ(*ReadMachineInUseGb(Proc()), 2.0);
  MemInfo(7340032);  // it changes during a run, and each read sees it
  EXPECT_DOUBLE_EQ(*ReadMachineInUseGb(Proc()), 1.0);
}

TEST_F(MemoryInUseTest, OldKernelsWithoutMemAvailableCountCachesAsAvailable) {
  WriteFile(dir_ / "proc/meminfo",
            "MemTotal: 4194304 kB\nMemFree: 1048576 kB\nBuffers: 524288 kB\nCached: 524288 kB\n");
  EXPECT_DOUBLE_EQ(*ReadMachineInUseGb(Proc()), 2.0);
}

TEST_F(MemoryInUseTest, UnreadableMeminfoIsNoFigure) {
  EXPECT_FALSE(ReadMachineInUseGb(Proc()));
  EXPECT_FALSE(ReadTotalRamGb(Proc()));
  WriteFile(dir_ / "proc/meminfo", "MemFree: 1 kB\n");
  EXPECT_FALSE(ReadMachineInUseGb(Proc()));
}

TEST_F(MemoryInUseTest, ProcessTrackingReadsResidentMemory) {
  WriteFile(dir_ / "proc/self/status",
            "Name:\tcarbonbench\nVmPeak:\t 9999999 kB\n"
            "VmRSS:\t  524288 kB\nThreads:\t4\n");
  EXPECT_DOUBLE_EQ(*ReadProcessRamGb(Proc()), 0.5);
  const MemoryInUse memory = MemoryInUse::Process(Proc());
  EXPECT_DOUBLE_EQ(*memory.ReadGb(), 0.5);
  EXPECT_NE(memory.Description().find("resident memory (VmRSS)"), std::string::npos);
  // Followed as it grows.
  WriteFile(dir_ / "proc/self/status", "VmRSS:\t 1048576 kB\n");
  EXPECT_DOUBLE_EQ(*memory.ReadGb(), 1.0);
}

TEST_F(MemoryInUseTest, ThisProcessIsReadFromTheRealProc) {
  const auto rss = ReadProcessRamGb();
  ASSERT_TRUE(rss);
  EXPECT_GT(*rss, 0.0);
}

TEST_F(MemoryInUseTest, WithoutCgroupLimitTheMachineIsCharged) {
  MemInfo(6291456);
  ProcCgroup("0::/user.slice/session-1.scope\n");
  CgroupFile("user.slice/session-1.scope/memory.max", "max");
  CgroupFile("user.slice/session-1.scope/memory.current", "1073741824");
  EXPECT_FALSE(FindLimitingCgroup(8.0, Proc(), Cgroup()));
  const MemoryInUse memory = MemoryInUse::Machine(Proc(), Cgroup());
  EXPECT_DOUBLE_EQ(*memory.ReadGb(), 2.0);
  EXPECT_NE(memory.Description().find("MemTotal - MemAvailable"), std::string::npos);
}

TEST_F(MemoryInUseTest, CgroupV2LimitBelowTheMachineChargesTheCgroup) {
  MemInfo(1048576);  // the host looks busy: 7 of 8 GB in use
  ProcCgroup("0::/docker/abc\n");
  CgroupFile("docker/abc/memory.max", std::to_string(static_cast<long>(2 * kGib)));
  CgroupFile("docker/abc/memory.current", std::to_string(static_cast<long>(0.75 * kGib)));
  const auto cgroup = FindLimitingCgroup(8.0, Proc(), Cgroup());
  ASSERT_TRUE(cgroup);
  EXPECT_EQ(cgroup->version, 2);
  EXPECT_DOUBLE_EQ(cgroup->limit_gb, 2.0);
  const MemoryInUse memory = MemoryInUse::Machine(Proc(), Cgroup());
  EXPECT_DOUBLE_EQ(*memory.ReadGb(), 0.75);
  EXPECT_NE(memory.Description().find("cgroup (memory.current, capped at its 2 GB limit)"),
            std::string::npos)
      << memory.Description();
  // Usage above the limit (kernel memory, a race) is capped by it.
  CgroupFile("docker/abc/memory.current", std::to_string(static_cast<long>(3 * kGib)));
  EXPECT_DOUBLE_EQ(*memory.ReadGb(), 2.0);
}

TEST_F(MemoryInUseTest, CgroupV2LimitOnAnAncestorCounts) {
  MemInfo(1048576);
  ProcCgroup("0::/kubepods/pod1/container\n");
  CgroupFile("kubepods/pod1/memory.max", std::to_string(static_cast<long>(4 * kGib)));
  CgroupFile("kubepods/pod1/memory.current", std::to_string(static_cast<long>(kGib)));
  CgroupFile("kubepods/pod1/container/memory.max", "max");
  CgroupFile("kubepods/memory.max", std::to_string(static_cast<long>(6 * kGib)));
  const auto cgroup = FindLimitingCgroup(8.0, Proc(), Cgroup());
  ASSERT_TRUE(cgroup);
  EXPECT_DOUBLE_EQ(cgroup->limit_gb, 4.0);
  EXPECT_DOUBLE_EQ(*ReadCgroupInUseGb(*cgroup), 1.0);
}

TEST_F(MemoryInUseTest, CgroupLimitAboveTheMachineIsIgnored) {
  MemInfo(6291456);
  ProcCgroup("0::/big\n");
  CgroupFile("big/memory.max", std::to_string(static_cast<long>(64 * kGib)));
  CgroupFile("big/memory.current", std::to_string(static_cast<long>(kGib)));
  EXPECT_FALSE(FindLimitingCgroup(8.0, Proc(), Cgroup()));
  EXPECT_DOUBLE_EQ(*MemoryInUse::Machine(Proc(), Cgroup()).ReadGb(), 2.0);
}

TEST_F(MemoryInUseTest, NamespacedContainerReadsTheMountedRoot) {
  // With a cgroup namespace /proc/self/cgroup says "/", and the mount is the
  // container's own cgroup; without one it names a host path the mount lacks.
  MemInfo(1048576);
  CgroupFile("memory.max", std::to_string(static_cast<long>(kGib)));
  CgroupFile("memory.current", std::to_string(static_cast<long>(0.5 * kGib)));
  for (const char* lines : {"0::/\n", "0::/system.slice/host-only.scope\n"}) {
    ProcCgroup(lines);
    const auto cgroup = FindLimitingCgroup(8.0, Proc(), Cgroup());
    ASSERT_TRUE(cgroup) << lines;
    EXPECT_DOUBLE_EQ(*ReadCgroupInUseGb(*cgroup), 0.5);
  }
}

TEST_F(MemoryInUseTest, CgroupV1MemoryControllerLimit) {
  MemInfo(1048576);
  ProcCgroup("12:pids:/lxc/c1\n4:cpu,cpuacct:/lxc/c1\n3:memory:/lxc/c1\n0::/\n");
  CgroupFile("memory/lxc/c1/memory.limit_in_bytes", std::to_string(static_cast<long>(3 * kGib)));
  CgroupFile("memory/lxc/c1/memory.usage_in_bytes", std::to_string(static_cast<long>(1.5 * kGib)));
  const auto cgroup = FindLimitingCgroup(8.0, Proc(), Cgroup());
  ASSERT_TRUE(cgroup);
  EXPECT_EQ(cgroup->version, 1);
  const MemoryInUse memory = MemoryInUse::Machine(Proc(), Cgroup());
  EXPECT_DOUBLE_EQ(*memory.ReadGb(), 1.5);
  EXPECT_NE(memory.Description().find("memory.usage_in_bytes, capped at its 3 GB limit"),
            std::string::npos)
      << memory.Description();
}

TEST_F(MemoryInUseTest, CgroupV1UnlimitedDefaultMeansNoLimit) {
  MemInfo(6291456);
  ProcCgroup("4:memory:/process_api/x\n0::/\n");
  CgroupFile("memory/process_api/x/memory.limit_in_bytes", "9223372036854771712");
  CgroupFile("memory/process_api/x/memory.usage_in_bytes", "2920448");
  CgroupFile("memory/memory.limit_in_bytes", "9223372036854771712");
  EXPECT_FALSE(FindLimitingCgroup(8.0, Proc(), Cgroup()));
  EXPECT_DOUBLE_EQ(*MemoryInUse::Machine(Proc(), Cgroup()).ReadGb(), 2.0);
}

TEST_F(MemoryInUseTest, UnreadableCgroupUsageIsNoFigure) {
  ProcCgroup("0::/c\n");
  CgroupFile("c/memory.max", std::to_string(static_cast<long>(kGib)));
  const auto cgroup = FindLimitingCgroup(8.0, Proc(), Cgroup());
  ASSERT_TRUE(cgroup);
  EXPECT_FALSE(ReadCgroupInUseGb(*cgroup));
  CgroupFile("c/memory.current", "garbage");
  EXPECT_FALSE(ReadCgroupInUseGb(*cgroup));
}

}  // namespace
}  // namespace carbonbench::ram_estimate
