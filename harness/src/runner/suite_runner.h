// Runs a validated suite on Google Benchmark: each resolved cell is one
// benchmark (manual time, repetitions, user counters), so the console table,
// --benchmark_filter and --benchmark_out work as Google Benchmark users
// expect. Results go to the store as they come; the report is written last.
#pragma once

#include <string>
#include <vector>

#include "energy/carbon_intensity.h"
#include "plugins/plugin_registry.h"
#include "suites/suite.h"

namespace carbonbench {

struct RunOptions {
  std::string store_path = "results/carbonbench.db";
  std::string reports_dir = "reports";
  std::string models_dir = "results/models";
  bool fresh = false;                       // re-run finished cells
  bool write_report = true;
  int sampler_interval_ms = 0;  // 0: the suite's sampler.interval_ms
  std::vector<std::string> benchmark_args;  // --benchmark_* flags
};

// The suite's carbon settings as a request; a relative intensity CSV is
// looked for beside the suite file first.
CarbonRequest CarbonRequestFor(const Suite& suite);

// Returns the process exit code: 0 when every cell finished, 1 when any
// failed (each failure is stored with its reason and the suite goes on).
int RunSuite(const Suite& suite, const PluginRegistry& registry, const RunOptions& options);

}  // namespace carbonbench
