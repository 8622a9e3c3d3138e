// A suite name read from a store becomes the report's file names: one that
// is a path is refused, naming the store and the name, and nothing is
// written outside the reports folder.
#include <filesystem>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "report/suite_report.h"
#include "store/results_store.h"
#include "unit/store/store_test_util.h"

namespace carbonbench {
namespace {

using SuiteReportName = store_testing::TempDirTest;

TEST_F(SuiteReportName, ASuiteNamedByAPathIsRefusedAndNothingIsWritten) {
  const std::string outside = (dir_ / "outside" / "stolen").string();
  std::filesystem::create_directories(dir_ / "outside");
  ResultsStore store((dir_ / "results.db").string());
  for (const std::string& name : {outside, std::string("../stolen")}) {
    const std::int64_t id = store.BeginRun(store_testing::SampleStart(name, "h", 0));
    store.FinishRun(id, store_testing::SampleSummary());
    try {
      report::WriteSuiteReport(store, name, (dir_ / "reports").string(), {});
      FAIL() << "a report was written for suite '" << name << "'";
    } catch (const std::runtime_error& error) {
      EXPECT_EQ(std::string(error.what())
                    .rfind("store " + store.path() + ": suite name '" + name + "' may only use", 0),
                0u)
          << error.what();
    }
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "outside"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "stolen.md"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "reports"));
}

}  // namespace
}  // namespace carbonbench
