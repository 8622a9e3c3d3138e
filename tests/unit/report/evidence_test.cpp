// Recommendations only from evidence: a saving or an accuracy change is a
// finding only beyond the run-to-run spread, and cells are compared only
// with cells trained on the same data.
#include <gtest/gtest.h>

#include "report/analysis/leaderboard.h"
#include "report/analysis/recommendations.h"
#include "report/analysis/report_cells.h"
#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench::report {
namespace {

using report_testing::Finished;
using report_testing::RowCells;
using report_testing::SectionLines;
using report_testing::Start;
using Cells = std::vector<std::string>;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// cnn/baseline and cnn/mixed_precision, three repetitions each. Energy
// 10 ± 0.2 Wh against 6 ± 0.1 Wh: a saving far beyond the spread. Final
// accuracy 98.0 ± 0.1% against 97.0 ± 0.5%: se = √(0.1²/3 + 0.5²/3) =
// 0.294, t = 3.40 on ν = 2.16, p = 0.07: within the spread.
std::vector<RunRow> RepeatedRuns() {
  const nlohmann::json cnn = report_testing::BaseSettings("cnn");
  nlohmann::json mixed = cnn;
  mixed["mixed_precision.dtype"] = "bf16";
  std::vector<RunRow> runs;
  const double base_wh[] = {10.0, 10.2, 9.8};
  const double base_acc[] = {0.980, 0.981, 0.979};
  const double mixed_wh[] = {6.0, 6.1, 5.9};
  const double mixed_acc[] = {0.970, 0.975, 0.965};
  for (int rep = 0; rep < 3; ++rep) {
    runs.push_back(Finished(runs.size() + 1, Start("cnn/baseline", "cnn", {}, cnn, rep), 100,
                            base_wh[rep], base_acc[rep]));
    runs.push_back(Finished(runs.size() + 1,
                            Start("cnn/mixed_precision", "cnn", {"mixed_precision"}, mixed, rep),
                            50 + rep, mixed_wh[rep], mixed_acc[rep]));
  }
  return runs;
}

TEST(EvidenceTest, ASavingBeyondTheSpreadIsRecommended) {
  const std::vector<RunRow> runs = RepeatedRuns();
  const auto cells = GroupCells(runs);
  const auto boards =
      BuildLeaderboards(cells, Objective::kCo2ToTarget, 90.0, report_testing::BuiltInRoles());
  ASSERT_EQ(boards.size(), 1u);
  const TargetAnswer answer = AnswerForTarget(boards[0]);
  ASSERT_TRUE(answer.saving_test.has_value());
  EXPECT_EQ(answer.saving_test->evidence, Evidence::kSignificant);
  EXPECT_TRUE(Contains(answer.sentence,
                       "To reach 90.00% on mnist for the least CO2, use cnn/mixed_precision: "))
      << answer.sentence;
  EXPECT_TRUE(Contains(answer.sentence,
                       "a difference larger than the run-to-run spread (Welch's t-test at 95%: "
                       "p < 0.001 over 3 and 3 runs)."))
      << answer.sentence;
  // Within a point, and the CO2 saving beyond the spread: a recommendation.
  EXPECT_TRUE(Contains(SimilarAccuracySentence(boards[0], 1.0),
                       "On mnist, for similar accuracy use cnn/mixed_precision for 2 epochs "
                       "instead of cnn/baseline for 2 epochs: "));
}

TEST(EvidenceTest, EachChangeIsJudgedOnItsOwnSpread) {
  const std::vector<RunRow> runs = RepeatedRuns();
  const auto sentences = OptimizationEffectSentences(GroupCells(runs));
  ASSERT_EQ(sentences.size(), 1u);
  // The accuracy change: s = √((0.1² + 0.5²)/2) = 0.361 against d = 1:
  // 2·(2.8016·0.361)² = 2.04, so the fewer side's 3 runs plus one.
  EXPECT_TRUE(Contains(sentences[0],
                       "The CO2 change exceeds the run-to-run spread; the accuracy change cannot "
                       "be told from noise (Welch's t-test at 95% on each cell against its "
                       "baseline): about 4 repetitions of each would tell"))
      << sentences[0];
}

TEST(EvidenceTest, NeitherChangeBeyondTheSpreadSaysSoOnce) {
  std::vector<RunRow> runs = RepeatedRuns();
  // The optimized cell's energy as scattered as 6 ± 5 Wh: its CO2 change
  // is within the spread too.
  for (RunRow& run : runs) {
    if (run.start.cell_name != "cnn/mixed_precision") continue;
    run.summary.energy_wh = 6.0 + 5.0 * (run.start.repetition - 1);
    run.summary.co2_g = run.summary.energy_wh * 0.475;
  }
  const auto sentences = OptimizationEffectSentences(GroupCells(runs));
  ASSERT_EQ(sentences.size(), 1u);
  EXPECT_TRUE(Contains(sentences[0],
                       "Neither change exceeds the run-to-run spread (Welch's t-test at 95% on "
                       "each cell against its baseline), so neither can be told from noise: "
                       "about "))
      << sentences[0];
}

TEST(EvidenceTest, TheBaselineTableMarksWhatIsAndIsNotSignificant) {
  const std::string report =
      RenderMarkdownReport("mnist_quick", RepeatedRuns(), report_testing::BuiltInOptions());
  const auto lines = SectionLines(report, "## Against the baseline");
  EXPECT_EQ(RowCells(lines, "cnn/mixed_precision"),
            (Cells{"cnn/mixed_precision", "cnn/baseline", "3 / 3", "-49.0 (sig.)", "-40.0 (sig.)",
                   "-40.0 (sig.)", "-1.00 (n.s.)"}));
  EXPECT_TRUE(Contains(report, "(sig.) marks a change larger than the run-to-run spread"));
  EXPECT_FALSE(Contains(report, "A change with neither mark"));
}

TEST(EvidenceTest, AChangeWithinTheSpreadSaysHowManyRunsWouldTell) {
  // 10 ± 3 against 13 ± 3, five runs each: p = 0.15, and about 16 runs.
  const MeanDifference test = CompareMeans({10, 3, 5}, {13, 3, 5});
  EXPECT_EQ(SpreadVerdict(test),
            "but a difference within the run-to-run spread (Welch's t-test at 95%: p = 0.15 over "
            "5 and 5 runs), so it cannot be told from noise: about 16 repetitions of each would "
            "tell (estimated from the spread and difference seen)");
  EXPECT_EQ(SpreadVerdict(CompareMeans({10, 0, 1}, {13, 0, 1})),
            "but with one run of each there is no run-to-run spread, so the difference cannot be "
            "told from noise: run with repetitions: 3 or more to tell");
}

// The same dataset at two sizes, as a suite's `include` gives them.
nlohmann::json Sized(const std::string& model, int train, int test) {
  nlohmann::json settings = report_testing::BaseSettings(model);
  settings["dataset.train_size"] = train;
  settings["dataset.test_size"] = test;
  settings["dataset.max_length"] = 128;
  return settings;
}

std::vector<RunRow> TwoSizesRuns() {
  std::vector<RunRow> runs;
  runs.push_back(
      Finished(1, Start("cnn/baseline", "cnn", {}, Sized("cnn", 12000, 2000), 0), 100, 10, 0.90));
  runs.push_back(Finished(2, Start("resnet/baseline", "resnet", {}, Sized("resnet", 2000, 1000), 0),
                          100, 20, 0.75));
  nlohmann::json mixed = Sized("resnet", 2000, 1000);
  mixed["mixed_precision.dtype"] = "bf16";
  runs.push_back(Finished(
      3, Start("resnet/mixed_precision", "resnet", {"mixed_precision"}, mixed, 0), 60, 12, 0.74));
  // A cell of the larger size whose name sorts after the smaller's.
  runs.push_back(
      Finished(4, Start("vit/baseline", "vit", {}, Sized("vit", 12000, 2000), 0), 100, 30, 0.91));
  return runs;
}

TEST(DataGroups, CellsTrainedOnOtherDataAreGroupedApart) {
  const std::vector<RunRow> runs = TwoSizesRuns();
  const auto cells = GroupCells(runs);
  const auto groups = FinishedCellsByDataset(cells);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].Label(), "mnist (12,000 train / 2,000 test)");
  EXPECT_EQ(groups[1].Label(), "mnist (2,000 train / 1,000 test)");
  ASSERT_EQ(groups[0].cells.size(), 2u);
  EXPECT_EQ(groups[0].cells[0]->name, "cnn/baseline");
  EXPECT_EQ(groups[0].cells[1]->name, "vit/baseline");
  ASSERT_EQ(groups[1].cells.size(), 2u);
  EXPECT_EQ(groups[1].cells[0]->name, "resnet/baseline");
}

