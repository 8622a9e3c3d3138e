// A run as the harness records it: what is known when it starts, what it
// measured per epoch and per inference batch size, and how it ended. Plain
// structs, free of torch and of storage: the runner, the training loop and
// the energy sampler fill them, the store keeps them and reports read them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "records/run_details.h"

namespace carbonbench {

// The values of RunStart::task.
inline constexpr const char* kClassificationTask = "classification";
inline constexpr const char* kRegressionTask = "regression";
// The runtime of a model that runs its own C++ modules (NetworkRuntime's
// default), as runs record it.
inline constexpr const char* kCppModulesRuntime = "C++ modules";

// Energy of one phase on one component. Figures carry their unit in their
// name and their provenance ("measured" | "estimated" | "absent").
struct PhaseEnergy {
  std::string phase;      // "train" | "eval" | ...
  std::string component;  // "cpu" | "gpu" | "ram"
  double energy_wh = 0;   // PUE applied
  std::string provenance;
  std::string meter;  // plugin name that produced it
  double co2_g = 0;   // at the intensity of the hours it was drawn in
  // ± this many Wh (PUE applied): the meter's error band times the figure;
  // 0 when none is known (a counter, or a run stored before bands).
  double band_wh = 0;
};

struct EpochRecord {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  double test_loss = 0;
  double test_accuracy = 0;  // fraction in [0, 1]
  double test_rmse = 0;      // regression only, in the target's units
  double test_mae = 0;       // regression only, in the target's units
  double train_s = 0;
  double eval_s = 0;
  double data_s = 0;     // time spent preparing batches (part of train_s)
  double energy_wh = 0;  // this epoch, all phases and components, PUE applied
  double co2_g = 0;
  double energy_band_wh = 0;      // ± Wh, as PhaseEnergy::band_wh; 0 when none known
  std::string energy_provenance;  // "estimated", "measured" or "mixed: ..."
  std::string phase = "train";    // or "finetune": after the planned epochs
};

// The inference phase at one batch size: a Google Benchmark-style loop
// (warm-up, then iterations until a minimum time and count) over the test
// split with the trained model.
struct InferenceRecord {
  std::int64_t batch_size = 1;
  std::int64_t iterations = 0;
  std::int64_t predictions = 0;  // iterations x batch size
  double mean_ms = 0;            // latency of one batch
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double throughput_per_s = 0;  // predictions per second
  double energy_wh = 0;         // the loop's, PUE applied
  double co2_g = 0;
  double energy_wh_per_1000 = 0;  // per 1,000 predictions
  double energy_band_wh = 0;      // ± Wh of energy_wh; 0 when none known
  std::string energy_provenance;
};

// Known when a run starts.
struct RunStart {
  std::string suite;
  std::string cell_name;
  std::string config_hash;
  // The cell's canonical configuration ({"optimizations": [...], "settings":
  // {...}}) exactly as hashed into config_hash: kept as that text, since the
  // hash and the store's duplicate checks are over these bytes.
  std::string config_json;
  int repetition = 0;  // 0-based
  std::int64_t seed = 0;
  std::string model;
  std::string optimizations;  // joined with "+", empty for none
  std::string dataset;
  std::string task = kClassificationTask;  // or kRegressionTask
  EnvironmentRecord environment;
  std::vector<MeterRecord> meters;  // every meter considered, used or not
  std::string region_requested;
  std::string region_used;
  double intensity_g_per_kwh = 0;
  std::string intensity_source;
  double pue = 1.0;
  CarbonDetails carbon;
  IdleRecord idle;  // the suite's idle baseline; empty when none was taken
};

// Known when it ends (or as far as it got, for a failure).
struct RunSummary {
  int epochs_run = 0;
  double best_accuracy = 0;   // fraction
  double final_accuracy = 0;  // fraction
  // Regression only, in the target's units; best is the lowest of any epoch.
  double best_rmse = 0;
  double final_rmse = 0;
  double final_mae = 0;
  double duration_s = 0;  // wall time of the whole run
  double energy_wh = 0;   // all phases and components, PUE applied
  double co2_g = 0;
  // What the machine would have drawn idle over the run (idle baseline power
  // x duration, PUE applied); energy_wh minus this is what the run caused.
  // 0 when the suite took no baseline.
  double idle_energy_wh = 0;
  // ± Wh of energy_wh: the components' bands added (their errors are not
  // independent: one model under-counting every interval), 0 when none known.
  double energy_band_wh = 0;
  std::string energy_provenance;
  UsageRecord usage;
  // How every component was measured or estimated, how regularly it was
  // sampled and how busy the machine was outside the run. Empty for runs
  // from before store version 7.
  MeasurementRecord measurement;
  std::string stop_reason;    // "completed 5 epochs" or the optimization's
  std::string model_path;     // saved weights (.pt)
  std::string compute_dtype;  // "fp32", "bf16 autocast", ...
  // What executed the model (kCppModulesRuntime, "TorchScript") and the
  // architecture it ran (the model's name, or what an exported file
  // declares). Empty for runs from before store version 11.
  std::string runtime;
  std::string architecture;
  std::vector<PhaseEnergy> phases;
  std::vector<std::string> warnings;
  // Loading the saved model and its first prediction (batch 1), in s; 0
  // when the inference phase did not run.
  double cold_start_s = 0;
  std::vector<InferenceRecord> inference;  // one per batch size
  // Classifiers: the test split after the last epoch; empty for regressors
  // and for runs from before store version 5.
  ConfusionRecord confusion;
  // Empty for runs from before store version 6.
  MemoryRecord memory;
  OptimizationFigures figures;
};

// A stored run: its start, its epochs so far and, once it ended, its summary.
struct RunRow {
  std::int64_t id = 0;
  std::string status;  // "running" | "finished" | "failed"
  std::string failure_reason;
  std::string started_at;   // ISO 8601 UTC
  std::string finished_at;  // empty while running
  // When `run --fresh` ran the cell again: the run is kept as history, and
  // reports use the later one. Empty for the cell's current run.
  std::string superseded_at;
  RunStart start;
  RunSummary summary;
  std::vector<EpochRecord> epochs;
};

}  // namespace carbonbench
