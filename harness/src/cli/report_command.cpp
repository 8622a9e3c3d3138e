#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "cli/commands.h"
#include "plugins/declared_roles.h"
#include "report/analysis/leaderboard.h"
#include "report/suite_report.h"
#include "runner/compared_regions.h"
#include "runner/environment.h"
#include "store/results_store.h"
#include "suites/suite.h"

namespace carbonbench::cli {
namespace {

// "quickstart", or a suite file whose `suite:` names it.
std::string SuiteName(const std::string& argument) {
  if (!std::filesystem::is_regular_file(argument)) return argument;
  YAML::Node document;
  try {
    document = YAML::Load(ReadSuiteFileText(argument));
  } catch (const YAML::DeepRecursion& e) {
    throw std::runtime_error(fmt::format(
        "{}:{}:{}: cannot read the suite's name: the YAML is nested thousands of levels deep "
        "(look for unclosed brackets)",
        argument, e.mark.line + 1, e.mark.column + 1));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(fmt::format(
        "{}:{}:{}: cannot read the suite's name: {} (give the suite's name, or its YAML file)",
        argument, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!document["suite"]) {
    throw std::runtime_error(fmt::format("{}: has no 'suite:' key naming the suite", argument));
  }
  return document["suite"].as<std::string>();
}

}  // namespace

void AddReportCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "report",
      "regenerate reports/<suite>.md, its plots, <suite>.emissions.csv (CodeCarbon's "
      "columns) and the CSV/JSON exports from the results store alone (nothing is re-run)");
  auto suite = std::make_shared<std::string>();
  auto regions = std::make_shared<std::vector<std::string>>();
  auto options = std::make_shared<report::ReportOptions>();
  command->add_option("suite", *suite, "suite name or suite YAML file")->required();
  command
      ->add_option("--compare-regions", *regions,
                   "places to compare the suite's CO2 with (comma-separated; default: the "
                   "suite's carbon.compare_regions, else a spread of grids and clouds)")
      ->delimiter(',');
  command->add_option("--objective", options->objective,
                      "what the leaderboard ranks by: acc_per_kwh (default), or co2, energy or "
                      "time to reach the target accuracy");
  command
      ->add_option("--target-acc", options->target_accuracy_percent,
                   "target accuracy in percent (default: the highest a cell's stopping rule sets, "
                   "else 1 point below the best)")
      ->check(CLI::Range(0.0, 100.0));
  command
      ->add_option("--min-gain", options->min_gain_points,
                   "the optimal epoch is the one after which further epochs gained less than "
                   "this many accuracy points (default 0.5)")
      ->check(CLI::NonNegativeNumber);
  command->callback([&global, suite, regions, options] {
    if (!report::ParseObjective(options->objective)) {
      throw std::runtime_error(fmt::format("--objective {}: unknown objective; use one of {}",
                                           options->objective, report::ObjectiveChoices()));
    }
    const std::string name = SuiteName(*suite);
    if (!std::filesystem::exists(global.store_path)) {
      throw std::runtime_error(fmt::format(
          "no results store at {}: run the suite first, or pass --store PATH", global.store_path));
    }
    ResultsStore store(global.store_path);
    options->roles = DeclaredRolesOf(LoadPlugins(global).Catalog());
    options->compare_regions = ResolveComparedRegions(
        ComparedRegionCodes(store.LoadRuns(name), *regions), ReferenceDataDir());
    for (const std::string& path :
         report::WriteSuiteReport(store, name, global.reports_dir, *options)) {
      std::printf("%s\n", path.c_str());
    }
  });
}

}  // namespace carbonbench::cli
