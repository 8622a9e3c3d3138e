#include "cpu_load_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench::cpu_estimate {
namespace {

namespace fs = std::filesystem;

const std::string kCpuPowerCsv =
    std::string(CARBONBENCH_SOURCE_DATA_DIR) + "/codecarbon/hardware/cpu_power.csv";

TEST(DefaultTdpTest, IsFourWattsPerThread) {
  EXPECT_DOUBLE_EQ(DefaultTdpW(2), 8.0);
  EXPECT_DOUBLE_EQ(DefaultTdpW(64), 256.0);
  EXPECT_DOUBLE_EQ(DefaultTdpW(0), 4.0);  // at least one thread
}

// --- The TDP table -----------------------------------------------------------

class CpuPowerTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new std::vector<CpuPowerEntry>(ReadCpuPowerCsv(kCpuPowerCsv));
  }
  static void TearDownTestSuite() { delete table_; }
  static const std::vector<CpuPowerEntry>& table() { return *table_; }

 private:
  static std::vector<CpuPowerEntry>* table_;
};
std::vector<CpuPowerEntry>* CpuPowerTableTest::table_ = nullptr;

TEST_F(CpuPowerTableTest, ReadsWholeTable) {
  // ~4,900 rows; five unusable ones (0 W, "27.29.5") are left out on purpose.
  EXPECT_GT(table().size(), 4800u);
  EXPECT_EQ(table().front().name, "1075T");
}

TEST_F(CpuPowerTableTest, KeepsCommasInQuotedNames) {
  const TdpMatch match = LookUpTdp("Intel EP80579 Integrated, 1200 MHz", table());
  ASSERT_TRUE(match.found);
  EXPECT_DOUBLE_EQ(match.tdp_w, 19.0);
}

TEST_F(CpuPowerTableTest, ExactName) {
  const TdpMatch match = LookUpTdp("AMD EPYC 7763", table());
  ASSERT_TRUE(match.found);
  EXPECT_DOUBLE_EQ(match.tdp_w, 280.0);
  EXPECT_EQ(match.matched_name, "AMD EPYC 7763");
}

TEST_F(CpuPowerTableTest, IntelCpuinfoName) {
  const TdpMatch match = LookUpTdp("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", table());
  ASSERT_TRUE(match.found);
  EXPECT_EQ(match.matched_name, "Intel Core i7-8700");  // not i7-8700K (95 W)
  EXPECT_DOUBLE_EQ(match.tdp_w, 65.0);
}

TEST_F(CpuPowerTableTest, XeonCpuinfoName) {
  const TdpMatch match = LookUpTdp("Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz", table());
  ASSERT_TRUE(match.found);
  EXPECT_EQ(match.matched_name, "Intel Xeon Gold 6140");
  EXPECT_DOUBLE_EQ(match.tdp_w, 140.0);
}

TEST_F(CpuPowerTableTest, AmdCoreCountSuffix) {
  const TdpMatch match = LookUpTdp("AMD EPYC 7763 64-Core Processor", table());
  ASSERT_TRUE(match.found);
  EXPECT_EQ(match.matched_name, "AMD EPYC 7763");
}

TEST_F(CpuPowerTableTest, RadeonGraphicsSuffix) {
  const TdpMatch match = LookUpTdp("AMD Ryzen 7 8700G w/ Radeon 780M Graphics", table());
  ASSERT_TRUE(match.found);
  EXPECT_EQ(match.matched_name, "AMD Ryzen 7 8700G");
}

TEST_F(CpuPowerTableTest, LongestWholeWordContainedName) {
  // "11th Gen" is not in the table's spelling, so only containment finds it.
  const TdpMatch match = LookUpTdp("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", table());
  ASSERT_TRUE(match.found);
  EXPECT_EQ(match.matched_name, "Intel Core i7-1165G7");
  EXPECT_DOUBLE_EQ(match.tdp_w, 28.0);
}

TEST_F(CpuPowerTableTest, UnknownCpuIsNotFound) {
  // This sandbox's /proc/cpuinfo says just "AMD EPYC": no model number.
  EXPECT_FALSE(LookUpTdp("AMD EPYC", table()).found);
  EXPECT_FALSE(LookUpTdp("", table()).found);
  EXPECT_FALSE(LookUpTdp("QEMU Virtual CPU version 2.5+", table()).found);
}

