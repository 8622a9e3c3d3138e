// The whole rendered report against a reviewed copy, so that any change of
// its text is a deliberate one.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/export/exports.h"
#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench {
namespace {

const char* const kGoldenDir = CARBONBENCH_TEST_SOURCE_DIR "/unit/report/golden/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Where the texts part, as "line N:\n  golden: ...\n  actual: ...".
std::string FirstDifference(const std::string& golden, const std::string& actual) {
  const auto expected_lines = Lines(golden);
  const auto actual_lines = Lines(actual);
  const std::size_t count = std::max(expected_lines.size(), actual_lines.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::string expected = i < expected_lines.size() ? expected_lines[i] : "<end of file>";
    const std::string got = i < actual_lines.size() ? actual_lines[i] : "<end of file>";
    if (expected != got) {
      return "line " + std::to_string(i + 1) + ":\n  golden: " + expected + "\n  actual: " + got;
    }
  }
  return "the texts differ only in their final line break";
}

// The rendered report against golden/<file>; with CARBONBENCH_UPDATE_GOLDEN
// set, rewrites the file instead.
void ExpectMatchesGolden(const std::string& file, const std::string& actual) {
  const std::string path = kGoldenDir + file;
  if (std::getenv("CARBONBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "wrote " << path << "; review it with git diff";
  }
  const std::string golden = ReadFile(path);
  ASSERT_FALSE(golden.empty()) << "missing golden file " << path;
  // Not EXPECT_EQ: its dump of two whole reports hides where they part.
  EXPECT_TRUE(actual == golden)
      << "the report differs from " << path << " at " << FirstDifference(golden, actual)
      << "\nIf the change is intended, rerun with CARBONBENCH_UPDATE_GOLDEN=1 "
         "and review the file with git diff.";
}

TEST(GoldenReportTest, MatchesTheReviewedReport) {
  ExpectMatchesGolden("basic_report.md",
                      RenderMarkdownReport("mnist_quick", report_testing::SampleRuns(),
                                           report_testing::BuiltInOptions()));
}

// Classification and regression cells side by side: a table per task.
TEST(GoldenReportTest, MatchesTheReviewedMixedTaskReport) {
  ExpectMatchesGolden("mixed_report.md",
                      RenderMarkdownReport("mixed_quick", report_testing::MixedRuns(),
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
