// Runs a validated suite on Google Benchmark: each resolved cell is one
// benchmark (manual time, repetitions, user counters), so the console table,
// --benchmark_filter and --benchmark_out work as Google Benchmark users
// expect. Each cell repetition runs in its own child process under a time
// and a memory limit; results go to the store as they come (the child
// writes them), and the report is written last.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "energy/carbon_intensity.h"
#include "plugins/plugin_registry.h"
#include "process/stop_signal.h"
#include "report/report_options.h"
#include "runner/cell_run.h"
#include "runner/isolated_cell.h"
#include "store/results_store.h"
#include "store/store_lock.h"
#include "suites/shard.h"
#include "suites/suite.h"

namespace carbonbench {

struct RunOptions {
  std::string store_path = "results/carbonbench.db";
  std::string reports_dir = "reports";
  std::string models_dir;  // empty: ModelsDirBeside(store_path)
  bool fresh = false;      // re-run finished cells
  bool write_report = true;
  bool fail_fast = false;           // stop at the first failed cell (default: keep going)
  int sampler_interval_ms = 0;      // 0: the suite's sampler.interval_ms
  double cell_timeout_s = 0;        // 0: the suite's limits.cell_timeout_s
  std::int64_t cell_memory_mb = 0;  // 0: the suite's limits.cell_memory_mb
  int shard_index = 1;              // run only shard index/count (1-based):
  int shard_count = 1;              // the cell repetitions in `shard_cells`
  std::vector<ShardCell> shard_cells;
  // What runs each cell: this program's `cell` command, with these plugin
  // folders (the parent's --plugin-dir list).
  std::string executable_path;
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> benchmark_args;  // --benchmark_* flags
};

// The suite's carbon settings as a request; a relative intensity CSV is
// looked for beside the suite file first.
CarbonRequest CarbonRequestFor(const Suite& suite);

// The carbon intensity a suite's runs use; an unknown region is a
// SuiteError naming the suite file.
CarbonIntensity ResolveSuiteCarbon(const Suite& suite);

// Where trained weights go unless told: a "models" folder beside the store
// file ("results/models" for "results/carbonbench.db"), so a store kept
// elsewhere keeps its models with it, whatever the current folder.
std::string ModelsDirBeside(const std::string& store_path);

// What the cells of a suite share, its carbon resolved (a SuiteError for an
// unknown region). `store` may be null where nothing is stored; an empty
// `models_dir` is ModelsDirBeside(the store's path).
SuiteRunContext MakeSuiteRunContext(const Suite& suite, const PluginRegistry& registry,
                                    ResultsStore* store, const std::string& models_dir,
                                    int sampler_interval_ms);

// The regions the report compares against, checked before the store is
// touched, so a misspelt region fails before hours of training (a
// SuiteError).
std::vector<report::ComparedRegion> ComparedRegionsFor(const Suite& suite);

// The child process each cell runs in: this program, the options' limits
// over the suite's, and at most 90% of the machine's memory by default.
IsolatedCellSettings IsolationFor(const Suite& suite, const RunOptions& options);

// Writes the suite's report from the store; a report that cannot be
// written is said, not thrown: the runs are stored.
void WriteReport(const ResultsStore& store, const Suite& suite, const PluginRegistry& registry,
                 const RunOptions& options, const std::vector<report::ComparedRegion>& compared);

// What a run of a suite holds while it runs, in the order it is taken:
// the store's lock (a second run on the store refuses to start), SIGINT
// and SIGTERM handled (the running cell is stopped and stored as failed
// instead of killed mid-write), the store, and what the cells share. The
// suite's carbon warnings are printed once.
struct SuiteRunSetup {
  SuiteRunSetup(const Suite& suite, const PluginRegistry& registry, const RunOptions& options);
  StoreLock lock;
  StopSignals stop_signals;
  ResultsStore store;
  SuiteRunContext context;
  IsolatedCellSettings isolation;
};

// Returns the process exit code: 0 when every cell finished, 1 when any
// failed (each failure is stored with its reason and the suite goes on,
// unless fail_fast), 130 or 143 after SIGINT or SIGTERM (the running cell
// is stopped and stored as failed, no report is written, and a line says
// what was kept and how to resume). Throws when another process is writing
// the store (store_lock.h).
int RunSuite(const Suite& suite, const PluginRegistry& registry, const RunOptions& options);

}  // namespace carbonbench
