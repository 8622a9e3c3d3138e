// Two machines split a suite with --shard and combine their stores with
// `merge`; the report from the merged store covers every cell.
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

constexpr const char* kThreeCells = R"(defaults:
  model: cnn
  epochs: 1
  batch_size: 32
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  lr: [0.01, 0.02, 0.03]
inference: {enabled: false}
)";

TEST_F(EndToEnd, ShardsRunEachCellOnceAndMergeIntoOneReportableStore) {
  const fs::path suite = WriteSuite("split", kThreeCells);
  const std::string models = " run " + suite.string() + " --models-dir " + (root_ / "m").string();
  const std::string a = (root_ / "a.db").string(), b = (root_ / "b.db").string();
  const CommandResult first = RunCarbonbench("--store " + a + " --reports-dir " +
                                             (root_ / "ra").string() + models + " --shard 1/2");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("shard 1/2 of 3 cells"), std::string::npos) << first.output;
  const CommandResult second = RunCarbonbench("--store " + b + " --reports-dir " +
                                              (root_ / "rb").string() + models + " --shard 2/2");
  ASSERT_EQ(second.exit_code, 0) << second.output;

  std::map<std::string, int> cells;
  for (const std::string& store : {a, b}) {
    for (const RunRow& run : ResultsStore(store).LoadRuns("split")) ++cells[run.start.cell_name];
  }
  EXPECT_EQ(cells, (std::map<std::string, int>{{"cnn/baseline/lr=0.01", 1},
                                               {"cnn/baseline/lr=0.02", 1},
                                               {"cnn/baseline/lr=0.03", 1}}));

  const std::string all = (root_ / "all.db").string();
  const CommandResult merge = RunCarbonbench("merge " + a + " " + b + " -o " + all);
  ASSERT_EQ(merge.exit_code, 0) << merge.output;
  EXPECT_NE(merge.output.find("3 run(s) written to " + all), std::string::npos) << merge.output;
  const CommandResult report = RunCarbonbench("--store " + all + " --reports-dir " +
                                              (root_ / "rall").string() + " report split");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string markdown = e2e::ReadFile(root_ / "rall" / "split.md");
  for (const char* lr : {"lr=0.01", "lr=0.02", "lr=0.03"}) {
    EXPECT_NE(markdown.find(lr), std::string::npos) << lr;
  }

  // The same cells run again elsewhere: merged with the first, a conflict.
  const std::string again = (root_ / "again.db").string();
  ASSERT_EQ(RunCarbonbench("--store " + again + " --reports-dir " + (root_ / "rc").string() +
                           models + " --shard 1/2")
                .exit_code,
            0);
  const CommandResult conflict =
      RunCarbonbench("merge " + a + " " + again + " -o " + (root_ / "c.db").string());
  EXPECT_EQ(conflict.exit_code, 1) << conflict.output;
  // The same split (the file beside the stores) gives the same cells.
  EXPECT_NE(conflict.output.find("conflict: split/cnn/baseline/lr=0.0"), std::string::npos)
      << conflict.output;

  const CommandResult refused = RunCarbonbench("merge " + a + " -o " + all);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("already exists"), std::string::npos);
  const CommandResult bad_shard = RunCarbonbench("--store " + a + models + " --shard 3/2");
  EXPECT_NE(bad_shard.exit_code, 0);
  EXPECT_NE(bad_shard.output.find("numbered 1..n"), std::string::npos) << bad_shard.output;
}

// Cells of uneven cost: the split follows their predicted time, is written
// once, and every shard follows the same file; a suite edited since is
// refused, naming both sides.
constexpr const char* kUnevenCells = R"(defaults:
  model: cnn
  batch_size: 32
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  epochs: [1, 2, 6]
inference: {enabled: false}
)";

