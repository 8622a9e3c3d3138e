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

TEST_F(HostUsageTest, SplitLoadSeparatesTheProcessFromEveryoneElse) {
  // 2 CPUs for 10 s at 100 ticks/s: 2000 ticks, 1500 busy, 9 CPU s ours.
  const auto split = SplitLoad({100, 400}, {1600, 2400}, 9.0, 100.0);
  ASSERT_TRUE(split);
  EXPECT_DOUBLE_EQ(split->capacity_s, 20.0);
  EXPECT_DOUBLE_EQ(split->process_s, 9.0);
  EXPECT_DOUBLE_EQ(split->outside_s, 6.0);
  // The process clock ahead of the ticks: no outside load, not a negative one.
  EXPECT_DOUBLE_EQ(SplitLoad({0, 0}, {100, 200}, 1.5, 100.0)->outside_s, 0.0);
  EXPECT_FALSE(SplitLoad({0, 10}, {0, 10}, 0.0, 100.0));    // no time passed
  EXPECT_FALSE(SplitLoad({50, 10}, {40, 20}, 0.0, 100.0));  // went backwards
}

TEST(ProcessCpuSeconds, GrowsWithWork) {
  const double before = ProcessCpuSeconds();
  volatile double sink = 0;
  for (int i = 0; i < 5000000; ++i) sink = sink + i * 0.5;
  EXPECT_GT(ProcessCpuSeconds(), before);
  EXPECT_GT(ClockTicksPerSecond(), 0.0);
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
