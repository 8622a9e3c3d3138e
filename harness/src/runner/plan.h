// What a suite will cost before it runs: per cell, its time, energy and CO2,
// predicted from earlier finished runs of the same configuration where the
// store has them, otherwise from a short probe of its training (a few timed
// steps, scaled to the full schedule).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/run_records.h"

namespace carbonbench {

// A few timed training steps and evaluation batches of one cell, measured in
// its own process with the suite's meters.
struct ProbeResult {
  int steps = 0;            // timed training steps (after warm-up)
  double train_step_s = 0;  // mean wall time of one training step
  int eval_batches = 0;     // timed evaluation batches
  double eval_batch_s = 0;  // mean wall time of one evaluation batch
  double watts = 0;         // mean power over the timed part, PUE applied
  std::string provenance;   // of that power: measured / estimated / mixed
  // The full schedule the probe is scaled to.
  std::int64_t train_batches_per_epoch = 0;
  std::int64_t eval_batches_per_epoch = 0;
  int epochs = 0;
  double inference_s = 0;  // the inference phase's expected length

  nlohmann::json ToJson() const;
  static ProbeResult FromJson(const nlohmann::json& json);
};

struct CellPrediction {
  std::string cell_name;
  std::string config_hash;
  int repetitions_to_run = 0;  // not yet finished in the store
  int repetitions_finished = 0;
  std::string basis;  // "3 stored runs", "probe of 5 steps", or why none
  bool predicted = false;
  // Per repetition.
  double duration_s = 0;
  double energy_wh = 0;
  double co2_g = 0;
  std::string provenance;  // of the energy the prediction is based on

  double RemainingDurationS() const { return duration_s * repetitions_to_run; }
  double RemainingEnergyWh() const { return energy_wh * repetitions_to_run; }
  double RemainingCo2G() const { return co2_g * repetitions_to_run; }
};

// From finished runs of the same configuration (any suite in the store):
// the mean of their figures; nullopt when there are none.
std::optional<CellPrediction> PredictFromRuns(const std::vector<RunRow>& finished_runs);

// The probe scaled to the full schedule: every epoch's training steps and
// evaluation batches at the probe's pace, plus the inference phase, at the
// probe's mean power; CO2 at `g_per_kwh`. Early stopping can only make the
// real run cheaper: this is the full schedule's cost.
CellPrediction PredictFromProbe(const ProbeResult& probe, double g_per_kwh);

struct SuitePlan {
  std::vector<CellPrediction> cells;
  double duration_s = 0;  // what is left to run, all cells
  double energy_wh = 0;
  double co2_g = 0;
  int unpredicted = 0;  // cells neither the store nor a probe could predict
};

SuitePlan TotalPlan(std::vector<CellPrediction> cells);

// Empty when the plan fits the budgets (0: no budget), else the sentence that
// refuses to start, naming the figure, the budget and how to proceed.
std::string CheckBudget(const SuitePlan& plan, double max_energy_wh, double max_co2_g);

}  // namespace carbonbench
