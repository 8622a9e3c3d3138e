// One cell repetition in its own process (`carbonbench cell`): a crash, an
// abort, a runaway allocation or a hang ends that process only, and is
// stored as the cell's failure with its reason while the suite goes on.
#pragma once

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

IsolatedCellOutcome RunCellInChild(SuiteRunContext& context, const IsolatedCellSettings& settings,
                                   const Cell& cell, int repetition, ProgressDisplay& progress);

// Why a child that stored nothing ended, and what to do about it.
std::string AbnormalEndReason(const ChildExit& exit, const ChildLimits& limits);

}  // namespace carbonbench
