// A store written by the release of store schema version 6 reports, through
// this release's `carbonbench report`, exactly as that release reported it.
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "e2e_util.h"

namespace carbonbench::e2e {
namespace {

// CARBONBENCH_TEST_SOURCE_DIR is tests/e2e here.
const fs::path kFixture = fs::path(CARBONBENCH_TEST_SOURCE_DIR) / ".." / "fixtures" / "store_v6";

TEST_F(EndToEnd, AVersion6StoreReportsAsItsReleaseReportedIt) {
  const fs::path store = root_ / "results.db";
  {
    SQLite::Database db(store.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::string dump = ReadFile(kFixture / "results.sql");
    ASSERT_FALSE(dump.empty()) << kFixture;
    db.exec(dump);
  }
  for (const std::string suite : {"fixture", "train"}) {
    const CommandResult run = RunCarbonbench(Common() + " report " + suite);
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  for (const char* name : {"fixture.md", "fixture.runs.json", "fixture.runs.csv",
                           "fixture.epochs.csv", "fixture.emissions.csv", "fixture.leaderboard.csv",
                           "train.md", "train.runs.json", "train.emissions.csv"}) {
    EXPECT_EQ(ReadFile(root_ / "reports" / name), ReadFile(kFixture / name)) << name;
  }
}

}  // namespace
}  // namespace carbonbench::e2e
