// The subcommands of `carbonbench`, each in its own file.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "plugins/plugin_registry.h"
#include "runner/suite_plan.h"
#include "runner/suite_runner.h"

namespace carbonbench::cli {

// Options every command shares.
struct GlobalOptions {
  std::vector<std::string> plugin_dirs;
  std::string store_path = "results/carbonbench.db";
  std::string reports_dir = "reports";
  std::string executable_path;
  int exit_code = 0;  // set by a command that ran but did not fully succeed
};

// "key=value" from a --set option, split at the first '='; throws a
// std::runtime_error that shows `example` when there is no key or no '='.
std::pair<std::string, std::string> SplitAssignment(const std::string& assignment,
                                                    const std::string& example);

// "--shard i/n" into its index and count (unchanged when `text` is empty);
// throws std::invalid_argument naming the accepted form.
void ApplyShardOption(const std::string& text, int* index, int* count);

// --shard, --shard-by and --shard-plan, as `run` and `plan` take them.
struct ShardOptions {
  std::string shard;  // "i/n"; empty: the whole suite
  std::string method = "cost";
  std::string plan_path;
};
void AddShardOptions(CLI::App& command, ShardOptions& options, const std::string& what);

// The cell repetitions of the shard (the balanced split made and written
// first when there is none); lines about the split go to stderr.
std::vector<ShardCell> SelectShard(const ShardOptions& options, const Suite& suite,
                                   const PluginRegistry& registry, const std::string& store_path,
                                   const PlanOptions& plan_options);

// Loads every plugin on the search path (throws PluginLoadError).
PluginRegistry LoadPlugins(const GlobalOptions& global);

void AddListCommand(CLI::App& app, GlobalOptions& global);
void AddRunCommand(CLI::App& app, GlobalOptions& global);
void AddTrainCommand(CLI::App& app, GlobalOptions& global);
void AddReportCommand(CLI::App& app, GlobalOptions& global);
void AddDescribeCommand(CLI::App& app, GlobalOptions& global);
void AddMetersCommand(CLI::App& app, GlobalOptions& global);
void AddPlanCommand(CLI::App& app, GlobalOptions& global);
void AddInferCommand(CLI::App& app, GlobalOptions& global);
void AddMergeCommand(CLI::App& app, GlobalOptions& global);
void AddRecommendCommand(CLI::App& app, GlobalOptions& global);
// `calibrate --score FILE` and, with a counter, the load ladder.
void AddCalibrateCommand(CLI::App& app, GlobalOptions& global);
// `slurm submit` and `slurm status`.
void AddSlurmCommand(CLI::App& app, GlobalOptions& global);
// `serve`: the explorer and the playground over HTTP.
void AddServeCommand(CLI::App& app, GlobalOptions& global);
// Internal: one cell repetition in its own process, started by `run`.
void AddCellCommand(CLI::App& app, GlobalOptions& global);

}  // namespace carbonbench::cli
