#include "report/analysis/leaderboard.h"

#include <algorithm>

#include <fmt/format.h>

namespace carbonbench::report {
namespace {

struct NamedObjective {
  Objective objective;
  const char* name;
  const char* title;
};
constexpr NamedObjective kObjectives[] = {
    {Objective::kAccuracyPerKwh, "acc_per_kwh", "accuracy per Wh"},
    {Objective::kCo2ToTarget, "co2", "CO2 to reach the target"},
    {Objective::kEnergyToTarget, "energy", "energy to reach the target"},
    {Objective::kTimeToTarget, "time", "time to reach the target"},
};

// The cell's target accuracy and the setting that holds it.
std::optional<std::pair<double, std::string>> TargetAccuracyOf(const CellRuns& cell,
                                                               const DeclaredRoles& roles) {
  for (const std::string& setting : TargetAccuracySettings(cell, roles)) {
    const auto target = NumberSetting(cell, setting);
    if (target && *target > 0) return std::make_pair(*target, setting);
  }
  return std::nullopt;
}

CellStanding Stand(const CellRuns& cell, Objective objective, double target) {
  CellStanding standing;
  standing.cell = &cell;
  standing.final_accuracy = StatOver(cell, FinalAccuracyPercent);
  standing.energy_wh = StatOver(cell, EnergyWh);
  standing.energy_band_wh = StatOver(cell, EnergyBandWh);
  standing.co2_g = StatOver(cell, Co2G);
  standing.duration_s = StatOver(cell, DurationS);
  standing.accuracy_per_kwh = StatOver(cell, AccuracyPerKwh);
  standing.runs = static_cast<int>(cell.finished.size());
  std::vector<double> epoch, energy, co2, seconds, band;
  for (const RunRow* run : cell.finished) {
    if (const auto reach = FirstReaching(EpochPoints(*run), target)) {
      epoch.push_back(reach->epoch);
      energy.push_back(reach->energy_wh);
      co2.push_back(reach->co2_g);
      seconds.push_back(reach->duration_s);
      band.push_back(reach->energy_band_wh);
    }
  }
  standing.runs_reaching = static_cast<int>(epoch.size());
  standing.reach_epoch = Summarize(epoch);
  standing.reach_energy_wh = Summarize(energy);
  standing.reach_co2_g = Summarize(co2);
  standing.reach_s = Summarize(seconds);
  standing.reach_energy_band_wh = Summarize(band);
  switch (objective) {
    case Objective::kAccuracyPerKwh:
      if (standing.accuracy_per_kwh.count > 0) standing.score = standing.accuracy_per_kwh.mean;
      break;
    case Objective::kCo2ToTarget:
      if (!co2.empty()) standing.score = standing.reach_co2_g.mean;
      break;
    case Objective::kEnergyToTarget:
      if (!energy.empty()) standing.score = standing.reach_energy_wh.mean;
      break;
    case Objective::kTimeToTarget:
      if (!seconds.empty()) standing.score = standing.reach_s.mean;
      break;
  }
  return standing;
}

// Whether `a` ranks above `b`; ties keep the cells' (name) order.
bool RanksAbove(Objective objective, const CellStanding& a, const CellStanding& b) {
  if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
  if (a.score) {
    if (objective != Objective::kAccuracyPerKwh) {
      const bool a_all = a.runs_reaching == a.runs;
      const bool b_all = b.runs_reaching == b.runs;
      if (a_all != b_all) return a_all;
    }
    return ScoreIsBetter(objective, *a.score, *b.score);
  }
  return a.final_accuracy.mean > b.final_accuracy.mean;
}

}  // namespace

std::optional<Objective> ParseObjective(const std::string& text) {
  for (const NamedObjective& named : kObjectives) {
    if (text == named.name) return named.objective;
  }
  return std::nullopt;
}

std::string ObjectiveChoices() {
  std::vector<std::string> names;
  for (const NamedObjective& named : kObjectives) names.push_back(named.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string ObjectiveName(Objective objective) {
  for (const NamedObjective& named : kObjectives) {
    if (named.objective == objective) return named.name;
  }
  return "";
}

std::string ObjectiveTitle(Objective objective) {
  for (const NamedObjective& named : kObjectives) {
    if (named.objective == objective) return named.title;
  }
  return "";
}

std::vector<EpochPoint> EpochPoints(const RunRow& run) {
  std::vector<EpochPoint> points;
  const bool regression = run.start.task == kRegressionTask;
  for (const EpochRecord& epoch : run.epochs) {
    EpochPoint point;
    point.quality = regression ? -epoch.test_rmse : epoch.test_accuracy * 100.0;
    point.energy_wh = epoch.energy_wh;
    point.co2_g = epoch.co2_g;
    point.duration_s = epoch.train_s + epoch.eval_s;
    point.energy_band_wh = epoch.energy_band_wh;
    points.push_back(point);
  }
  return points;
}

std::optional<double> BandPercentOf(const CellStanding& standing) {
  return BandPercent(standing.energy_wh.mean, standing.energy_band_wh.mean);
}

std::optional<double> ScoreBandPercent(const CellStanding& standing, Objective objective) {
  switch (objective) {
    case Objective::kAccuracyPerKwh:
      return BandPercentOf(standing);
    case Objective::kCo2ToTarget:
    case Objective::kEnergyToTarget:
      return BandPercent(standing.reach_energy_wh.mean, standing.reach_energy_band_wh.mean);
    case Objective::kTimeToTarget:
      return std::nullopt;
  }
  return std::nullopt;
}

bool ScoreIsBetter(Objective objective, double a, double b) {
  return objective == Objective::kAccuracyPerKwh ? a > b : a < b;
}

std::pair<double, std::string> DefaultTarget(const std::vector<const CellRuns*>& cells,
                                             const DeclaredRoles& roles) {
  std::optional<std::pair<double, std::string>> highest;
  std::string from;
  double best_accuracy = 0;
  for (const CellRuns* cell : cells) {
    if (const auto target = TargetAccuracyOf(*cell, roles);
        target && (!highest || target->first > highest->first)) {
      highest = target;
      from = cell->name;
    }
    best_accuracy = std::max(best_accuracy, StatOver(*cell, FinalAccuracyPercent).mean);
  }
  if (highest) return {highest->first, "the " + highest->second + " of " + from};
  const double target = std::max(0.0, best_accuracy - 1.0);
  const std::string setting = roles.target_accuracy_settings.empty()
                                  ? std::string("a target accuracy")
                                  : roles.target_accuracy_settings.front();
  return {target, "1 point below the best mean final accuracy, as no cell sets " + setting};
}

std::string TargetSettingName(const std::vector<CellRuns>& cells, const DeclaredRoles& roles) {
  for (const CellRuns& cell : cells) {
    if (const auto settings = TargetAccuracySettings(cell, roles); !settings.empty()) {
      return settings.front();
    }
  }
  return roles.target_accuracy_settings.empty() ? "" : roles.target_accuracy_settings.front();
}

std::vector<Leaderboard> BuildLeaderboards(const std::vector<CellRuns>& cells, Objective objective,
                                           std::optional<double> target_percent,
                                           const DeclaredRoles& roles) {
  std::vector<Leaderboard> boards;
  for (const DatasetCells& group : FinishedCellsByDataset(cells)) {
    if (group.regression) continue;
    const std::vector<const CellRuns*>& members = group.cells;
    Leaderboard board;
    board.dataset = group.dataset;
    board.data = group.data;
    board.objective = objective;
    if (target_percent) {
      board.target_accuracy_percent = *target_percent;
      board.target_source = "as asked";
    } else {
      std::tie(board.target_accuracy_percent, board.target_source) = DefaultTarget(members, roles);
    }
    for (const CellRuns* cell : members) {
      board.ranked.push_back(Stand(*cell, objective, board.target_accuracy_percent));
    }
    std::stable_sort(board.ranked.begin(), board.ranked.end(),
                     [objective](const CellStanding& a, const CellStanding& b) {
                       return RanksAbove(objective, a, b);
                     });
    boards.push_back(std::move(board));
  }
  return boards;
}

}  // namespace carbonbench::report
