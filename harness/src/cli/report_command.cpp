#include <cstdio>
#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "cli/commands.h"
#include "report/emissions_csv.h"
#include "report/markdown_report.h"
#include "runner/compared_regions.h"
#include "runner/environment.h"
#include "store/results_store.h"

namespace carbonbench::cli {
namespace {

// "quickstart", or a suite file whose `suite:` names it.
std::string SuiteName(const std::string& argument) {
  if (!std::filesystem::is_regular_file(argument)) return argument;
  const YAML::Node document = YAML::LoadFile(argument);
  if (!document["suite"]) {
    throw std::runtime_error(argument + ": has no 'suite:' key naming the suite");
  }
  return document["suite"].as<std::string>();
}

}  // namespace

void AddReportCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "report", "regenerate reports/<suite>.md and <suite>.emissions.csv (CodeCarbon's columns) from "
      "the results store alone (nothing is re-run)");
  auto suite = std::make_shared<std::string>();
  auto regions = std::make_shared<std::vector<std::string>>();
  command->add_option("suite", *suite, "suite name or suite YAML file")->required();
  command->add_option("--compare-regions", *regions,
                      "places to compare the suite's CO2 with (comma-separated; default: the "
                      "suite's carbon.compare_regions, else a spread of grids and clouds)")
      ->delimiter(',');
  command->callback([&global, suite, regions] {
    const std::string name = SuiteName(*suite);
    if (!std::filesystem::exists(global.store_path)) {
      throw std::runtime_error("no results store at " + global.store_path +
                               ": run the suite first, or pass --store PATH");
    }
    ResultsStore store(global.store_path);
    ReportOptions options;
    options.compare_regions = ResolveComparedRegions(
        ComparedRegionCodes(store.LoadRuns(name), *regions), ReferenceDataDir());
    const std::string path = WriteMarkdownReport(store, name, global.reports_dir, options);
    std::printf("%s\n", path.c_str());
    std::printf("%s\n", WriteEmissionsCsv(store, name, global.reports_dir).c_str());
  });
}

}  // namespace carbonbench::cli