TEST(CpuNameTest, Normalises) {
  EXPECT_EQ(NormaliseCpuName("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"), "Intel Core i7-8700");
  EXPECT_EQ(NormaliseCpuName("AMD Ryzen 5 5600G with Radeon Graphics"), "AMD Ryzen 5 5600G");
  EXPECT_EQ(NormaliseCpuName("AMD Ryzen 7 1700 Eight-Core Processor"), "AMD Ryzen 7 1700");
  EXPECT_EQ(NormaliseCpuName("  Intel(R)   Xeon(R) CPU  E5-2680 v4 @2.40GHz "),
            "Intel Xeon E5-2680 v4");
}

TEST(CpuNameTest, WholeWordsOnly) {
  const std::vector<CpuPowerEntry> table = {{"Intel Core i7-8700K", 95}, {"Intel Core i7-870", 95}};
  EXPECT_FALSE(LookUpTdp("Intel Core i7-8700", table).found);
}

TEST(CpuPowerCsvTest, ParsesQuotesAndSkipsUnusableRows) {
  const std::vector<CpuPowerEntry> table = ParseCpuPowerCsv(
      "Name,TDP\r\n\"Chip \"\"X\"\", rev 2\",12.5\r\nZero,0\nMangled,27.29.5\nPlain,7\n",
      "test.csv");
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0].name, "Chip \"X\", rev 2");
  EXPECT_DOUBLE_EQ(table[0].tdp_w, 12.5);
  EXPECT_EQ(table[1].name, "Plain");
}

TEST(CpuPowerCsvTest, MalformedRowNamesLine) {
  try {
    ParseCpuPowerCsv("Name,TDP\nGood,5\n\"Multi\nline\",6\nBad,5,6\n", "test.csv");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(
        std::string(error.what()).find("test.csv line 5: expected 2 fields (Name,TDP), got 3"),
        std::string::npos)
        << error.what();
  }
}

TEST(CpuPowerCsvTest, MissingFileNamesIt) {
  EXPECT_THROW(ReadCpuPowerCsv("/nonexistent/cpu_power.csv"), std::runtime_error);
}

// --- /proc -------------------------------------------------------------------

using FakeProcTest = test_support::TempDirTest;

TEST_F(FakeProcTest, ParsesAggregateCpuLine) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  Write("stat",
        "cpu  100 5 50 800 20 3 2 10 40 1\n"
        "cpu0 50 2 25 400 10 1 1 5 20 0\n"
        "intr 12345\n");
  const CpuJiffies jiffies = ReadProcStat(dir_.string());
  EXPECT_EQ(jiffies.total, 100u + 5 + 50 + 800 + 20 + 3 + 2 + 10);  // guest not twice
  EXPECT_EQ(jiffies.busy, jiffies.total - 800 - 20);
}

TEST_F(FakeProcTest, ParsesOldKernelsFourFields) {
  Write("stat", "cpu 10 0 5 85\n");
  const CpuJiffies jiffies = ReadProcStat(dir_.string());
  EXPECT_EQ(jiffies.total, 100u);
  EXPECT_EQ(jiffies.busy, 15u);
}

TEST_F(FakeProcTest, RejectsStatWithoutCpuLine) {
  Write("stat", "cpu0 1 2 3 4\n");
  EXPECT_THROW(ReadProcStat(dir_.string()), std::runtime_error);
  EXPECT_THROW(ParseProcStat("cpu 1 x 3 4\n"), std::runtime_error);
  EXPECT_THROW(ReadProcStat((dir_ / "absent").string()), std::runtime_error);
}

TEST_F(FakeProcTest, ReadsModelName) {
  Write("cpuinfo",
        "processor\t: 0\nvendor_id\t: GenuineIntel\n"
        "model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n\n"
        "processor\t: 1\nmodel name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n");
  EXPECT_EQ(ReadCpuModelName(dir_.string()), "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz");
}

TEST_F(FakeProcTest, ModelNameMissingIsEmpty) {
  Write("cpuinfo", "processor\t: 0\nBogoMIPS\t: 50.00\n");
  EXPECT_EQ(ReadCpuModelName(dir_.string()), "");
}

TEST_F(FakeProcTest, SnapshotReadsStatUnderRoot) {
  Write("stat", "cpu 10 0 5 85 0 0 0 0 0 0\n");
  const CpuSnapshot snapshot = TakeCpuSnapshot(dir_.string());
  EXPECT_EQ(snapshot.machine.total, 100u);
  EXPECT_GT(snapshot.wall_s, 0);
  EXPECT_GT(snapshot.process_cpu_s, 0);
}

