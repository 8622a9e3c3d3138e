#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.h"
#include "report/analysis/recommend.h"

namespace carbonbench::cli {

void AddRecommendCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "recommend",
      "the cheapest configuration in the store (all suites) that reached a target accuracy, and "
      "its saving against the most expensive one that also did");
  struct Options {
    double target_acc = 0;
    std::string dataset;
    std::string objective = "co2";
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--target-acc", options->target_acc, "target test accuracy in percent")
      ->required()
      ->check(CLI::Range(0.0, 100.0));
  command->add_option("--dataset", options->dataset, "only runs on this dataset (default: each)");
  command->add_option("--objective", options->objective,
                      "what to spend least of to reach the target: co2 (default), energy or time");
  command->add_flag("--json", options->json, "print the answer as JSON instead of sentences");
  command->callback([&global, options] {
    const auto objective = report::ParseObjective(options->objective);
    if (!objective || *objective == report::Objective::kAccuracyPerKwh) {
      throw std::runtime_error(fmt::format(
          "--objective {}: unknown objective; use co2, energy or time", options->objective));
    }
    if (!std::filesystem::exists(global.store_path)) {
      throw std::runtime_error(fmt::format(
          "no results store at {}: run a suite first, or pass --store PATH", global.store_path));
    }
    ResultsStore store(global.store_path);
    report::RecommendRequest request;
    request.target_accuracy_percent = options->target_acc;
    request.dataset = options->dataset;
    request.objective = *objective;
    const auto answers = report::Recommend(store, request);
    if (options->json) {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& answer : answers) all.push_back(answer.json);
      std::printf("%s\n", all.dump(2).c_str());
    } else {
      for (const auto& answer : answers) std::printf("%s\n", answer.sentence.c_str());
    }
  });
}

}  // namespace carbonbench::cli
