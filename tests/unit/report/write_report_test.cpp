// From the store to the file on disk, as `carbonbench report` does it.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "store/results_store.h"
#include "unit/report/report_test_util.h"
#include "unit/store/store_test_util.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

using report_testing::ReadFile;
using report_testing::SampleRuns;
using report_testing::StoreRuns;
using WriteReportTest = store_testing::TempDirTest;

TEST_F(WriteReportTest, WritesTheRenderedReportOfTheStoredRuns) {
  ResultsStore store((dir_ / "results.sqlite").string());
  StoreRuns(store, SampleRuns());
  // A run still in flight is not reported.
  store.BeginRun(
      report_testing::Start("cnn/in_flight", "cnn", {}, report_testing::BaseSettings("cnn"), 0));
  const fs::path reports = dir_ / "out" / "reports";

  const std::string path = report::WriteMarkdownReport(store, "mnist_quick", reports.string());

  EXPECT_EQ(path, (reports / "mnist_quick.md").string());
  const std::string text = ReadFile(path);
  EXPECT_EQ(text, report::RenderMarkdownReport("mnist_quick", store.LoadRuns("mnist_quick")));
  EXPECT_NE(text.find("| cnn/mixed_precision | cnn/baseline     | 1 / 2 |    -50.0 |"
                      "      -40.0 |   -40.0 |               -1.00 |"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("loss became NaN at epoch 2"), std::string::npos);
  EXPECT_EQ(text.find("cnn/in_flight"), std::string::npos);
  // Only the report is left in the folder: no temporary file.
  EXPECT_EQ(std::distance(fs::directory_iterator(reports), fs::directory_iterator()), 1);
}

TEST_F(WriteReportTest, ReplacesAnEarlierReport) {
  ResultsStore store((dir_ / "results.sqlite").string());
  StoreRuns(store, SampleRuns());
  const fs::path path = dir_ / "mnist_quick.md";
  std::ofstream(path) << "stale report";
  report::WriteMarkdownReport(store, "mnist_quick", dir_.string());
  EXPECT_EQ(ReadFile(path).rfind("# carbonbench report: mnist_quick", 0), 0u);
}

TEST_F(WriteReportTest, RefusesASuiteWithoutRuns) {
  ResultsStore store((dir_ / "results.sqlite").string());
  StoreRuns(store, SampleRuns());
  const fs::path reports = dir_ / "reports";
  EXPECT_THROW(report::WriteMarkdownReport(store, "other_suite", reports.string()),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(reports / "other_suite.md"));
}

}  // namespace
}  // namespace carbonbench
