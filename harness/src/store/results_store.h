// The results store: one SQLite file, written as a run goes (an epoch at a
// time, each in a transaction), so a killed suite loses at most the epoch in
// flight and finished results are never lost.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace carbonbench {

// Version 2 added the task of a run and the regression figures (RMSE, MAE);
// version 3 the carbon accounting's details, the idle baseline and the
// machine's use during a run; version 4 the inference phase; version 5 a
// classifier's confusion matrix; version 6 peak memory per phase, the
// figures optimizations measured, and each epoch's phase.
inline constexpr int kStoreSchemaVersion = 6;

// The values of RunStart::task.
inline constexpr const char* kClassificationTask = "classification";
inline constexpr const char* kRegressionTask = "regression";

// Energy of one phase on one component. Figures carry their unit in their
// name and their provenance ("measured" | "estimated" | "absent").
struct PhaseEnergy {
  std::string phase;      // "train" | "eval" | ...
  std::string component;  // "cpu" | "gpu" | "ram"
  double energy_wh = 0;   // PUE applied
  std::string provenance;
  std::string meter;      // plugin name that produced it
  double co2_g = 0;       // at the intensity of the hours it was drawn in
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
  double data_s = 0;        // time spent preparing batches (part of train_s)
  double energy_wh = 0;     // this epoch, all phases and components, PUE applied
  double co2_g = 0;
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
  double throughput_per_s = 0;   // predictions per second
  double energy_wh = 0;          // the loop's, PUE applied
  double co2_g = 0;
  double energy_wh_per_1000 = 0;  // per 1,000 predictions
  std::string energy_provenance;
};

// Known when a run starts.
struct RunStart {
  std::string suite;
  std::string cell_name;
  std::string config_hash;
  std::string config_json;
  int repetition = 0;  // 0-based
  std::int64_t seed = 0;
  std::string model;
  std::string optimizations;  // joined with "+", empty for none
  std::string dataset;
  std::string task = kClassificationTask;  // or kRegressionTask
  std::string environment_json;  // cpu, cores, threads, blas, torch, allocator...
  // [{name, method, components: {cpu: "estimated"}, scope: "process"}]; runs
  // stored before scopes were recorded have none (see RecordedMeterScope).
  std::string meters_json;
  std::string region_requested;
  std::string region_used;
  double intensity_g_per_kwh = 0;
  std::string intensity_source;
  double pue = 1.0;
  // {country_iso_code, country_name, subdivision, cloud_provider,
  //  cloud_region, year, fallback_path, pue_source, intensity_csv}
  std::string carbon_json = "{}";
  // The suite's idle baseline: {duration_s, watts: {cpu: W, ...},
  // provenance: {cpu: "measured"}, meters: {cpu: "<meter>"}}; "{}" when none.
  std::string idle_json = "{}";
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
  double duration_s = 0;      // wall time of the whole run
  double energy_wh = 0;       // all phases and components, PUE applied
  double co2_g = 0;
  // What the machine would have drawn idle over the run (idle baseline power
  // x duration, PUE applied); energy_wh minus this is what the run caused.
  // 0 when the suite took no baseline.
  double idle_energy_wh = 0;
  std::string energy_provenance;
  // {cpu_utilization_percent, ram_used_gb, ram_total_gb, cpu_count,
  //  cpu_model, gpu_count, gpu_model}: what CodeCarbon's CSV reports.
  std::string usage_json = "{}";
  std::string stop_reason;  // "completed 5 epochs" or the optimization's
  std::string model_path;   // saved weights (.pt)
  std::string compute_dtype;  // "fp32", "bf16 autocast", ...
  std::vector<PhaseEnergy> phases;
  std::vector<std::string> warnings;
  // Loading the saved model and its first prediction (batch 1), in s; 0
  // when the inference phase did not run.
  double cold_start_s = 0;
  std::vector<InferenceRecord> inference;  // one per batch size
  // Classifiers: the test split after the last epoch, as {"classes":
  // [names], "matrix": [[count]]} with a row per true class and a column per
  // predicted one; "{}" for regressors and for runs from before version 5.
  std::string confusion_json = "{}";
  // Peak memory per phase: {"train": {"peak_rss_mb": 812.4}, ...}, with
  // "peak_cuda_mb" on CUDA; "{}" for runs from before version 6.
  std::string memory_json = "{}";
  // What optimizations measured: {"pruning.sparsity": 0.5, ...}.
  std::string figures_json = "{}";
};

struct RunRow {
  std::int64_t id = 0;
  std::string status;  // "running" | "finished" | "failed"
  std::string failure_reason;
  std::string started_at;   // ISO 8601 UTC
  std::string finished_at;  // empty while running
  RunStart start;
  RunSummary summary;
  std::vector<EpochRecord> epochs;
};

class ResultsStore {
 public:
  // Opens or creates the file (and its folder). Upgrades a file of an older
  // schema version in place, keeping its rows; refuses one whose version is
  // newer than this program's, naming both versions, and leaves it as it is.
  explicit ResultsStore(const std::string& path);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  const std::string& path() const { return path_; }

  // The finished run of this cell repetition, if any.
  std::optional<RunRow> FindFinished(const std::string& suite,
                                     const std::string& config_hash,
                                     int repetition) const;
  // Deletes every stored run of the cell (for --fresh), with its epochs and
  // inference rows, in one transaction.
  void ForgetCell(const std::string& suite, const std::string& config_hash);

  // Inserts a "running" row; an earlier unfinished or failed attempt of the
  // same (suite, hash, repetition) is removed in the same transaction.
  // Refuses a task other than kClassificationTask or kRegressionTask.
  std::int64_t BeginRun(const RunStart& start);
  void AppendEpoch(std::int64_t run_id, const EpochRecord& epoch);
  // Writes the summary (with its inference rows) in one transaction.
  void FinishRun(std::int64_t run_id, const RunSummary& summary);
  void FailRun(std::int64_t run_id, const std::string& reason,
               const RunSummary& partial);
  // Ends as failed the unfinished attempt of `start`'s cell repetition whose
  // process died without saying so, keeping the epochs it stored and
  // charging their energy and CO2 to it; inserts the failed row when the
  // attempt never began. Returns its id.
  std::int64_t FailUnfinishedAttempt(const RunStart& start, const std::string& reason,
                                     double duration_s);

  // Every run of the suite (finished and failed; running ones are left out),
  // with epochs and inference rows, ordered by id.
  std::vector<RunRow> LoadRuns(const std::string& suite) const;
  std::vector<std::string> Suites() const;

 private:
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace carbonbench
