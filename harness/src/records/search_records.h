// A hyperparameter search as the store keeps it: the study (what it
// searched and optimised) and each trial (its parameters, its cell's run,
// its objective values and what it cost). Optuna keeps its own copy of the
// study to sample from; these rows are what reports are made of, so a
// report needs neither Python nor Optuna.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench {

// The values of TrialRecord::state, as Optuna names a trial's end.
inline constexpr const char* kTrialRunning = "running";
inline constexpr const char* kTrialComplete = "complete";
inline constexpr const char* kTrialPruned = "pruned";
inline constexpr const char* kTrialFailed = "failed";

struct StudyRecord {
  std::string suite;
  std::string study;          // the suite's name and its search block's digest
  std::string settings_json;  // SearchSettings::canonical_json
  std::string optuna_version;
  // Parameter key -> share of the objective's variance (Optuna's fANOVA),
  // as JSON; "{}" with importances_note saying why there are none.
  std::string importances_json = "{}";
  std::string importances_note;
  std::string created_at;
  std::string updated_at;
};

struct TrialRecord {
  std::string suite;
  std::string study;
  int number = 0;  // Optuna's, from 0
  std::string state = kTrialRunning;
  std::string params_json = "{}";  // parameter key -> the value the cell ran with
  std::vector<double> values;      // one per objective; complete trials only
  std::string cell_name;
  std::string config_hash;
  std::int64_t run_id = 0;  // its run in the runs table; 0 before it began
  // Its configuration had finished before (in an earlier trial or a grid
  // run): the result was taken from that run and nothing was spent.
  bool from_store = false;
  int epochs_run = 0;
  int planned_epochs = 0;
  double energy_wh = 0;  // what this trial spent (0 when from_store)
  double co2_g = 0;
  double duration_s = 0;
  std::string energy_provenance;
  // Pruned trials: the energy and CO2 of the full schedule, projected from
  // the epochs run (energy per epoch x planned epochs): a projection, never
  // a measurement. What pruning saved is projected minus spent.
  double projected_energy_wh = 0;
  double projected_co2_g = 0;
  std::string note;  // why it was pruned or failed
  std::string started_at;
  std::string ended_at;
};

}  // namespace carbonbench
