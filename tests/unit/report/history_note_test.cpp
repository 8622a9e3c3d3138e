// Runs that `run --fresh` superseded stay in the store as history; the
// report uses the latest run of each cell and says how many it left out.
#include "report/render/history_note.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "store/results_store.h"
#include "unit/report/report_test_util.h"
#include "unit/store/store_test_util.h"

namespace carbonbench {
namespace {

using report_testing::ReadFile;
using report_testing::SampleRuns;
using report_testing::StoreRuns;
using HistoryInTheReport = store_testing::TempDirTest;

TEST(HistoryNote, CountsRunsAndCellsAndIsEmptyWithoutHistory) {
  EXPECT_EQ(report::HistoryNote({}), "");
  EXPECT_EQ(report::HistoryNote({3, 2}),
            "3 earlier runs of 2 cells are kept in the store as history (`run --fresh` ran them "
            "again); this report and its exports use the latest run of each cell.\n\n");
  EXPECT_EQ(report::HistoryNote({1, 1}).rfind("1 earlier run of 1 cell is kept", 0), 0u);
  const auto runs = SampleRuns();  // cnn/baseline twice, three other cells once
  const report::RunHistory history = report::HistoryOf(runs);
  EXPECT_EQ(history.superseded_runs, 5);
  EXPECT_EQ(history.cells, 4);
}

TEST_F(HistoryInTheReport, TheReportUsesTheLatestRunsAndSaysSo) {
  ResultsStore store((dir_ / "results.sqlite").string());
  const std::vector<RunRow> runs = SampleRuns();
  StoreRuns(store, runs);
  // --fresh on cnn/baseline (two repetitions) and cnn/mixed_precision: each
  // new run makes the one it replaces history as it finishes.
  std::vector<RunRow> again = {runs[0], runs[1], runs[2]};
  for (RunRow& run : again) run.summary.energy_wh *= 2;
  StoreRuns(store, again);

  const std::string text =
      ReadFile(report::WriteMarkdownReport(store, "mnist_quick", (dir_ / "reports").string()));
  EXPECT_NE(text.find("## Results\n\n3 earlier runs of 2 cells are kept in the store as history"),
            std::string::npos)
      << text;
  // Without the sentence, the report is the one of the latest runs alone.
  std::string without = text;
  without.erase(without.find("3 earlier runs"), report::HistoryNote({3, 2}).size());
  EXPECT_EQ(without, report::RenderMarkdownReport("mnist_quick", store.LoadRuns("mnist_quick")));
  EXPECT_EQ(store.LoadRuns("mnist_quick").size(), runs.size());
}

}  // namespace
}  // namespace carbonbench
