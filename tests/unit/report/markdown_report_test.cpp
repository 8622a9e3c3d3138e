#include "report/render/markdown_report.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/report/report_test_util.h"

namespace carbonbench {
namespace {

using report_testing::RowCells;
using report_testing::SampleRuns;
using report_testing::SectionLines;
using Cells = std::vector<std::string>;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class MarkdownReportTest : public ::testing::Test {
 protected:
  std::string SectionText(const std::string& heading) const {
    std::string text;
    for (const std::string& line : SectionLines(report_, heading)) text += line + "\n";
    return text;
  }

  const std::string report_ = report::RenderMarkdownReport("mnist_quick", SampleRuns());
};

// The headline: what ran and what it cost, the answer per dataset, and
// where the methods are; the meters behind the total are under Measurement.
TEST_F(MarkdownReportTest, StartsWithTitleAndSummaryLine) {
  EXPECT_EQ(report_.rfind("# carbonbench report: mnist_quick\n\n", 0), 0u);
  // Totals over every run, the failed one included: 98+102+50+20+30 s,
  // 9.5+10.5+6+2+3 Wh.
  EXPECT_TRUE(Contains(
      report_,
      "# carbonbench report: mnist_quick\n\n"
      "4 cells (3 finished, 1 failed) on 1 dataset (mnist), 5 runs, in 300 s: "
      "31.0 Wh and 14.7 g CO2.\n\n"
      "- mnist: cnn/mixed_precision reached 97.00% accuracy for the least CO2: "
      "2.85 g, but with single runs its lead over cnn/baseline cannot be told from noise.\n\n"
      "How the energy was obtained (meters, methods, error bands) is under "
      "[Measurement](#measurement).\n\n## Recommendations"))
      << report_;
  EXPECT_TRUE(Contains(SectionText("## Measurement"),
                       "All runs together: 31.0 Wh (estimated: cpu_estimate, CodeCarbon "
                       "cpu_load model), 14.7 g CO2 (from estimated energy).\n"))
      << report_;
}

TEST_F(MarkdownReportTest, DeltasAgainstTheBaseline) {
  const auto lines = SectionLines(report_, "## Against the baseline");
  // Baseline means: 100 s, 10 Wh, 98.0 % over 2 runs; optimized: 50 s,
  // 6 Wh, 97.0 % in one run, so no spread: no change is marked.
  EXPECT_EQ(
      RowCells(lines, "cnn/mixed_precision"),
      (Cells{"cnn/mixed_precision", "cnn/baseline", "1 / 2", "-50.0", "-40.0", "-40.0", "-1.00"}));
}

TEST_F(MarkdownReportTest, SaysWhenAnOptimizedCellHasNoBaseline) {
  const auto lines = SectionLines(report_, "## Against the baseline");
  EXPECT_EQ(RowCells(lines, "mlp/mixed_precision"),
            (Cells{"mlp/mixed_precision", "no baseline cell", "—", "—", "—", "—", "—"}));
  // Baselines have no row of their own; failed cells neither.
  EXPECT_TRUE(RowCells(lines, "cnn/baseline").empty());
  EXPECT_TRUE(RowCells(lines, "cnn/early_stop").empty());
}

TEST_F(MarkdownReportTest, BaselineMustMatchEverySettingButOptimizationParams) {
  std::vector<RunRow> runs = SampleRuns();
  // Same cell, other learning rate: not comparable with the baseline.
  nlohmann::json settings = report_testing::BaseSettings("cnn");
  settings["lr"] = 0.1;
  settings["mixed_precision.dtype"] = "bf16";
  runs[2].start.config_json = report_testing::ConfigJson(settings, {"mixed_precision"});
  const auto lines =
      SectionLines(report::RenderMarkdownReport("mnist_quick", runs), "## Against the baseline");
  EXPECT_EQ(RowCells(lines, "cnn/mixed_precision")[1], "no baseline cell");
}

TEST_F(MarkdownReportTest, ResultsShowStddevForRepetitions) {
  const auto lines = SectionLines(report_, "## Results");
  // Accuracy per Wh: 98 % / 0.0100 kWh is 9,800 %/kWh, 9.80 %/Wh.
  EXPECT_EQ(RowCells(lines, "cnn/baseline"),
            (Cells{"cnn/baseline", "2", "98.10 ± 0.71", "98.00 ± 0.71", "100 ± 2.83",
                   "10.0 ± 0.707", "4.75 ± 0.336", "9.82 ± 0.624"}));
  // One repetition: no "±".
  EXPECT_EQ(RowCells(lines, "cnn/mixed_precision"),
            (Cells{"cnn/mixed_precision", "2", "97.10", "97.00", "50.0", "6.00", "2.85", "16.2"}));
  // What each cell ran and why it stopped, in the table after.
  const auto how = report_testing::LinesFrom(lines, "| Model");
  EXPECT_EQ(RowCells(how, "cnn/mixed_precision"),
            (Cells{"cnn/mixed_precision", "cnn", "mixed_precision", "bf16 autocast",
                   "completed 2 epochs"}));
}

TEST_F(MarkdownReportTest, ListsFailedCellsWithTheirReason) {
  const auto lines = SectionLines(report_, "## Results");
  ASSERT_NE(std::find(lines.begin(), lines.end(), "### Failed cells"), lines.end());
  EXPECT_EQ(RowCells(lines, "cnn/early_stop"),
            (Cells{"cnn/early_stop", "0", "1", "30.0", "3.00", "loss became NaN at epoch 2"}));
}

TEST_F(MarkdownReportTest, NamesProvenanceAndUnits) {
  EXPECT_TRUE(Contains(report_, "Energy figures are estimated (PUE applied)."));
  EXPECT_TRUE(Contains(report_, "| Energy Wh |"));
  EXPECT_TRUE(Contains(report_, "Energy Wh (cumulative)"));
  EXPECT_TRUE(Contains(report_,
                       "Energy figures with provenance \"estimated\" are "
                       "estimates, not measurements."));
}

TEST_F(MarkdownReportTest, MixedProvenanceIsStatedCellByCell) {
  std::vector<RunRow> runs = SampleRuns();
  runs[2].summary.energy_provenance = "measured";
  const std::string report = report::RenderMarkdownReport("mnist_quick", runs);
  EXPECT_TRUE(Contains(report, "Wh (mixed: cpu_estimate"));
  EXPECT_TRUE(Contains(report,
                       "Energy provenance differs between cells (PUE "
                       "applied): cnn/baseline: estimated; "
                       "cnn/mixed_precision: measured; "
                       "mlp/mixed_precision: estimated."));
}

TEST_F(MarkdownReportTest, ComponentLevelProvenanceKeepsItsDetail) {
  std::vector<RunRow> runs = SampleRuns();
  for (RunRow& run : runs) {
    run.summary.energy_provenance = "mixed: cpu measured, ram estimated";
  }
  const std::string report = report::RenderMarkdownReport("mnist_quick", runs);
  EXPECT_TRUE(Contains(report,
                       "31.0 Wh (mixed: cpu measured, ram estimated; "
                       "cpu_estimate, CodeCarbon cpu_load model), 14.7 g "
                       "CO2 (from mixed energy)."))
      << report;
  EXPECT_TRUE(Contains(report,
                       "Energy figures are mixed: cpu measured, ram estimated "
                       "(PUE applied)."));
}

TEST_F(MarkdownReportTest, EnvironmentListsKeysMetersCarbonAndWarnings) {
  const auto lines = SectionLines(report_, "## Environment");
  EXPECT_EQ(RowCells(lines, "blas"), (Cells{"blas", "OpenBLAS 0.3.21"}));
  EXPECT_EQ(RowCells(lines, "cores"), (Cells{"cores", "8"}));
  EXPECT_EQ(RowCells(lines, "cpu_estimate"),
            (Cells{"cpu_estimate", "CodeCarbon cpu_load model.", "cpu: estimated"}));
  EXPECT_EQ(RowCells(lines, "rapl"),
            (Cells{"rapl", "not used: no readable /sys/class/powercap", "—"}));
  const auto has = [&lines](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(has("- Region: requested WORLD, used WORLD"));
  EXPECT_TRUE(has("- Carbon intensity: 475.0 g/kWh (CodeCarbon world average)"));
  EXPECT_TRUE(has("- PUE: 1.00"));
  // Each warning once, though two runs gave the first.
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "- threads capped at 4 by the cgroup"), 1);
  EXPECT_TRUE(has("- bf16 autocast is slow on this CPU"));
}

TEST_F(MarkdownReportTest, EpochTablesAverageRepetitions) {
  const auto lines = SectionLines(report_, "## Epochs");
  ASSERT_NE(std::find(lines.begin(), lines.end(), "### cnn/baseline"), lines.end());
  // Cumulative energy of epoch 2 is the run's energy; mean of 9.5 and 10.5.
  EXPECT_EQ(RowCells(lines, "2"), (Cells{"2", "0.200", "0.100", "98.00", "10.0"}));
  EXPECT_TRUE(std::find(lines.begin(), lines.end(), "### cnn/early_stop") == lines.end());
}

TEST_F(MarkdownReportTest, IsDeterministicWhateverTheInputOrder) {
  std::vector<RunRow> runs = SampleRuns();
  std::reverse(runs.begin(), runs.end());
  EXPECT_EQ(report::RenderMarkdownReport("mnist_quick", runs), report_);
}

TEST_F(MarkdownReportTest, LeavesOutRunningRows) {
  std::vector<RunRow> runs = SampleRuns();
  runs[3].status = "running";
  const std::string report = report::RenderMarkdownReport("mnist_quick", runs);
  EXPECT_FALSE(Contains(report, "mlp/mixed_precision"));
  EXPECT_TRUE(Contains(report, "3 cells (2 finished, 1 failed) on 1 dataset (mnist), 4 runs"));
}

TEST_F(MarkdownReportTest, EscapesPipesInTableCells) {
  std::vector<RunRow> runs = SampleRuns();
  runs[4].failure_reason = "shape mismatch | [64, 10] vs [64, 2]\nat layer fc";
  const std::string report = report::RenderMarkdownReport("mnist_quick", runs);
  EXPECT_TRUE(Contains(report, "shape mismatch \\| \\[64, 10\\] vs \\[64, 2\\] at layer fc |"));
}

TEST(MarkdownReportEmptyTest, RendersATitleAndANote) {
  EXPECT_EQ(report::RenderMarkdownReport("empty", {}),
            "# carbonbench report: empty\n\nNo runs of this suite are stored.\n\n");
}

}  // namespace
}  // namespace carbonbench

