// `carbonbench plan` before and after a run, and `run`'s budgets.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

constexpr const char* kTwoCells = R"(defaults:
  model: cnn
  epochs: 2
  batch_size: 32
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  lr: [0.01, 0.02]
inference: {enabled: false}
carbon: {region: FR}
)";

TEST_F(EndToEnd, PlanProbesNewCellsAndPredictsFinishedOnesFromTheStore) {
  const fs::path suite = WriteSuite("planned", kTwoCells);
  const CommandResult before = RunCarbonbench(Common() + " plan " + suite.string());
  ASSERT_EQ(before.exit_code, 0) << before.output;
  EXPECT_NE(before.output.find("| cnn/baseline/lr=0.01 | 1 |"), std::string::npos) << before.output;
  EXPECT_NE(before.output.find("probe of 5 training steps (estimated)"), std::string::npos);
  EXPECT_NE(before.output.find("total still to run: "), std::string::npos);
  // Probing stores nothing.
  EXPECT_TRUE(ResultsStore((root_ / "results.db").string()).LoadRuns("planned").empty());

  ASSERT_EQ(RunCarbonbench(RunSuite(suite, "--benchmark_filter=lr=0.01")).exit_code, 0);
  const auto runs = ResultsStore((root_ / "results.db").string()).LoadRuns("planned");
  ASSERT_EQ(runs.size(), 1u);
  const CommandResult after = RunCarbonbench(Common() + " plan " + suite.string());
  ASSERT_EQ(after.exit_code, 0) << after.output;
  // The finished cell: predicted from its stored run, nothing left to run.
  EXPECT_NE(after.output.find("| cnn/baseline/lr=0.01 | 0 (1 finished) |"), std::string::npos)
      << after.output;
  char co2[64];
  std::snprintf(co2, sizeof(co2), "%.4g | 1 stored run (estimated)", runs[0].summary.co2_g);
  EXPECT_NE(after.output.find(co2), std::string::npos) << after.output;
  EXPECT_NE(after.output.find("| cnn/baseline/lr=0.02 | 1 |"), std::string::npos);
}

TEST_F(EndToEnd, ABudgetBelowThePredictionRefusesToStart) {
  const fs::path suite = WriteSuite("budget", kTwoCells);
  const CommandResult refused = RunCarbonbench(RunSuite(suite, "--max-energy-wh 0.0000001"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("not started: the suite is predicted to use"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("above --max-energy-wh 1e-07"), std::string::npos);
  EXPECT_TRUE(ResultsStore((root_ / "results.db").string()).LoadRuns("budget").empty());

  const CommandResult allowed = RunCarbonbench(RunSuite(suite, "--max-co2-g 1000"));
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_NE(allowed.output.find("within the budget"), std::string::npos);
  EXPECT_EQ(ResultsStore((root_ / "results.db").string()).LoadRuns("budget").size(), 2u);
}

}  // namespace
}  // namespace carbonbench::e2e
