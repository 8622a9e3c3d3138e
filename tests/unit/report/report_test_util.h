// Runs of small suites built in code for the report tests. SampleRuns: a
// baseline cell with two repetitions, the same cell with mixed precision, an
// optimized cell of another model (no baseline) and a cell that failed.
// MixedRuns: classification and regression cells in one suite.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "records/record_json.h"
#include "report/render/markdown_report.h"
#include "store/results_store.h"

namespace carbonbench::report_testing {

// As the suite writes it.
inline std::string ConfigJson(nlohmann::json settings,
                              const std::vector<std::string>& optimizations) {
  nlohmann::json config{{"carbon", {{"pue", 1.0}, {"region", "WORLD"}}},
                        {"meters", {"cpu_estimate"}},
                        {"optimizations", optimizations},
                        {"settings", std::move(settings)}};
  return config.dump();
}

// What the built-in optimizations declare, as the host passes it to reports.
inline report::DeclaredRoles BuiltInRoles() { return {{"early_stop"}, {"early_stop.target_acc"}}; }

// Report options as `carbonbench report` gives them with the built-in plugins.
inline report::ReportOptions BuiltInOptions() {
  report::ReportOptions options;
  options.roles = BuiltInRoles();
  return options;
}

inline nlohmann::json BaseSettings(const std::string& model) {
  return {{"model", model},   {"epochs", 2},        {"lr", 0.01},
          {"batch_size", 64}, {"dataset", "mnist"}, {model + ".hidden", 128}};
}

inline RunStart Start(const std::string& cell, const std::string& model,
                      const std::vector<std::string>& optimizations, const nlohmann::json& settings,
                      int repetition) {
  RunStart start;
  start.suite = "mnist_quick";
  start.cell_name = cell;
  start.config_hash = "hash_" + cell;
  start.config_json = ConfigJson(settings, optimizations);
  start.repetition = repetition;
  start.seed = 42 + repetition;
  start.model = model;
  for (const std::string& name : optimizations) {
    start.optimizations += (start.optimizations.empty() ? "" : "+") + name;
  }
  start.dataset = "mnist";
  start.environment =
      DecodeRecord<EnvironmentRecord>(R"({"allocator":"glibc","blas":"OpenBLAS 0.3.21","cores":8,)"
                                      R"("cpu":"Test CPU 3000","threads":4,"torch":"2.1.2"})");
  // As the runner writes it: a meter that could not run is kept, with why.
  start.meters = DecodeRecord<std::vector<MeterRecord>>(
      R"([{"available":false,"name":"rapl",)"
      R"("reason":"no readable /sys/class/powercap"},)"
      R"({"available":true,"components":{"cpu":"estimated"},)"
      R"("method":"CodeCarbon cpu_load model.","name":"cpu_estimate",)"
      R"("reason":""}])");
  start.region_requested = "WORLD";
  start.region_used = "WORLD";
  start.intensity_g_per_kwh = 475;
  start.intensity_source = "CodeCarbon world average";
  start.pue = 1.0;
  return start;
}

// Two epochs sharing the run's energy 40/60, accuracy rising to `final`.
inline std::vector<EpochRecord> Epochs(double energy_wh, double final_accuracy) {
  EpochRecord first;
  first.epoch = 1;
  first.train_loss = 0.5;
  first.test_loss = 0.3;
  first.test_accuracy = final_accuracy - 0.02;
  first.energy_wh = energy_wh * 0.4;
  first.co2_g = first.energy_wh * 0.475;
  first.energy_provenance = "estimated";
  EpochRecord second = first;
  second.epoch = 2;
  second.train_loss = 0.2;
  second.test_loss = 0.1;
  second.test_accuracy = final_accuracy;
  second.energy_wh = energy_wh * 0.6;
  second.co2_g = second.energy_wh * 0.475;
  return {first, second};
}

inline RunRow Finished(std::int64_t id, RunStart start, double duration_s, double energy_wh,
                       double final_accuracy) {
  RunRow run;
  run.id = id;
  run.status = "finished";
  run.started_at = "2024-05-01T10:0" + std::to_string(id) + ":00Z";
  run.finished_at = "2024-05-01T10:0" + std::to_string(id) + ":59Z";
  run.start = std::move(start);
  run.summary.epochs_run = 2;
  run.summary.best_accuracy = final_accuracy + 0.001;
  run.summary.final_accuracy = final_accuracy;
  run.summary.duration_s = duration_s;
  run.summary.energy_wh = energy_wh;
  run.summary.co2_g = energy_wh * 0.475;
  run.summary.energy_provenance = "estimated";
  run.summary.stop_reason = "completed 2 epochs";
  run.summary.model_path = "models/" + run.start.cell_name + ".pt";
  run.summary.compute_dtype = run.start.optimizations.find("mixed_precision") != std::string::npos
                                  ? "bf16 autocast"
                                  : "fp32";
  run.epochs = Epochs(energy_wh, final_accuracy);
  if (run.start.task != kRegressionTask) {
    // 1,000 test samples, 500 of each class, as many right as the accuracy.
    const int right = static_cast<int>(final_accuracy * 1000 + 0.5);
    const int right_even = (right + 1) / 2;
    const int right_odd = right / 2;
    run.summary.confusion = DecodeRecord<ConfusionRecord>(
        nlohmann::json{{"classes", {"even", "odd"}},
                       {"matrix", {{right_even, 500 - right_even}, {500 - right_odd, right_odd}}}}
            .dump());
  }
  return run;
}

inline std::vector<RunRow> SampleRuns() {
  const nlohmann::json cnn = BaseSettings("cnn");
  nlohmann::json mixed = cnn;
  mixed["mixed_precision.dtype"] = "bf16";
  nlohmann::json early = cnn;
  early["early_stop.patience"] = 1;
  nlohmann::json mlp = BaseSettings("mlp");
  mlp["mixed_precision.dtype"] = "bf16";

  std::vector<RunRow> runs;
  runs.push_back(Finished(1, Start("cnn/baseline", "cnn", {}, cnn, 0), 98, 9.5, 0.975));
  runs.push_back(Finished(2, Start("cnn/baseline", "cnn", {}, cnn, 1), 102, 10.5, 0.985));
  runs.back().summary.warnings = {"threads capped at 4 by the cgroup"};
  runs.push_back(
      Finished(3, Start("cnn/mixed_precision", "cnn", {"mixed_precision"}, mixed, 0), 50, 6, 0.97));
  runs.back().summary.warnings = {"threads capped at 4 by the cgroup",
                                  "bf16 autocast is slow on this CPU"};
  runs.push_back(
      Finished(4, Start("mlp/mixed_precision", "mlp", {"mixed_precision"}, mlp, 0), 20, 2, 0.9));
  RunRow failed = Finished(5, Start("cnn/early_stop", "cnn", {"early_stop"}, early, 0), 30, 3, 0.5);
  failed.status = "failed";
  failed.failure_reason = "loss became NaN at epoch 2";
  failed.summary.epochs_run = 1;
  failed.epochs.resize(1);
  runs.push_back(failed);
  return runs;
}

// A finished forecasting run on the Mauna Loa CO2 series: errors in ppm,
// no accuracy. Its best epoch is the first, the second slightly worse.
inline RunRow RegressionFinished(std::int64_t id, RunStart start, double duration_s,
                                 double energy_wh, double final_rmse, double final_mae) {
  start.suite = "mixed_quick";
  start.dataset = "mauna_loa_co2";
  start.task = kRegressionTask;
  RunRow run = Finished(id, std::move(start), duration_s, energy_wh, 0);
  run.summary.best_accuracy = 0;
  run.summary.best_rmse = final_rmse - 0.01;
  run.summary.final_rmse = final_rmse;
  run.summary.final_mae = final_mae;
  for (EpochRecord& epoch : run.epochs) {
    epoch.test_accuracy = 0;
    epoch.test_rmse = epoch.epoch == 1 ? run.summary.best_rmse : final_rmse;
    epoch.test_mae = epoch.epoch == 1 ? final_mae - 0.01 : final_mae;
  }
  return run;
}

inline nlohmann::json RegressionSettings(const std::string& model) {
  nlohmann::json settings = BaseSettings(model);
  settings["dataset"] = "mauna_loa_co2";
  return settings;
}

// A suite of both tasks: two classification cells (a baseline and its
// mixed-precision variant), and on the CO2 series a linear baseline with
// two repetitions, its mixed-precision variant, a cnn1d baseline, its
// early-stopped variant and a cnn1d cell that failed.
inline std::vector<RunRow> MixedRuns() {
  const nlohmann::json cnn = BaseSettings("cnn");
  nlohmann::json cnn_mixed = cnn;
  cnn_mixed["mixed_precision.dtype"] = "bf16";
  const nlohmann::json linear = RegressionSettings("linear");
  nlohmann::json linear_mixed = linear;
  linear_mixed["mixed_precision.dtype"] = "bf16";
  const nlohmann::json cnn1d = RegressionSettings("cnn1d");
  nlohmann::json cnn1d_early = cnn1d;
  cnn1d_early["early_stop.patience"] = 1;
  nlohmann::json cnn1d_mixed = cnn1d;
  cnn1d_mixed["mixed_precision.dtype"] = "bf16";

  std::vector<RunRow> runs;
  runs.push_back(Finished(1, Start("cnn/baseline", "cnn", {}, cnn, 0), 100, 10, 0.98));
  runs.push_back(Finished(2, Start("cnn/mixed_precision", "cnn", {"mixed_precision"}, cnn_mixed, 0),
                          50, 6, 0.97));
  for (RunRow& run : runs) run.start.suite = "mixed_quick";
  runs.push_back(
      RegressionFinished(3, Start("linear/baseline", "linear", {}, linear, 0), 4, 0.2, 1.2, 0.9));
  runs.push_back(
      RegressionFinished(4, Start("linear/baseline", "linear", {}, linear, 1), 6, 0.3, 1.4, 1.1));
  runs.push_back(RegressionFinished(
      5, Start("linear/mixed_precision", "linear", {"mixed_precision"}, linear_mixed, 0), 3, 0.15,
      1.56, 1.2));
  runs.push_back(
      RegressionFinished(6, Start("cnn1d/baseline", "cnn1d", {}, cnn1d, 0), 20, 1.0, 0.85, 0.64));
  runs.push_back(RegressionFinished(
      7, Start("cnn1d/early_stop", "cnn1d", {"early_stop"}, cnn1d_early, 0), 10, 0.6, 0.935, 0.7));
  // Stopped after its first epoch, which is therefore its best and last.
  RunRow& stopped = runs.back();
  stopped.summary.epochs_run = 1;
  stopped.summary.best_rmse = stopped.summary.final_rmse;
  stopped.summary.stop_reason = "early stop: no improvement for 1 epoch";
  stopped.epochs.resize(1);
  stopped.epochs[0].test_rmse = stopped.summary.final_rmse;
  stopped.epochs[0].test_mae = stopped.summary.final_mae;
  stopped.epochs[0].energy_wh = stopped.summary.energy_wh;
  stopped.epochs[0].co2_g = stopped.summary.co2_g;
  RunRow failed = RegressionFinished(
      8, Start("cnn1d/mixed_precision", "cnn1d", {"mixed_precision"}, cnn1d_mixed, 0), 2, 0.1, 0,
      0);
  failed.status = "failed";
  failed.failure_reason = "bf16 autocast is not supported for conv1d here";
  failed.summary.epochs_run = 0;
  failed.epochs.clear();
  runs.push_back(failed);
  return runs;
}

// The lines of one "## " section of a rendered report, heading included.
inline std::vector<std::string> SectionLines(const std::string& report,
                                             const std::string& heading) {
  std::istringstream in(report);
  std::vector<std::string> lines;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == heading;
    if (inside) lines.push_back(line);
  }
  return lines;
}

