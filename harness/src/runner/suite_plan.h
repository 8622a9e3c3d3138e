// `carbonbench plan` and the budget check of `run`: each cell's prediction
// from the store, or from a probe in the cell's own process.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plugins/plugin_registry.h"
#include "runner/plan.h"
#include "runner/suite_runner.h"
#include "store/results_store.h"
#include "suites/shard.h"

namespace carbonbench {

struct PlanOptions {
  int probe_steps = 5;  // 0: predict from the store only
  std::string models_dir;
  // The cells and repetitions to plan (a shard's); unset: every cell.
  std::optional<std::vector<ShardCell>> cells;
  bool fresh = false;  // every repetition is to run again
  std::string executable_path;
  std::vector<std::string> plugin_dirs;
  double probe_timeout_s = 600;
};

// `progress` gets one line per probe as it starts ("probing convnet/baseline").
SuitePlan PlanSuite(const Suite& suite, const PluginRegistry& registry, ResultsStore& store,
                    const PlanOptions& options,
                    const std::function<void(const std::string&)>& progress = {});

// A predicted time as plans print it: "12.3 s", "4.5 min" or "2.1 h".
std::string FormatPlanDuration(double s);

// The plan as a Markdown-style table with the totals.
std::string FormatPlan(const Suite& suite, const SuitePlan& plan, double g_per_kwh);

}  // namespace carbonbench
