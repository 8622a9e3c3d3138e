// Predictions of a plan: from stored runs, from a probe scaled to the full
// schedule, totals and the budget check.
#include "runner/plan.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace carbonbench
