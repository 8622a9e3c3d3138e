// The recommender on stores whose answer is worked out by hand, across
// suites, and when nothing reaches the target.
#include "report/analysis/recommend.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "report/analysis/leaderboard.h"
#include "report/analysis/recommendations.h"
#include "unit/report/report_test_util.h"
#include "unit/store/store_test_util.h"

namespace carbonbench::report {
namespace {

namespace fs = std::filesystem;
using report_testing::Finished;
using report_testing::Start;

class RecommendTest : public store_testing::TempDirTest {
 protected:
  static void Store(ResultsStore& store, RunRow run, const std::string& suite) {
    run.start.suite = suite;
    const std::int64_t id = store.BeginRun(run.start);
    for (const EpochRecord& epoch : run.epochs) store.AppendEpoch(id, epoch);
    store.FinishRun(id, run.summary);
  }

  // Each run's first epoch is 2 points below its final accuracy and costs
  // 40% of its energy (CO2 at 0.475 g/Wh): cnn/baseline 96% at epoch 1 for
  // 1.9 g, cnn/mixed_precision 95% for 1.14 g, mlp 88% then 90%.
  void FillStore(const std::string& path) {
    ResultsStore store(path);
    const nlohmann::json cnn = report_testing::BaseSettings("cnn");
    nlohmann::json mixed = cnn;
    mixed["mixed_precision.dtype"] = "bf16";
    const nlohmann::json mlp = report_testing::BaseSettings("mlp");
    Store(store, Finished(1, Start("cnn/baseline", "cnn", {}, cnn, 0), 100, 10, 0.98), "a");
    // The same configuration, under another name, in another suite.
    RunRow again = Finished(2, Start("cnn/baseline", "cnn", {}, cnn, 1), 100, 10, 0.98);
    again.start.cell_name = "baseline";
    Store(store, again, "b");
    Store(store,
          Finished(3, Start("cnn/mixed_precision", "cnn", {"mixed_precision"}, mixed, 0), 50, 6,
                   0.97),
          "a");
    Store(store, Finished(4, Start("mlp/baseline", "mlp", {}, mlp, 0), 20, 2, 0.90), "b");
  }
};

TEST_F(RecommendTest, AnswersWithTheCheapestConfigurationThatReachedTheTarget) {
  const std::string path = (dir_ / "r.db").string();
  FillStore(path);
  ResultsStore store(path);
  RecommendRequest request;
  request.target_accuracy_percent = 95;
  const auto answers = Recommend(store, request);
  ASSERT_EQ(answers.size(), 1u);
  const nlohmann::json& json = answers[0].json;
  EXPECT_TRUE(answers[0].reached);
  EXPECT_EQ(json["dataset"], "mnist");
  EXPECT_EQ(json["objective"], "co2");
  EXPECT_EQ(json["cells_compared"], 3);
  EXPECT_EQ(json["recommendation"]["cell"], "cnn/mixed_precision");
  EXPECT_DOUBLE_EQ(json["recommendation"]["to_target"]["co2_g"].get<double>(), 6 * 0.4 * 0.475);
  EXPECT_EQ(json["recommendation"]["to_target"]["epoch"], 1);
  // The baseline's two runs, from two suites, are one cell.
  EXPECT_EQ(json["alternative"]["cell"], "cnn/baseline");
  EXPECT_EQ(json["alternative"]["runs"], 2);
  EXPECT_EQ(json["alternative"]["suites"], (nlohmann::json{"a", "b"}));
  // 1.14 g against 1.9 g.
  EXPECT_NEAR(json["saving_percent"].get<double>(), 40.0, 1e-9);
  // One run of cnn/mixed_precision: no spread, so no saving is claimed.
  EXPECT_EQ(json["saving_significant"], false);
  EXPECT_EQ(json["repetitions_needed"], 3);
  EXPECT_FALSE(json.contains("p_value"));
  EXPECT_FALSE(json.contains("data"));
  EXPECT_NE(answers[0].sentence.find("cnn/mixed_precision spent the least CO2"), std::string::npos)
      << answers[0].sentence;
  EXPECT_EQ(answers[0].sentence.find("use cnn/mixed_precision"), std::string::npos)
      << answers[0].sentence;
  EXPECT_NE(answers[0].sentence.find("40% less CO2 than cnn/baseline"), std::string::npos)
      << answers[0].sentence;
  EXPECT_NE(answers[0].sentence.find("cannot be told from noise: run with repetitions: 3 or "
                                     "more to tell."),
            std::string::npos)
      << answers[0].sentence;
}

TEST_F(RecommendTest, TimeAsTheObjectiveRanksByTheSecondsToTheTarget) {
  const std::string path = (dir_ / "r.db").string();
  FillStore(path);
  ResultsStore store(path);
  RecommendRequest request;
  request.target_accuracy_percent = 85;
  request.objective = Objective::kTimeToTarget;
  // Every epoch takes the same recorded time here, so all three reach 85%
  // at epoch 1 equally fast, and the first by name wins the tie.
  const auto answers = Recommend(store, request);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].json["recommendation"]["cell"], "cnn/baseline");
  EXPECT_EQ(answers[0].json["objective"], "time");
}

