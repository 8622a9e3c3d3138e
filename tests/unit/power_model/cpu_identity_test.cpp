#include "power_model/cpu_identity.h"

#include <string>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench::power_model {
namespace {

// One processor entry as x86 Linux writes it.
std::string Processor(int number, int physical_id, int cores, int siblings,
                      const std::string& flags) {
  return "processor\t: " + std::to_string(number) +
         "\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
         "model name\t: Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz\n"
         "physical id\t: " +
         std::to_string(physical_id) + "\nsiblings\t: " + std::to_string(siblings) +
         "\ncpu cores\t: " + std::to_string(cores) + "\nflags\t\t: fpu vme " + flags + "\n\n";
}

TEST(CpuInfoTest, ThisSandboxsVirtualEpyc) {
  const std::string text =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\n"
      "model name\t: AMD EPYC\nphysical id\t: 0\nsiblings\t: 2\ncpu cores\t: 2\n"
      "flags\t\t: fpu sse2 hypervisor lahf_lm\n\n"
      "processor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\n"
      "model name\t: AMD EPYC\nphysical id\t: 0\nsiblings\t: 2\ncpu cores\t: 2\n"
      "flags\t\t: fpu sse2 hypervisor lahf_lm\n";
  const CpuIdentity cpu = ParseCpuInfo(text);
  EXPECT_EQ(cpu.model_name, "AMD EPYC");
  EXPECT_EQ(cpu.vendor_id, "AuthenticAMD");
  EXPECT_EQ(cpu.cpu_family, 26);
  EXPECT_EQ(cpu.model, 2);
  EXPECT_EQ(cpu.sockets, 1);
  EXPECT_EQ(cpu.physical_cores, 2);
  EXPECT_EQ(cpu.logical_cpus, 2);
  EXPECT_TRUE(cpu.hypervisor);
}

TEST(CpuInfoTest, TwoSocketsWithSmt) {
  std::string text;
  int number = 0;
  for (int socket = 0; socket < 2; ++socket) {
    for (int thread = 0; thread < 4; ++thread) text += Processor(number++, socket, 2, 4, "ht");
  }
  const CpuIdentity cpu = ParseCpuInfo(text);
  EXPECT_EQ(cpu.sockets, 2);
  EXPECT_EQ(cpu.physical_cores, 4);  // 2 per socket
  EXPECT_EQ(cpu.logical_cpus, 8);
  EXPECT_EQ(cpu.siblings, 4);
  EXPECT_FALSE(cpu.hypervisor);
  EXPECT_EQ(cpu.Topology().physical_cores, 4);
}

TEST(CpuInfoTest, ArmWithoutModelNameOrTopology) {
  const CpuIdentity cpu = ParseCpuInfo(
      "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n\n"
      "processor\t: 1\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n");
  EXPECT_EQ(cpu.model_name, "");
  EXPECT_EQ(cpu.cpu_family, -1);
  EXPECT_EQ(cpu.sockets, 1);
  EXPECT_EQ(cpu.physical_cores, 0);
  EXPECT_EQ(cpu.logical_cpus, 2);
}

TEST(CpuInfoTest, EmptyTextGivesDefaults) {
  const CpuIdentity cpu = ParseCpuInfo("");
  EXPECT_EQ(cpu.logical_cpus, 1);
  EXPECT_EQ(cpu.sockets, 1);
}

using CpuInfoFileTest = test_support::TempDirTest;

TEST_F(CpuInfoFileTest, ReadsUnderRoot) {
  Write("cpuinfo", Processor(0, 0, 1, 1, "hypervisor"));
  const CpuIdentity cpu = ReadCpuIdentity(dir_.string());
  EXPECT_EQ(cpu.model_name, "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz");
  EXPECT_TRUE(cpu.hypervisor);
  EXPECT_EQ(ReadCpuIdentity((dir_ / "absent").string()).model_name, "");
}

TEST(VendorFromModelNameTest, NamesTheTwoX86Vendors) {
  EXPECT_EQ(VendorFromModelName("AMD EPYC 7763 64-Core Processor"), "AuthenticAMD");
  EXPECT_EQ(VendorFromModelName("11th Gen Intel(R) Core(TM) i7-1165G7"), "GenuineIntel");
  EXPECT_EQ(VendorFromModelName("Neoverse-N1"), "");
}

}  // namespace
}  // namespace carbonbench::power_model
