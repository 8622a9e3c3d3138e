// `carbonbench plan SUITE`: each cell's predicted time, energy and CO2 and
// the total still to run, before anything is trained.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "runner/suite_plan.h"
#include "suites/suite.h"

namespace carbonbench::cli {

void AddPlanCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "plan",
      "predict each cell's time, energy and CO2 from earlier runs of the same "
      "configuration in the store, or from a short probe, and the total still to run");
  auto suite_path = std::make_shared<std::string>();
  auto options = std::make_shared<PlanOptions>();
  auto shard = std::make_shared<std::string>();
  command->add_option("suite", *suite_path, "suite YAML file")->required();
  command
      ->add_option("--probe-steps", options->probe_steps,
                   "training steps a probe times per cell without stored runs (0: store only)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  command->add_option("--shard", *shard, "plan only shard i of n, as `run --shard` runs it");
  command->add_flag("--fresh", options->fresh, "as `run --fresh`: finished cells run again");
  command->callback([&global, suite_path, options, shard] {
    options->executable_path = global.executable_path;
    options->plugin_dirs = global.plugin_dirs;
    ApplyShardOption(*shard, &options->shard_index, &options->shard_count);
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
    ResultsStore store(global.store_path);
    const SuitePlan plan = PlanSuite(suite, registry, store, *options, [](const std::string& line) {
      std::fprintf(stderr, "%s\n", line.c_str());
    });
    std::printf("%s", FormatPlan(suite, plan, g_per_kwh).c_str());
    global.exit_code = plan.unpredicted > 0 ? 1 : 0;
  });
}

}  // namespace carbonbench::cli
