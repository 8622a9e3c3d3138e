// One row per cell (repetitions pooled), a table per task, and the failed
// runs with reasons.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "report/render/history_note.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// Repetitions usually stop for the same reason at different epochs ("reached
// the target accuracy 87.0% at epoch 4 (87.65%)"): one reason with its epochs
// keeps the column narrow where the full texts would each take a line.
std::string StopReasons(const CellRuns& cell) {
  constexpr std::string_view kAtEpoch = " at epoch ";
  std::vector<std::string> heads;
  std::vector<std::string> full_reasons;  // the whole text, shown where one run gave the reason
  std::vector<std::vector<std::string>> epochs;
  for (const RunRow* run : cell.finished) {
    const std::string& reason = run->summary.stop_reason;
    const auto at = reason.find(kAtEpoch);
    std::string head = reason;
    std::string epoch;
    if (at != std::string::npos) {
      const std::string tail = reason.substr(at + kAtEpoch.size());
      const auto digits = tail.find_first_not_of("0123456789");
      if (digits != 0) {
        head = reason.substr(0, at);
        epoch = tail.substr(0, digits);
      }
    }
    const auto index = std::find(heads.begin(), heads.end(), head) - heads.begin();
    if (index == static_cast<std::ptrdiff_t>(heads.size())) {
      heads.push_back(head);
      full_reasons.push_back(reason);
      epochs.emplace_back();
    }
    if (!epoch.empty()) epochs[index].push_back(epoch);
  }
  std::vector<std::string> reasons;
  for (std::size_t i = 0; i < heads.size(); ++i) {
    const auto distinct = Distinct(epochs[i]);
    if (epochs[i].size() <= 1) {
      reasons.push_back(full_reasons[i]);
    } else {
      reasons.push_back(fmt::format("{} at epoch{} {}", heads[i], distinct.size() > 1 ? "s" : "",
                                    fmt::join(distinct, ", ")));
    }
  }
  return fmt::format("{}", fmt::join(reasons, "; "));
}

// What the forward pass computed in ("fp32", "bf16 autocast"), as recorded.
std::string Precisions(const CellRuns& cell) {
  std::vector<std::string> dtypes;
  for (const RunRow* run : cell.finished) {
    dtypes.push_back(run->summary.compute_dtype.empty() ? kNone : run->summary.compute_dtype);
  }
  return fmt::format("{}", fmt::join(Distinct(dtypes), "; "));
}

// What executed the model: "C++ modules", or "TorchScript (mynet)" for
// an architecture that is not the model's own name.
std::string RuntimeText(const CellRuns& cell) {
  const std::string runtime = cell.runtime.empty() ? kCppModulesRuntime : cell.runtime;
  if (cell.architecture.empty() || cell.architecture == cell.model) return runtime;
  return runtime + " (" + cell.architecture + ")";
}

// A figure pooled over a cell's finished runs, as one column of a results
// table: a percentage in fixed decimals, any other quantity in significant
// digits, times `scale` (accuracy per kWh read per Wh).
struct StatColumn {
  const char* header;
  Metric metric;
  bool percent = false;
  double scale = 1.0;
};

std::string StatText(const CellRuns& cell, const StatColumn& column) {
  const Stat stat = ScaledStat(StatOver(cell, column.metric), column.scale);
  return column.percent ? FormatStat(stat, kPercentDigits) : FormatStatSignificant(stat);
}

