// `carbonbench calibrate`: with --score, how far the CPU estimate is from a
// file of measured package power; without it, this machine's own curve
// fitted against a power counter (the load ladder).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/calibrate_counter.h"
#include "cli/commands.h"
#include "power_model/cpu_estimator.h"
#include "power_model/score_file.h"
#include "runner/environment.h"

namespace carbonbench::cli {
namespace {

struct CalibrateOptions {
  std::string score_path;  // a CSV of measurements to score the estimator on
  std::string curve_path;  // a fitted curve instead of the shipped one
  bool json = false;
  CounterCalibrationOptions counter;  // without --score: the load ladder
};

nlohmann::json SummaryJson(const power_model::ScoreSummary& summary) {
  return {{"rows", summary.rows},
          {"mape_pct", summary.mape_pct},
          {"bias_pct", summary.bias_pct},
          {"energy_ratio", summary.energy_ratio}};
}

void PrintJson(const power_model::ScoreResult& result) {
  nlohmann::json out = SummaryJson(result.overall);
  nlohmann::json per_cpu = nlohmann::json::array();
  for (const power_model::ScoreSummary& summary : result.per_cpu) {
    nlohmann::json each = SummaryJson(summary);
    each["cpu_model"] = summary.cpu_model;
    each["estimated_from"] = summary.paths;
    per_cpu.push_back(each);
  }
  out["per_cpu"] = per_cpu;
  std::printf("%s\n", out.dump(2).c_str());
}

std::string SummaryLine(const std::string& label, const power_model::ScoreSummary& summary,
                        std::size_t width) {
  return fmt::format("{:<{}} {:>5} {:>8.1f} {:>8.1f} {:>7.2f}  {}", label, width, summary.rows,
                     summary.mape_pct, summary.bias_pct, summary.energy_ratio, summary.paths);
}

void PrintTable(const power_model::ScoreResult& result, const power_model::EstimatorTables& tables,
                const std::string& score_path) {
  std::printf("CPU estimate against %s:\n\n", score_path.c_str());
  std::size_t width = std::string("cpu_model").size();
  for (const power_model::ScoreSummary& summary : result.per_cpu) {
    width = std::max(width, summary.cpu_model.size());
  }
  std::printf("%s\n", fmt::format("{:<{}} {:>5} {:>8} {:>8} {:>7}  {}", "cpu_model", width, "rows",
                                  "MAPE %", "bias %", "E ratio", "estimated from")
                          .c_str());
  for (const power_model::ScoreSummary& summary : result.per_cpu) {
    std::printf("%s\n", SummaryLine(summary.cpu_model, summary, width).c_str());
  }
  std::printf("%s\n\n", SummaryLine("overall", result.overall, width).c_str());
  std::printf(
      "MAPE: mean absolute error per row; bias: mean signed error (negative under-counts); "
      "E ratio: summed estimated over summed measured power.\n");
  std::printf("Curve: %s (%s; %d machines, %d rows).\n", tables.fitted_path.c_str(),
              tables.fitted.basis.c_str(), tables.fitted.machines, tables.fitted.rows);
  for (const std::string& warning : tables.warnings) {
    std::printf("warning: %s\n", warning.c_str());
  }
}

int ScoreFile(const CalibrateOptions& options) {
  const power_model::EstimatorTables tables =
      power_model::LoadEstimatorTables(ReferenceDataDir(), options.curve_path);
  const std::vector<power_model::ScoreRow> rows = power_model::ReadScoreCsv(options.score_path);
  const power_model::ScoreResult result = power_model::ScoreRows(rows, tables);
  if (options.json) {
    // stdout holds the one JSON object; what the reader should know goes beside it.
    for (const std::string& warning : tables.warnings) {
      std::fprintf(stderr, "warning: %s\n", warning.c_str());
    }
    PrintJson(result);
  } else {
    PrintTable(result, tables, options.score_path);
  }
  return 0;
}

}  // namespace

void AddCalibrateCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "calibrate",
      "score the CPU estimate on a CSV of measured power (--score), or fit this machine's own "
      "CPU curve against a power counter");
  auto options = std::make_shared<CalibrateOptions>();
  command->add_option("--score", options->score_path,
                      "CSV of measurements to score the CPU estimate on: columns cpu_model, "
                      "sockets, logical_cpus, load (0-1), measured_w (any order; "
                      "physical_cores optional; others ignored)");
  command->add_option("--curve", options->curve_path,
                      "a fitted curve JSON to score with instead of the shipped "
                      "meters/cpu_curve.json (e.g. one leave-one-machine-out fold)");
  command->add_flag("--json", options->json,
                    "print one JSON object: rows, mape_pct, bias_pct, energy_ratio, per_cpu");
  AddCounterCalibrationOptions(command, options->counter);
  command->callback([&global, options] {
    if (!options->score_path.empty()) {
      global.exit_code = ScoreFile(*options);
      return;
    }
    // Without --score: this machine's own curve, fitted against a counter.
    global.exit_code = RunCounterCalibration(options->counter, global);
  });
}

}  // namespace carbonbench::cli
