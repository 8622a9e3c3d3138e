// What `run` hands the child process of one cell repetition on its standard
// input, and the progress events the child sends back on descriptor 3. The
// child reads the suite from the same text the parent validated, so both
// resolve the very same cell.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "carbonbench/params.h"
#include "energy/energy_sampler.h"

namespace carbonbench {

// Exit codes of `carbonbench cell`: anything else (or a signal) means the
// child ended without storing how the cell went.
inline constexpr int kCellFinishedExit = 0;
inline constexpr int kCellFailedExit = 3;  // the failure is stored with its reason
inline constexpr int kCellPrunedExit = 4;  // a search pruned it; stored as pruned
// Where a cell of a search reads the verdict on each epoch.
inline constexpr int kCellVerdictFd = 4;  // kChildAnswersFd

struct CellRequest {
  std::string suite_text;
  std::string suite_source;  // the file, for relative paths and messages
  bool suite_generated = false;
  std::string config_hash;
  int repetition = 0;
  std::string store_path;
  std::string models_dir;
  int sampler_interval_ms = 100;
  std::optional<IdleBaseline> idle;  // measured by the parent, once per suite
  // Only a short probe of the training, for a plan (no store, no model).
  int probe_steps = 0;
  // A search trial: the cell is made from these parameter values
  // (MakeTrialCell), not found among the suite's cells by config_hash.
  std::optional<std::map<std::string, ParamValue>> trial_values;
  // After each planned epoch the child waits on descriptor 4 for the
  // search's verdict: a line "continue", or "prune <reason>".
  bool await_verdicts = false;

  nlohmann::json ToJson() const;
  static CellRequest FromJson(const nlohmann::json& json);  // throws on bad input
};

// The baseline as a run records it: watts, provenance and meter by component.
IdleRecord IdleRecordOf(const IdleBaseline& idle);
IdleBaseline IdleBaselineFromJson(const nlohmann::json& json);

// One progress event: an epoch ended, or a phase began.
struct CellEvent {
  std::string type;  // "epoch" | "phase"
  int epoch = 0;
  int epochs = 0;      // planned
  std::string metric;  // "test acc 85.20%" or "test RMSE 1.2"
  double train_loss = 0;
  double elapsed_s = 0;  // since the run started
  double epoch_s = 0;
  double data_wait_pct = 0;
  double energy_wh = 0;  // cumulative
  double epoch_energy_wh = 0;
  double epoch_energy_band_wh = 0;  // ± Wh of epoch_energy_wh; 0 when none known
  std::string provenance;
  std::string phase;  // for "phase"
  // The epoch's test figures and the CO2 so far, for a search's pruner.
  double test_accuracy = 0;  // fraction
  double test_rmse = 0;
  double co2_g = 0;  // cumulative

  std::string ToLine() const;  // one JSON line, no newline
  static std::optional<CellEvent> FromLine(const std::string& line);
};

}  // namespace carbonbench
