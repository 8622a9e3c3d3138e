// Each learning-rate schedule on hand-computed numbers.
#include "training/learning_rate.h"

#include <cmath>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

LearningRateSchedule Schedule(const std::string& kind, int warmup_epochs = 0) {
  LearningRateSchedule schedule;
  schedule.kind = kind;
  schedule.base_lr = 0.1;
  schedule.warmup_epochs = warmup_epochs;
  schedule.step_epochs = 2;
  schedule.gamma = 0.5;
  return schedule;
}

// 10 steps an epoch, 4 epochs: 40 steps.
double At(const LearningRateSchedule& schedule, std::int64_t step) {
  return LearningRateAt(schedule, step, 10, 40);
}

TEST(LearningRate, ConstantStaysAtTheBase) {
  EXPECT_DOUBLE_EQ(At(Schedule("constant"), 0), 0.1);
  EXPECT_DOUBLE_EQ(At(Schedule("constant"), 39), 0.1);
}

TEST(LearningRate, WarmUpRisesLinearlyThenTheScheduleTakesOver) {
  // One epoch of warm-up: 0.01, 0.02, ... 0.1 over its 10 steps.
  EXPECT_DOUBLE_EQ(At(Schedule("constant", 1), 0), 0.01);
  EXPECT_DOUBLE_EQ(At(Schedule("constant", 1), 4), 0.05);
  EXPECT_DOUBLE_EQ(At(Schedule("constant", 1), 9), 0.1);
  EXPECT_DOUBLE_EQ(At(Schedule("constant", 1), 10), 0.1);
}

TEST(LearningRate, StepHalvesEveryTwoEpochs) {
  EXPECT_DOUBLE_EQ(At(Schedule("step"), 19), 0.1);   // epoch 2 of 4
  EXPECT_DOUBLE_EQ(At(Schedule("step"), 20), 0.05);  // epoch 3
  EXPECT_DOUBLE_EQ(At(Schedule("step"), 39), 0.05);
}

TEST(LearningRate, CosineFallsFromTheBaseToZeroAtTheLastStep) {
  EXPECT_DOUBLE_EQ(At(Schedule("cosine"), 0), 0.1);
  // Half-way (step 19.5 of 0..39) it is half the base.
  EXPECT_NEAR(LearningRateAt(Schedule("cosine"), 50, 10, 101), 0.05, 1e-12);
  EXPECT_NEAR(At(Schedule("cosine"), 39), 0.0, 1e-12);
  // After a warm-up epoch, cosine starts from the base.
  EXPECT_DOUBLE_EQ(At(Schedule("cosine", 1), 10), 0.1);
}

TEST(LearningRate, OneCycleRisesToThePeakAtThirtyPercentThenFalls) {
  EXPECT_DOUBLE_EQ(At(Schedule("one_cycle"), 0), 0.1 / 25);
  EXPECT_NEAR(At(Schedule("one_cycle"), 12), 0.1, 1e-12);  // 30% of 40 steps
  EXPECT_LT(At(Schedule("one_cycle"), 20), 0.1);
  EXPECT_NEAR(At(Schedule("one_cycle"), 39), 0.1 / 25 / 1e4, 1e-12);
}

TEST(LearningRate, AnUnknownScheduleNamesTheKnownOnes) {
  EXPECT_THROW(At(Schedule("linear"), 0), std::invalid_argument);
}

}  // namespace
}  // namespace carbonbench
