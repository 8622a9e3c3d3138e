// `carbonbench plan SUITE`: each cell's predicted time, energy and CO2 and
// the total still to run, before anything is trained.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "runner/shard_plan.h"
#include "runner/suite_plan.h"
#include "suites/shard.h"
#include "suites/suite.h"

namespace carbonbench::cli {

void AddPlanCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "plan",
      "predict each cell's time, energy and CO2 from earlier runs of the same "
      "configuration in the store, or from a short probe, and the total still to run");
  auto suite_path = std::make_shared<std::string>();
  auto options = std::make_shared<PlanOptions>();
  auto shard = std::make_shared<ShardOptions>();
  auto shards = std::make_shared<int>(0);
  command->add_option("suite", *suite_path, "suite YAML file")->required();
  command
      ->add_option("--probe-steps", options->probe_steps,
                   "training steps a probe times per cell without stored runs (0: store only)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  AddShardOptions(*command, *shard, "plan");
  command
      ->add_option("--shards", *shards,
                   "split the suite into N shards and show each shard's predicted time and the "
                   "makespan against round-robin; a cost split is written for `run --shard` "
                   "to follow (see --shard-plan)")
      ->check(CLI::Range(1, 100000));
  command->add_flag("--fresh", options->fresh, "as `run --fresh`: finished cells run again");
  command->callback([&global, suite_path, options, shard, shards] {
    options->executable_path = global.executable_path;
    options->plugin_dirs = global.plugin_dirs;
    if (!shard->shard.empty() && *shards > 0) {
      throw std::runtime_error("--shard plans one shard and --shards shows the split: give one");
    }
    PluginRegistry registry = LoadPlugins(global);
    const Suite suite = LoadSuiteFile(*suite_path, registry.Catalog());
    if (suite.search) {
      // A search's trials are chosen as it runs: what can be planned is
      // its grid, the most a search of that space could need.
      if (!suite.grid_problem.empty()) {
        throw std::runtime_error(*suite_path +
                                 " has a search, whose trials are chosen as it runs, so it has "
                                 "no plan; its budgets are search.max_energy_wh, "
                                 "search.max_co2_g and search.timeout_s (" +
                                 suite.grid_problem + ")");
      }
      std::fprintf(stderr,
                   "%s has a search, whose trials are chosen as it runs: this is the plan of "
                   "its grid (run --grid), %zu cells\n",
                   suite_path->c_str(), suite.cells.size());
    }
    const double g_per_kwh = ResolveSuiteCarbon(suite).g_per_kwh;
    if (!shard->shard.empty() && ParseShard(shard->shard).count > 1) {
      options->cells = SelectShard(*shard, suite, registry, global.store_path, *options);
    }
    ResultsStore store(global.store_path);
    auto progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    const SuitePlan plan = PlanSuite(suite, registry, store, *options, progress);
    std::printf("%s", FormatPlan(suite, plan, g_per_kwh).c_str());
    if (*shards > 0 && shard->method == kShardByRoundRobin) {
      std::printf("%s",
                  FormatShardPlan(MakeShardPlan(suite, plan, *shards, kShardByRoundRobin)).c_str());
    } else if (*shards > 0) {
      // Finished cells are predicted from their runs: this plan is of every
      // cell, so a shard resumed later finds the same split.
      const std::string path =
          ShardPlanPath(shard->plan_path, global.store_path, suite.name, *shards);
      bool made = false;
      const ShardPlan split =
          ShardPlanAt(path, suite, registry, store, *options, *shards, progress, &made, &plan);
      std::printf("%s", FormatShardPlan(split).c_str());
      std::printf(made ? "wrote the split to %s: `run --shard i/%d` follows it\n"
                       : "the split in %s is followed by `run --shard i/%d` (delete it to split "
                         "again on these predictions)\n",
                  path.c_str(), *shards);
    }
    global.exit_code = plan.unpredicted > 0 ? 1 : 0;
  });
}

}  // namespace carbonbench::cli
