// `carbonbench calibrate --score FILE.csv`: the estimator scored on a file of
// measured CPU package power, row by row, with the code path the CPU estimating
// meter runs (each row a bare-metal machine, this process's share taken as 1).
#pragma once

#include <string>
#include <vector>

#include "power_model/cpu_estimator.h"

namespace carbonbench::power_model {

// One measurement: a machine at a load and the package power it drew.
struct ScoreRow {
  int line = 0;  // in the file, for messages
  std::string cpu_model;
  int sockets = 1;
  int logical_cpus = 1;
  int physical_cores = 0;  // optional column; 0: the curve's default rule
  double load = 0;         // machine busy fraction, 0-1
  double measured_w = 0;
};

// Parses the CSV: header names exact, order free, other columns ignored;
// cpu_model, sockets, logical_cpus, load and measured_w required,
// physical_cores optional. Throws std::runtime_error naming `origin`, the
// line and column, what is wrong and how to fix it.
std::vector<ScoreRow> ParseScoreCsv(const std::string& text, const std::string& origin);
std::vector<ScoreRow> ReadScoreCsv(const std::string& path);

// Errors of a set of rows.
struct ScoreSummary {
  std::string cpu_model;  // "" for the whole file
  std::string paths;      // the estimator paths its rows took: "TDP row", "default", ...
  int rows = 0;
  double mape_pct = 0;      // mean |est - meas| / meas, in %
  double bias_pct = 0;      // mean (est - meas) / meas, in %
  double energy_ratio = 0;  // Σ est / Σ meas
};

struct ScoreResult {
  std::vector<ScoreSummary> per_cpu;  // in the order the file first names them
  ScoreSummary overall;
};

// The estimate for one row, through ResolveMachinePowerModel.
double EstimateRowW(const ScoreRow& row, const EstimatorTables& tables, EstimatePath* path);

ScoreResult ScoreRows(const std::vector<ScoreRow>& rows, const EstimatorTables& tables);

}  // namespace carbonbench::power_model
