#include "calibration/meter_qualification.h"

#include <gtest/gtest.h>

namespace carbonbench::calibration {
namespace {

TEST(Summarise, MeanAndLargestRelativeDifference) {
  const std::vector<QualificationWindow> windows = {
      {"idle", 60, 0.01, 22.0, 20.0}, {"load", 60, 0.99, 95.0, 100.0}, {"idle", 60, 0.0, 5.0, 0}};
  const Agreement agreement = Summarise(windows);
  EXPECT_EQ(agreement.windows, 2);
  EXPECT_DOUBLE_EQ(agreement.mean_relative_difference, (0.1 + 0.05) / 2);
  EXPECT_DOUBLE_EQ(agreement.max_relative_difference, 0.1);
  EXPECT_DOUBLE_EQ(PowerRatio(windows[0]), 1.1);
  EXPECT_DOUBLE_EQ(PowerRatio(windows[2]), 0.0);
}

TEST(FormatQualification, OneLinePerWindowThenTheAgreement) {
  const std::string text = FormatQualification("plug", "counter", {{"idle", 60, 0.02, 22.0, 20.0}});
  EXPECT_NE(text.find("plug W"), std::string::npos) << text;
  EXPECT_NE(text.find("22.00"), std::string::npos) << text;
  EXPECT_NE(text.find("1.100"), std::string::npos) << text;
  EXPECT_NE(text.find("mean difference 10.0 %, largest 10.0 %"), std::string::npos) << text;
}

}  // namespace
}  // namespace carbonbench::calibration
