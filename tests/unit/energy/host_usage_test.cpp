// The usage figures that go into CodeCarbon's CSV, read from fake /proc trees.
#include "energy/host_usage.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench {
namespace {

// A fake /proc tree: the folder, with self/ in it.
class HostUsageTest : public test_support::TempDirTest {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_ / "self"); }
  std::string Root() const { return dir_.string(); }
};

TEST_F(HostUsageTest, CpuTimesLeaveIdleAndIowaitOutOfBusy) {
  Write("stat", "cpu  100 20 30 400 50 6 7 8 0 0\ncpu0 1 2 3 4\n");
  const auto times = ReadCpuTimes(Root());
  ASSERT_TRUE(times);
  EXPECT_EQ(times->total_jiffies, 621u);
  EXPECT_EQ(times->busy_jiffies, 621u - 400 - 50);
}

TEST_F(HostUsageTest, UtilizationIsTheBusyShareBetweenReadings) {
  const CpuTimes before{100, 400};
  EXPECT_DOUBLE_EQ(*CpuUtilizationPercent(before, {175, 500}), 75.0);
  EXPECT_FALSE(CpuUtilizationPercent(before, before));
  EXPECT_FALSE(CpuUtilizationPercent(before, {90, 500}));  // went backwards
}

TEST_F(HostUsageTest, MissingOrForeignStatGivesNothing) {
  EXPECT_FALSE(ReadCpuTimes(Root()));
  Write("stat", "intr 1 2 3\n");
  EXPECT_FALSE(ReadCpuTimes(Root()));
}

TEST_F(HostUsageTest, MemoryFiguresAreInDecimalGigabytes) {
  Write("meminfo", "MemTotal:       16000000 kB\nMemFree: 1 kB\n");
  Write("self/status", "Name:\tcarbonbench\nVmHWM:\t  2000000 kB\nVmRSS:\t 1 kB\n");
  EXPECT_DOUBLE_EQ(TotalRamGb(Root()), 16000000 * 1024.0 / 1e9);
  EXPECT_DOUBLE_EQ(PeakResidentRamGb(Root()), 2000000 * 1024.0 / 1e9);
}

TEST_F(HostUsageTest, AbsentMemoryFiguresAreZero) {
  EXPECT_EQ(TotalRamGb(Root()), 0);
  EXPECT_EQ(PeakResidentRamGb(Root()), 0);
}

}  // namespace
}  // namespace carbonbench
