// One cell repetition in its own process (`carbonbench cell`): a crash, an
// abort, a runaway allocation or a hang ends that process only, and is
// stored as the cell's failure with its reason while the suite goes on.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "process/child_process.h"
#include "runner/cell_run.h"
#include "runner/progress_display.h"

namespace carbonbench {

struct IsolatedCellSettings {
  std::string executable_path;           // carbonbench itself
  std::vector<std::string> plugin_dirs;  // passed on as --plugin-dir
  ChildLimits limits;
  // Preloaded into cells that ask for tcmalloc ("" when not installed).
  std::string tcmalloc_path;
};

struct IsolatedCellOutcome {
  CellOutcome cell;
  double cpu_s = 0;  // the child's user + system time
};

// The request for one cell repetition, as the context stands.
CellRequest RequestFor(const SuiteRunContext& context, const Cell& cell, int repetition);

// The arguments that start the child, and what it reads on standard input.
// The cell's own runtime settings (allocator, malloc_tuning) go in its
// environment.
ChildSpec CellChildSpec(const SuiteRunContext& context, const IsolatedCellSettings& settings,
                        const Cell& cell, const CellRequest& request);

// What a search adds to a cell's run: the trial's parameter values (the
// child makes the cell from them), and the verdict on each planned epoch
// ("continue", or "prune <reason>"), which the child waits for when set.
struct TrialChildOptions {
  std::map<std::string, ParamValue> values;
  std::function<std::string(const CellEvent& epoch)> verdict;
};

// Runs the cell repetition in a child process and reads how it went from
// the store: finished, failed with its reason, or pruned by a search.
IsolatedCellOutcome RunCellInChild(SuiteRunContext& context, const IsolatedCellSettings& settings,
                                   const Cell& cell, int repetition, ProgressDisplay& progress,
                                   const TrialChildOptions* trial = nullptr);

// Why a child that stored nothing ended, and what to do about it.
std::string AbnormalEndReason(const ChildExit& exit, const ChildLimits& limits);

}  // namespace carbonbench
