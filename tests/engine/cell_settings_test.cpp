// A cell's settings as its run uses them.
#include "runner/cell_settings.h"

#include <gtest/gtest.h>

#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::Load;

TEST(TrainingSettingsFor, EvaluatesInTrainingSizedBatchesUnlessTheSuiteSaysOtherwise) {
  const Suite suite = Load(R"(suite: s
defaults: {batch_size: 128, lr: 0.01, lr_schedule: cosine, channels_last: false}
matrix:
  eval_batch_size: [0, 500]
)");
  ASSERT_EQ(suite.cells.size(), 2u);
  const TrainingSettings by_default = TrainingSettingsFor(suite.cells[0], 43, "cpu");
  EXPECT_EQ(by_default.batch_size, 128);
  EXPECT_EQ(by_default.eval_batch_size, 128);
  EXPECT_EQ(TrainingSettingsFor(suite.cells[1], 43, "cpu").eval_batch_size, 500);
  // The rest comes through as the suite wrote it, the seed as given.
  EXPECT_DOUBLE_EQ(by_default.lr, 0.01);
  EXPECT_EQ(by_default.schedule.kind, "cosine");
  EXPECT_FALSE(by_default.channels_last);
  EXPECT_EQ(by_default.seed, 43);
  EXPECT_EQ(by_default.device, "cpu");
}

}  // namespace
}  // namespace carbonbench
