// Precision, recall and F1 from hand-made confusion matrices.
#include "report/analysis/class_metrics.h"

#include <gtest/gtest.h>

#include "records/record_json.h"

namespace carbonbench::report {
namespace {

// 3 classes: rows are true classes, columns predictions.
//   cat:  8 right, 2 called dog          (support 10)
//   dog:  1 called cat, 4 right          (support 5)
//   fish: 5 called dog                   (support 5, never right)
const char* const kMatrix =
    R"({"classes": ["cat", "dog", "fish"], "matrix": [[8, 2, 0], [1, 4, 0], [0, 5, 0]]})";

TEST(ClassMetrics, ScoresEachClassFromItsRowAndColumn) {
  const auto matrix = ConfusionOf(DecodeRecord<ConfusionRecord>(kMatrix));
  ASSERT_TRUE(matrix.has_value());
  const auto scores = ScoresOf(*matrix);
  ASSERT_EQ(scores.size(), 3u);
  // cat: precision 8/9, recall 8/10.
  EXPECT_EQ(scores[0].name, "cat");
  EXPECT_DOUBLE_EQ(scores[0].precision, 8.0 / 9);
  EXPECT_DOUBLE_EQ(scores[0].recall, 0.8);
  EXPECT_DOUBLE_EQ(scores[0].f1, 2 * (8.0 / 9) * 0.8 / (8.0 / 9 + 0.8));
  EXPECT_EQ(scores[0].support, 10);
  // dog: precision 4/11, recall 4/5.
  EXPECT_DOUBLE_EQ(scores[1].precision, 4.0 / 11);
  EXPECT_DOUBLE_EQ(scores[1].recall, 0.8);
  // fish: never predicted, never right: 0, not a division by zero.
  EXPECT_EQ(scores[2].precision, 0);
  EXPECT_EQ(scores[2].recall, 0);
  EXPECT_EQ(scores[2].f1, 0);

  const AverageScores averages = AveragesOf(*matrix);
  EXPECT_EQ(averages.samples, 20);
  EXPECT_DOUBLE_EQ(averages.accuracy, 12.0 / 20);
  EXPECT_DOUBLE_EQ(averages.macro_recall, (0.8 + 0.8 + 0) / 3);
  EXPECT_DOUBLE_EQ(averages.weighted_f1, (scores[0].f1 * 10 + scores[1].f1 * 5) / 20);
}

TEST(ClassMetrics, MalformedMatricesAreNotRead) {
  EXPECT_FALSE(ConfusionOf(DecodeRecord<ConfusionRecord>("{}")).has_value());
  EXPECT_FALSE(ConfusionOf(DecodeRecord<ConfusionRecord>("not json")).has_value());
  EXPECT_FALSE(
      ConfusionOf(DecodeRecord<ConfusionRecord>(R"({"classes": ["a", "b"], "matrix": [[1, 2]]})"))
          .has_value());
  EXPECT_FALSE(
      ConfusionOf(DecodeRecord<ConfusionRecord>(R"({"classes": ["a", "b"], "matrix": [[1], [2]]})"))
          .has_value());
}

TEST(ClassMetrics, RepetitionsArePooledAndDisagreeingClassesAreNot) {
  RunRow a, b, c, none;
  a.summary.confusion =
      DecodeRecord<ConfusionRecord>(R"({"classes": ["x", "y"], "matrix": [[3, 1], [0, 4]]})");
  b.summary.confusion =
      DecodeRecord<ConfusionRecord>(R"({"classes": ["x", "y"], "matrix": [[1, 0], [2, 2]]})");
  c.summary.confusion =
      DecodeRecord<ConfusionRecord>(R"({"classes": ["x", "z"], "matrix": [[1, 0], [0, 1]]})");
  const auto pooled = PoolConfusion({&a, &b, &none});
  ASSERT_TRUE(pooled.has_value());
  EXPECT_EQ(pooled->counts, (std::vector<std::vector<std::int64_t>>{{4, 1}, {2, 6}}));
  EXPECT_FALSE(PoolConfusion({&a, &c}).has_value());
  EXPECT_FALSE(PoolConfusion({&none}).has_value());
}

}  // namespace
}  // namespace carbonbench::report
