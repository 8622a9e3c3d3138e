// Welch's t-test and the repetition estimate behind every "significant" in
// the report, on values from published tables and worked examples.
#include "report/analysis/significance.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench::report {
namespace {

TEST(StudentTTwoSidedP, MatchesTheClosedFormsForOneAndTwoDegreesOfFreedom) {
  // ν = 1 is the Cauchy distribution: p = 1 - 2·atan(|t|)/π.
  // ν = 2: p = 1 - |t|/√(2 + t²).
  for (const double t : {0.1, 0.5, 1.0, 2.0, 4.303, 12.706, 100.0}) {
    EXPECT_NEAR(StudentTTwoSidedP(t, 1), 1 - 2 * std::atan(t) / M_PI, 1e-12) << t;
    EXPECT_NEAR(StudentTTwoSidedP(-t, 1), 1 - 2 * std::atan(t) / M_PI, 1e-12) << t;
    EXPECT_NEAR(StudentTTwoSidedP(t, 2), 1 - t / std::sqrt(2 + t * t), 1e-12) << t;
  }
}

TEST(StudentTTwoSidedP, IsFivePercentAtTheTablesCriticalValues) {
  // Two-sided 95% critical values of Student's t, as every table prints
  // them (three decimals, so p agrees to about 1e-4).
  const std::vector<std::pair<double, double>> critical = {
      {1, 12.706}, {2, 4.303},  {3, 3.182},  {4, 2.776},   {5, 2.571},
      {10, 2.228}, {20, 2.086}, {30, 2.042}, {120, 1.980}, {1e7, 1.960}};
  for (const auto& [degrees, t] : critical) {
    EXPECT_NEAR(StudentTTwoSidedP(t, degrees), 0.05, 2e-4) << "ν = " << degrees;
  }
}

TEST(StudentTTwoSidedP, EndsAtOneAndZero) {
  EXPECT_DOUBLE_EQ(StudentTTwoSidedP(0, 4), 1.0);
  EXPECT_DOUBLE_EQ(StudentTTwoSidedP(INFINITY, 4), 0.0);
  EXPECT_LT(StudentTTwoSidedP(1e6, 3), 1e-15);
}

TEST(CompareMeans, WelchsFirstTextbookExampleIsSignificant) {
  // Welch's t-test, worked example 1 (equal sizes, similar spreads):
  // t = -2.46, ν = 25.0, p = 0.021 (to more digits: -2.4554, 24.989,
  // 0.02138).
  const Stat a = Summarize(
      {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4});
  const Stat b = Summarize(
      {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4});
  const MeanDifference test = CompareMeans(a, b);
  EXPECT_NEAR(test.difference / test.standard_error, -2.4554, 1e-4);
  EXPECT_NEAR(test.degrees_of_freedom, 24.989, 1e-3);
  EXPECT_NEAR(test.p_value, 0.02138, 1e-5);
  EXPECT_EQ(test.evidence, Evidence::kSignificant);
  EXPECT_FALSE(test.repetitions_needed.has_value());
}

TEST(CompareMeans, WelchsSecondTextbookExampleIsNot) {
  // Worked example 2 (unequal sizes and spreads): t = -1.57, ν = 9.9,
  // p = 0.149 (-1.5654, 9.9047, 0.14884).
  const Stat a = Summarize({17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8});
  const Stat b = Summarize({21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8,
                            20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8});
  const MeanDifference test = CompareMeans(a, b);
  EXPECT_NEAR(test.difference / test.standard_error, -1.5654, 1e-4);
  EXPECT_NEAR(test.degrees_of_freedom, 9.9047, 1e-4);
  EXPECT_NEAR(test.p_value, 0.14884, 1e-5);
  EXPECT_EQ(test.evidence, Evidence::kNotSignificant);
  ASSERT_TRUE(test.repetitions_needed.has_value());
  // s = √((3.007² + 0.948²)/2) = 2.229 against d = 1.525:
  // 2·(2.8016·2.229/1.525)² = 33.5, so 34 each.
  EXPECT_EQ(test.repetitions_needed, 34);
}

TEST(CompareMeans, ThreeRunsEachAgainstTheCriticalValue) {
  // Means 10 and 12, three runs each: se = √(sd²/3 + sd²/3), ν = 4, whose
  // critical t is 2.776. With sd 1, t = 2.449: not significant; with sd
  // 0.5, t = 4.899: significant.
  const MeanDifference wide = CompareMeans({10, 1, 3}, {12, 1, 3});
  EXPECT_NEAR(wide.degrees_of_freedom, 4.0, 1e-12);
  EXPECT_EQ(wide.evidence, Evidence::kNotSignificant);
  EXPECT_GT(wide.p_value, 0.05);
  // 2·((1.96 + 0.84)·1/2)² = 3.92: 4 repetitions each.
  EXPECT_EQ(wide.repetitions_needed, 4);
  const MeanDifference narrow = CompareMeans({10, 0.5, 3}, {12, 0.5, 3});
  EXPECT_EQ(narrow.evidence, Evidence::kSignificant);
  EXPECT_LT(narrow.p_value, 0.01);
}

TEST(CompareMeans, OneRunOnEitherSideHasNoSpread) {
  for (const auto& [a, b] : std::vector<std::pair<Stat, Stat>>{
           {{10, 0, 1}, {20, 0, 1}}, {{10, 0, 1}, {20, 2, 5}}, {{10, 2, 5}, {20, 0, 1}}}) {
    const MeanDifference test = CompareMeans(a, b);
    EXPECT_EQ(test.evidence, Evidence::kNoSpread);
    EXPECT_EQ(test.repetitions_needed, kFewestRepetitionsToTell);
    EXPECT_DOUBLE_EQ(test.difference, -10);
  }
}

TEST(CompareMeans, RepetitionsThatAgreeExactly) {
  // No spread within either cell: any difference is real, none is none.
  EXPECT_EQ(CompareMeans({10, 0, 3}, {12, 0, 3}).evidence, Evidence::kSignificant);
  const MeanDifference equal = CompareMeans({10, 0, 3}, {10, 0, 3});
  EXPECT_EQ(equal.evidence, Evidence::kNotSignificant);
  EXPECT_FALSE(equal.repetitions_needed.has_value());
}

TEST(CompareMeans, AskForMoreRunsThanTheFewerSideMade) {
  // 2 runs against 10, mean 12.5 ± 1 against 10 ± 0.1: t = 3.53 on ν = 1.0,
  // p = 0.175. The estimate, 2·(2.80·0.71/2.5)² = 1.3, is below what was
  // run: the side with two runs needs a third.
  const MeanDifference test = CompareMeans({12.5, 1, 2}, {10, 0.1, 10});
  ASSERT_EQ(test.evidence, Evidence::kNotSignificant);
  EXPECT_NEAR(test.p_value, 0.1749, 1e-3);
  EXPECT_EQ(test.repetitions_needed, 3);
  // 10 ± 3 against 13 ± 3, five runs each: p = 0.15, and 2·2.80² = 15.7.
  EXPECT_EQ(CompareMeans({10, 3, 5}, {13, 3, 5}).repetitions_needed, 16);
}

TEST(RepetitionsToTell, FollowsTheSquareOfSpreadOverDifference) {
  // 2·(2.8016·s/d)²: s/d = 1 → 15.7 → 16; s/d = 2 → 62.8 → 63; s/d = 0.1
  // → 0.16, never fewer than three.
  EXPECT_EQ(RepetitionsToTell(1, 1, 1), 16);
  EXPECT_EQ(RepetitionsToTell(-1, 2, 2), 63);
  EXPECT_EQ(RepetitionsToTell(10, 1, 1), kFewestRepetitionsToTell);
  // The two spreads pool as a root mean square: √((3² + 1²)/2) = √5.
  EXPECT_EQ(RepetitionsToTell(1, 3, 1), 79);  // 2·2.8016²·5 = 78.5
  EXPECT_FALSE(RepetitionsToTell(0, 1, 1).has_value());
}

}  // namespace
}  // namespace carbonbench::report