// Two tables per task, so that each fits the page: one row per cell with a
// finished run with `stats` (its quality figures), what it cost and accuracy
// per Wh where asked; then what it ran and why it stopped.
std::string CellTable(const std::vector<CellRuns>& cells, std::vector<StatColumn> stats,
                      bool accuracy_per_wh) {
  stats.push_back({"Duration s", DurationS});
  stats.push_back({"Energy Wh", EnergyWh});
  stats.push_back({"CO2 g", Co2G});
  if (accuracy_per_wh) stats.push_back({"%/Wh", AccuracyPerKwh, false, 1.0 / kWhPerKwh});
  std::vector<Column> columns = {{"Cell"}, {"Epochs", Align::kRight}};
  for (const StatColumn& stat : stats) columns.push_back({stat.header, Align::kRight});
  // One column for the band, a share that holds for energy, CO2 and
  // accuracy per Wh alike, rather than a band in each; none without bands.
  const bool bands = AnyBand(cells);
  if (bands) columns.push_back({"Band", Align::kRight});
  MarkdownTable table(std::move(columns));
  // The runtime only where a cell ran on another one than its own modules.
  const bool runtimes = std::any_of(cells.begin(), cells.end(), [](const CellRuns& cell) {
    return !cell.finished.empty() && RuntimeText(cell) != kCppModulesRuntime;
  });
  std::vector<Column> how_columns = {{"Cell"}, {"Model"}};
  if (runtimes) how_columns.push_back({"Runtime"});
  for (const char* header : {"Optimizations", "Precision", "Stop reason"})
    how_columns.push_back({header});
  MarkdownTable how(std::move(how_columns));
  for (const CellRuns& cell : cells) {
    if (cell.finished.empty()) continue;
    std::vector<std::string> row = {cell.name, EpochRange(cell)};
    for (const StatColumn& stat : stats) row.push_back(StatText(cell, stat));
    if (bands) {
      const std::string band = CellBandText(cell);
      row.push_back(band.empty() ? kNone : band);
    }
    table.AddRow(row);
    std::vector<std::string> how_row = {cell.name, cell.model};
    if (runtimes) how_row.push_back(RuntimeText(cell));
    how_row.insert(how_row.end(), {cell.optimizations.empty() ? kNone : cell.optimizations,
                                   Precisions(cell), StopReasons(cell)});
    how.AddRow(how_row);
  }
  return table.Render() + "\n" + how.Render();
}

std::string ClassificationTable(const std::vector<CellRuns>& cells) {
  return CellTable(
      cells,
      {{"Best acc %", BestAccuracyPercent, true}, {"Final acc %", FinalAccuracyPercent, true}},
      /*accuracy_per_wh=*/true);
}

// As the classification table, with errors where accuracies are; no
// accuracy per Wh, and no error per Wh either: it has no useful reading.
std::string RegressionTable(const std::vector<CellRuns>& cells) {
  return CellTable(cells, {{"Best RMSE", BestRmse}, {"Final RMSE", FinalRmse}, {"MAE", FinalMae}},
                   /*accuracy_per_wh=*/false);
}

// What the columns mean, for the tables that are shown.
std::string ColumnNotes(const CellsByTask& split) {
  std::string notes;
  if (AnyBand(split.classification) || AnyBand(split.regression)) {
    notes +=
        " Band is the error band of an estimated cell's energy, a share that holds for its CO2 "
        "and accuracy per Wh too (— where the energy is measured or was stored without one).";
  }
  if (AnyFinished(split.classification)) {
    notes += " %/Wh is final accuracy % per Wh.";
  }
  if (AnyFinished(split.regression)) {
    notes +=
        " RMSE and MAE are in the units of the regression target, lower is "
        "better; Best RMSE is the lowest of any epoch, Final RMSE and MAE are "
        "the last epoch's.";
  }
  return notes;
}

// One table per task; a subheading each only when both are shown, so a
// suite of one task reads as before tasks existed.
std::string ResultsTables(const CellsByTask& split) {
  const bool classification = AnyFinished(split.classification);
  const bool regression = AnyFinished(split.regression);
  if (classification && regression) {
    return "### Classification\n\n" + ClassificationTable(split.classification) +
           "\n### Regression\n\n" + RegressionTable(split.regression) + "\n";
  }
  return (classification ? ClassificationTable(split.classification)
                         : RegressionTable(split.regression)) +
         "\n";
}

std::string FailedCells(const std::vector<CellRuns>& cells) {
  MarkdownTable table({{"Cell"},
                       {"Repetition", Align::kRight},
                       {"Epochs", Align::kRight},
                       {"Duration s", Align::kRight},
                       {"Energy Wh", Align::kRight},
                       {"Reason"}});
  bool any = false;
  for (const CellRuns& cell : cells) {
    for (const RunRow* run : cell.failed) {
      any = true;
      table.AddRow({cell.name, std::to_string(run->start.repetition),
                    std::to_string(run->summary.epochs_run), Significant(run->summary.duration_s),
                    WithCompactBand(Significant(run->summary.energy_wh), run->summary.energy_wh,
                                    run->summary.energy_band_wh),
                    run->failure_reason});
    }
  }
  if (!any) return "";
  return "### Failed cells\n\n" + table.Render() + "\n";
}

