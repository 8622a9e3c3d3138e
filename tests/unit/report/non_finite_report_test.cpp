// A cell whose error is not a number (a diverged regressor: RMSE inf or NaN)
// gets no place on the Pareto front and no optimal epoch; the report says why.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench {
namespace {

using report_testing::MixedRuns;
using report_testing::RowCells;
using report_testing::SectionLines;
using Lines = std::vector<std::string>;

std::string Joined(const Lines& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// MixedRuns with linear/mixed_precision, the cheapest regression cell, given
// an infinite RMSE in its every epoch and a one-epoch run.
std::vector<RunRow> RunsWithADivergedCell(double rmse) {
  std::vector<RunRow> runs = MixedRuns();
  for (RunRow& run : runs) {
    if (run.start.cell_name != "linear/mixed_precision") continue;
    run.summary.epochs_run = 1;
    run.epochs.resize(1);
    run.summary.best_rmse = rmse;
    run.summary.final_rmse = rmse;
    run.epochs[0].test_rmse = rmse;
  }
  return runs;
}

TEST(NonFiniteReportTest, ADivergedCellIsLeftOffTheParetoFrontWithANote) {
  for (const double rmse :
       {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    const std::string report =
        report::RenderMarkdownReport("mixed_quick", RunsWithADivergedCell(rmse));
    const Lines pareto = SectionLines(report, "## Pareto front");
    const std::vector<std::string> row = RowCells(pareto, "linear/mixed_precision");
    ASSERT_FALSE(row.empty()) << Joined(pareto);
    EXPECT_EQ(row.back(), "not ranked") << Joined(pareto);
    // The cheapest finite cell takes the front instead.
    EXPECT_EQ(RowCells(pareto, "linear/baseline").back(), "front") << Joined(pareto);
    EXPECT_NE(Joined(pareto).find("linear/mixed_precision: its RMSE is not a finite number"),
              std::string::npos)
        << Joined(pareto);
  }
}

TEST(NonFiniteReportTest, ADivergedCellHasNoOptimalEpoch) {
  const std::string report = report::RenderMarkdownReport(
      "mixed_quick", RunsWithADivergedCell(std::numeric_limits<double>::infinity()));
  const Lines section = SectionLines(report, "## Optimal epoch");
  ASSERT_FALSE(section.empty());
  EXPECT_TRUE(RowCells(section, "linear/mixed_precision").empty()) << Joined(section);
  EXPECT_NE(Joined(section).find("linear/mixed_precision: no optimal epoch, its RMSE is not a "
                                 "finite number"),
            std::string::npos)
      << Joined(section);
}

TEST(NonFiniteReportTest, RecommendationsGiveNoEffectFromANonFiniteError) {
  for (const double rmse :
       {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    const std::string recommendations = Joined(
        SectionLines(report::RenderMarkdownReport("mixed_quick", RunsWithADivergedCell(rmse)),
                     "## Recommendations"));
    ASSERT_FALSE(recommendations.empty());
    EXPECT_EQ(recommendations.find("inf%"), std::string::npos) << recommendations;
    EXPECT_EQ(recommendations.find("nan%"), std::string::npos) << recommendations;
    // The finite comparisons are still made.
    EXPECT_NE(recommendations.find("early_stop changed CO2"), std::string::npos) << recommendations;
  }
}

}  // namespace
}  // namespace carbonbench
