// Pareto front, optimal epoch and reaching a target, on
// hand-made numbers whose answers are worked out in the comments.
#include "report/analysis/tradeoffs.h"

#include <limits>

#include <gtest/gtest.h>

#include "report/render/markdown_table.h"

namespace carbonbench::report {
namespace {

TEST(DominatedBy, KeepsTheFrontAndNamesTheCheapestDominator) {
  // cost, quality: A(1, 80) B(2, 90) C(3, 85) D(4, 95) E(2, 70)
  // C is beaten by B (cheaper, better); E by A (cheaper, better); A, B, D
  // each buy quality with cost, so they are the front.
  const std::vector<TradeoffPoint> points = {{1, 80}, {2, 90}, {3, 85}, {4, 95}, {2, 70}};
  const std::vector<int> by = DominatedBy(points);
  EXPECT_EQ(by, (std::vector<int>{-1, -1, 1, -1, 0}));
}

TEST(DominatedBy, EqualPointsDoNotDominateEachOtherButABetterTieDoes) {
  // Same cost, one more accurate: the other is dominated. Two identical
  // points: neither is.
  EXPECT_EQ(DominatedBy({{1, 80}, {1, 85}}), (std::vector<int>{1, -1}));
  EXPECT_EQ(DominatedBy({{1, 80}, {1, 80}}), (std::vector<int>{-1, -1}));
  EXPECT_TRUE(DominatedBy({}).empty());
}

TEST(DominatedBy, APointWithANonFiniteFigureIsNeitherOnTheFrontNorBeatsAny) {
  // An infinite RMSE (quality -inf) at the lowest cost was put on the front
  // before; a NaN compares false both ways and was too.
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<TradeoffPoint> points = {{1, -inf}, {2, -3}, {0.5, nan}, {nan, 9}, {3, -1}};
  EXPECT_EQ(DominatedBy(points),
            (std::vector<int>{kNotRanked, kOnTheFront, kNotRanked, kNotRanked, kOnTheFront}));
}

std::vector<EpochPoint> Curve(const std::vector<double>& quality) {
  std::vector<EpochPoint> epochs;
  for (const double q : quality) epochs.push_back({q, 1.0, 0.5, 10.0});
  return epochs;
}

TEST(FindOptimalEpoch, StopsWhereTheRestBoughtLessThanTheGain) {
  // Best 90.4 at epoch 5; by epoch 3 the best is 90.0, within 0.5 of it,
  // and by epoch 2 only 88: the optimal epoch is 3, epochs 4 and 5 wasted.
  const auto optimum = FindOptimalEpoch(Curve({80, 88, 90, 89.5, 90.4}), 0.5);
  ASSERT_TRUE(optimum.has_value());
  EXPECT_EQ(optimum->epoch, 3);
  EXPECT_DOUBLE_EQ(optimum->quality, 90);
  EXPECT_DOUBLE_EQ(optimum->best_quality, 90.4);
  EXPECT_EQ(optimum->epochs_run, 5);
  EXPECT_DOUBLE_EQ(optimum->saved_energy_wh, 2.0);
  EXPECT_DOUBLE_EQ(optimum->saved_co2_g, 1.0);
  EXPECT_DOUBLE_EQ(optimum->saved_s, 20.0);
  EXPECT_DOUBLE_EQ(optimum->saved_fraction, 0.4);
}

TEST(FindOptimalEpoch, ADipDoesNotMoveItAndAStillRisingRunUsesEveryEpoch) {
  // The dip at epoch 3 is below the best so far, which still counts.
  EXPECT_EQ(FindOptimalEpoch(Curve({90, 95, 60, 95.2}), 0.5)->epoch, 2);
  const auto rising = FindOptimalEpoch(Curve({50, 60, 70}), 0.5);
  EXPECT_EQ(rising->epoch, 3);
  EXPECT_DOUBLE_EQ(rising->saved_energy_wh, 0);
  EXPECT_FALSE(FindOptimalEpoch({}, 0.5).has_value());
}

TEST(FindOptimalEpoch, IsNeverPastTheLastEpoch) {
  // With no gain asked, the best epoch itself is where the rest bought less.
  const auto one = FindOptimalEpoch(Curve({70}), 0);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->epoch, 1);
  EXPECT_EQ(FindOptimalEpoch(Curve({50, 60, 70}), 0)->epoch, 3);
}

TEST(FindOptimalEpoch, HasNoneFromNonFiniteFiguresAndSkipsNonFiniteEpochs) {
  // A one-epoch run whose RMSE was infinite showed "Optimal epoch 2".
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(FindOptimalEpoch(Curve({-inf}), 0.5).has_value());
  EXPECT_FALSE(FindOptimalEpoch(Curve({nan, nan}), 0.5).has_value());
  // A diverged epoch between good ones counts as no gain.
  const auto mixed = FindOptimalEpoch(Curve({80, nan, 90, -inf}), 0.5);
  ASSERT_TRUE(mixed.has_value());
  EXPECT_EQ(mixed->epoch, 3);
  EXPECT_DOUBLE_EQ(mixed->best_quality, 90);
  EXPECT_DOUBLE_EQ(mixed->quality, 90);
}

TEST(FirstReaching, SumsWhatWasSpentUpToTheFirstEpochAtTheTarget) {
  const auto reach = FirstReaching(Curve({80, 86, 84, 90}), 85);
  ASSERT_TRUE(reach.has_value());
  EXPECT_EQ(reach->epoch, 2);
  EXPECT_DOUBLE_EQ(reach->energy_wh, 2.0);
  EXPECT_DOUBLE_EQ(reach->co2_g, 1.0);
  EXPECT_DOUBLE_EQ(reach->duration_s, 20.0);
  EXPECT_FALSE(FirstReaching(Curve({80, 84}), 85).has_value());
}

TEST(PercentChange, IsRelativeToTheBaseAndEmptyAgainstZero) {
  EXPECT_DOUBLE_EQ(*PercentChange(75, 100), -25);
  EXPECT_FALSE(PercentChange(1, 0).has_value());
}

TEST(Significant, KeepsThreeDigitsWithoutAnExponent) {
  EXPECT_EQ(Significant(0.000494321), "0.000494");
  EXPECT_EQ(Significant(12.345), "12.3");
  EXPECT_EQ(Significant(1234.5), "1,230");
  EXPECT_EQ(Significant(9.9951), "10.0");
  EXPECT_EQ(Significant(0), "0");
  EXPECT_EQ(Significant(-0.0123456), "-0.0123");
}

TEST(EscapeText, MakesOddNamesReadLiterally) {
  EXPECT_EQ(EscapeText("mixed_precision+early_stop"), "mixed_precision+early_stop");
  EXPECT_EQ(EscapeText("_a*b*`c`[d](e)<br>"), "\\_a\\*b\\*\\`c\\`\\[d\\](e)\\<br\\>");
  EXPECT_EQ(EscapeText("back\\slash"), "back\\\\slash");
  EXPECT_EQ(EscapeCell("a|b\nc_"), "a\\|b c\\_");
}

}  // namespace
}  // namespace carbonbench::report

