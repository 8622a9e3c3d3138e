// "What the optimizations did": network size and compute before and after,
// peak memory per phase, and the optimizations' own figures, per cell.
#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "report_test_util.h"

namespace carbonbench {
namespace {

using report_testing::RowCells;
using report_testing::SectionLines;
using Cells = std::vector<std::string>;

std::vector<RunRow> PrunedAndPlain() {
  using namespace report_testing;
  RunRow plain = Finished(1, Start("cnn/baseline", "cnn", {}, BaseSettings("cnn"), 0), 10, 2, 0.9);
  plain.summary.figures = DecodeRecord<OptimizationFigures>(
      R"({"model.parameters_before":1000,"model.parameters_after":1000,)"
      R"("model.macs_per_sample_before":4000000,"model.macs_per_sample_after":4000000})");
  plain.summary.memory = DecodeRecord<MemoryRecord>(
      R"j({"train":{"peak_rss_mb":812.4},"eval":{"peak_rss_mb":700},"method":"VmHWM, reset at each phase (clear_refs)"})j");
  RunRow pruned =
      Finished(2, Start("cnn/pruning", "cnn", {"pruning"}, BaseSettings("cnn"), 0), 8, 1.5, 0.88);
  pruned.summary.figures = DecodeRecord<OptimizationFigures>(
      R"({"model.parameters_before":1000,"model.parameters_after":250,)"
      R"("model.macs_per_sample_before":4000000,"model.macs_per_sample_after":1000000,)"
      R"("pruning.sparsity":0.5})");
  pruned.summary.memory = DecodeRecord<MemoryRecord>(
      R"({"train":{"peak_rss_mb":600},"inference":{"peak_rss_mb":500.6}})");
  return {plain, pruned};
}

TEST(OptimizationsSection, ShowsSizeBeforeAndAfterPeakMemoryAndOwnFigures) {
  const auto lines =
      SectionLines(report::RenderMarkdownReport("s", PrunedAndPlain(), report::ReportOptions{}),
                   "## What the optimizations did");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(RowCells(lines, "cnn/baseline"),
            (Cells{"cnn/baseline", "1k", "4M", "812", "700", "-", "-"}));
  EXPECT_EQ(RowCells(lines, "cnn/pruning"),
            (Cells{"cnn/pruning", "1k → 250 (-75%)", "4M → 1M (-75%)", "600", "-", "501",
                   "pruning.sparsity 0.500"}));
  bool method = false;
  for (const auto& line : lines) method |= line.find("reset at each phase") != std::string::npos;
  EXPECT_TRUE(method);
}

TEST(OptimizationsSection, IsLeftOutWhenNoRunHasFigures) {
  std::vector<RunRow> runs = PrunedAndPlain();
  for (RunRow& run : runs) {
    run.summary.figures = {};
    run.summary.memory = {};
  }
  const std::string report = report::RenderMarkdownReport("s", runs, report::ReportOptions{});
  EXPECT_EQ(report.find("## What the optimizations did"), std::string::npos);
}

}  // namespace
}  // namespace carbonbench
