// The title and the one-line summary of the suite.
#include <optional>

#include <fmt/format.h>

#include "report/analysis/leaderboard.h"
#include "report/analysis/optimal_epoch.h"
#include "report/analysis/recommendations.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// "`stopper`", the first installed stopping rule, or in words when none is.
std::string StoppingRuleText(const DeclaredRoles& roles) {
  return roles.stopping_rules.empty() ? "a stopping rule"
                                      : "`" + roles.stopping_rules.front() + "`";
}

std::string Plural(std::size_t count, const std::string& noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::string CellCounts(const std::vector<CellRuns>& cells) {
  std::size_t failed = 0;
  for (const CellRuns& cell : cells) failed += cell.HasFailure() ? 1 : 0;
  return fmt::format("{} ({} finished, {} failed)", Plural(cells.size(), "cell"),
                     cells.size() - failed, failed);
}

std::string BestAccuracyPerKwh(const std::vector<CellRuns>& cells) {
  const CellRuns* best = nullptr;
  double best_value = 0;
  for (const CellRuns& cell : cells) {
    const Stat stat = StatOver(cell, AccuracyPerKwh);
    // Strictly greater: on a tie the first cell by name wins,
    // deterministically.
    if (stat.count > 0 && (best == nullptr || stat.mean > best_value)) {
      best = &cell;
      best_value = stat.mean;
    }
  }
  if (best == nullptr) return "best accuracy per kWh: none (no finished run with energy)";
  return fmt::format("best accuracy per kWh: {} ({} %/kWh)", best->name,
                     Fixed(best_value, kAccPerKwhDigits));
}

// One per dataset: errors are in the target's units, so cells on two
// datasets are not compared.
std::vector<std::string> LowestRmse(const std::vector<CellRuns>& cells) {
  std::vector<std::string> datasets;
  for (const CellRuns& cell : cells) datasets.push_back(cell.dataset);
  std::vector<std::string> parts;
  for (const std::string& dataset : Distinct(datasets)) {
    const CellRuns* best = nullptr;
    double best_value = 0;
    for (const CellRuns& cell : cells) {
      if (cell.dataset != dataset) continue;
      const Stat stat = StatOver(cell, FinalRmse);
      // Strictly less: on a tie the first cell by name wins.
      if (stat.count > 0 && (best == nullptr || stat.mean < best_value)) {
        best = &cell;
        best_value = stat.mean;
      }
    }
    parts.push_back(best == nullptr
                        ? fmt::format("lowest RMSE on {}: none (no finished run)", dataset)
                        : fmt::format("lowest RMSE on {}: {} ({} final RMSE)", dataset, best->name,
                                      Fixed(best_value, kErrorDigits)));
  }
  return parts;
}

// The best cell of each task in the suite; accuracy per kWh also when the
// suite has no cell, as before tasks existed.
std::string BestCells(const std::vector<CellRuns>& cells) {
  const CellsByTask split = SplitByTask(cells);
  std::vector<std::string> parts;
  if (!split.classification.empty() || split.regression.empty()) {
    parts.push_back(BestAccuracyPerKwh(split.classification));
  }
  for (const std::string& part : LowestRmse(split.regression)) {
    parts.push_back(part);
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// The recommendations, as a list: the cheapest way to each dataset's target,
// the cheapest cell close to the most accurate, what each optimization did,
// and what stopping at the optimal epoch would have saved.
std::string Recommendations(const ReportInput& input) {
  std::vector<std::string> items;
  const Objective objective = ReportObjective(input.options);
  const Objective target_objective =
      objective == Objective::kAccuracyPerKwh ? Objective::kCo2ToTarget : objective;
  for (const Leaderboard& board : BuildLeaderboards(
           input.cells, target_objective, ReportTarget(input.options), input.options.roles)) {
    items.push_back(EscapeText(AnswerForTarget(board).sentence));
    const std::string similar = SimilarAccuracySentence(board, 1.0);
    if (!similar.empty()) items.push_back(EscapeText(similar));
  }
  for (const std::string& sentence : OptimizationEffectSentences(input.cells)) {
    items.push_back(EscapeText(sentence));
  }
  const OptimalEpochSavings savings =
      SuiteOptimalEpochSavings(input.cells, input.options.min_gain_points);
  if (savings.epochs_wh > 0 && savings.saved_wh > 0) {
    items.push_back(fmt::format(
        "Stopping each run at its optimal epoch (see below) would have saved {} Wh, {}% of the "
        "training energy: set {} on the cells with the most energy after it.",
        Significant(savings.saved_wh), Fixed(savings.saved_wh / savings.epochs_wh * 100.0, 0),
        StoppingRuleText(input.options.roles)));
  }
  if (items.empty()) return "";
  std::string text =
      "## Recommendations\n\n" + ProvenanceLine(input.cells) + DataSplitNote(input.cells);
  for (const std::string& item : items) text += "- " + item + "\n";
  return text + "\n";
}

// One row per objective: the best cell and its figure, per classification
// dataset.
std::string BestPerObjective(const ReportInput& input) {
  const auto boards = BuildLeaderboards(input.cells, Objective::kCo2ToTarget,
                                        ReportTarget(input.options), input.options.roles);
  if (boards.empty()) return "";
  // Each objective: its name, whether more is better, whether the target
  // belongs in its name, its figure of a cell (none where the cell has no
  // such figure) and how that figure reads.
  // Energy figures carry their band in percent (none for the others).
  struct Pick {
    const char* name;
    bool higher_is_better;
    bool names_the_target;
    std::optional<double> (*value)(const CellStanding&);
    std::string (*text)(double);
    std::optional<double> (*band)(const CellStanding&) = nullptr;
  };
  auto energy_band = [](const CellStanding& s) { return BandPercentOf(s); };
  auto to_target_band = [](const CellStanding& s) {
    return ScoreBandPercent(s, Objective::kCo2ToTarget);
  };
  const Pick picks[] = {
      {"highest final accuracy", true, false,
       [](const CellStanding& s) -> std::optional<double> { return s.final_accuracy.mean; },
       [](double v) { return Fixed(v, kPercentDigits) + "%"; }},
      {"best accuracy per kWh", true, false,
       [](const CellStanding& s) -> std::optional<double> {
         if (s.accuracy_per_kwh.count == 0) return std::nullopt;
         return s.accuracy_per_kwh.mean;
       },
       [](double v) { return Significant(v) + " %/kWh"; }, energy_band},
      {"least energy", false, false,
       [](const CellStanding& s) -> std::optional<double> { return s.energy_wh.mean; },
       [](double v) { return Significant(v) + " Wh"; }, energy_band},
      {"least CO2", false, false,
       [](const CellStanding& s) -> std::optional<double> { return s.co2_g.mean; },
       [](double v) { return Significant(v) + " g"; }, energy_band},
      {"shortest time", false, false,
       [](const CellStanding& s) -> std::optional<double> { return s.duration_s.mean; },
       [](double v) { return Significant(v) + " s"; }},
      {"least CO2 to reach the target", false, true,
       [](const CellStanding& s) -> std::optional<double> {
         if (s.runs_reaching == 0) return std::nullopt;
         return s.reach_co2_g.mean;
       },
       [](double v) { return Significant(v) + " g"; }, to_target_band},
  };
  MarkdownTable table({{"Dataset"}, {"Objective"}, {"Best cell"}, {"Value", Align::kRight}});
  for (const Leaderboard& board : boards) {
    for (const Pick& pick : picks) {
      const CellStanding* best = nullptr;
      double best_value = 0;
      for (const CellStanding& standing : board.ranked) {
        const std::optional<double> value = pick.value(standing);
        if (!value) continue;
        if (best == nullptr ||
            (pick.higher_is_better ? *value > best_value : *value < best_value)) {
          best = &standing;
          best_value = *value;
        }
      }
      if (best == nullptr) continue;
      std::string name = pick.name;
      if (pick.names_the_target) {
        name += " of " + Fixed(board.target_accuracy_percent, kPercentDigits) + "%";
      }
      std::string value = pick.text(best_value);
      if (pick.band != nullptr) {
        if (const auto band = pick.band(*best)) value += " " + BandPercentText(*band);
      }
      table.AddRow({EscapeCell(board.Label()), name, best->cell->name, value});
    }
  }
  return "## Best cell per objective\n\n" + ProvenanceLine(input.cells) + table.Render() + "\n";
}

}  // namespace

std::string EnergyWithProvenance(double energy_wh, const std::vector<const RunRow*>& runs,
                                 const std::vector<MeterInfo>& meters, double band_wh) {
  std::string detail = CommonProvenance(runs);
  // "mixed: cpu measured, ..." already has its colon.
  std::string separator = detail.find(':') == std::string::npos ? ": " : "; ";
  for (const MeterInfo& meter : meters) {
    if (!meter.available) continue;
    std::string method = meter.method;
    // The method is a sentence; inside parentheses its full stop is noise.
    if (!method.empty() && method.back() == '.') method.pop_back();
    detail += separator + meter.name + (method.empty() ? "" : ", " + method);
    separator = "; ";
  }
  return fmt::format("{} ({})", WithBand(Fixed(energy_wh, kWhDigits) + " Wh", energy_wh, band_wh),
                     detail);
}

std::string SummarySection(const ReportInput& input) {
  std::string text = "# carbonbench report: " + input.suite + "\n\n";
  if (input.runs.empty()) return text + "No runs of this suite are stored.\n\n";

  double duration_s = 0;
  double energy_wh = 0;
  double co2_g = 0;
  std::vector<double> bands;
  std::vector<const RunRow*> all;
  for (const RunRow& run : input.runs) {
    duration_s += run.summary.duration_s;
    energy_wh += run.summary.energy_wh;
    co2_g += run.summary.co2_g;
    bands.push_back(run.summary.energy_band_wh);
    all.push_back(&run);
  }
  // A total's band is the sum of the runs' (number_format.h says why), and
  // CO2, being energy times intensity, carries the same share.
  const double band_wh = SumOfBands(bands);
  const double co2_band_g = energy_wh > 0 ? co2_g * band_wh / energy_wh : 0;
  text += fmt::format("{}, {}: {} s in total, {}, {} (from {} energy); {}.\n\n",
                      CellCounts(input.cells), Plural(input.runs.size(), "run"),
                      Fixed(duration_s, kSecondsDigits),
                      EnergyWithProvenance(energy_wh, all, MetersOf(input.runs), band_wh),
                      WithBand(Fixed(co2_g, kCo2Digits) + " g CO2", co2_g, co2_band_g),
                      ProvenanceWord(CommonProvenance(all)), BestCells(input.cells));
  text += EstimateStatement(all) + MeasuredCoverage(all);
  return text + Recommendations(input) + BestPerObjective(input);
}

}  // namespace carbonbench::report
