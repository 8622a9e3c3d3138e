// A suite whose hourly intensity file does not cover the hours it ran in.
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

TEST_F(EndToEnd, HoursTheIntensityFileLacksAreNamedWithTheFigureCharged) {
  // Two hours of 2020: a run today is outside them.
  std::ofstream(root_ / "old.csv") << "timestamp,g_per_kwh\n"
                                   << "2020-01-01T00:00:00Z,50\n"
                                   << "2020-01-01T01:00:00Z,60\n";
  const fs::path suite = WriteSuite("uncovered", R"(defaults:
  model: cnn
  epochs: 1
  batch_size: 32
  threads: 1
  cnn: {channels: 4, hidden: 16}
inference: {enabled: false}
carbon: {region: FR, intensity_csv: old.csv}
)");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string expected =
      "carbon.intensity_csv " + (root_ / "old.csv").string() + " has no row for ";
  EXPECT_NE(run.output.find(expected), std::string::npos) << run.output;

  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("uncovered");
  ASSERT_EQ(runs.size(), 1u);
  bool stored = false;
  for (const std::string& warning : runs[0].summary.warnings) {
    if (warning.find(expected) == std::string::npos) continue;
    stored = true;
    EXPECT_NE(warning.find("(its rows cover 2020-01-01T00:00:00Z to 2020-01-01T02:00:00Z)"),
              std::string::npos)
        << warning;
    EXPECT_NE(warning.find("gCO2e/kWh (CodeCarbon"), std::string::npos) << warning;
  }
  EXPECT_TRUE(stored) << "no stored warning names the uncovered hours";
}

}  // namespace
}  // namespace carbonbench::e2e
