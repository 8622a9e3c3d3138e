// The title and the one-line summary of the suite.
#include <optional>

#include <fmt/format.h>

#include "report/analysis/leaderboard.h"
#include "report/analysis/optimal_epoch.h"
#include "report/analysis/recommendations.h"
#include "report/analysis/significance.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// "`stopper`", the first installed stopping rule, or in words when none is.
std::string StoppingRuleText(const DeclaredRoles& roles) {
  return roles.stopping_rules.empty() ? "a stopping rule"
                                      : "`" + roles.stopping_rules.front() + "`";
}

std::string PlainStoppingRuleText(const DeclaredRoles& roles) {
  return roles.stopping_rules.empty() ? "a stopping rule" : roles.stopping_rules.front();
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

// "3 datasets (fortunes, fashion_mnist, co2)".
std::string DatasetCounts(const std::vector<CellRuns>& cells) {
  std::vector<std::string> datasets;
  for (const CellRuns& cell : cells) datasets.push_back(cell.dataset);
  const std::vector<std::string> distinct = Distinct(datasets);
  return fmt::format("{} ({})", Plural(distinct.size(), "dataset"), fmt::join(distinct, ", "));
}

// The answer for one classification board: the cell that reached the target
// for the least CO2, else the most accurate one.
std::string AnswerLine(const Leaderboard& board) {
  const CellStanding* cheapest = nullptr;
  for (const CellStanding& standing : board.ranked) {
    if (standing.runs_reaching == 0) continue;
    // Strictly less: on a tie the first ranked cell wins.
    if (cheapest == nullptr || standing.reach_co2_g.mean < cheapest->reach_co2_g.mean) {
      cheapest = &standing;
    }
  }
  const std::string target = Fixed(board.target_accuracy_percent, kPercentDigits) + "%";
  if (cheapest != nullptr) {
    std::string co2 = Significant(cheapest->reach_co2_g.mean) + " g";
    if (const auto band = ScoreBandPercent(*cheapest, Objective::kCo2ToTarget)) {
      co2 += ", estimated " + BandPercentText(*band);
    }
    // The least CO2 is a finding only where it beats the runner-up by more
    // than the run-to-run spread; otherwise the headline says so.
    const CellStanding* runner_up = nullptr;
    for (const CellStanding& standing : board.ranked) {
      if (&standing == cheapest || standing.runs_reaching == 0) continue;
      if (runner_up == nullptr || standing.reach_co2_g.mean < runner_up->reach_co2_g.mean) {
        runner_up = &standing;
      }
    }
    std::string evidence;
    if (runner_up != nullptr) {
      const MeanDifference lead = CompareMeans(cheapest->reach_co2_g, runner_up->reach_co2_g);
      if (lead.evidence == Evidence::kNotSignificant) {
        evidence = fmt::format(", but its lead over {} is within the run-to-run spread",
                               runner_up->cell->name);
      } else if (lead.evidence == Evidence::kNoSpread) {
        evidence = fmt::format(", but with single runs its lead over {} cannot be told from noise",
                               runner_up->cell->name);
      }
    }
    return fmt::format("{}: {} reached {} accuracy for the least CO2: {}{}.", board.dataset,
                       cheapest->cell->name, target, co2, evidence);
  }
  const CellStanding* best = nullptr;
  for (const CellStanding& standing : board.ranked) {
    if (standing.final_accuracy.count == 0) continue;
    if (best == nullptr || standing.final_accuracy.mean > best->final_accuracy.mean) {
      best = &standing;
    }
  }
  if (best == nullptr) return board.dataset + ": no finished run.";
  return fmt::format("{}: no cell reached {}; the most accurate is {} ({}%).", board.dataset,
                     target, best->cell->name, Fixed(best->final_accuracy.mean, kPercentDigits));
}

// One per regression dataset: errors are in the target's units, so cells on
// two datasets are not compared.
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
    parts.push_back(best == nullptr ? fmt::format("{}: no finished run.", dataset)
                                    : fmt::format("{}: {} has the lowest final RMSE ({}).", dataset,
                                                  best->name, Significant(best_value)));
  }
  return parts;
}

