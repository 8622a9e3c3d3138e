// The whole rendered report against a reviewed copy, so that any change of
// its text is a deliberate one.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/export/exports.h"
#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench {
namespace {

using report_testing::ExpectMatchesGolden;

TEST(GoldenReportTest, MatchesTheReviewedReport) {
  ExpectMatchesGolden("basic_report.md",
                      report::RenderMarkdownReport("mnist_quick", report_testing::SampleRuns(),
                                                   report_testing::BuiltInOptions()));
}

// Classification and regression cells side by side: a table per task.
TEST(GoldenReportTest, MatchesTheReviewedMixedTaskReport) {
  ExpectMatchesGolden("mixed_report.md",
                      report::RenderMarkdownReport("mixed_quick", report_testing::MixedRuns(),
                                                   report_testing::BuiltInOptions()));
}

// The exports' text too: a changed column or format is a deliberate change.
TEST(GoldenReportTest, ExportsMatchTheReviewedCsvFiles) {
  const auto runs = report_testing::MixedRuns();
  ExpectMatchesGolden("mixed.runs.csv", report::RunsCsv(runs));
  ExpectMatchesGolden("mixed.epochs.csv", report::EpochsCsv(runs));
  ExpectMatchesGolden("mixed.leaderboard.csv",
                      report::LeaderboardCsv(runs, report_testing::BuiltInOptions()));
}

}  // namespace
}  // namespace carbonbench
