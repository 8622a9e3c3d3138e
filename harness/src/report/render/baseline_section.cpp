// Each optimized cell against the cell that differs from it only by its
// optimizations: accuracy for classification, RMSE for regression. Each
// change is marked by whether it exceeds the run-to-run spread (Welch's
// t-test at 95%), and an energy or CO2 change by whether it exceeds the
// estimates' band.
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "report/analysis/recommendations.h"
#include "report/analysis/significance.h"
#include "report/analysis/tradeoffs.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

constexpr const char* kSignificant = "sig.";
constexpr const char* kNotSignificant = "n.s.";
constexpr const char* kWithinBand = "in band";

// "sig." or "n.s."; "" where a side ran once, so no spread is known.
std::string Significance(const Stat& value, const Stat& base) {
  switch (CompareMeans(value, base).evidence) {
    case Evidence::kSignificant:
      return kSignificant;
    case Evidence::kNotSignificant:
      return kNotSignificant;
    case Evidence::kNoSpread:
      break;
  }
  return "";
}

// "-12.5 (sig., in band)": a change and its marks.
std::string Marked(const std::string& change, const std::vector<std::string>& marks) {
  std::string joined;
  for (const std::string& mark : marks) {
    if (!mark.empty()) joined += (joined.empty() ? "" : ", ") + mark;
  }
  return joined.empty() ? change : change + " (" + joined + ")";
}

// "in band" when an energy or CO2 change is no larger than the larger
// error band of the two cells' estimates: on one machine the ranking holds
// (the error shifts both alike), but the amount is not a measured one.
std::string BandMark(const CellRuns& cell, const CellRuns& baseline, Metric metric) {
  const auto band = LargerBand(CellBandPercent(cell), CellBandPercent(baseline));
  const auto change = PercentChange(StatOver(cell, metric).mean, StatOver(baseline, metric).mean);
  return band && change && std::abs(*change) <= *band ? kWithinBand : "";
}

// Relative change of the means, in percent, with its marks; none against a
// zero baseline.
std::string DeltaPercent(const CellRuns& cell, const CellRuns& baseline, Metric metric,
                         bool banded = false) {
  const Stat base = StatOver(baseline, metric);
  const Stat value = StatOver(cell, metric);
  const auto change = PercentChange(value.mean, base.mean);
  if (!change) return kNone;
  return Marked(Signed(*change, kDeltaPercentDigits),
                {Significance(value, base), banded ? BandMark(cell, baseline, metric) : ""});
}

// The change of the task's quality figure: accuracy in percentage points,
// or final RMSE relative to the baseline's, in percent.
std::string QualityDelta(const CellRuns& cell, const CellRuns& baseline) {
  if (cell.IsRegression()) return DeltaPercent(cell, baseline, FinalRmse);
  const Stat value = StatOver(cell, FinalAccuracyPercent);
  const Stat base = StatOver(baseline, FinalAccuracyPercent);
  return Marked(Signed(value.mean - base.mean, kPercentDigits), {Significance(value, base)});
}

}  // namespace

std::vector<std::string> BaselineDeltaRow(const CellRuns& cell, const CellRuns* baseline) {
  if (baseline == nullptr) {
    return {cell.name, "no baseline cell", kNone, kNone, kNone, kNone, kNone};
  }
  return {cell.name,
          baseline->name,
          fmt::format("{} / {}", cell.finished.size(), baseline->finished.size()),
          DeltaPercent(cell, *baseline, DurationS),
          DeltaPercent(cell, *baseline, EnergyWh, /*banded=*/true),
          DeltaPercent(cell, *baseline, Co2G, /*banded=*/true),
          QualityDelta(cell, *baseline)};
}

namespace {

// The table of one task's compared cells; empty when it has none.
std::string DeltaTable(const std::vector<CellRuns>& task_cells,
                       const std::vector<CellRuns>& all_cells, bool regression) {
  MarkdownTable table({{"Cell"},
                       {"Baseline"},
                       {"Runs", Align::kRight},
                       {"Δ time %", Align::kRight},
                       {"Δ energy %", Align::kRight},
                       {"Δ CO2 %", Align::kRight},
                       regression ? Column{"Δ RMSE %", Align::kRight}
                                  : Column{"Δ accuracy (points)", Align::kRight}});
  const std::vector<BaselinePair> pairs = BaselinePairs(task_cells, all_cells);
  for (const BaselinePair& pair : pairs) table.AddRow(BaselineDeltaRow(*pair.cell, pair.baseline));
  return pairs.empty() ? "" : table.Render();
}

// How many compared pairs have a side that ran once, how many there are,
// and how many set one architecture's runtimes side by side.
struct PairCounts {
  int without_spread = 0;
  int pairs = 0;
  int across_runtimes = 0;
};
PairCounts CountPairs(const std::vector<CellRuns>& cells) {
  PairCounts counts;
  for (const BaselinePair& pair : BaselinePairs(cells, cells)) {
    if (pair.baseline == nullptr) continue;
    ++counts.pairs;
    if (pair.across_runtimes) ++counts.across_runtimes;
    if (pair.cell->finished.size() < 2 || pair.baseline->finished.size() < 2) {
      ++counts.without_spread;
    }
  }
  return counts;
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
  const PairCounts counts = CountPairs(input.cells);
  text +=
      "Each finished cell with optimizations against the cell without them "
      "whose other settings are equal (means over repetitions)";
  if (counts.across_runtimes > 0) {
    text +=
        "; and each cell run on another runtime against the same architecture "
        "on C++ modules, with the same optimizations and other settings";
  }
  text += ". Negative time, energy and CO2 are savings";
  if (!classification.empty()) {
    text += "; accuracy is the change of final accuracy in percentage points";
  }
  if (!regression.empty()) {
    text +=
        "; RMSE is the relative change of final RMSE, negative being a "
        "smaller error";
  }
  text += ". Runs are the cell's and the baseline's repetitions.";
  if (counts.without_spread == counts.pairs) {
    text +=
        " Every comparison here has a side that ran once: with no run-to-run spread none of "
        "these changes can be told from noise. Run with `repetitions: 3` or more to tell: each "
        "change is then marked by whether it exceeds the spread (Welch's t-test at 95%).";
  } else {
    text +=
        " (sig.) marks a change larger than the run-to-run spread of the two cells' repetitions "
        "(Welch's t-test at 95%): a finding; (n.s.) one within it: not significant, it cannot "
        "be told from noise.";
    if (counts.without_spread > 0) {
      text +=
          " A change with neither mark has a side that ran once: with no run-to-run spread it "
          "cannot be told from noise; run with `repetitions: 3` or more to tell.";
    }
  }
  if (AnyBand(input.cells)) {
    text +=
        " (in band) marks an energy or CO2 change no larger than the estimates' error band: "
        "on one machine it still ranks the cells, but as an amount it is a difference in time "
        "and CPU load, not a measured one.";
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
