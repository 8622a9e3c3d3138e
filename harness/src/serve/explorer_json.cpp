#include "serve/explorer_json.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "report/analysis/leaderboard.h"
#include "report/analysis/report_cells.h"
#include "report/analysis/tradeoffs.h"
#include "report/export/exports.h"
#include "report/render/sections.h"

namespace carbonbench::serve {
namespace {

using report::CellRuns;
using report::Stat;

// A mean as JSON: null where no run had the figure or it is not finite (a
// diverged run's RMSE), since JSON has no NaN.
nlohmann::json MeanOrNull(const Stat& stat) {
  if (stat.count == 0 || !std::isfinite(stat.mean)) return nullptr;
  return stat.mean;
}

nlohmann::json Finite(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
}

std::string Later(const std::string& a, const std::string& b) { return std::max(a, b); }

// The running repetitions of each configuration.
std::map<std::string, std::vector<const RunRow*>> RunningByHash(
    const std::vector<RunRow>& running) {
  std::map<std::string, std::vector<const RunRow*>> by_hash;
  for (const RunRow& run : running) by_hash[run.start.config_hash].push_back(&run);
  return by_hash;
}

const char* CellState(bool failed, bool running) {
  if (running) return "running";
  return failed ? "failed" : "finished";
}

nlohmann::json RunningJson(const std::vector<const RunRow*>& running) {
  nlohmann::json list = nlohmann::json::array();
  for (const RunRow* run : running) {
    list.push_back({{"run_id", run->id},
                    {"repetition", run->start.repetition},
                    {"epochs_done", run->epochs.size()},
                    {"started_at", run->started_at}});
  }
  return list;
}

// The cell's identity, state and means over its finished repetitions.
nlohmann::json CellSummary(const CellRuns& cell, const std::vector<const RunRow*>& running) {
  const std::vector<const RunRow*> finished(cell.finished.begin(), cell.finished.end());
  return {{"name", cell.name},
          {"config_hash", cell.config_hash},
          {"model", cell.model},
          {"optimizations", cell.optimizations},
          {"dataset", cell.dataset},
          {"task", cell.task},
          {"state", CellState(cell.HasFailure(), !running.empty())},
          {"runs_finished", cell.finished.size()},
          {"runs_failed", cell.failed.size()},
          {"runs_running", running.size()},
          {"final_accuracy_percent",
           cell.IsRegression() ? nlohmann::json()
                               : MeanOrNull(StatOver(cell, report::FinalAccuracyPercent))},
          {"final_rmse",
           cell.IsRegression() ? MeanOrNull(StatOver(cell, report::FinalRmse)) : nlohmann::json()},
          {"energy_wh", MeanOrNull(StatOver(cell, report::EnergyWh))},
          {"energy_band_percent", report::CellBandPercent(cell)
                                      ? nlohmann::json(*report::CellBandPercent(cell))
                                      : nlohmann::json()},
          {"co2_g", MeanOrNull(StatOver(cell, report::Co2G))},
          {"duration_s", MeanOrNull(StatOver(cell, report::DurationS))},
          {"energy_provenance", finished.empty() ? "" : report::CommonProvenance(finished)},
          {"running", RunningJson(running)}};
}

// A configuration that has only running repetitions so far: no CellRuns of
// it exists, so its identity comes from the running row.
nlohmann::json RunningOnlyCell(const std::vector<const RunRow*>& running) {
  const RunStart& s = running.front()->start;
  return {{"name", s.cell_name},
          {"config_hash", s.config_hash},
          {"model", s.model},
          {"optimizations", s.optimizations},
          {"dataset", s.dataset},
          {"task", s.task},
          {"state", "running"},
          {"runs_finished", 0},
          {"runs_failed", 0},
          {"runs_running", running.size()},
          {"final_accuracy_percent", nullptr},
          {"final_rmse", nullptr},
          {"energy_wh", nullptr},
          {"energy_band_percent", nullptr},
          {"co2_g", nullptr},
          {"duration_s", nullptr},
          {"energy_provenance", ""},
          {"running", RunningJson(running)}};
}

nlohmann::json LeaderboardJson(const report::Leaderboard& board) {
  nlohmann::json rows = nlohmann::json::array();
  int rank = 0;
  for (const report::CellStanding& s : board.ranked) {
    const auto band = report::BandPercentOf(s);
    rows.push_back({{"rank", ++rank},
                    {"cell", s.cell->name},
                    {"config_hash", s.cell->config_hash},
                    {"score", s.score ? Finite(*s.score) : nlohmann::json()},
                    {"final_accuracy_percent", MeanOrNull(s.final_accuracy)},
                    {"energy_wh", MeanOrNull(s.energy_wh)},
                    {"energy_band_percent", band ? nlohmann::json(*band) : nlohmann::json()},
                    {"co2_g", MeanOrNull(s.co2_g)},
                    {"duration_s", MeanOrNull(s.duration_s)},
                    {"accuracy_per_kwh", MeanOrNull(s.accuracy_per_kwh)},
                    {"runs", s.runs},
                    {"runs_reaching", s.runs_reaching},
                    {"reach_epoch", MeanOrNull(s.reach_epoch)},
                    {"reach_energy_wh", MeanOrNull(s.reach_energy_wh)},
                    {"reach_co2_g", MeanOrNull(s.reach_co2_g)}});
  }
  return {{"dataset", board.dataset},
          {"label", board.Label()},
          {"objective", report::ObjectiveName(board.objective)},
          {"objective_title", report::ObjectiveTitle(board.objective)},
          {"target_accuracy_percent", board.target_accuracy_percent},
          {"target_source", board.target_source},
          {"rows", std::move(rows)}};
}

// Whether each cell is on the front of quality against `cost`.
std::vector<bool> OnFront(const std::vector<const CellRuns*>& cells, report::Metric cost) {
  std::vector<report::TradeoffPoint> points;
  for (const CellRuns* cell : cells) {
    const double quality = cell->IsRegression()
                               ? -StatOver(*cell, report::FinalRmse).mean
                               : StatOver(*cell, report::FinalAccuracyPercent).mean;
    points.push_back({StatOver(*cell, cost).mean, quality});
  }
  std::vector<bool> front;
  for (const int by : report::DominatedBy(points)) front.push_back(by == report::kOnTheFront);
  return front;
}

nlohmann::json ParetoJson(const std::vector<CellRuns>& cells) {
  nlohmann::json groups = nlohmann::json::array();
  for (const report::DatasetCells& group : report::FinishedCellsByDataset(cells)) {
    const std::vector<bool> front_energy = OnFront(group.cells, report::EnergyWh);
    const std::vector<bool> front_co2 = OnFront(group.cells, report::Co2G);
    nlohmann::json points = nlohmann::json::array();
    for (std::size_t i = 0; i < group.cells.size(); ++i) {
      const CellRuns& cell = *group.cells[i];
      points.push_back(
          {{"cell", cell.name},
           {"config_hash", cell.config_hash},
           {"quality", group.regression ? MeanOrNull(StatOver(cell, report::FinalRmse))
                                        : MeanOrNull(StatOver(cell, report::FinalAccuracyPercent))},
           {"energy_wh", MeanOrNull(StatOver(cell, report::EnergyWh))},
           {"co2_g", MeanOrNull(StatOver(cell, report::Co2G))},
           {"front_energy", front_energy[i]},
           {"front_co2", front_co2[i]},
           {"dominated", !front_energy[i]}});
    }
    groups.push_back(
        {{"dataset", group.Label()},
         {"regression", group.regression},
         {"quality", group.regression ? "final RMSE (lower is better)" : "final accuracy (%)"},
         {"points", std::move(points)}});
  }
  return groups;
}

nlohmann::json BaselineJson(const std::vector<CellRuns>& cells) {
  nlohmann::json rows = nlohmann::json::array();
  for (const report::BaselinePair& pair : report::BaselinePairs(cells, cells)) {
    const CellRuns& cell = *pair.cell;
    const CellRuns* baseline = pair.baseline;
    const std::vector<std::string> row = report::BaselineDeltaRow(cell, baseline);
    rows.push_back({{"cell", row[0]},
                    {"compares", pair.across_runtimes ? "runtimes" : "optimizations"},
                    {"config_hash", cell.config_hash},
                    {"baseline", baseline ? row[1] : ""},
                    {"baseline_config_hash", baseline ? baseline->config_hash : ""},
                    {"runs", row[2]},
                    {"time_change_percent", row[3]},
                    {"energy_change_percent", row[4]},
                    {"co2_change_percent", row[5]},
                    {"quality_change", row[6]},
                    {"quality", cell.IsRegression() ? "RMSE %" : "accuracy (points)"}});
  }
  return rows;
}

}  // namespace

SuiteState StateOf(const std::string& suite, const std::vector<RunRow>& runs,
                   const std::vector<RunRow>& running) {
  SuiteState state;
  state.name = suite;
  std::set<std::string> all, failed, running_cells;
  for (const RunRow& run : runs) {
    all.insert(run.start.config_hash);
    if (run.status == "failed") {
      ++state.runs_failed;
      failed.insert(run.start.config_hash);
    } else if (run.status == "finished") {
      ++state.runs_finished;
    }
    state.last_activity = Later(state.last_activity, Later(run.started_at, run.finished_at));
  }
  for (const RunRow& run : running) {
    all.insert(run.start.config_hash);
    running_cells.insert(run.start.config_hash);
    ++state.runs_running;
    state.last_activity = Later(state.last_activity, run.started_at);
  }
  state.cells = static_cast<int>(all.size());
  for (const std::string& hash : all) {
    if (running_cells.count(hash)) {
      ++state.cells_running;
    } else if (failed.count(hash)) {
      ++state.cells_failed;
    } else {
      ++state.cells_finished;
    }
  }
  return state;
}

nlohmann::json ToJson(const SuiteState& s) {
  return {{"name", s.name},
          {"cells", s.cells},
          {"cells_finished", s.cells_finished},
          {"cells_failed", s.cells_failed},
          {"cells_running", s.cells_running},
          {"runs_finished", s.runs_finished},
          {"runs_failed", s.runs_failed},
          {"runs_running", s.runs_running},
          {"last_activity", s.last_activity}};
}

nlohmann::json SuiteDocument(const std::string& suite, const std::vector<RunRow>& runs,
                             const std::vector<RunRow>& running,
                             const report::ReportOptions& options) {
  const std::vector<CellRuns> cells = report::GroupCells(runs);
  const auto running_by_hash = RunningByHash(running);
  nlohmann::json cell_list = nlohmann::json::array();
  std::set<std::string> listed;
  static const std::vector<const RunRow*> kNone;
  for (const CellRuns& cell : cells) {
    const auto it = running_by_hash.find(cell.config_hash);
    cell_list.push_back(CellSummary(cell, it == running_by_hash.end() ? kNone : it->second));
    listed.insert(cell.config_hash);
  }
  for (const auto& [hash, list] : running_by_hash) {
    if (!listed.count(hash)) cell_list.push_back(RunningOnlyCell(list));
  }
  nlohmann::json boards = nlohmann::json::array();
  for (const report::Leaderboard& board : report::BuildLeaderboards(
           cells, report::ReportObjective(options), report::ReportTarget(options), options.roles)) {
    boards.push_back(LeaderboardJson(board));
  }
  report::ReportInput input{suite, runs, {}, options};
  input.cells = report::GroupCells(input.runs);
  const std::vector<const RunRow*> finished = report::FinishedRuns(cells);
  return {
      {"name", suite},
      {"objective", options.objective},
      {"objectives", {"acc_per_kwh", "co2", "energy", "time"}},
      {"provenance", finished.empty() ? "" : report::CommonProvenance(finished)},
      {"cells", std::move(cell_list)},
      {"leaderboards", std::move(boards)},
      {"pareto", ParetoJson(cells)},
      {"baseline", BaselineJson(cells)},
      {"recommendations", report::RecommendationSentences(input, report::TextStyle::kPlainText)}};
}

std::optional<nlohmann::json> CellDocument(const std::string& config_hash,
                                           const std::vector<RunRow>& runs,
                                           const std::vector<RunRow>& running) {
  std::vector<const RunRow*> running_of_cell;
  for (const RunRow& run : running) {
    if (run.start.config_hash == config_hash) running_of_cell.push_back(&run);
  }
  std::vector<RunRow> of_cell;
  for (const RunRow& run : runs) {
    if (run.start.config_hash == config_hash) of_cell.push_back(run);
  }
  nlohmann::json cell;
  if (!of_cell.empty()) {
    const std::vector<CellRuns> grouped = report::GroupCells(of_cell);
    cell = CellSummary(grouped.front(), running_of_cell);
  } else if (!running_of_cell.empty()) {
    cell = RunningOnlyCell(running_of_cell);
  } else {
    return std::nullopt;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const RunRow& run : of_cell) list.push_back(RunDocument(run));
  for (const RunRow* run : running_of_cell) list.push_back(RunDocument(*run));
  cell["runs"] = std::move(list);
  return cell;
}

nlohmann::json RunDocument(const RunRow& run) {
  nlohmann::json document = report::RunJson(run);
  document["superseded_at"] = run.superseded_at;
  return document;
}

nlohmann::json EpochsDocument(const RunRow& run) {
  return {
      {"run_id", run.id}, {"status", run.status}, {"epochs", report::RunJson(run).at("epochs")}};
}

}  // namespace carbonbench::serve
