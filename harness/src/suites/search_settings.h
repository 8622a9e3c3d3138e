// A suite's `search:` block: what Optuna samples, what it optimises, how it
// prunes and when the search ends. Read and checked with the rest of the
// suite (search_reader.h); run by search/search_runner.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carbonbench/params.h"

namespace carbonbench {

// One parameter's distribution, as Optuna's FloatDistribution,
// IntDistribution or CategoricalDistribution.
struct SearchDistribution {
  enum class Kind { kFloat, kInt, kChoice };
  Kind kind = Kind::kFloat;
  double low = 0;   // float and int (an int's bounds are whole numbers)
  double high = 0;  // inclusive
  bool log = false;
  std::int64_t step = 1;  // int only
  // kChoice: the values, normalized as the setting's own (an optimization
  // list is its names joined by '+', "" for none), and the label Optuna sees
  // for each (unique; "none" for no optimizations).
  std::vector<ParamValue> choices;
  std::vector<std::string> labels;
};

struct SearchParameter {
  std::string key;  // a setting or "<plugin>.<param>", as a matrix axis
  SearchDistribution distribution;
};

// What a trial is scored by. Accuracy is in percent (as target_acc); RMSE in
// the target's units; energy, CO2 and time are the whole run's.
struct SearchObjective {
  std::string metric;  // accuracy | rmse | energy_wh | co2_g | time_s
  bool maximize = false;
};

struct SearchPruner {
  std::string name = "median";  // median | hyperband | none
  int startup_trials = 5;       // median: trials before any is pruned
  int warmup_epochs = 0;        // median: epochs of a trial before it can be
  int min_epochs = 1;           // hyperband: min_resource
  int reduction_factor = 3;     // hyperband
};

struct SearchSettings {
  std::vector<SearchParameter> parameters;  // in the order written
  std::vector<SearchObjective> objectives;  // one or two
  std::string sampler = "tpe";              // tpe | random | nsga2
  std::optional<std::int64_t> seed;         // the sampler's
  // Default: median for one objective, none for two (Optuna prunes
  // single-objective studies only).
  SearchPruner pruner;
  int trials = 20;  // trials the study holds when the search ends
  // Budgets that end the search, summed over every trial of the study
  // (resumed runs included); 0: none. A trial running when one is crossed
  // finishes.
  double max_energy_wh = 0;
  double max_co2_g = 0;
  double timeout_s = 0;
  // Canonical JSON of everything above: a changed search block is a new
  // study (search_runner names the study by its digest).
  std::string canonical_json;
};

}  // namespace carbonbench
