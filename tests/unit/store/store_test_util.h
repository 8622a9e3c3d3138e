// Shared fixtures of the store tests: a fresh temporary folder per test and
// runs with every field set to a distinct value, so a column mixed up with
// another shows up in a round trip.
#pragma once

#include <filesystem>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "records/record_json.h"
#include "store/results_store.h"
#include "temp_dir_test.h"

namespace carbonbench::store_testing {

using test_support::TempDirTest;

inline RunStart SampleStart(const std::string& suite = "mnist_quick",
                            const std::string& hash = "abc123", int repetition = 0) {
  RunStart start;
  start.suite = suite;
  start.cell_name = "cnn/mixed_precision";
  start.config_hash = hash;
  start.config_json = R"({"optimizations":["mixed_precision"],"settings":{}})";
  start.repetition = repetition;
  start.seed = 9007199254740993;  // needs all 64 bits
  start.model = "cnn";
  start.optimizations = "mixed_precision";
  start.dataset = "mnist";
  start.environment = DecodeRecord<EnvironmentRecord>(R"({"cores":8,"cpu":"Test CPU"})");
  start.meters = DecodeRecord<std::vector<MeterRecord>>(
      R"([{"components":{"cpu":"estimated"},"method":"m","name":"cpu_estimate"}])");
  start.region_requested = "IN-TN";
  start.region_used = "IND";
  start.intensity_g_per_kwh = 713.25;
  start.intensity_source = "CodeCarbon global_energy_mix.json";
  start.pue = 1.2;
  start.carbon =
      DecodeRecord<CarbonDetails>(R"({"country_iso_code":"IND","fallback_path":["IN-TN","IND"]})");
  start.idle = DecodeRecord<IdleRecord>(R"({"duration_s":5.0,"watts":{"cpu":3.5}})");
  return start;
}

// A forecasting run: regression task, on another dataset.
inline RunStart SampleRegressionStart(const std::string& suite = "co2_quick",
                                      const std::string& hash = "def456", int repetition = 0) {
  RunStart start = SampleStart(suite, hash, repetition);
  start.cell_name = "cnn1d/baseline";
  start.model = "cnn1d";
  start.optimizations = "";
  start.dataset = "mauna_loa_co2";
  start.task = kRegressionTask;
  return start;
}

inline EpochRecord SampleEpoch(int number) {
  EpochRecord epoch;
  epoch.epoch = number;
  epoch.train_loss = 0.5 / number;
  epoch.test_loss = 0.6 / number;
  epoch.test_accuracy = 0.9 + 0.01 * number;
  epoch.test_rmse = 1.5 / number;
  epoch.test_mae = 1.25 / number;
  epoch.train_s = 10.5 + number;
  epoch.eval_s = 1.25;
  epoch.data_s = 0.75;
  epoch.energy_wh = 0.125 * number;
  epoch.co2_g = 0.0625 * number;
  epoch.energy_provenance = "estimated";
  epoch.phase = number > 1 ? "finetune" : "train";
  return epoch;
}

inline RunSummary SampleSummary() {
  RunSummary summary;
  summary.epochs_run = 2;
  summary.best_accuracy = 0.93;
  summary.final_accuracy = 0.92;
  summary.best_rmse = 0.71;
  summary.final_rmse = 0.75;
  summary.final_mae = 0.5625;
  summary.duration_s = 25.5;
  summary.energy_wh = 0.375;
  summary.co2_g = 0.1875;
  summary.idle_energy_wh = 0.0625;
  summary.energy_provenance = "estimated";
  summary.usage =
      DecodeRecord<UsageRecord>(R"({"cpu_utilization_percent":87.5,"ram_used_gb":1.25})");
  summary.stop_reason = "completed 2 epochs";
  summary.model_path = "/tmp/models/cnn.pt";
  summary.compute_dtype = "bf16 autocast";
  summary.phases = {{"train", "cpu", 0.3, "estimated", "cpu_estimate", 0.15},
                    {"eval", "ram", 0.075, "estimated", "ram_estimate", 0.0375}};
  summary.warnings = {"intensity fell back to country", "second warning"};
  summary.confusion =
      DecodeRecord<ConfusionRecord>(R"({"classes":["a","b"],"matrix":[[5,1],[0,6]]})");
  summary.memory = DecodeRecord<MemoryRecord>(R"({"train":{"peak_rss_mb":812.5}})");
  summary.figures = DecodeRecord<OptimizationFigures>(R"({"pruning.sparsity":0.5})");
  return summary;
}

// A run whose figures carry error bands and that recorded how it was
// measured (store version 7), on top of the samples above.
inline RunStart SampleBandedStart(const std::string& suite = "banded",
                                  const std::string& hash = "b7", int repetition = 0) {
  RunStart start = SampleStart(suite, hash, repetition);
  start.meters = DecodeRecord<std::vector<MeterRecord>>(
      R"([{"band_basis":"leave-one-machine-out validation on 6 machines","band_relative":0.35,)"
      R"("calibration":"calibrated on this machine against rapl on 2026-12-07, ±4 %",)"
      R"("components":{"cpu":"estimated"},"method":"m","name":"cpu_estimate"}])");
  return start;
}

inline EpochRecord SampleBandedEpoch(int number) {
  EpochRecord epoch = SampleEpoch(number);
  epoch.energy_band_wh = 0.03125 * number;
  return epoch;
}

inline RunSummary SampleBandedSummary() {
  RunSummary summary = SampleSummary();
  summary.energy_band_wh = 0.1171875;
  summary.phases[0].band_wh = 0.105;
  summary.phases[1].band_wh = 0.0125;
  summary.measurement = DecodeRecord<MeasurementRecord>(
      R"({"components":[{"band_basis":"validation","band_relative":0.35,"component":"cpu",)"
      R"("meter":"cpu_estimate","method":"m","provenance":"estimated","scope":"process"},)"
      R"({"component":"gpu","provenance":"not covered"}],"interval_max_gap_ms":350.0,)"
      R"("interval_mean_ms":101.5,"interval_target_ms":100.0,"outside_load_max":0.75,)"
      R"("outside_load_mean":0.41,"outside_load_warning":"busy","process_load_mean":0.5,)"
      R"("samples":42})");
  InferenceRecord inference;
  inference.batch_size = 8;
  inference.iterations = 10;
  inference.predictions = 80;
  inference.energy_wh = 0.25;
  inference.energy_band_wh = 0.0875;
  inference.energy_provenance = "estimated";
  summary.inference.push_back(inference);
  return summary;
}

// Makes the current runs of a cell history, as a re-run that finished
// would; returns how many. For tests that need history without re-running.
inline int MarkSuperseded(const std::string& store_path, const std::string& suite,
                          const std::string& config_hash) {
  SQLite::Database db(store_path, SQLite::OPEN_READWRITE);
  SQLite::Statement update(db,
                           "UPDATE runs SET superseded_at = '2026-01-01T00:00:00Z' WHERE suite = ? "
                           "AND config_hash = ? AND superseded_at = '' AND status != 'running'");
  update.bind(1, suite);
  update.bind(2, config_hash);
  return update.exec();
}

}  // namespace carbonbench::store_testing
