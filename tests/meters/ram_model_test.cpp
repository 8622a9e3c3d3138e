// The RAM power model: linear in the memory in use, no floor, and a band
// that spans the published figures it rests on.
#include "ram_estimate/ram_model.h"

#include <string>

#include <gtest/gtest.h>

namespace carbonbench::ram_estimate {
namespace {

TEST(RamModel, NoMemoryCostsNothing) {
  EXPECT_DOUBLE_EQ(RamPowerW(0), 0.0);
  EXPECT_DOUBLE_EQ(RamPowerW(-1), 0.0);  // a bad reading is never negative power
}

TEST(RamModel, PowerIsLinearInMemory) {
  EXPECT_DOUBLE_EQ(RamPowerW(1), kWattsPerGb);
  EXPECT_DOUBLE_EQ(RamPowerW(0.5), 0.5 * kWattsPerGb);
  EXPECT_DOUBLE_EQ(RamPowerW(64), 64 * kWattsPerGb);
  EXPECT_DOUBLE_EQ(RamPowerW(3) + RamPowerW(5), RamPowerW(8));
  // What a 2-vCPU VM using 1 GB is charged: a third of a watt, not 20 W.
  EXPECT_NEAR(RamPowerW(1), 0.35, 1e-12);
}

TEST(RamModel, BandSpansThePublishedLoadedFigures) {
  // Loaded DDR4: McCalpin's STREAM readings with 16 GB DIMMs (0.21 W/GB) up
  // to Micron TN-40-07's 0.41 W/GB and Crucial's 0.375 W/GB.
  EXPECT_LE(kWattsPerGb * (1 - kBandRelative), 0.21);
  EXPECT_GE(kWattsPerGb * (1 + kBandRelative), 0.41);
  EXPECT_GT(kBandRelative, 0.0);
  EXPECT_LT(kBandRelative, 1.0);
  EXPECT_NE(std::string(kBandBasis).find("0.19-0.51 W/GB"), std::string::npos);
}

}  // namespace
}  // namespace carbonbench::ram_estimate
