// Predictions of a plan: from stored runs, from a probe scaled to the full
// schedule, totals and the budget check.
#include "runner/plan.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "runner/shard_plan.h"

namespace carbonbench {
namespace {

RunRow Finished(double duration_s, double energy_wh, double co2_g) {
  RunRow row;
  row.status = "finished";
  row.summary.duration_s = duration_s;
  row.summary.energy_wh = energy_wh;
  row.summary.co2_g = co2_g;
  row.summary.energy_provenance = "estimated";
  return row;
}

TEST(Plan, StoredRunsPredictTheirMean) {
  EXPECT_FALSE(PredictFromRuns({}).has_value());
  const auto prediction =
      PredictFromRuns({Finished(10, 1.0, 0.5), Finished(20, 2.0, 1.0), Finished(30, 6.0, 3.0)});
  ASSERT_TRUE(prediction.has_value());
  EXPECT_TRUE(prediction->predicted);
  EXPECT_DOUBLE_EQ(prediction->duration_s, 20);
  EXPECT_DOUBLE_EQ(prediction->energy_wh, 3.0);
  EXPECT_DOUBLE_EQ(prediction->co2_g, 1.5);
  EXPECT_EQ(prediction->basis, "mean of 3 stored runs");
  EXPECT_EQ(PredictFromRuns({Finished(1, 1, 1)})->basis, "1 stored run");
}

TEST(Plan, AProbeIsScaledToEveryEpochPlusInference) {
  ProbeResult probe;
  probe.steps = 5;
  probe.train_step_s = 0.1;
  probe.eval_batch_s = 0.5;
  probe.train_batches_per_epoch = 100;  // 10 s of training per epoch
  probe.eval_batches_per_epoch = 2;     // 1 s of evaluation per epoch
  probe.epochs = 4;
  probe.inference_s = 6;
  probe.watts = 36;  // 36 W for 50 s = 0.5 Wh
  probe.provenance = "estimated";
  const CellPrediction prediction = PredictFromProbe(probe, 400);
  EXPECT_DOUBLE_EQ(prediction.duration_s, 4 * 11.0 + 6);
  EXPECT_DOUBLE_EQ(prediction.energy_wh, 0.5);
  EXPECT_DOUBLE_EQ(prediction.co2_g, 0.2);  // 0.0005 kWh x 400 g/kWh
  EXPECT_EQ(prediction.basis, "probe of 5 training steps");
  EXPECT_EQ(ProbeResult::FromJson(probe.ToJson()).ToJson(), probe.ToJson());
}

TEST(Plan, TotalsCountOnlyRepetitionsStillToRun) {
  CellPrediction done = *PredictFromRuns({Finished(100, 10, 5)});
  done.repetitions_to_run = 0;
  CellPrediction half = *PredictFromRuns({Finished(10, 1, 0.5)});
  half.repetitions_to_run = 2;
  CellPrediction unknown;
  unknown.repetitions_to_run = 1;
  const SuitePlan plan = TotalPlan({done, half, unknown});
  EXPECT_DOUBLE_EQ(plan.duration_s, 20);
  EXPECT_DOUBLE_EQ(plan.energy_wh, 2);
  EXPECT_DOUBLE_EQ(plan.co2_g, 1);
  EXPECT_EQ(plan.unpredicted, 1);
}

TEST(Plan, TheBudgetRefusesAPlanAboveItAndSaysHowToProceed) {
  CellPrediction cell = *PredictFromRuns({Finished(10, 2, 1)});
  cell.repetitions_to_run = 3;  // 6 Wh, 3 g
  const SuitePlan plan = TotalPlan({cell});
  EXPECT_EQ(CheckBudget(plan, 0, 0), "");
  EXPECT_EQ(CheckBudget(plan, 6.5, 3.5), "");
  const std::string energy = CheckBudget(plan, 5, 0);
  EXPECT_NE(energy.find("predicted to use 6 Wh, above --max-energy-wh 5"), std::string::npos)
      << energy;
  const std::string co2 = CheckBudget(plan, 0, 2.5);
  EXPECT_NE(co2.find("predicted to emit 3 g CO2, above --max-co2-g 2.5"), std::string::npos) << co2;
  CellPrediction unknown;
  unknown.repetitions_to_run = 1;
  EXPECT_NE(CheckBudget(TotalPlan({cell, unknown}), 100, 0).find("could not be predicted"),
            std::string::npos);
}

CellPrediction Predicted(const std::string& name, double duration_s) {
  CellPrediction cell;
  cell.cell_name = name;
  cell.config_hash = name + "-hash";
  cell.predicted = duration_s > 0;
  cell.duration_s = duration_s;
  cell.basis = cell.predicted ? "probe" : "the probe failed";
  return cell;
}

TEST(ShardPlan, RepetitionsAreSplitAndAnUnpredictedCellCountsAsTheMedian) {
  Suite suite;
  suite.name = "s";
  suite.repetitions = 2;
  SuitePlan plan;
  plan.cells = {Predicted("a", 10), Predicted("b", 30), Predicted("c", 0), Predicted("d", 20)};
  const ShardPlan split = MakeShardPlan(suite, plan, 2, kShardByCost);
  ASSERT_EQ(split.cells.size(), 4u);
  EXPECT_DOUBLE_EQ(split.cells[2].predicted_s, 20);  // the median of 10, 20 and 30
  EXPECT_EQ(split.cells[2].basis.rfind("not predicted", 0), 0u) << split.cells[2].basis;
  // 8 runs of 30 30 20 20 20 20 10 10 (160 s) on 2 shards: 80 s each.
  double loads[2] = {0, 0};
  for (const ShardPlanCell& cell : split.cells) {
    ASSERT_EQ(cell.shards.size(), 2u);
    for (int shard : cell.shards) loads[shard - 1] += cell.predicted_s;
  }
  EXPECT_DOUBLE_EQ(loads[0], 80);
  EXPECT_DOUBLE_EQ(loads[1], 80);
  // Each shard's part names cells by position, repetitions ascending.
  std::size_t runs = 0;
  for (int shard : {1, 2}) {
    for (const ShardCell& cell : CellsOfShard(split, shard)) {
      EXPECT_TRUE(std::is_sorted(cell.repetitions.begin(), cell.repetitions.end()));
      runs += cell.repetitions.size();
    }
  }
  EXPECT_EQ(runs, 8u);
  EXPECT_NE(FormatShardPlan(split).find("1 of 4 cell(s) could not be predicted"), std::string::npos)
      << FormatShardPlan(split);
}

TEST(ShardPlan, RoundRobinKeepsCellsWholeAndTheFileReadsBack) {
  Suite suite;
  suite.name = "s";
  suite.repetitions = 3;
  SuitePlan plan;
  plan.cells = {Predicted("a", 5), Predicted("b", 5), Predicted("c", 5)};
  const ShardPlan split = MakeShardPlan(suite, plan, 2, kShardByRoundRobin);
  EXPECT_EQ(split.cells[0].shards, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(split.cells[1].shards, (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(split.cells[2].shards, (std::vector<int>{1, 1, 1}));
  const ShardPlan read = ShardPlan::FromJson(split.ToJson());
  EXPECT_EQ(read.repetitions, 3);
  EXPECT_EQ(read.cells[1].shards, split.cells[1].shards);
  EXPECT_EQ(read.cells[2].config_hash, "c-hash");
}

}  // namespace
}  // namespace carbonbench
