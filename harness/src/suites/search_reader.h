// A suite's `search:` block, read and checked into SearchSettings. The form
// it accepts (docs/search.md has the same as tables):
//
//   search:
//     parameters:                      # required, a non-empty mapping
//       lr: {float: [0.0001, 0.1], log: true}
//       batch_size: {choice: [32, 64, 128]}
//       PLUGIN.PARAMETER: {int: [8, 64], step: 8}
//       optimizations: {choice: [[], [NAME], [NAME, NAME]]}
//       model: {choice: [MODEL, MODEL]}
//     objectives: [rmse]               # required; or [accuracy, co2_g], or
//                                      # [{accuracy: maximize}, {co2_g: minimize}]
//     sampler: tpe                     # tpe (default) | random | nsga2,
//                                      # or {type: tpe, seed: 7}
//     seed: 7                          # the sampler's seed (or sampler.seed)
//     pruner: median                   # median | hyperband | none, or
//                                      # {type: median, startup_trials: 3, warmup_epochs: 1}
//                                      # {type: hyperband, min_epochs: 1, reduction_factor: 3}
//     trials: 20                       # 1..100000, default 20
//     max_energy_wh: 5                 # optional budgets, each > 0
//     max_co2_g: 2
//     timeout_s: 600
//
// Parameters. Each key is one a matrix axis accepts: a training or dataset
// setting, `optimizations`, or a plugin parameter as a dotted key
// ("PLUGIN.PARAMETER"; the nested form `PLUGIN: {PARAMETER: ...}` is refused with a
// hint; "dataset.name" is "dataset"). Each value is a mapping with exactly
// one of:
//   float: [low, high]  a float setting only; two numbers, low < high, both
//                       within the setting's own range.
//   int: [low, high]    an integer or float setting; whole numbers,
//                       low < high, within the setting's range. (high - low
//                       need not be a multiple of step.)
//   choice: [v, ...]    any setting; a non-empty list, each value read as a
//                       matrix axis value of that key (an optimizations
//                       choice is a list of names, [] for none; a model is
//                       checked against the installed ones), none repeated.
// plus, optionally:
//   log: true|false     float and int; log: true needs low > 0.
//   step: n             int only, n >= 1; with log: true only step 1
//                       (Optuna refuses a stepped log range).
//
// Objectives: one or two of accuracy (maximized), rmse, energy_wh, co2_g and
// time_s (minimized), each a name or a one-key mapping
// {name: minimize|maximize}; none twice, never accuracy with rmse.
//
// Sampler: nsga2 needs two objectives. Seed: an integer 0..4294967295,
// written at search.seed or sampler.seed, not both.
//
// Pruner: absent means median for one objective and none for two; an
// explicit median or hyperband with two objectives is an error (Optuna
// prunes single-objective studies only). median takes startup_trials (>= 0,
// default 5) and warmup_epochs (>= 0, default 0); hyperband takes min_epochs
// (>= 1, default 1) and reduction_factor (>= 2, default 3).
//
// canonical_json holds everything read, defaults applied (parameters in the
// order written), as nlohmann::json's sorted dump: equal blocks, however
// spelled, give equal text.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "suites/settings_schema.h"
#include "suites/suite_document.h"
#include "suites/suite_errors.h"

namespace carbonbench::detail {

// Reads the value of the top-level 'search' key (its key at `key_loc`) into
// `*search`, setting present and loc; every problem goes to `errors`, at
// the node that has it. `*search` is meaningful only when no error was added.
void ReadSearch(const YAML::Node& node, Loc key_loc, const SettingsSchema& schema,
                ErrorList& errors, SearchDocument* search);

// Checks that need the whole suite: no matrix beside a search (its
// parameters are the axes) and no repetitions above 1 (each trial runs
// once). Does nothing when doc.search is not present.
void CheckSearchAgainstSuite(const SuiteDocument& doc, ErrorList& errors);

// The canonical JSON of `settings` without its canonical_json field (what
// ReadSearch stores there).
std::string SearchCanonicalJson(const SearchSettings& settings);

}  // namespace carbonbench::detail
