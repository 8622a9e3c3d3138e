#include "calibration/machine_cpu.h"

#include <gtest/gtest.h>

namespace carbonbench::calibration {
namespace {

constexpr const char* kStat =
    "cpu  10 0 10 100 0 0 0 0 0 0\n"
    "cpu0 5 0 5 50 0 0 0 0 0 0\n"
    "cpu1 5 0 5 50 0 0 0 0 0 0\n"
    "cpu2 5 0 5 50 0 0 0 0 0 0\n"
    "cpu3 5 0 5 50 0 0 0 0 0 0\n"
    "intr 1 2 3\n";

TEST(ParseMachineCpu, CountsSocketsCoresAndOnlineCpus) {
  std::string cpuinfo;
  // Two sockets, one core each with two SMT threads.
  for (int cpu = 0; cpu < 4; ++cpu) {
    cpuinfo += "processor\t: " + std::to_string(cpu) +
               "\nmodel name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz  \nphysical id\t: " +
               std::to_string(cpu / 2) + "\ncore id\t\t: 0\n\n";
  }
  const MachineCpu machine = ParseMachineCpu(cpuinfo, kStat);
  EXPECT_EQ(machine.model, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz");
  EXPECT_EQ(machine.topology.logical_cpus, 4);
  EXPECT_EQ(machine.topology.sockets, 2);
  EXPECT_EQ(machine.topology.physical_cores, 2);
}

TEST(ParseMachineCpu, CpuinfoWithoutTopologyLeavesTheDefaults) {
  const MachineCpu machine = ParseMachineCpu("processor\t: 0\nBogoMIPS\t: 50.00\n", kStat);
  EXPECT_EQ(machine.model, "");
  EXPECT_EQ(machine.topology.logical_cpus, 4);
  EXPECT_EQ(machine.topology.sockets, 1);
  EXPECT_EQ(machine.topology.physical_cores, 0);
}

TEST(ReadMachineCpu, NamesTheMissingStatFile) {
  try {
    ReadMachineCpu("/nonexistent-proc");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent-proc/stat"), std::string::npos);
  }
}

}  // namespace
}  // namespace carbonbench::calibration