TEST_F(RecommendTest, SaysWhenNothingMeasuredReachesTheTarget) {
  const std::string path = (dir_ / "r.db").string();
  FillStore(path);
  ResultsStore store(path);
  RecommendRequest request;
  request.target_accuracy_percent = 99;
  const auto answers = Recommend(store, request);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(answers[0].reached);
  EXPECT_FALSE(answers[0].json.contains("recommendation"));
  EXPECT_EQ(answers[0].json["closest"]["cell"], "cnn/baseline");
  EXPECT_EQ(answers[0].sentence,
            "Nothing measured reaches 99.00% on mnist: the most accurate is cnn/baseline at "
            "98.00% final accuracy (98.10% at best).");
}

TEST_F(RecommendTest, AnUnknownDatasetNamesTheOnesTheStoreHolds) {
  const std::string path = (dir_ / "r.db").string();
  FillStore(path);
  ResultsStore store(path);
  RecommendRequest request;
  request.target_accuracy_percent = 90;
  request.dataset = "cifar10";
  try {
    Recommend(store, request);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("for dataset cifar10"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("classifier runs on mnist"), std::string::npos)
        << e.what();
  }
}

TEST(Leaderboard, RanksByAccuracyPerKwhByDefaultAndTakesTheCellsTarget) {
  std::vector<RunRow> runs = report_testing::SampleRuns();
  const auto cells = GroupCells(runs);
  const auto boards = BuildLeaderboards(cells, Objective::kAccuracyPerKwh, std::nullopt,
                                        report_testing::BuiltInRoles());
  ASSERT_EQ(boards.size(), 1u);
  // Final accuracy per kWh: mlp 90/0.002 = 45,000, mixed 97/0.006 = 16,167,
  // baseline 98/0.010 = 9,800 (the failed cell has no finished run).
  ASSERT_EQ(boards[0].ranked.size(), 3u);
  EXPECT_EQ(boards[0].ranked[0].cell->name, "mlp/mixed_precision");
  EXPECT_EQ(boards[0].ranked[1].cell->name, "cnn/mixed_precision");
  EXPECT_EQ(boards[0].ranked[2].cell->name, "cnn/baseline");
  // No cell sets early_stop.target_acc: 1 point below the best, 98%.
  EXPECT_DOUBLE_EQ(boards[0].target_accuracy_percent, 97);
  EXPECT_NE(boards[0].target_source.find("1 point below"), std::string::npos);
}

TEST(Recommendations, SimilarAccuracyPicksTheCheapestCellWithinThePoint) {
  std::vector<RunRow> runs = report_testing::SampleRuns();
  const auto cells = GroupCells(runs);
  const auto board =
      BuildLeaderboards(cells, Objective::kCo2ToTarget, 90.0, report_testing::BuiltInRoles())
          .front();
  // Most accurate: cnn/baseline 98%; within 1 point: cnn/mixed_precision at
  // 97% for 6 Wh against 10 Wh, 40% less CO2; but in a single run, so
  // not recommended as a saving.
  EXPECT_EQ(SimilarAccuracySentence(board, 1.0),
            "On mnist, cnn/mixed_precision for 2 epochs came within 1 point of cnn/baseline for 2 "
            "epochs (97.00% against 98.00% final accuracy) with 40% less CO2 (2.85 g against "
            "4.75 g), but with a single run on one side there is no run-to-run spread, so the "
            "difference cannot be told from noise: run with repetitions: 3 or more to tell.");
}

TEST(Recommendations, OptimizationEffectsAreMeasuredAgainstTheBaseline) {
  std::vector<RunRow> runs = report_testing::SampleRuns();
  const auto sentences = OptimizationEffectSentences(GroupCells(runs));
  // mlp/mixed_precision has no baseline; the failed early_stop cell none
  // finished: only cnn/mixed_precision counts, 6 Wh against 10.
  ASSERT_EQ(sentences.size(), 1u);
  EXPECT_EQ(
      sentences[0],
      "On mnist, mixed_precision changed CO2 by -40% on 1 cell against the baseline, and final "
      "accuracy by -1.00 points. With a single run on one side there is no run-to-run spread, so "
      "neither change can be told from noise: run with repetitions: 3 or more to tell.");
}

}  // namespace
}  // namespace carbonbench::report
