// Runs a suite's `search:` block: Optuna (search/study_client.h) chooses
// each trial's parameters and may prune it after an epoch; each trial is an
// ordinary cell run in its own process through the same store, meters and
// report. The study is kept beside the store, so the same command resumes a
// killed search: trials that ended are kept, a trial cut short runs again,
// and a configuration that finished before is taken from the store.
#pragma once

#include <string>

#include "plugins/plugin_registry.h"
#include "runner/suite_runner.h"
#include "suites/suite.h"

namespace carbonbench {

// The study's name: the suite's and its search block's digest, so an edited
// search block starts a study of its own in the same journal.
std::string StudyName(const Suite& suite);

// The journal Optuna keeps the suite's studies in: a folder beside the
// store ("results/carbonbench.db" -> "results/carbonbench.db.search/").
std::string StudyJournalPath(const std::string& store_path, const std::string& suite);

// Float parameters are run at 4 significant digits: the value a trial ran
// with is the one its cell name, the store and the report show.
double RoundForTrial(double value);

// Exit code: 0 when the search ended (its trials done or a budget spent)
// with at least one trial complete, 1 when none completed, 130 or 143
// after SIGINT or SIGTERM (the trial in flight is stored as failed and the
// same command resumes). Throws OptunaMissing without Optuna.
int RunSearch(const Suite& suite, const PluginRegistry& registry, const RunOptions& options);

}  // namespace carbonbench
