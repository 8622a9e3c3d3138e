// The Pareto front of quality against energy and against CO2, per dataset:
// the cells worth choosing, and for each other cell the one that beats it
// on both counts.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/analysis/tradeoffs.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

double Quality(const CellRuns& cell) {
  return cell.IsRegression() ? -StatOver(cell, FinalRmse).mean
                             : StatOver(cell, FinalAccuracyPercent).mean;
}

// "front", or "dominated by X".
std::vector<std::string> Verdicts(const std::vector<const CellRuns*>& cells, Metric cost) {
  std::vector<TradeoffPoint> points;
  for (const CellRuns* cell : cells) points.push_back({StatOver(*cell, cost).mean, Quality(*cell)});
  const std::vector<int> dominated_by = DominatedBy(points);
  std::vector<std::string> verdicts;
  for (const int by : dominated_by) {
    verdicts.push_back(by == kOnTheFront  ? "front"
                       : by == kNotRanked ? "not ranked"
                                          : "dominated by " + cells[by]->name);
  }
  return verdicts;
}

std::string DatasetTable(const std::vector<const CellRuns*>& cells, bool regression) {
  const std::vector<std::string> by_energy = Verdicts(cells, EnergyWh);
  const std::vector<std::string> by_co2 = Verdicts(cells, Co2G);
  // Where every cell ran under one intensity the two verdicts agree: one
  // column says both, and the table fits the page.
  const bool agree = by_energy == by_co2;
  std::vector<Column> columns = {
      {"Cell"},
      {"Energy Wh", Align::kRight},
      {"CO2 g", Align::kRight},
      regression ? Column{"Final RMSE", Align::kRight} : Column{"Final acc %", Align::kRight}};
  if (agree) {
    columns.push_back({"Against energy and CO2"});
  } else {
    columns.push_back({"Against energy"});
    columns.push_back({"Against CO2"});
  }
  MarkdownTable table(std::move(columns));
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const CellRuns& cell = *cells[i];
    std::vector<std::string> row = {
        cell.name, FormatStatSignificant(StatOver(cell, EnergyWh)),
        FormatStatSignificant(StatOver(cell, Co2G)),
        regression ? FormatStatSignificant(StatOver(cell, FinalRmse))
                   : FormatStat(StatOver(cell, FinalAccuracyPercent), kPercentDigits),
        by_energy[i]};
    if (!agree) row.push_back(by_co2[i]);
    table.AddRow(row);
  }
  std::string notes;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (by_energy[i] != "not ranked" && by_co2[i] != "not ranked") continue;
    const bool quality_finite = std::isfinite(Quality(*cells[i]));
    notes += fmt::format(
        "\n{}: {} not a finite number (did the training diverge?), so it has no "
        "place on the front.\n",
        EscapeText(cells[i]->name),
        !quality_finite ? (regression ? "its RMSE is" : "its accuracy is")
                        : "its energy or CO2 is");
  }
  return table.Render() + notes;
}

}  // namespace

std::string ParetoSection(const ReportInput& input) {
  const std::vector<DatasetCells> groups = FinishedCellsByDataset(input.cells);
  if (groups.empty()) return "";
  std::string text =
      "## Pareto front\n\nPer dataset, cells ordered by energy (means over repetitions). A cell "
      "on the front has no other cell that used no more energy (or CO2) for at least its "
      "quality, with one of the two strictly better; a dominated cell should not be chosen: the "
      "cell named beside it is cheaper and no worse. " +
      ProvenanceLine(input.cells) + DataSplitNote(input.cells);
  for (const DatasetCells& group : groups) {
    std::vector<const CellRuns*> cells = group.cells;
    std::stable_sort(cells.begin(), cells.end(), [](const CellRuns* a, const CellRuns* b) {
      return StatOver(*a, EnergyWh).mean < StatOver(*b, EnergyWh).mean;
    });
    text +=
        "### " + EscapeText(group.Label()) + "\n\n" + DatasetTable(cells, group.regression) + "\n";
  }
  return text;
}

}  // namespace carbonbench::report
