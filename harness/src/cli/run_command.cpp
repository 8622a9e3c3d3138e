#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "runner/search_runner.h"
#include "runner/suite_plan.h"
#include "store/results_store.h"
#include "suites/suite.h"

namespace carbonbench::cli {

void AddRunCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "run",
      "run a suite's cells (finished ones are skipped) and write its report; options "
      "after the suite file that start with --benchmark_ go to Google Benchmark");
  auto suite_path = std::make_shared<std::string>();
  auto options = std::make_shared<RunOptions>();
  command->add_option("suite", *suite_path, "suite YAML file")->required();
  command->add_flag("--fresh", options->fresh, "re-run cells already finished in the store");
  command->add_option("--models-dir", options->models_dir,
                      "where trained weights go (default: a models folder beside the store, "
                      "results/models for results/carbonbench.db)");
  command
      ->add_option("--sample-interval-ms", options->sampler_interval_ms,
                   "energy sampling interval (default: the suite's sampler.interval_ms, 100)")
      ->check(CLI::Range(10, 60000));
  auto* fail_fast =
      command->add_flag("--fail-fast", options->fail_fast, "stop at the first failed cell");
  command->add_flag("--keep-going", "go on after a failed cell (the default)")->excludes(fail_fast);
  command
      ->add_option("--cell-timeout-s", options->cell_timeout_s,
                   "wall-time limit of one cell repetition (default: the suite's "
                   "limits.cell_timeout_s, 24 h)")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--cell-memory-mb", options->cell_memory_mb,
                   "resident-memory limit of one cell repetition's process (default: the "
                   "suite's limits.cell_memory_mb, 90% of this machine's memory)")
      ->check(CLI::PositiveNumber);
  auto shard = std::make_shared<ShardOptions>();
  AddShardOptions(*command, *shard, "run");
  command
      ->add_flag("--no-report",
                 "write no report (each shard of a split suite: merge the "
                 "stores, then `report`)")
      ->each([options](const std::string&) { options->write_report = false; });
  auto max_energy_wh = std::make_shared<double>(0);
  auto max_co2_g = std::make_shared<double>(0);
  command
      ->add_option("--max-energy-wh", *max_energy_wh,
                   "refuse to start when the suite is predicted to use more (see `plan`)")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--max-co2-g", *max_co2_g,
                   "refuse to start when the suite is predicted to emit more (see `plan`)")
      ->check(CLI::PositiveNumber);
  auto grid = std::make_shared<bool>(false);
  command->add_flag("--grid", *grid,
                    "for a suite with a search: run its search space's grid (every choice and "
                    "int step) instead, to compare the search with it");
  command->allow_extras();
  command->callback([&global, command, suite_path, options, shard, max_energy_wh, max_co2_g, grid] {
    options->store_path = global.store_path;
    options->reports_dir = global.reports_dir;
    options->benchmark_args = command->remaining();
    options->executable_path = global.executable_path;
    options->plugin_dirs = global.plugin_dirs;
    ApplyShardOption(shard->shard, &options->shard_index, &options->shard_count);
    PluginRegistry registry = LoadPlugins(global);
    const Suite suite = LoadSuiteFile(*suite_path, registry.Catalog());
    if (*grid && !suite.search) {
      throw std::runtime_error(*suite_path + " has no search: --grid runs a search's grid");
    }
    if (*grid && !suite.grid_problem.empty()) {
      throw std::runtime_error(*suite_path + ": " + suite.grid_problem);
    }
    if (suite.search && !*grid) {
      if (options->shard_count > 1 || *max_energy_wh > 0 || *max_co2_g > 0 || options->fresh) {
        throw std::runtime_error(
            *suite_path +
            " has a search, which runs its trials one after another and resumes its study: "
            "--shard, --fresh, --max-energy-wh and --max-co2-g do not apply (its budgets are "
            "search.max_energy_wh, search.max_co2_g and search.timeout_s)");
      }
      global.exit_code = RunSearch(suite, registry, *options);
      return;
    }
    PlanOptions plan_options;
    plan_options.models_dir = options->models_dir;
    plan_options.fresh = options->fresh;
    plan_options.executable_path = options->executable_path;
    plan_options.plugin_dirs = options->plugin_dirs;
    if (options->shard_count > 1) {
      options->shard_cells =
          SelectShard(*shard, suite, registry, options->store_path, plan_options);
      plan_options.cells = options->shard_cells;
    }
    if (*max_energy_wh > 0 || *max_co2_g > 0) {
      // Checked before anything runs; the probes are the only cost.
      SuitePlan plan;
      {
        ResultsStore store(options->store_path);
        plan = PlanSuite(suite, registry, store, plan_options);
      }
      const std::string refusal = CheckBudget(plan, *max_energy_wh, *max_co2_g);
      if (!refusal.empty()) {
        std::fprintf(stderr, "%s%s\n",
                     FormatPlan(suite, plan, ResolveSuiteCarbon(suite).g_per_kwh).c_str(),
                     refusal.c_str());
        global.exit_code = 2;
        return;
      }
      std::fprintf(stderr, "predicted %.4g Wh and %.4g g CO2: within the budget\n", plan.energy_wh,
                   plan.co2_g);
    }
    const int code = RunSuite(suite, registry, *options);
    global.exit_code = code;
  });
}

}  // namespace carbonbench::cli
