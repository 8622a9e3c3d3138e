// The cells of each classification dataset ranked by the chosen objective,
// with what each spent to reach the target accuracy.
#include <fmt/format.h>

#include "report/analysis/leaderboard.h"
#include "report/render/sections.h"

namespace carbonbench::report {

Objective ReportObjective(const ReportOptions& options) {
  return ParseObjective(options.objective).value_or(Objective::kAccuracyPerKwh);
}

std::optional<double> ReportTarget(const ReportOptions& options) {
  if (options.target_accuracy_percent > 0) return options.target_accuracy_percent;
  return std::nullopt;
}

namespace {

// "`stopper.target_acc`", or in words when no optimization declares one.
std::string TargetSettingText(const std::vector<CellRuns>& cells, const DeclaredRoles& roles) {
  const std::string setting = TargetSettingName(cells, roles);
  return setting.empty() ? "a stopping rule's target accuracy" : "`" + setting + "`";
}

std::string ReachedText(const CellStanding& standing) {
  if (standing.runs_reaching == 0) return "no";
  if (standing.runs_reaching == standing.runs) return "yes";
  return fmt::format("{} of {}", standing.runs_reaching, standing.runs);
}

std::string BoardTable(const Leaderboard& board) {
  MarkdownTable table({{"Rank", Align::kRight},
                       {"Cell"},
                       {"Final acc %", Align::kRight},
                       {"Energy Wh", Align::kRight},
                       {"CO2 g", Align::kRight},
                       {"Acc/kWh", Align::kRight},
                       {"Reached", Align::kRight},
                       {"At epoch", Align::kRight},
                       {"Wh to target", Align::kRight},
                       {"g CO2 to target", Align::kRight},
                       {"s to target", Align::kRight}});
  int rank = 0;
  for (const CellStanding& standing : board.ranked) {
    const bool reached = standing.runs_reaching > 0;
    table.AddRow({standing.score ? std::to_string(++rank) : kNone, standing.cell->name,
                  FormatStat(standing.final_accuracy, kPercentDigits),
                  FormatStatSignificant(standing.energy_wh), FormatStatSignificant(standing.co2_g),
                  FormatStatSignificant(standing.accuracy_per_kwh), ReachedText(standing),
                  reached ? FormatCount(standing.reach_epoch) : kNone,
                  reached ? FormatStatSignificant(standing.reach_energy_wh) : kNone,
                  reached ? FormatStatSignificant(standing.reach_co2_g) : kNone,
                  reached ? FormatStatSignificant(standing.reach_s) : kNone});
  }
  return table.Render();
}

}  // namespace

std::string LeaderboardSection(const ReportInput& input) {
  const Objective objective = ReportObjective(input.options);
  const auto boards =
      BuildLeaderboards(input.cells, objective, ReportTarget(input.options), input.options.roles);
  if (boards.empty()) return "";
  std::string text = fmt::format(
      "## Leaderboard\n\nFinished classification cells ranked by {} ({}), best first; mean ± "
      "stddev over repetitions. \"To target\" columns are what a run had spent, in its training "
      "and evaluation epochs, when its test accuracy first reached the target: what {} would "
      "have cost. Cells without a rank have no figure for the objective. Rank by another "
      "objective with `carbonbench report SUITE --objective X` (X: {}).\n\n",
      ObjectiveTitle(objective),
      objective == Objective::kAccuracyPerKwh ? "final accuracy % per kWh, higher is better"
                                              : "lower is better",
      TargetSettingText(input.cells, input.options.roles), ObjectiveChoices());
  text += ProvenanceLine(input.cells);
  for (const Leaderboard& board : boards) {
    text += fmt::format("### {}: target {}% ({})\n\n", board.dataset,
                        Fixed(board.target_accuracy_percent, kPercentDigits), board.target_source);
    text += BoardTable(board) + "\n";
  }
  return text;
}

}  // namespace carbonbench::report
