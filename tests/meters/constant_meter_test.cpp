// The constant meter: declared watts times wall-clock time, labelled
// estimated, with absent components for undeclared ones.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "meter_test_util.h"

namespace carbonbench {
namespace {

using meter_testing::MakeMeter;

TEST(ConstantMeter, DeclaredWattsTimesWallTimeAreEstimates) {
  auto meter = MakeMeter("constant", {{"cpu_w", 100.0}, {"ram_w", 10.0}});
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available);
  EXPECT_NE(availability.reason.find("cpu 100 W, ram 10 W"), std::string::npos)
      << availability.reason;
  EXPECT_EQ(meter->Components(), (std::vector<Component>{Component::kCpu, Component::kRam}));
  EXPECT_EQ(meter->ProvenanceOf(Component::kCpu), Provenance::kEstimated);
  EXPECT_EQ(meter->ProvenanceOf(Component::kRam), Provenance::kEstimated);
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kAbsent);
  EXPECT_EQ(meter->Method(),
            "declared constant power: cpu 100 W, ram 10 W, times wall-clock time since the "
            "start; not measured.");

  const auto start = std::chrono::steady_clock::now();
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto joules = meter->ReadJoules();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(joules.count(Component::kGpu), 0u);
  EXPECT_GE(joules.at(Component::kCpu), 100.0 * 0.020);
  EXPECT_LE(joules.at(Component::kCpu), 100.0 * seconds);
  EXPECT_DOUBLE_EQ(joules.at(Component::kRam) * 10, joules.at(Component::kCpu));
}

TEST(ConstantMeter, StartSetsTheZero) {
  auto meter = MakeMeter("constant", {{"gpu_w", 300.0}});
  ASSERT_TRUE(meter->Probe().available);
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const auto restart = std::chrono::steady_clock::now();
  meter->Start();
  const double joules = meter->ReadJoules().at(Component::kGpu);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - restart).count();
  EXPECT_LE(joules, 300.0 * seconds);  // nothing of the 30 ms before the second Start
}

TEST(ConstantMeter, NothingDeclaredIsUnavailableWithTheFix) {
  auto meter = MakeMeter("constant", {{"cpu_w", 0.0}});
  const Availability availability = meter->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find(
                "no wattage declared: set at least one of constant.cpu_w, constant.gpu_w and "
                "constant.ram_w above 0"),
            std::string::npos)
      << availability.reason;
  EXPECT_TRUE(meter->Components().empty());
}

}  // namespace
}  // namespace carbonbench
