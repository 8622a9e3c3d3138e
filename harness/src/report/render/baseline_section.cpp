// Each optimized cell against the cell that differs from it only by its
// optimizations: accuracy for classification, RMSE for regression. A change
// no larger than the run-to-run spread is marked as not significant.
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "report/analysis/recommendations.h"
#include "report/analysis/tradeoffs.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

constexpr const char* kNotSignificant = " (n.s.)";
constexpr const char* kWithinBand = " (in band)";

// " (n.s.)" when the two cells' means differ by no more than their spread.
std::string Significance(const Stat& value, const Stat& base) {
  const std::optional<bool> within = WithinSpread(value, base);
  return within && *within ? kNotSignificant : "";
}

// Relative change of the means, in percent; none against a zero baseline.
std::string DeltaPercent(const CellRuns& cell, const CellRuns& baseline, Metric metric) {
  const Stat base = StatOver(baseline, metric);
  const Stat value = StatOver(cell, metric);
  const auto change = PercentChange(value.mean, base.mean);
  if (!change) return kNone;
  return Signed(*change, kDeltaPercentDigits) + Significance(value, base);
}

// The change of the task's quality figure: accuracy in percentage points,
// or final RMSE relative to the baseline's, in percent.
std::string QualityDelta(const CellRuns& cell, const CellRuns& baseline) {
  if (cell.IsRegression()) return DeltaPercent(cell, baseline, FinalRmse);
  const Stat value = StatOver(cell, FinalAccuracyPercent);
  const Stat base = StatOver(baseline, FinalAccuracyPercent);
  return Signed(value.mean - base.mean, kPercentDigits) + Significance(value, base);
}

// " (in band)" when an energy or CO2 change is no larger than the larger
// error band of the two cells' estimates: on one machine the ranking holds
// (the error shifts both alike), but the amount is not a measured one.
std::string BandMark(const CellRuns& cell, const CellRuns& baseline, Metric metric) {
  const auto band = LargerBand(CellBandPercent(cell), CellBandPercent(baseline));
  const auto change = PercentChange(StatOver(cell, metric).mean, StatOver(baseline, metric).mean);
  return band && change && std::abs(*change) <= *band ? kWithinBand : "";
}

std::vector<std::string> DeltaRow(const CellRuns& cell, const CellRuns* baseline) {
  if (baseline == nullptr) {
    return {cell.name, "no baseline cell", kNone, kNone, kNone, kNone};
  }
  return {cell.name,
          baseline->name,
          DeltaPercent(cell, *baseline, DurationS),
          DeltaPercent(cell, *baseline, EnergyWh) + BandMark(cell, *baseline, EnergyWh),
          DeltaPercent(cell, *baseline, Co2G) + BandMark(cell, *baseline, Co2G),
          QualityDelta(cell, *baseline)};
}

// The table of one task's optimized cells; empty when it has none.
std::string DeltaTable(const std::vector<CellRuns>& task_cells,
                       const std::vector<CellRuns>& all_cells, bool regression) {
  MarkdownTable table({{"Cell"},
                       {"Baseline"},
                       {"Δ time %", Align::kRight},
                       {"Δ energy %", Align::kRight},
                       {"Δ CO2 %", Align::kRight},
                       regression ? Column{"Δ RMSE %", Align::kRight}
                                  : Column{"Δ accuracy (points)", Align::kRight}});
  bool any = false;
  for (const CellRuns& cell : task_cells) {
    if (cell.optimizations.empty() || cell.finished.empty()) continue;
    any = true;
    table.AddRow(DeltaRow(cell, FindBaseline(cell, all_cells)));
  }
  return any ? table.Render() : "";
}

// Whether every compared pair has repetitions on both sides, so the spread
// is known wherever a change is shown.
bool SpreadKnownEverywhere(const std::vector<CellRuns>& cells) {
  for (const CellRuns& cell : cells) {
    if (cell.optimizations.empty() || cell.finished.empty()) continue;
    const CellRuns* baseline = FindBaseline(cell, cells);
    if (baseline != nullptr && (cell.finished.size() < 2 || baseline->finished.size() < 2)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string BaselineSection(const ReportInput& input) {
  if (input.runs.empty()) return "";
  std::string text = "## Against the baseline\n\n";
  const CellsByTask split = SplitByTask(input.cells);
  const std::string classification =
      DeltaTable(split.classification, input.cells, /*regression=*/false);
  const std::string regression = DeltaTable(split.regression, input.cells, /*regression=*/true);
  if (classification.empty() && regression.empty()) {
    return text + "No finished cell uses an optimization.\n\n";
  }
  text +=
      "Each finished cell with optimizations against the cell without them "
      "whose other settings are equal (means over repetitions). Negative "
      "time, energy and CO2 are savings";
  if (!classification.empty()) {
    text += "; accuracy is the change of final accuracy in percentage points";
  }
  if (!regression.empty()) {
    text +=
        "; RMSE is the relative change of final RMSE, negative being a "
        "smaller error";
  }
  text +=
      ". (n.s.) marks a change no larger than the run-to-run spread "
      "(√(sd² + sd²) of the two cells' repetitions): not significant.";
  if (AnyBand(input.cells)) {
    text +=
        " (in band) marks an energy or CO2 change no larger than the estimates' error band: "
        "on one machine it still ranks the cells, but as an amount it is a difference in time "
        "and CPU load, not a measured one.";
  }
  if (!SpreadKnownEverywhere(input.cells)) {
    text +=
        " Where either side ran once the spread is unknown and nothing is "
        "marked: run `repetitions: 3` or more to tell noise from savings.";
  }
  text += "\n\n";
  // A subheading each only when both tables are shown, as in the results.
  if (!classification.empty() && !regression.empty()) {
    return text + "### Classification\n\n" + classification + "\n### Regression\n\n" + regression +
           "\n";
  }
  return text + classification + regression + "\n";
}

}  // namespace carbonbench::report
