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
  command->allow_extras();
  command->callback([&global, command, suite_path, options] {
    options->store_path = global.store_path;
    options->reports_dir = global.reports_dir;
    options->benchmark_args = command->remaining();
    PluginRegistry registry = LoadPlugins(global);
    const Suite suite = LoadSuiteFile(*suite_path, registry.Catalog());
    const int code = RunSuite(suite, registry, *options);
    global.exit_code = code;
  });
}

}  // namespace carbonbench::cli
