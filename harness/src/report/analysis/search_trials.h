// A suite's hyperparameter search as the report reads it: the latest study
// with its trials, its settings read from the study's JSON, and the
// arithmetic of the Search section (what the search spent, what pruning
// saved, the best trial or the Pareto front, the best value so far).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "records/search_records.h"
#include "store/results_store.h"

namespace carbonbench::report {

// One objective of the study: accuracy | rmse | energy_wh | co2_g | time_s.
struct SearchGoal {
  std::string metric;
  bool maximize = false;
};

struct SearchView {
  StudyRecord study;
  std::vector<TrialRecord> trials;  // by number
  int earlier_studies = 0;          // of the same suite, before this one
  // Read from study.settings_json; empty or defaults where it lacks them.
  std::vector<SearchGoal> goals;
  std::vector<std::string> parameter_keys;  // as written, then any other key a trial ran with
  std::string sampler;
  std::string pruner;
  int planned_trials = 0;  // 0 when unknown
};

// The view of a study and its trials (settings parsed, trials by number).
SearchView MakeSearchView(StudyRecord study, std::vector<TrialRecord> trials,
                          int earlier_studies = 0);
// The suite's latest study, if the store holds one.
std::optional<SearchView> LoadSearch(const ResultsStore& store, const std::string& suite);

// "%", "Wh", "g", "s" or "target units", as the metric's values read.
std::string GoalUnit(const std::string& metric);
// "accuracy % (max)".
std::string GoalHeader(const SearchGoal& goal);

// Trials of each state; from_store counts trials whose result came from an
// earlier run (also counted in their state).
struct TrialCounts {
  int complete = 0;
  int pruned = 0;
  int failed = 0;
  int running = 0;
  int from_store = 0;
};
TrialCounts CountTrials(const std::vector<TrialRecord>& trials);

// What every trial spent, pruned and failed ones included.
double SpentEnergyWh(const std::vector<TrialRecord>& trials);
double SpentCo2G(const std::vector<TrialRecord>& trials);
// What pruning saved: over pruned trials, projected minus spent (never
// below 0 per trial). A projection, not a measurement.
double PruningSavedEnergyWh(const std::vector<TrialRecord>& trials);
double PruningSavedCo2G(const std::vector<TrialRecord>& trials);

// "estimated" when any trial's energy is estimated, else the trials' common
// provenance ("measured"), "mixed" when they differ, "unknown" when none
// was recorded. Trials taken from the store spent nothing and are left out.
std::string TrialsProvenance(const std::vector<TrialRecord>& trials);

// Whether the trial has a finite value for every objective of the study.
bool Scored(const TrialRecord& trial, std::size_t objectives);

// The index in view.trials of the best complete trial on the first
// objective (the lower number on ties); nullopt when none is scored.
std::optional<std::size_t> BestTrial(const SearchView& view);
// Two objectives: indexes in view.trials of the complete trials no other
// complete trial dominates (no worse on both, better on one, in the study's
// directions), ordered by the first objective, best first.
std::vector<std::size_t> ParetoFront(const SearchView& view);

// The search's progress: after each trial, in number order, the energy
// spent so far and the best first-objective value of the complete trials so
// far; points before the first scored trial are left out.
struct ProgressPoint {
  int number = 0;
  double cumulative_energy_wh = 0;
  double best = 0;
};
std::vector<ProgressPoint> BestSoFar(const SearchView& view);

// Parameter importances from study.importances_json, largest first; empty
// when none were computed or the JSON is unreadable.
std::vector<std::pair<std::string, double>> Importances(const StudyRecord& study);

// A parameter's value in params_json as the report prints it: numbers in
// three significant digits (whole numbers exactly), text as it is; "" when
// the trial has no such key.
std::string ParamText(const std::string& params_json, const std::string& key);

}  // namespace carbonbench::report