TEST_F(EndToEnd, ACostSplitIsMadeOnceFollowedByEveryShardAndGuardedAgainstEdits) {
  const fs::path suite = WriteSuite("uneven", kUnevenCells);
  const std::string split_file = (root_ / "uneven.split.json").string();
  const CommandResult plan =
      RunCarbonbench("--store " + (root_ / "p.db").string() + " plan " + suite.string() +
                     " --shards 2 --shard-plan " + split_file);
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("2 shards, cell repetitions balanced by predicted cost"),
            std::string::npos)
      << plan.output;
  EXPECT_NE(plan.output.find("round-robin of whole cells:"), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("wrote the split to " + split_file), std::string::npos) << plan.output;
  const nlohmann::json written = nlohmann::json::parse(e2e::ReadFile(split_file));
  ASSERT_EQ(written.at("cells").size(), 3u);
  // The six-epoch cell outweighs the two others together: it has a shard
  // to itself (round-robin would pair it with the one-epoch cell).
  const int long_shard = written.at("cells").at(2).at("shards").at(0).get<int>();
  for (int other : {0, 1}) {
    EXPECT_NE(written.at("cells").at(other).at("shards").at(0).get<int>(), long_shard) << other;
  }

  std::map<std::string, int> cells;
  for (int index : {1, 2}) {
    const std::string store = (root_ / ("s" + std::to_string(index) + ".db")).string();
    const CommandResult shard =
        RunCarbonbench("--store " + store + " run " + suite.string() +
                       " --no-report --models-dir " + (root_ / "m").string() + " --shard " +
                       std::to_string(index) + "/2 --shard-plan " + split_file);
    ASSERT_EQ(shard.exit_code, 0) << shard.output;
    EXPECT_NE(shard.output.find("following the split in " + split_file), std::string::npos)
        << shard.output;
    for (const RunRow& run : ResultsStore(store).LoadRuns("uneven")) ++cells[run.start.cell_name];
  }
  EXPECT_EQ(cells.size(), 3u);
  for (const auto& [name, count] : cells) EXPECT_EQ(count, 1) << name;
  EXPECT_FALSE(fs::exists(root_ / "reports" / "uneven.md"));

  // The suite gains a cell: the split no longer covers it.
  std::string edited = kUnevenCells;
  edited.replace(edited.find("[1, 2, 6]"), 9, "[1, 2, 6, 3]");
  const fs::path grown = WriteSuite("uneven", edited);
  const CommandResult refused =
      RunCarbonbench("--store " + (root_ / "s1.db").string() + " run " + grown.string() +
                     " --shard 1/2 --shard-plan " + split_file);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("was made for 3 cells of suite uneven"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("now has 4"), std::string::npos) << refused.output;
  const CommandResult other_count =
      RunCarbonbench("--store " + (root_ / "s1.db").string() + " run " + suite.string() +
                     " --shard 1/3 --shard-plan " + split_file);
  EXPECT_NE(other_count.exit_code, 0);
  EXPECT_NE(other_count.output.find("into 2 shards; this is suite uneven in 3 shards"),
            std::string::npos)
      << other_count.output;

  // Round-robin needs no file: shard 2 of 2 is the second and fourth cells.
  const CommandResult round_robin =
      RunCarbonbench("--store " + (root_ / "rr.db").string() + " plan " + grown.string() +
                     " --shard 2/2 --shard-by round-robin --probe-steps 0");
  EXPECT_NE(round_robin.output.find("epochs=2 "), std::string::npos) << round_robin.output;
  EXPECT_NE(round_robin.output.find("epochs=3 "), std::string::npos) << round_robin.output;
  EXPECT_EQ(round_robin.output.find("epochs=6 "), std::string::npos) << round_robin.output;
}

// The split's unit is a cell repetition: one cell's repetitions spread
// over the shards, and the shards' stores hold each repetition once.
TEST_F(EndToEnd, ACellsRepetitionsSpreadOverTheShards) {
  const fs::path suite = WriteSuite("reps", R"(defaults:
  model: cnn
  epochs: 1
  batch_size: 32
  threads: 1
  cnn: {channels: 4, hidden: 16}
repetitions: 4
inference: {enabled: false}
)");
  std::map<int, int> repetitions;
  for (int index : {1, 2}) {
    const std::string store = (root_ / ("r" + std::to_string(index) + ".db")).string();
    const CommandResult shard = RunCarbonbench(
        "--store " + store + " run " + suite.string() + " --no-report --models-dir " +
        (root_ / "m").string() + " --shard " + std::to_string(index) + "/2 --shard-plan " +
        (root_ / "reps.split.json").string());
    ASSERT_EQ(shard.exit_code, 0) << shard.output;
    EXPECT_NE(shard.output.find("2 run(s) of 1 cell(s) (shard " + std::to_string(index) +
                                "/2 of 1 cells x 4 repetition(s))"),
              std::string::npos)
        << shard.output;
    for (const RunRow& run : ResultsStore(store).LoadRuns("reps")) {
      ++repetitions[run.start.repetition];
    }
  }
  EXPECT_EQ(repetitions, (std::map<int, int>{{0, 1}, {1, 1}, {2, 1}, {3, 1}}));
}

}  // namespace
}  // namespace carbonbench::e2e
