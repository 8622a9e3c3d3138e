// The explorer's documents as plain functions over runs built in code.
#include "serve/explorer_json.h"

#include <gtest/gtest.h>

#include "unit/report/report_test_util.h"

namespace carbonbench::serve {
namespace {

using report_testing::BuiltInOptions;
using report_testing::SampleRuns;

RunRow Running(std::int64_t id, const RunRow& like, int repetition, int epochs_done) {
  RunRow run = like;
  run.id = id;
  run.status = "running";
  run.finished_at = "";
  run.summary = RunSummary{};
  run.start.repetition = repetition;
  run.epochs.resize(epochs_done);
  return run;
}

TEST(SuiteStateTest, CountsCellsByStateWithRunningBeforeFailed) {
  const std::vector<RunRow> runs = SampleRuns();
  const SuiteState idle = StateOf("mnist_quick", runs, {});
  EXPECT_EQ(idle.cells, 4);
  EXPECT_EQ(idle.cells_failed, 1);
  EXPECT_EQ(idle.cells_finished, 3);
  EXPECT_EQ(idle.cells_running, 0);
  EXPECT_EQ(idle.runs_failed, 1);
  EXPECT_EQ(idle.runs_finished, static_cast<int>(runs.size()) - 1);
  EXPECT_FALSE(idle.last_activity.empty());

  // A third repetition of the baseline under way: that cell is running.
  const SuiteState live = StateOf("mnist_quick", runs, {Running(99, runs.front(), 2, 1)});
  EXPECT_EQ(live.cells, 4);
  EXPECT_EQ(live.cells_running, 1);
  EXPECT_EQ(live.cells_finished, 2);
  EXPECT_EQ(live.runs_running, 1);
}

TEST(SuiteDocumentTest, HoldsCellsBoardsFrontsBaselineRowsAndRecommendations) {
  const std::vector<RunRow> runs = SampleRuns();
  report::ReportOptions options = BuiltInOptions();
  options.objective = "energy";
  const nlohmann::json document = SuiteDocument("mnist_quick", runs, {}, options);
  EXPECT_EQ(document["name"], "mnist_quick");
  EXPECT_EQ(document["objective"], "energy");
  ASSERT_EQ(document["cells"].size(), 4u);
  ASSERT_FALSE(document["leaderboards"].empty());
  const nlohmann::json& board = document["leaderboards"][0];
  EXPECT_EQ(board["objective"], "energy");
  ASSERT_FALSE(board["rows"].empty());
  EXPECT_EQ(board["rows"][0]["rank"], 1);
  EXPECT_TRUE(board["rows"][0]["config_hash"].get<std::string>().rfind("hash_", 0) == 0);
  // Every finished cell is a point; at least one is on the front.
  ASSERT_FALSE(document["pareto"].empty());
  bool any_front = false;
  for (const auto& point : document["pareto"][0]["points"]) {
    any_front = any_front || point["front_energy"].get<bool>();
  }
  EXPECT_TRUE(any_front);
  // The mixed-precision cell against its baseline, as the report prints it.
  bool mixed_row = false;
  for (const auto& row : document["baseline"]) {
    if (row["baseline"] == "cnn/baseline") {
      mixed_row = true;
      EXPECT_NE(row["energy_change_percent"].get<std::string>(), "");
    }
  }
  EXPECT_TRUE(mixed_row) << document["baseline"].dump();
  EXPECT_FALSE(document["recommendations"].empty());
}

TEST(SuiteDocumentTest, ListsACellThatOnlyHasARunningRepetition) {
  const std::vector<RunRow> runs = SampleRuns();
  RunRow fresh = Running(100, runs.front(), 0, 2);
  fresh.start.config_hash = "hash_new";
  fresh.start.cell_name = "cnn/new";
  const nlohmann::json document = SuiteDocument("mnist_quick", runs, {fresh}, BuiltInOptions());
  bool found = false;
  for (const auto& cell : document["cells"]) {
    if (cell["config_hash"] == "hash_new") {
      found = true;
      EXPECT_EQ(cell["state"], "running");
      ASSERT_EQ(cell["running"].size(), 1u);
      EXPECT_EQ(cell["running"][0]["epochs_done"], 2);
    }
  }
  EXPECT_TRUE(found);
}

TEST(CellDocumentTest, HoldsEveryRunOfTheCellInFullAndNothingForAnUnknownHash) {
  const std::vector<RunRow> runs = SampleRuns();
  const std::string hash = runs.front().start.config_hash;
  const auto cell = CellDocument(hash, runs, {Running(99, runs.front(), 2, 1)});
  ASSERT_TRUE(cell.has_value());
  EXPECT_EQ((*cell)["state"], "running");
  int finished = 0, running = 0;
  for (const auto& run : (*cell)["runs"]) {
    EXPECT_EQ(run["config_hash"], hash);
    EXPECT_TRUE(run.contains("epochs"));
    EXPECT_TRUE(run.contains("phases"));
    EXPECT_TRUE(run.contains("measurement"));
    finished += run["status"] == "finished";
    running += run["status"] == "running";
  }
  EXPECT_GE(finished, 1);
  EXPECT_EQ(running, 1);
  EXPECT_FALSE(CellDocument("no_such_hash", runs, {}).has_value());
}

TEST(EpochsDocumentTest, GivesTheRunsEpochsInOrder) {
  const RunRow run = SampleRuns().front();
  const nlohmann::json document = EpochsDocument(run);
  EXPECT_EQ(document["run_id"], run.id);
  ASSERT_EQ(document["epochs"].size(), run.epochs.size());
  EXPECT_EQ(document["epochs"][0]["epoch"], 1);
  EXPECT_NEAR(document["epochs"][1]["energy_wh"].get<double>(), run.epochs[1].energy_wh, 1e-12);
}

}  // namespace
}  // namespace carbonbench::serve