// --- Integration ---------------------------------------------------------------

CpuSnapshot Snapshot(double wall_s, double process_s, std::uint64_t busy, std::uint64_t total) {
  CpuSnapshot snapshot;
  snapshot.wall_s = wall_s;
  snapshot.process_cpu_s = process_s;
  snapshot.machine.busy = busy;
  snapshot.machine.total = total;
  return snapshot;
}

// A machine whose power is 10 W idle plus 90 W × load, so the numbers
// below can be checked by hand.
double Linear(double load) { return 10 + 90 * load; }

// Full power at any load: the energy is then wall time × share.
MachinePower Constant(double watts) {
  return [watts](double) { return watts; };
}

TEST(EstimateIntervalTest, ScalesPowerByProcessShare) {
  // 10 s on 2 CPUs at 100 ticks/s: 2000 jiffies, 1000 busy (load 0.5), of
  // which this process used 5 CPU-seconds = 500 jiffies (share 0.5).
  const IntervalEstimate estimate =
      EstimateInterval(Snapshot(100, 1, 5000, 20000), Snapshot(110, 6, 6000, 22000), Linear, 100);
  EXPECT_DOUBLE_EQ(estimate.machine_load, 0.5);
  EXPECT_DOUBLE_EQ(estimate.process_share, 0.5);
  EXPECT_DOUBLE_EQ(estimate.power_w, 55.0 * 0.5);
  EXPECT_DOUBLE_EQ(estimate.joules, 55.0 * 0.5 * 10);
}

TEST(EstimateIntervalTest, SoleBusyProcessGetsFullPower) {
  const IntervalEstimate estimate =
      EstimateInterval(Snapshot(0, 0, 0, 0), Snapshot(2, 4, 400, 400), Constant(65), 100);
  EXPECT_DOUBLE_EQ(estimate.machine_load, 1.0);
  EXPECT_DOUBLE_EQ(estimate.process_share, 1.0);
  EXPECT_DOUBLE_EQ(estimate.joules, 65.0 * 2);
}

TEST(EstimateIntervalTest, ShareClampedWhenProcessOutrunsJiffies) {
  // Jiffies are coarse: the process can report more CPU time than the ticks.
  const IntervalEstimate estimate =
      EstimateInterval(Snapshot(0, 0, 0, 0), Snapshot(1, 0.5, 10, 100), Linear, 100);
  EXPECT_DOUBLE_EQ(estimate.process_share, 1.0);
}

TEST(EstimateIntervalTest, NoBusyTimeMeansNoEnergy) {
  const IntervalEstimate estimate =
      EstimateInterval(Snapshot(0, 1, 50, 100), Snapshot(5, 1, 50, 600), Linear, 100);
  EXPECT_DOUBLE_EQ(estimate.machine_load, 0.0);
  EXPECT_DOUBLE_EQ(estimate.process_share, 0.0);
  EXPECT_DOUBLE_EQ(estimate.joules, 0.0);
}

TEST(EstimateIntervalTest, ContainerLoadIsItsOwnCpuTimeOverItsCpus) {
  // A container of 2 CPUs on a host whose /proc/stat shows 50 % busy: this
  // process used 3 CPU-seconds in 2 s, 75 % of the container.
  const IntervalEstimate estimate = EstimateInterval(
      Snapshot(0, 0, 0, 0), Snapshot(2, 3, 6400, 12800), Linear, 100, /*container_cpus=*/2);
  EXPECT_DOUBLE_EQ(estimate.machine_load, 0.75);
  EXPECT_DOUBLE_EQ(estimate.process_share, 1.0);
  EXPECT_DOUBLE_EQ(estimate.joules, Linear(0.75) * 2);
  const IntervalEstimate idle = EstimateInterval(Snapshot(0, 1, 0, 0), Snapshot(2, 1, 6400, 12800),
                                                 Linear, 100, /*container_cpus=*/2);
  EXPECT_DOUBLE_EQ(idle.joules, 0.0);
}

TEST(EstimateIntervalTest, CountersGoingBackwardsCountAsNoChange) {
  const IntervalEstimate estimate =
      EstimateInterval(Snapshot(0, 0, 500, 1000), Snapshot(1, 1, 100, 200), Linear, 100);
  EXPECT_DOUBLE_EQ(estimate.joules, 0.0);
  EXPECT_TRUE(std::isfinite(estimate.power_w));
}

}  // namespace
}  // namespace carbonbench::cpu_estimate