TEST(DataGroups, OneSetOfDataKeepsTheDatasetsName) {
  std::vector<RunRow> runs = TwoSizesRuns();
  runs.erase(runs.begin() + 1, runs.begin() + 3);
  const auto groups = FinishedCellsByDataset(GroupCells(runs));
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].Label(), "mnist");
  EXPECT_EQ(groups[0].cells.size(), 2u);
}

TEST(DataGroups, NamesEveryDifferingSettingAndAWholeSplit) {
  std::vector<RunRow> runs = TwoSizesRuns();
  nlohmann::json all = Sized("cnn", 0, 0);
  all["dataset.max_length"] = 64;
  runs.push_back(Finished(5, Start("cnn/all", "cnn", {}, all, 0), 100, 10, 0.9));
  const auto groups = FinishedCellsByDataset(GroupCells(runs));
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].Label(), "mnist (all train / all test, max_length 64)");
  EXPECT_EQ(groups[1].Label(), "mnist (12,000 train / 2,000 test, max_length 128)");
  EXPECT_EQ(groups[2].Label(), "mnist (2,000 train / 1,000 test, max_length 128)");
}

TEST(DataGroups, ASettingOnlySomeCellsRecordSplitsNothing) {
  // A cell stored before dataset sizes were recorded is not set apart for
  // lacking them.
  std::vector<RunRow> runs = TwoSizesRuns();
  runs.erase(runs.begin() + 1, runs.begin() + 3);
  runs.push_back(Finished(
      5, Start("mlp/baseline", "mlp", {}, report_testing::BaseSettings("mlp"), 0), 10, 1, 0.8));
  EXPECT_EQ(FinishedCellsByDataset(GroupCells(runs)).size(), 1u);
}

