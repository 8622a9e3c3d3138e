// CodeCarbon's v3 RAM model against values computed by hand from its rules.
#include "ram_estimate/ram_model.h"

#include <gtest/gtest.h>

namespace carbonbench::ram_estimate {
namespace {

TEST(RamModel, DimmCountFollowsCodeCarbonsHeuristic) {
  EXPECT_EQ(EstimateDimmCount(1), 1);
  EXPECT_EQ(EstimateDimmCount(8), 2);
  EXPECT_EQ(EstimateDimmCount(16), 2);
  EXPECT_EQ(EstimateDimmCount(16.5), 4);
  EXPECT_EQ(EstimateDimmCount(64), 4);
  EXPECT_EQ(EstimateDimmCount(128), 8);
  EXPECT_EQ(EstimateDimmCount(200), 13);   // 16 GB DIMMs: ceil(200 / 16)
  EXPECT_EQ(EstimateDimmCount(512), 8);    // 64 GB DIMMs
  EXPECT_EQ(EstimateDimmCount(3000), 24);  // 128 GB DIMMs: ceil(3000 / 128)
  EXPECT_EQ(EstimateDimmCount(8000), 32);  // capped
}

TEST(RamModel, PowerPerDimmWithDiminishingStepsAndAFloor) {
  EXPECT_DOUBLE_EQ(RamPowerW(1, false), 10.0);                       // 1 DIMM, x86 floor of two
  EXPECT_DOUBLE_EQ(RamPowerW(16, false), 10.0);                      // 2 x 5 W
  EXPECT_DOUBLE_EQ(RamPowerW(32, false), 20.0);                      // 4 x 5 W
  EXPECT_DOUBLE_EQ(RamPowerW(128, false), 38.0);                     // 4 x 5 + 4 x 4.5
  EXPECT_DOUBLE_EQ(RamPowerW(200, false), 20 + 18 + 5 * 4.0);        // 13 DIMMs
  EXPECT_DOUBLE_EQ(RamPowerW(3000, false), 20 + 18 + 32 + 8 * 3.5);  // 24 DIMMs
  EXPECT_DOUBLE_EQ(RamPowerW(8, true), 3.0);                         // ARM: 2 x 1.5 W
  EXPECT_DOUBLE_EQ(RamPowerW(64, true), 6.0);                        // ARM: 4 x 1.5 W
}

}  // namespace
}  // namespace carbonbench::ram_estimate
