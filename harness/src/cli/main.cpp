// carbonbench: trains and evaluates ML models across a suite of choices and
// reports what each costs in time, energy and CO2.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/commands.h"
#include "runner/environment.h"
#include "suites/suite.h"

namespace carbonbench::cli {

PluginRegistry LoadPlugins(const GlobalOptions& global) {
  PluginSearchOptions search;
  search.cli_dirs = global.plugin_dirs;
  if (const char* env = std::getenv("CARBONBENCH_PLUGIN_PATH")) search.env_path = env;
  search.executable_path = global.executable_path;
  CheckPluginDirsGiven(search.cli_dirs);
  PluginRegistry registry;
  registry.LoadDirectories(PluginSearchDirs(search));
  return registry;
}

}  // namespace carbonbench::cli

int main(int argc, char** argv) {
  using namespace carbonbench;
  ApplyAllocatorTuning();  // before torch allocates anything

  cli::GlobalOptions global;
  global.executable_path = "/proc/self/exe";
  {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) global.executable_path = exe.string();
  }
  CLI::App app{
      "carbonbench: train ML models and measure what every choice costs in energy "
      "and CO2"};
  app.require_subcommand(1);
  cli::AddListCommand(app, global);
  cli::AddRunCommand(app, global);
  cli::AddTrainCommand(app, global);
  cli::AddReportCommand(app, global);
  cli::AddDescribeCommand(app, global);
  cli::AddMetersCommand(app, global);
  cli::AddPlanCommand(app, global);
  cli::AddInferCommand(app, global);
  cli::AddMergeCommand(app, global);
  cli::AddRecommendCommand(app, global);
  cli::AddCalibrateCommand(app, global);
  cli::AddSlurmCommand(app, global);
  cli::AddServeCommand(app, global);
  cli::AddCellCommand(app, global);
  // Global options work before the command and after it. (Not fallthrough:
  // `run` hands the arguments it does not know to Google Benchmark.)
  std::vector<CLI::App*> apps = app.get_subcommands([](CLI::App*) { return true; });
  for (std::size_t i = 0, commands = apps.size(); i < commands; ++i) {
    for (CLI::App* nested : apps[i]->get_subcommands([](CLI::App*) { return true; })) {
      apps.push_back(nested);  // `slurm submit`'s, too
    }
  }
  apps.push_back(&app);
  for (CLI::App* each : apps) {
    each->add_option("--plugin-dir", global.plugin_dirs,
                     "folder to load plugins from (before CARBONBENCH_PLUGIN_PATH and the "
                     "install location); repeatable");
    each->add_option("--store", global.store_path, "results store (SQLite)")->capture_default_str();
    each->add_option("--reports-dir", global.reports_dir, "where reports are written")
        ->capture_default_str();
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const SuiteError& e) {
    std::fprintf(stderr, "%s\nnothing was run: fix the suite and try again\n", e.what());
    return 2;
  } catch (const PluginLoadError& e) {
    std::fprintf(stderr, "plugin error:\n%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return global.exit_code;
}