// The answer, a line per dataset: the cheapest way to each classification
// dataset's target, the lowest error on each regression one.
std::string Answers(const ReportInput& input) {
  const CellsByTask split = SplitByTask(input.cells);
  std::vector<std::string> lines;
  for (const Leaderboard& board :
       BuildLeaderboards(split.classification, Objective::kCo2ToTarget, ReportTarget(input.options),
                         input.options.roles)) {
    lines.push_back(AnswerLine(board));
  }
  for (const std::string& line : LowestRmse(split.regression)) lines.push_back(line);
  std::string text;
  for (const std::string& line : lines) text += "- " + EscapeText(line) + "\n";
  return text.empty() ? "" : text + "\n";
}

// The recommendations, as a list (RecommendationSentences).
std::string Recommendations(const ReportInput& input) {
  const std::vector<std::string> items = RecommendationSentences(input, TextStyle::kMarkdown);
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
      {"best accuracy per Wh", true, false,
       [](const CellStanding& s) -> std::optional<double> {
         if (s.accuracy_per_kwh.count == 0) return std::nullopt;
         return s.accuracy_per_kwh.mean;
       },
       [](double v) { return AccuracyPerWhText(v); }, energy_band},
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

std::vector<std::string> RecommendationSentences(const ReportInput& input, TextStyle style) {
  const auto text = [style](const std::string& sentence) {
    return style == TextStyle::kMarkdown ? EscapeText(sentence) : sentence;
  };
  std::vector<std::string> items;
  const Objective objective = ReportObjective(input.options);
  const Objective target_objective =
      objective == Objective::kAccuracyPerKwh ? Objective::kCo2ToTarget : objective;
  for (const Leaderboard& board : BuildLeaderboards(
           input.cells, target_objective, ReportTarget(input.options), input.options.roles)) {
    items.push_back(text(AnswerForTarget(board).sentence));
    const std::string similar = SimilarAccuracySentence(board, 1.0);
    if (!similar.empty()) items.push_back(text(similar));
  }
  for (const std::string& sentence : OptimizationEffectSentences(input.cells)) {
    items.push_back(text(sentence));
  }
  const OptimalEpochSavings savings =
      SuiteOptimalEpochSavings(input.cells, input.options.min_gain_points);
  if (savings.epochs_wh > 0 && savings.saved_wh > 0) {
    items.push_back(fmt::format(
        "Stopping each run at its optimal epoch (see below) would have saved {} Wh, {}% of the "
        "training energy: set {} on the cells with the most energy after it.",
        Significant(savings.saved_wh), Fixed(savings.saved_wh / savings.epochs_wh * 100.0, 0),
        style == TextStyle::kMarkdown ? StoppingRuleText(input.options.roles)
                                      : PlainStoppingRuleText(input.options.roles)));
  }
  return items;
}

std::string SummarySection(const ReportInput& input) {
  std::string text = "# carbonbench report: " + input.suite + "\n\n";
  if (input.runs.empty()) return text + "No runs of this suite are stored.\n\n";

  double duration_s = 0;
  double energy_wh = 0;
  double co2_g = 0;
  std::vector<double> bands;
  for (const RunRow& run : input.runs) {
    duration_s += run.summary.duration_s;
    energy_wh += run.summary.energy_wh;
    co2_g += run.summary.co2_g;
    bands.push_back(run.summary.energy_band_wh);
  }
  // A total's band is the sum of the runs' (number_format.h says why), and
  // CO2, being energy times intensity, carries the same share.
  const std::string band = BandText(energy_wh, SumOfBands(bands));
  // What ran and what it cost, then the answer; the meters' methods and what
  // an estimate's differences mean are in "Measurement".
  text += EscapeText(fmt::format("{} on {}, {}, in {} s: {} Wh and {} g CO2{}.",
                                 CellCounts(input.cells), DatasetCounts(input.cells),
                                 Plural(input.runs.size(), "run"), Significant(duration_s),
                                 Significant(energy_wh), Significant(co2_g),
                                 band.empty() ? "" : ", both estimated " + band)) +
          "\n\n" + Answers(input) +
          "How the energy was obtained (meters, methods, error bands) is under "
          "[Measurement](#measurement).\n\n";
  return text + Recommendations(input) + BestPerObjective(input);
}

}  // namespace carbonbench::report
