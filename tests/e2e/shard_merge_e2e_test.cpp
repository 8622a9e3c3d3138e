// Two machines split a suite with --shard and combine their stores with
// `merge`; the report from the merged store covers every cell.
#include <string>

#include <gtest/gtest.h>

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
  EXPECT_NE(conflict.output.find("conflict: split/cnn/baseline/lr=0.01 repetition 1"),
            std::string::npos)
      << conflict.output;

  const CommandResult refused = RunCarbonbench("merge " + a + " -o " + all);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("already exists"), std::string::npos);
  const CommandResult bad_shard = RunCarbonbench("--store " + a + models + " --shard 3/2");
  EXPECT_NE(bad_shard.exit_code, 0);
  EXPECT_NE(bad_shard.output.find("numbered 1..n"), std::string::npos) << bad_shard.output;
}

}  // namespace
}  // namespace carbonbench::e2e
