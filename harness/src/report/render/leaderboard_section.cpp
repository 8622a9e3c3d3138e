// The cells of each classification dataset ranked by the chosen objective,
// with what each spent to reach the target accuracy.
#include <fmt/format.h>

#include "report/analysis/leaderboard.h"
#include "report/render/sections.h"

namespace carbonbench::report {

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

bool AnyBand(const Leaderboard& board) {
  for (const CellStanding& standing : board.ranked) {
    if (BandPercentOf(standing)) return true;
  }
  return false;
}

// "±35%", or — where the cell's energy has no band.
std::string BandCell(const CellStanding& standing) {
  const std::string text = BandText(standing.energy_wh.mean, standing.energy_band_wh.mean);
  return text.empty() ? kNone : text;
}

// Two tables, so that each fits the page: the ranking with what each cell
// cost, then what it spent to reach the target.
std::string BoardTable(const Leaderboard& board) {
  std::vector<Column> columns = {{"Rank", Align::kRight},        {"Cell"},
                                 {"Final acc %", Align::kRight}, {"Energy Wh", Align::kRight},
                                 {"CO2 g", Align::kRight},       {"%/Wh", Align::kRight}};
  // One band column for the row's energy and CO2 figures, as in the results.
  const bool bands = AnyBand(board);
  if (bands) columns.push_back({"Band", Align::kRight});
  std::vector<Column> target_columns = {{"Rank", Align::kRight}, {"Cell"}};
  for (const char* header :
       {"Reached", "At epoch", "Wh to target", "g CO2 to target", "s to target"}) {
    target_columns.push_back({header, Align::kRight});
  }
  MarkdownTable table(std::move(columns));
  MarkdownTable target_table(std::move(target_columns));
  int rank = 0;
  for (const CellStanding& standing : board.ranked) {
    const bool reached = standing.runs_reaching > 0;
    const std::string rank_text = standing.score ? std::to_string(++rank) : kNone;
    std::vector<std::string> row = {
        rank_text,
        standing.cell->name,
        FormatStat(standing.final_accuracy, kPercentDigits),
        FormatStatSignificant(standing.energy_wh),
        FormatStatSignificant(standing.co2_g),
        FormatStatSignificant(ScaledStat(standing.accuracy_per_kwh, 1.0 / kWhPerKwh))};
    if (bands) row.push_back(BandCell(standing));
    table.AddRow(row);
    std::vector<std::string> target_row = {rank_text, standing.cell->name};
    for (const std::string& cell :
         {ReachedText(standing), reached ? FormatCount(standing.reach_epoch) : kNone,
          reached ? FormatStatSignificant(standing.reach_energy_wh) : kNone,
          reached ? FormatStatSignificant(standing.reach_co2_g) : kNone,
          reached ? FormatStatSignificant(standing.reach_s) : kNone}) {
      target_row.push_back(cell);
    }
    target_table.AddRow(target_row);
  }
  return table.Render() + "\n" + target_table.Render();
}

// What the band column means, when a board shows one.
std::string BandNote(const std::vector<Leaderboard>& boards) {
  for (const Leaderboard& board : boards) {
    if (AnyBand(board)) {
      return "Band is the error band of an estimated cell's energy, a share that holds for its "
             "CO2, accuracy per Wh and what it spent to the target alike (— where the energy is "
             "measured or was stored without one). ";
    }
  }
  return "";
}

}  // namespace

std::string LeaderboardSection(const ReportInput& input) {
  const Objective objective = ReportObjective(input.options);
  const auto boards =
      BuildLeaderboards(input.cells, objective, ReportTarget(input.options), input.options.roles);
  if (boards.empty()) return "";
  std::string text = fmt::format(
      "## Leaderboard\n\nFinished classification cells ranked by {} ({}), best first; mean ± "
      "stddev over repetitions. The second table's \"to target\" columns are what a run had "
      "spent, in its training and evaluation epochs, when its test accuracy first reached the "
      "target: what {} would "
      "have cost. Cells without a rank have no figure for the objective. Rank by another "
      "objective with `carbonbench report SUITE --objective X` (X: {}).\n\n",
      ObjectiveTitle(objective),
      objective == Objective::kAccuracyPerKwh ? "final accuracy % per Wh, higher is better"
                                              : "lower is better",
      TargetSettingText(input.cells, input.options.roles), ObjectiveChoices());
  text += BandNote(boards) + ProvenanceLine(input.cells) + DataSplitNote(input.cells);
  for (const Leaderboard& board : boards) {
    text += fmt::format("### {}: target {}% ({})\n\n", EscapeText(board.Label()),
                        Fixed(board.target_accuracy_percent, kPercentDigits), board.target_source);
    text += BoardTable(board) + "\n";
  }
  return text;
}

}  // namespace carbonbench::report