namespace carbonbench::report {
namespace {

TEST(ProjectRemainingEpochs, ChargesTheEpochsNotRunAtTheRunsMeanCost) {
  // 2 of 5 epochs, 1 Wh, 0.5 g and 10 s each: 3 more would have cost 3 Wh.
  const std::vector<EpochPoint> epochs = {{80, 1.0, 0.5, 10}, {85, 1.0, 0.5, 10}};
  const auto saving = ProjectRemainingEpochs(epochs, 5);
  ASSERT_TRUE(saving.has_value());
  EXPECT_EQ(saving->epochs_run, 2);
  EXPECT_DOUBLE_EQ(saving->spent_wh, 2.0);
  EXPECT_DOUBLE_EQ(saving->saved_wh, 3.0);
  EXPECT_DOUBLE_EQ(saving->full_schedule_wh, 5.0);
  EXPECT_DOUBLE_EQ(saving->saved_co2_g, 1.5);
  EXPECT_DOUBLE_EQ(saving->saved_s, 30.0);
  // A run that trained every planned epoch saved nothing.
  EXPECT_FALSE(ProjectRemainingEpochs(epochs, 2).has_value());
  EXPECT_FALSE(ProjectRemainingEpochs({}, 5).has_value());
}

}  // namespace
}  // namespace carbonbench::report
