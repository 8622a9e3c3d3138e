// The whole rendered report against a reviewed copy, so that any change of
// its text is a deliberate one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "report/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench {
namespace {

const char* const kGoldenPath =
    CARBONBENCH_TEST_SOURCE_DIR "/unit/report/golden/basic_report.md";

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
std::string FirstDifference(const std::string& golden,
                            const std::string& actual) {
  const auto expected_lines = Lines(golden);
  const auto actual_lines = Lines(actual);
  const std::size_t count =
      std::max(expected_lines.size(), actual_lines.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::string expected =
        i < expected_lines.size() ? expected_lines[i] : "<end of file>";
    const std::string got =
        i < actual_lines.size() ? actual_lines[i] : "<end of file>";
    if (expected != got) {
      return "line " + std::to_string(i + 1) + ":\n  golden: " + expected +
             "\n  actual: " + got;
    }
  }
  return "the texts differ only in their final line break";
}

TEST(GoldenReportTest, MatchesTheReviewedReport) {
  const std::string actual =
      RenderMarkdownReport("mnist_quick", report_testing::SampleRuns());
  if (std::getenv("CARBONBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(kGoldenPath, std::ios::binary) << actual;
    GTEST_SKIP() << "wrote " << kGoldenPath << "; review it with git diff";
  }
  const std::string golden = ReadFile(kGoldenPath);
  ASSERT_FALSE(golden.empty()) << "missing golden file " << kGoldenPath;
  // Not EXPECT_EQ: its dump of two whole reports hides where they part.
  EXPECT_TRUE(actual == golden)
      << "the report differs from " << kGoldenPath << " at "
      << FirstDifference(golden, actual)
      << "\nIf the change is intended, rerun with CARBONBENCH_UPDATE_GOLDEN=1 "
         "and review the file with git diff.";
}

}  // namespace
}  // namespace carbonbench
