// Each optimized cell against the cell that differs from it only by its
// optimizations: accuracy for classification, RMSE for regression.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "report/report_sections.h"

namespace carbonbench::report {
namespace {

// Every optimization named by any cell: their "<opt>.<param>" settings are
// what an optimized cell adds to its baseline's settings.
std::set<std::string> OptimizationNames(const std::vector<CellRuns>& cells) {
  std::set<std::string> names;
  for (const CellRuns& cell : cells) {
    for (const std::string& name : SplitOptimizations(cell.optimizations)) {
      names.insert(name);
    }
  }
  return names;
}

// The cell's settings without optimization parameters; empty when the
// config cannot be read, which makes the cell match no baseline.
std::optional<nlohmann::json> ComparableSettings(
    const CellRuns& cell, const std::set<std::string>& optimizations) {
  const auto config = nlohmann::json::parse(cell.config_json, nullptr,
                                            /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains("settings") ||
      !config["settings"].is_object()) {
    return std::nullopt;
  }
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& [key, value] : config["settings"].items()) {
    const std::size_t dot = key.find('.');
    const bool optimization_param =
        dot != std::string::npos && optimizations.count(key.substr(0, dot)) > 0;
    if (!optimization_param) settings[key] = value;
  }
  return settings;
}

const CellRuns* FindBaseline(const CellRuns& cell,
                             const std::vector<CellRuns>& cells,
                             const std::set<std::string>& optimizations) {
  const auto wanted = ComparableSettings(cell, optimizations);
  if (!wanted) return nullptr;
  for (const CellRuns& candidate : cells) {
    if (!candidate.optimizations.empty() || candidate.finished.empty() ||
        candidate.IsRegression() != cell.IsRegression())
      continue;
    if (ComparableSettings(candidate, optimizations) == wanted)
      return &candidate;
  }
  return nullptr;
}

// Relative change of the means, in percent; none against a zero baseline.
std::string DeltaPercent(const CellRuns& cell, const CellRuns& baseline,
                         Metric metric) {
  const double base = StatOver(baseline, metric).mean;
  if (base == 0) return kNone;
  const double value = StatOver(cell, metric).mean;
  return Signed((value - base) / base * 100.0, kDeltaPercentDigits);
}

// The change of the task's quality figure: accuracy in percentage points,
// or final RMSE relative to the baseline's, in percent.
std::string QualityDelta(const CellRuns& cell, const CellRuns& baseline) {
  if (cell.IsRegression()) return DeltaPercent(cell, baseline, FinalRmse);
  const double accuracy_points = StatOver(cell, FinalAccuracyPercent).mean -
                                 StatOver(baseline, FinalAccuracyPercent).mean;
  return Signed(accuracy_points, kPercentDigits);
}

std::vector<std::string> DeltaRow(const CellRuns& cell,
                                  const CellRuns* baseline) {
  if (baseline == nullptr) {
    return {cell.name, "no baseline cell", kNone, kNone, kNone, kNone};
  }
  return {cell.name,
          baseline->name,
          DeltaPercent(cell, *baseline, DurationS),
          DeltaPercent(cell, *baseline, EnergyWh),
          DeltaPercent(cell, *baseline, Co2G),
          QualityDelta(cell, *baseline)};
}

// The table of one task's optimized cells; empty when it has none.
std::string DeltaTable(const std::vector<CellRuns>& task_cells,
                       const std::vector<CellRuns>& all_cells,
                       const std::set<std::string>& optimizations,
                       bool regression) {
  MarkdownTable table({{"Cell"},
                       {"Baseline"},
                       {"Δ time %", Align::kRight},
                       {"Δ energy %", Align::kRight},
                       {"Δ CO2 %", Align::kRight},
                       regression
                           ? Column{"Δ RMSE %", Align::kRight}
                           : Column{"Δ accuracy (points)", Align::kRight}});
  bool any = false;
  for (const CellRuns& cell : task_cells) {
    if (cell.optimizations.empty() || cell.finished.empty()) continue;
    any = true;
    table.AddRow(DeltaRow(cell, FindBaseline(cell, all_cells, optimizations)));
  }
  return any ? table.Render() : "";
}

}  // namespace

std::string BaselineSection(const ReportInput& input) {
  if (input.runs.empty()) return "";
  std::string text = "## Against the baseline\n\n";
  const std::set<std::string> optimizations = OptimizationNames(input.cells);
  const CellsByTask split = SplitByTask(input.cells);
  const std::string classification = DeltaTable(
      split.classification, input.cells, optimizations, /*regression=*/false);
  const std::string regression = DeltaTable(split.regression, input.cells,
                                            optimizations, /*regression=*/true);
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
  text += ".\n\n";
  // A subheading each only when both tables are shown, as in the results.
  if (!classification.empty() && !regression.empty()) {
    return text + "### Classification\n\n" + classification +
           "\n### Regression\n\n" + regression + "\n";
  }
  return text + classification + regression + "\n";
}

}  // namespace carbonbench::report