namespace carbonbench {
namespace {

TEST(MarkdownReportDataLoadingTest, StatesTheShareOfEpochTimeSpentPreparingBatches) {
  std::vector<RunRow> runs = report_testing::SampleRuns();
  runs.resize(2);  // the two baseline repetitions
  for (RunRow& run : runs) {
    for (EpochRecord& epoch : run.epochs) {
      epoch.train_s = 9;
      epoch.eval_s = 1;
      epoch.data_s = run.id == 1 ? 0.1 : 0.3;  // 1% and 3%
    }
  }
  const std::string report = report::RenderMarkdownReport("loading", runs);
  EXPECT_NE(report.find("Preparing batches took 2.00% of epoch time (training and evaluation) "
                        "over all finished runs, 3.00% at most in one run."),
            std::string::npos)
      << report;
}

}  // namespace
}  // namespace carbonbench

namespace carbonbench {
namespace {

// Cells of a table row: pipes not escaped with a backslash, minus one.
std::size_t CellCount(const std::string& line) {
  std::size_t pipes = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++pipes;
  }
  return pipes - 1;
}

// Every table of both sample reports has as many cells in each row as in
// its header, odd names included, so Markdown renders each as a table.
TEST(MarkdownReportShape, EveryTableIsRectangular) {
  std::vector<RunRow> runs = report_testing::SampleRuns();
  runs[0].start.cell_name = "cnn|odd_*name*`x`";
  runs[1].start.cell_name = runs[0].start.cell_name;
  for (const std::vector<RunRow>& suite : {runs, report_testing::MixedRuns()}) {
    std::istringstream in(report::RenderMarkdownReport("shape", suite));
    std::size_t expected = 0;
    int tables = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("|", 0) != 0) {
        expected = 0;
        continue;
      }
      if (expected == 0) {
        expected = CellCount(line);
        ++tables;
      }
      EXPECT_EQ(CellCount(line), expected) << line;
    }
    EXPECT_GT(tables, 8);
  }
}

}  // namespace
}  // namespace carbonbench
