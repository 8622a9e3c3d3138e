#include <memory>

#include "cli/commands.h"
#include "suites/suite.h"

namespace carbonbench::cli {

void AddRunCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "run", "run a suite's cells (finished ones are skipped) and write its report; options "
             "after the suite file that start with --benchmark_ go to Google Benchmark");
  auto suite_path = std::make_shared<std::string>();
  auto options = std::make_shared<RunOptions>();
  command->add_option("suite", *suite_path, "suite YAML file")->required();
  command->add_flag("--fresh", options->fresh, "re-run cells already finished in the store");
  command->add_option("--models-dir", options->models_dir, "where trained weights go")->capture_default_str();
  command->add_option("--sample-interval-ms", options->sampler_interval_ms,
                      "energy sampling interval (default: the suite's sampler.interval_ms, 100)")
      ->check(CLI::Range(10, 60000));
  auto* fail_fast = command->add_flag("--fail-fast", options->fail_fast,
                                      "stop at the first failed cell");
  command->add_flag("--keep-going", "go on after a failed cell (the default)")
      ->excludes(fail_fast);
  command->add_option("--cell-timeout-s", options->cell_timeout_s,
                      "wall-time limit of one cell repetition (default: the suite's "
                      "limits.cell_timeout_s, 24 h)")
      ->check(CLI::PositiveNumber);
  command->add_option("--cell-memory-mb", options->cell_memory_mb,
                      "resident-memory limit of one cell repetition's process (default: the "
                      "suite's limits.cell_memory_mb, 90% of this machine's memory)")
      ->check(CLI::PositiveNumber);
  auto shard = std::make_shared<std::string>();
  command->add_option("--shard", *shard,
                      "run only shard i of n (1-based, e.g. 1/2 and 2/2 on two machines); "
                      "combine the stores with `carbonbench merge`");
  command->allow_extras();
  command->callback([&global, command, suite_path, options, shard] {
    options->store_path = global.store_path;
    options->reports_dir = global.reports_dir;
    options->benchmark_args = command->remaining();
    options->executable_path = global.executable_path;
    options->plugin_dirs = global.plugin_dirs;
    if (!shard->empty()) {
      // SHARD-WIRING
    }
    PluginRegistry registry = LoadPlugins(global);
    const Suite suite = LoadSuiteFile(*suite_path, registry.Catalog());
    const int code = RunSuite(suite, registry, *options);
    global.exit_code = code;
  });
}

}  // namespace carbonbench::cli