// The lines from the first one containing `marker` on: a later table of a
// section, found by its header ("| Model").
inline std::vector<std::string> LinesFrom(const std::vector<std::string>& lines,
                                          const std::string& marker) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(marker) != std::string::npos) return {lines.begin() + i, lines.end()};
  }
  return {};
}

// The cells of the table row that starts with `first_cell`, trimmed.
inline std::vector<std::string> RowCells(const std::vector<std::string>& lines,
                                         const std::string& first_cell) {
  for (const std::string& line : lines) {
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '|' && line[i - 1] != '\\') {
        const auto begin = cell.find_first_not_of(' ');
        const auto end = cell.find_last_not_of(' ');
        cells.push_back(begin == std::string::npos ? "" : cell.substr(begin, end - begin + 1));
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    if (line.rfind("|", 0) == 0 && !cells.empty() && cells[0] == first_cell) {
      return cells;
    }
  }
  return {};
}

// Stores `runs` the way a suite writes them, epoch by epoch.
inline void StoreRuns(ResultsStore& store, const std::vector<RunRow>& runs) {
  for (const RunRow& run : runs) {
    const std::int64_t id = store.BeginRun(run.start);
    for (const EpochRecord& epoch : run.epochs) store.AppendEpoch(id, epoch);
    if (run.status == "failed") {
      store.FailRun(id, run.failure_reason, run.summary);
    } else {
      store.FinishRun(id, run.summary);
    }
  }
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline const char* const kGoldenDir = CARBONBENCH_TEST_SOURCE_DIR "/unit/report/golden/";

// Where the texts part, as "line N:\n  golden: ...\n  actual: ...".
inline std::string FirstDifference(const std::string& golden, const std::string& actual) {
  const auto expected_lines = Lines(golden);
  const auto actual_lines = Lines(actual);
  const std::size_t count = std::max(expected_lines.size(), actual_lines.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::string expected = i < expected_lines.size() ? expected_lines[i] : "<end of file>";
    const std::string got = i < actual_lines.size() ? actual_lines[i] : "<end of file>";
    if (expected != got) {
      return "line " + std::to_string(i + 1) + ":\n  golden: " + expected + "\n  actual: " + got;
    }
  }
  return "the texts differ only in their final line break";
}

// `actual` against golden/<file>; with CARBONBENCH_UPDATE_GOLDEN set,
// rewrites the file instead.
inline void ExpectMatchesGolden(const std::string& file, const std::string& actual) {
  const std::string path = kGoldenDir + file;
  if (std::getenv("CARBONBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "wrote " << path << "; review it with git diff";
  }
  const std::string golden = ReadFile(path);
  ASSERT_FALSE(golden.empty()) << "missing golden file " << path;
  // Not EXPECT_EQ: its dump of two whole texts hides where they part.
  EXPECT_TRUE(actual == golden)
      << "the text differs from " << path << " at " << FirstDifference(golden, actual)
      << "\nIf the change is intended, rerun with CARBONBENCH_UPDATE_GOLDEN=1 "
         "and review the file with git diff.";
}

}  // namespace carbonbench::report_testing
