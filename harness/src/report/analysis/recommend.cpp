#include "report/analysis/recommend.h"

#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "report/analysis/recommendations.h"

namespace carbonbench::report {
namespace {

nlohmann::json CellJson(const CellStanding& standing,
                        const std::map<std::string, std::set<std::string>>& suites) {
  const CellRuns& cell = *standing.cell;
  nlohmann::json json = {{"cell", cell.name},
                         {"config_hash", cell.config_hash},
                         {"suites", suites.count(cell.config_hash) ? suites.at(cell.config_hash)
                                                                   : std::set<std::string>{}},
                         {"model", cell.model},
                         {"optimizations", cell.optimizations},
                         {"runs", standing.runs},
                         {"runs_reaching_target", standing.runs_reaching},
                         {"final_accuracy_percent", standing.final_accuracy.mean},
                         {"energy_wh", standing.energy_wh.mean},
                         {"energy_band_wh", standing.energy_band_wh.mean},
                         {"co2_g", standing.co2_g.mean},
                         {"duration_s", standing.duration_s.mean}};
  if (standing.runs_reaching > 0) {
    json["to_target"] = {{"epoch", standing.reach_epoch.mean},
                         {"energy_wh", standing.reach_energy_wh.mean},
                         {"energy_band_wh", standing.reach_energy_band_wh.mean},
                         {"co2_g", standing.reach_co2_g.mean},
                         {"duration_s", standing.reach_s.mean}};
  }
  return json;
}

}  // namespace

std::vector<RecommendAnswer> Recommend(const ResultsStore& store, const RecommendRequest& request) {
  std::vector<RunRow> runs;
  std::set<std::string> datasets_seen;
  for (const std::string& suite : store.Suites()) {
    for (RunRow& run : store.LoadRuns(suite)) {
      if (run.status != "finished" || run.start.task == kRegressionTask) continue;
      datasets_seen.insert(run.start.dataset);
      if (!request.dataset.empty() && run.start.dataset != request.dataset) continue;
      runs.push_back(std::move(run));
    }
  }
  if (runs.empty()) {
    const std::string held = datasets_seen.empty()
                                 ? "it holds no finished classifier run"
                                 : fmt::format("it holds finished classifier runs on {}",
                                               fmt::join(datasets_seen, ", "));
    throw std::runtime_error(
        fmt::format("store {}: nothing to recommend from{}: {}", store.path(),
                    request.dataset.empty() ? "" : " for dataset " + request.dataset, held));
  }
  // One configuration run by several suites is one cell, under its first name.
  std::map<std::string, std::string> name_of;
  std::map<std::string, std::set<std::string>> suites_of;
  for (RunRow& run : runs) {
    const auto [found, inserted] = name_of.emplace(run.start.config_hash, run.start.cell_name);
    run.start.cell_name = found->second;
    suites_of[run.start.config_hash].insert(run.start.suite);
  }
  const std::vector<CellRuns> cells = GroupCells(runs);
  std::vector<RecommendAnswer> answers;
  // The target is always given, so no declared target setting is needed.
  for (const Leaderboard& board :
       BuildLeaderboards(cells, request.objective, request.target_accuracy_percent, {})) {
    const TargetAnswer target = AnswerForTarget(board);
    RecommendAnswer answer;
    answer.sentence = target.sentence;
    answer.reached = target.best != nullptr;
    answer.json = {{"dataset", board.dataset},
                   {"target_accuracy_percent", board.target_accuracy_percent},
                   {"objective", ObjectiveName(request.objective)},
                   {"reached", answer.reached},
                   {"sentence", target.sentence},
                   {"cells_compared", board.ranked.size()}};
    if (target.best != nullptr) answer.json["recommendation"] = CellJson(*target.best, suites_of);
    if (target.alternative != nullptr) {
      answer.json["alternative"] = CellJson(*target.alternative, suites_of);
    }
    if (target.saving_percent) answer.json["saving_percent"] = *target.saving_percent;
    if (!board.data.empty()) answer.json["data"] = board.data;
    if (target.saving_test) {
      const MeanDifference& test = *target.saving_test;
      answer.json["saving_significant"] = test.evidence == Evidence::kSignificant;
      if (test.evidence != Evidence::kNoSpread) answer.json["p_value"] = test.p_value;
      if (test.repetitions_needed) answer.json["repetitions_needed"] = *test.repetitions_needed;
    }
    if (target.band_percent) {
      answer.json["band_percent"] = *target.band_percent;
      answer.json["saving_within_band"] = target.saving_within_band;
    }
    if (target.closest != nullptr) answer.json["closest"] = CellJson(*target.closest, suites_of);
    answers.push_back(std::move(answer));
  }
  return answers;
}

}  // namespace carbonbench::report
