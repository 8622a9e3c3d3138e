// The meter plugins as a run uses them, through the plugin registry: rapl on
// a fake powercap tree and ram_estimate (nvml, constant and external have
// their own *_meter_test.cpp).
#include <stdlib.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "fake_powercap.h"
#include "meter_test_util.h"

namespace carbonbench {
namespace {

using meter_testing::FakePowercap;
using meter_testing::MakeMeter;

TEST(RaplMeter, MeasuresPackagesAsCpuAndDramAsRam) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 1000000);
  tree.Zone("intel-rapl:0:0", "dram", 1000000);
  auto meter = MakeMeter("rapl", {{"powercap_root", tree.Root()}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Components(), (std::vector<Component>{Component::kCpu, Component::kRam}));
  EXPECT_EQ(meter->ProvenanceOf(Component::kCpu), Provenance::kMeasured);
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kAbsent);
  meter->Start();
  tree.SetEnergy("intel-rapl:0", 5000000);
  tree.SetEnergy("intel-rapl:0:0", 1250000);
  const auto joules = meter->ReadJoules();
  EXPECT_DOUBLE_EQ(joules.at(Component::kCpu), 4.0);
  EXPECT_DOUBLE_EQ(joules.at(Component::kRam), 0.25);
  EXPECT_NE(meter->Method().find("whole machine"), std::string::npos);
}

TEST(RaplMeter, UnavailableWithoutPowercap) {
  auto meter = MakeMeter("rapl", {{"powercap_root", std::string("/nonexistent")}});
  const Availability availability = meter->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("no /nonexistent"), std::string::npos);
  EXPECT_TRUE(meter->Components().empty());
}

TEST(RamEstimateMeter, MeasuresWithRaplDramWhenReadable) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 1);
  tree.Zone("intel-rapl:0:0", "dram", 1000000);
  auto meter = MakeMeter("ram_estimate", {{"powercap_root", tree.Root()}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->ProvenanceOf(Component::kRam), Provenance::kMeasured);
  meter->Start();
  tree.SetEnergy("intel-rapl:0:0", 3000000);
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kRam), 2.0);
}

TEST(RamEstimateMeter, MeasuredFiguresCarryNoEstimateBand) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 1);
  tree.Zone("intel-rapl:0:0", "dram", 1);
  auto meter = MakeMeter("ram_estimate", {{"powercap_root", tree.Root()}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->BandOf(Component::kRam).relative, 0.0);
}

TEST(RamEstimateMeter, EstimatesFromWattsPerGbOtherwise) {
  auto meter = MakeMeter("ram_estimate",
                         {{"powercap_root", std::string("/nonexistent")}, {"ram_gb", 128.0}});
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available);
  EXPECT_NE(availability.reason.find(
                "RAM estimated at 44.8 W: 0.35 W/GB x 128 GB, ram_estimate.ram_gb; no RAPL DRAM"),
            std::string::npos)
      << availability.reason;
  EXPECT_EQ(meter->ProvenanceOf(Component::kRam), Provenance::kEstimated);
  const ErrorBand band = meter->BandOf(Component::kRam);
  EXPECT_DOUBLE_EQ(band.relative, 0.45);
  EXPECT_NE(band.basis.find("published DDR4 measurements"), std::string::npos);
  EXPECT_EQ(meter->BandOf(Component::kCpu).relative, 0.0);
  const std::string method = meter->Method();
  EXPECT_NE(method.find("estimated, not measured: 0.35 W per GB (±45 %) from published DDR4"),
            std::string::npos)
      << method;
  EXPECT_NE(method.find("Micron TN-40-07"), std::string::npos) << method;
  EXPECT_NE(method.find("times 128 GB = 44.8 W (ram_estimate.ram_gb), times wall-clock"),
            std::string::npos)
      << method;
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double joules = meter->ReadJoules().at(Component::kRam);
  EXPECT_GE(joules, 44.8 * 0.02);
  EXPECT_LT(joules, 44.8 * 10);  // a sane bound, not a timing test
}

TEST(RamEstimateMeter, ProcessTrackingChargesThisProcesssResidentMemory) {
  auto meter = MakeMeter("ram_estimate", {{"powercap_root", std::string("/nonexistent")},
                                          {"tracking", std::string("process")}});
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  EXPECT_NE(availability.reason.find("this process's resident memory (VmRSS)"), std::string::npos)
      << availability.reason;
  EXPECT_NE(meter->Method().find("times this process's resident memory (VmRSS), re-read at every"),
            std::string::npos)
      << meter->Method();
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // A test process holds far less than a GB: well under a watt for 20 ms.
  const double joules = meter->ReadJoules().at(Component::kRam);
  EXPECT_GT(joules, 0.0);
  EXPECT_LT(joules, 0.35 * 10);
}

TEST(RamEstimateMeter, MachineTrackingChargesTheMemoryInUseNotTheInstalled) {
  auto meter = MakeMeter("ram_estimate", {{"powercap_root", std::string("/nonexistent")}});
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  // The machine's memory in use, or the container's cgroup where one limits it.
  EXPECT_NE(meter->Method().find("memory in use"), std::string::npos) << meter->Method();
}

}  // namespace
}  // namespace carbonbench