// The loop keeps data in memory so batch preparation stays a small share of
// the time; saying how small lets a reader rule it out as a cost.
std::string DataLoadingLine(const std::vector<CellRuns>& cells) {
  double data_s = 0, epoch_s = 0, worst = 0;
  for (const CellRuns& cell : cells) {
    for (const RunRow* run : cell.finished) {
      double run_data_s = 0, run_epoch_s = 0;
      for (const EpochRecord& epoch : run->epochs) {
        run_data_s += epoch.data_s;
        run_epoch_s += epoch.train_s + epoch.eval_s;
      }
      data_s += run_data_s;
      epoch_s += run_epoch_s;
      if (run_epoch_s > 0) worst = std::max(worst, run_data_s / run_epoch_s);
    }
  }
  if (epoch_s <= 0) return "";
  return fmt::format(
      "Preparing batches took {}% of epoch time (training and evaluation) over all finished "
      "runs, {}% at most in one run.\n\n",
      Fixed(100 * data_s / epoch_s, kPercentDigits), Fixed(100 * worst, kPercentDigits));
}

std::optional<double> IdleEnergyWh(const RunRow& run) { return run.summary.idle_energy_wh; }
// Never below zero: a run that drew less than the baseline (noise in a
// short run) caused nothing above idle.
std::optional<double> AboveIdleWh(const RunRow& run) {
  return std::max(0.0, run.summary.energy_wh - run.summary.idle_energy_wh);
}

// Total and attributable energy side by side, when the suite measured the
// machine's idle draw: a measured whole-machine figure (RAPL, a wall plug)
// includes what the machine burns doing nothing.
std::string AboveIdleTable(const std::vector<CellRuns>& cells) {
  bool any = false;
  MarkdownTable table({{"Cell"},
                       {"Energy Wh", Align::kRight},
                       {"Idle draw Wh", Align::kRight},
                       {"Above idle Wh", Align::kRight}});
  for (const CellRuns& cell : cells) {
    if (cell.finished.empty()) continue;
    for (const RunRow* run : cell.finished) any |= run->summary.idle_energy_wh > 0;
    table.AddRow({cell.name, FormatStatSignificant(StatOver(cell, EnergyWh)),
                  FormatStatSignificant(StatOver(cell, IdleEnergyWh)),
                  FormatStatSignificant(StatOver(cell, AboveIdleWh))});
  }
  if (!any) return "";
  return "Energy above idle: the idle baseline's power times each run's duration, PUE "
         "applied, taken from the total; what is left is the energy the run caused.\n\n" +
         table.Render() + "\n";
}

}  // namespace

// Provenance is stated once when every run agrees, else cell by cell, so a
// measured and an estimated figure are never read as the same kind.
std::string ProvenanceLine(const std::vector<CellRuns>& cells) {
  const std::string common = CommonProvenance(FinishedRuns(cells));
  if (common != "mixed") {
    return "Energy figures are " + common + " (PUE applied).\n\n";
  }
  std::vector<std::string> parts;
  for (const CellRuns& cell : cells) {
    if (!cell.finished.empty()) {
      parts.push_back(cell.name + ": " + CommonProvenance(cell.finished));
    }
  }
  return fmt::format("Energy provenance differs between cells (PUE applied): {}.\n\n",
                     fmt::join(parts, "; "));
}

std::string ResultsSection(const ReportInput& input) {
  if (input.runs.empty()) return "";
  std::string text = "## Results\n\n" + HistoryNote(input.options.history);
  if (AnyFinished(input.cells)) {
    const CellsByTask split = SplitByTask(input.cells);
    text +=
        "Mean over finished repetitions, ± sample standard deviation where a "
        "cell ran more than once." +
        ColumnNotes(split) + " " + ProvenanceLine(input.cells) +
        EstimateStatement(FinishedRuns(input.cells)) + ResultsTables(split) +
        AboveIdleTable(input.cells) + DataLoadingLine(input.cells);
  } else {
    text += "No cell finished.\n\n";
  }
  return text + FailedCells(input.cells);
}

}  // namespace carbonbench::report