TEST(DataGroups, TheReportRanksEachSetApartAndSaysWhy) {
  const std::string report =
      RenderMarkdownReport("mnist_quick", TwoSizesRuns(), report_testing::BuiltInOptions());
  const std::string why =
      "Cells are compared only with cells trained and tested on the same data (dataset, sizes "
      "and split), as accuracy and cost both follow the data: mnist (12,000 train / 2,000 test; "
      "2,000 train / 1,000 test) ran on more than one, so each is ranked apart.";
  for (const char* section : {"## Recommendations", "## Leaderboard", "## Pareto front"}) {
    const auto lines = SectionLines(report, section);
    EXPECT_NE(std::find(lines.begin(), lines.end(), why), lines.end()) << section << "\n" << report;
  }
  const auto board = SectionLines(report, "## Leaderboard");
  EXPECT_NE(std::find_if(board.begin(), board.end(),
                         [](const std::string& line) {
                           return line.rfind("### mnist (2,000 train / 1,000 test): target", 0) ==
                                  0;
                         }),
            board.end());
  // Never dominated by a cell trained on other data: cnn/baseline, on six
  // times the images, used less energy for more accuracy than both resnets.
  const auto pareto = SectionLines(report, "## Pareto front");
  EXPECT_EQ(RowCells(pareto, "resnet/baseline").back(), "front");
  EXPECT_EQ(RowCells(pareto, "resnet/mixed_precision").back(), "front");
  EXPECT_EQ(RowCells(pareto, "cnn/baseline").back(), "front");
  // Each set has its best cells.
  const auto best = SectionLines(report, "## Best cell per objective");
  EXPECT_EQ(RowCells(best, "mnist (2,000 train / 1,000 test)")[2], "resnet/baseline");
  EXPECT_TRUE(Contains(report, "On mnist (2,000 train / 1,000 test), mixed_precision changed"));
  // Cells on one set of data: no such note.
  std::vector<RunRow> one = TwoSizesRuns();
  one.erase(one.begin() + 1, one.begin() + 3);
  EXPECT_FALSE(Contains(RenderMarkdownReport("mnist_quick", one), "ranked apart"));
}

}  // namespace
}  // namespace carbonbench::report
