// Regression runs in the report: errors (RMSE, MAE) where classification
// shows accuracy, and a table per task when a suite has both.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "store/results_store.h"
#include "unit/report/report_test_util.h"
#include "unit/store/store_test_util.h"

namespace carbonbench {
namespace {

using report_testing::MixedRuns;
using report_testing::RowCells;
using report_testing::SectionLines;
using report_testing::StoreRuns;
using RegressionReportFromStoreTest = store_testing::TempDirTest;
using Cells = std::vector<std::string>;
using Lines = std::vector<std::string>;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool HasLine(const Lines& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// The lines from `heading` (a "### " line) up to the next "### " line.
Lines SubsectionLines(const Lines& lines, const std::string& heading) {
  Lines part;
  bool inside = false;
  for (const std::string& line : lines) {
    if (line.rfind("### ", 0) == 0) inside = line == heading;
    if (inside) part.push_back(line);
  }
  return part;
}

std::vector<RunRow> RunsOfTask(const std::string& task) {
  std::vector<RunRow> runs;
  for (const RunRow& run : MixedRuns()) {
    if (run.start.task == task) runs.push_back(run);
  }
  return runs;
}

RunRow* FindRun(std::vector<RunRow>& runs, const std::string& cell) {
  for (RunRow& run : runs) {
    if (run.start.cell_name == cell) return &run;
  }
  return nullptr;
}

class RegressionReportTest : public ::testing::Test {
 protected:
  const std::string report_ = report::RenderMarkdownReport("mixed_quick", MixedRuns());
};

TEST_F(RegressionReportTest, ResultsShowATableForEachTask) {
  const Lines lines = SectionLines(report_, "## Results");
  const Lines classification = SubsectionLines(lines, "### Classification");
  const Lines regression = SubsectionLines(lines, "### Regression");
  ASSERT_FALSE(classification.empty());
  ASSERT_FALSE(regression.empty());
  EXPECT_LT(std::find(lines.begin(), lines.end(), "### Classification"),
            std::find(lines.begin(), lines.end(), "### Regression"));

  EXPECT_EQ(RowCells(classification, "cnn/baseline"),
            (Cells{"cnn/baseline", "2", "98.10", "98.00", "100", "10.0", "4.75", "9.80"}));
  EXPECT_TRUE(RowCells(classification, "linear/baseline").empty());
  EXPECT_TRUE(RowCells(regression, "cnn/baseline").empty());

  EXPECT_EQ(RowCells(regression, "Cell"), (Cells{"Cell", "Epochs", "Best RMSE", "Final RMSE", "MAE",
                                                 "Duration s", "Energy Wh", "CO2 g"}));
  // Two repetitions: best 1.19 and 1.39, final 1.2 and 1.4, MAE 0.9 and 1.1.
  EXPECT_EQ(RowCells(regression, "linear/baseline"),
            (Cells{"linear/baseline", "2", "1.29 ± 0.141", "1.30 ± 0.141", "1.00 ± 0.141",
                   "5.00 ± 1.41", "0.250 ± 0.0707", "0.119 ± 0.0336"}));
  EXPECT_EQ(RowCells(regression, "cnn1d/early_stop"),
            (Cells{"cnn1d/early_stop", "1", "0.935", "0.935", "0.700", "10.0", "0.600", "0.285"}));
  // What each cell ran and why it stopped, in the table after.
  const Lines how = report_testing::LinesFrom(regression, "| Model");
  EXPECT_EQ(RowCells(how, "Cell"),
            (Cells{"Cell", "Model", "Optimizations", "Precision", "Stop reason"}));
  EXPECT_EQ(RowCells(how, "cnn1d/early_stop"),
            (Cells{"cnn1d/early_stop", "cnn1d", "early_stop", "fp32",
                   "early stop: no improvement for 1 epoch"}));
  // The failed regression cell is listed with the others that failed.
  EXPECT_EQ(RowCells(lines, "cnn1d/mixed_precision")[5],
            "bf16 autocast is not supported for conv1d here");
}

TEST_F(RegressionReportTest, ExplainsTheColumnsOfBothTables) {
  EXPECT_TRUE(Contains(report_,
                       "%/Wh is final accuracy % per Wh. RMSE and MAE are "
                       "in the units of the regression target, lower is "
                       "better;"));
}

TEST_F(RegressionReportTest, SummaryNamesBestAccuracyAndLowestRmse) {
  EXPECT_TRUE(
      Contains(report_,
               "- mnist: cnn/mixed_precision reached 97.00% accuracy for the least CO2: "
               "2.85 g, but with single runs its lead over cnn/baseline cannot be told from "
               "noise.\n- mauna_loa_co2: cnn1d/baseline has the lowest final RMSE "
               "(0.850).\n"))
      << report_;
}

TEST_F(RegressionReportTest, SummaryComparesRmseOnlyWithinADataset) {
  std::vector<RunRow> runs = MixedRuns();
  // Another series in other units: its error is not lower than cnn1d's.
  RunRow sunspots = runs[2];
  sunspots.id = 9;
  sunspots.start.cell_name = "linear/sunspots";
  sunspots.start.config_hash = "hash_linear/sunspots";
  sunspots.start.dataset = "sunspots";
  sunspots.summary.final_rmse = 0.25;
  runs.push_back(sunspots);
  const std::string report = report::RenderMarkdownReport("mixed_quick", runs);
  EXPECT_TRUE(Contains(report,
                       "- mauna_loa_co2: cnn1d/baseline has the lowest final RMSE (0.850).\n"
                       "- sunspots: linear/sunspots has the lowest final RMSE (0.250).\n"))
      << report;
}

TEST_F(RegressionReportTest, BaselineDeltaIsTheRelativeChangeOfRmse) {
  const Lines lines = SectionLines(report_, "## Against the baseline");
  const Lines classification = SubsectionLines(lines, "### Classification");
  const Lines regression = SubsectionLines(lines, "### Regression");
  EXPECT_EQ(
      RowCells(classification, "cnn/mixed_precision"),
      (Cells{"cnn/mixed_precision", "cnn/baseline", "1 / 1", "-50.0", "-40.0", "-40.0", "-1.00"}));
  EXPECT_EQ(RowCells(regression, "Cell"),
            (Cells{"Cell", "Baseline", "Runs", "Δ time %", "Δ energy %", "Δ CO2 %", "Δ RMSE %"}));
  // Final RMSE 1.56 against the baseline's mean 1.3; 3 s against 5 s.
  EXPECT_EQ(RowCells(regression, "linear/mixed_precision"),
            (Cells{"linear/mixed_precision", "linear/baseline", "1 / 2", "-40.0", "-40.0", "-40.0",
                   "+20.0"}));
  EXPECT_EQ(
      RowCells(regression, "cnn1d/early_stop"),
      (Cells{"cnn1d/early_stop", "cnn1d/baseline", "1 / 1", "-50.0", "-40.0", "-40.0", "+10.0"}));
  EXPECT_TRUE(Contains(report_,
                       "; RMSE is the relative change of final RMSE, negative "
                       "being a smaller error. Runs are"));
}

TEST_F(RegressionReportTest, ASmallerErrorIsANegativeDelta) {
  std::vector<RunRow> runs = MixedRuns();
  FindRun(runs, "linear/mixed_precision")->summary.final_rmse = 1.04;
  const Lines lines =
      SectionLines(report::RenderMarkdownReport("mixed_quick", runs), "## Against the baseline");
  EXPECT_EQ(RowCells(lines, "linear/mixed_precision")[6], "-20.0");
}

TEST_F(RegressionReportTest, ARegressionCellNeverTakesAClassificationBaseline) {
  std::vector<RunRow> runs = MixedRuns();
  runs.erase(
      std::remove_if(runs.begin(), runs.end(),
                     [](const RunRow& run) { return run.start.cell_name == "linear/baseline"; }),
      runs.end());
  // A classification cell whose settings equal linear/baseline's.
  FindRun(runs, "cnn/baseline")->start.config_json =
      report_testing::ConfigJson(report_testing::RegressionSettings("linear"), {});
  const Lines lines =
      SectionLines(report::RenderMarkdownReport("mixed_quick", runs), "## Against the baseline");
  EXPECT_EQ(RowCells(lines, "linear/mixed_precision"),
            (Cells{"linear/mixed_precision", "no baseline cell", "—", "—", "—", "—", "—"}));
}

TEST_F(RegressionReportTest, EpochTablesShowTestRmseForRegressionCells) {
  const Lines lines = SectionLines(report_, "## Epochs");
  const Lines linear = SubsectionLines(lines, "### linear/baseline");
  EXPECT_EQ(RowCells(linear, "Epoch"),
            (Cells{"Epoch", "Train loss", "Test loss", "Test RMSE", "Energy Wh (cumulative)"}));
  // Means of the two repetitions: RMSE 1.2 and 1.4, energy 0.2 and 0.3 Wh.
  EXPECT_EQ(RowCells(linear, "2"), (Cells{"2", "0.200", "0.100", "1.30", "0.250"}));
  const Lines cnn = SubsectionLines(lines, "### cnn/baseline");
  EXPECT_EQ(RowCells(cnn, "Epoch")[3], "Test acc %");
  EXPECT_EQ(RowCells(cnn, "2")[3], "98.00");
}

TEST(RegressionOnlyReportTest, HasOneTableAndNoAccuracy) {
  const std::string report = report::RenderMarkdownReport("co2", RunsOfTask(kRegressionTask));
  const Lines results = SectionLines(report, "## Results");
  EXPECT_FALSE(HasLine(results, "### Classification"));
  EXPECT_FALSE(HasLine(results, "### Regression"));
  EXPECT_EQ(RowCells(results, "Cell")[2], "Best RMSE");
  EXPECT_FALSE(RowCells(results, "cnn1d/baseline").empty());
  const Lines baseline = SectionLines(report, "## Against the baseline");
  EXPECT_FALSE(HasLine(baseline, "### Regression"));
  EXPECT_EQ(RowCells(baseline, "linear/mixed_precision")[6], "+20.0");
  for (const char* absent : {"ccuracy", "%/Wh", "acc %"}) {
    EXPECT_FALSE(Contains(report, absent)) << absent << " in\n" << report;
  }
  EXPECT_TRUE(Contains(report,
                       " g CO2.\n\n- mauna_loa_co2: cnn1d/baseline has the lowest final RMSE "
                       "(0.850).\n"))
      << report;
}

TEST(ClassificationOnlyReportTest, NamesNoRegressionFigure) {
  const std::string report = report::RenderMarkdownReport("mnist", RunsOfTask(kClassificationTask));
  EXPECT_FALSE(Contains(report, "RMSE"));
  EXPECT_FALSE(Contains(report, "MAE"));
  EXPECT_FALSE(Contains(report, "### Classification"));
}

// The store keeps everything the regression report shows.
TEST_F(RegressionReportFromStoreTest, StoredRunsRenderAsTheRunsGiven) {
  const std::vector<RunRow> runs = MixedRuns();
  ResultsStore store(PathIn("results.sqlite"));
  StoreRuns(store, runs);
  std::vector<RunRow> loaded = store.LoadRuns("mixed_quick");
  ASSERT_EQ(loaded.size(), runs.size());
  // The store stamps its own times; the report shows the first and last.
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    loaded[i].started_at = runs[i].started_at;
    loaded[i].finished_at = runs[i].finished_at;
  }
  EXPECT_EQ(report::RenderMarkdownReport("mixed_quick", loaded),
            report::RenderMarkdownReport("mixed_quick", runs));
}

}  // namespace
}  // namespace carbonbench
