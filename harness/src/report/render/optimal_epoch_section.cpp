// The epoch after which each cell's training stopped paying for itself, and
// the energy and CO2 the later epochs cost.
#include <fmt/format.h>

#include "report/analysis/leaderboard.h"
#include "report/analysis/optimal_epoch.h"
#include "report/analysis/tradeoffs.h"
#include "report/render/sections.h"

namespace carbonbench::report {

namespace {

struct CellOptimum {
  Stat epoch, epochs_run, quality, best_quality, saved_wh, saved_co2_g, saved_percent;
};

CellOptimum Pool(const CellRuns& cell, double min_gain_points) {
  std::vector<double> epoch, epochs_run, quality, best, wh, co2, percent;
  for (const RunRow* run : cell.finished) {
    const auto optimum = OptimalEpochOf(*run, min_gain_points);
    if (!optimum) continue;
    const double sign = cell.IsRegression() ? -1 : 1;  // back to RMSE
    epoch.push_back(optimum->epoch);
    epochs_run.push_back(optimum->epochs_run);
    quality.push_back(sign * optimum->quality);
    best.push_back(sign * optimum->best_quality);
    wh.push_back(optimum->saved_energy_wh);
    co2.push_back(optimum->saved_co2_g);
    percent.push_back(optimum->saved_fraction * 100.0);
  }
  return {Summarize(epoch), Summarize(epochs_run), Summarize(quality), Summarize(best),
          Summarize(wh),    Summarize(co2),        Summarize(percent)};
}

bool AnyEpochRun(const CellRuns& cell) {
  for (const RunRow* run : cell.finished) {
    if (!run->epochs.empty()) return true;
  }
  return false;
}

}  // namespace

std::string OptimalEpochSection(const ReportInput& input) {
  if (!AnyFinished(input.cells)) return "";
  const double gain = input.options.min_gain_points;
  const CellsByTask split = SplitByTask(input.cells);
  std::vector<std::string> thresholds;
  if (AnyFinished(split.classification)) {
    thresholds.push_back(fmt::format("{} accuracy points", Compact(gain)));
  }
  if (AnyFinished(split.regression)) {
    thresholds.push_back(fmt::format("{}% of the best RMSE", Compact(gain)));
  }
  std::string text = fmt::format(
      "## Optimal epoch\n\nThe first epoch after which all further epochs together bought less "
      "than {}, and what the epochs after it cost. Set the threshold with `carbonbench report "
      "SUITE --min-gain G`.\n\n",
      thresholds.size() > 1 ? thresholds[0] + " (regressors: less than " + thresholds[1] + ")"
                            : thresholds.front());
  text += ProvenanceLine(input.cells);
  MarkdownTable table({{"Cell"},
                       {"Epochs run", Align::kRight},
                       {"Optimal epoch", Align::kRight},
                       {"Best by then", Align::kRight},
                       {"Best of the run", Align::kRight},
                       {"Wh after it", Align::kRight},
                       {"g CO2 after it", Align::kRight},
                       {"% of epoch energy", Align::kRight}});
  std::string notes;
  for (const CellRuns& cell : input.cells) {
    if (cell.finished.empty()) continue;
    const CellOptimum optimum = Pool(cell, gain);
    if (optimum.epoch.count == 0) {
      // Epochs were run, but none has a finite figure to measure gains by.
      if (AnyEpochRun(cell)) {
        notes += fmt::format(
            "\n{}: no optimal epoch, its {} is not a finite number in any epoch (did the training "
            "diverge?).\n",
            EscapeText(cell.name), cell.IsRegression() ? "RMSE" : "accuracy");
      }
      continue;
    }
    const bool regression = cell.IsRegression();
    auto quality = [regression](const Stat& stat) {
      return regression ? FormatStatSignificant(stat) + " RMSE"
                        : FormatStat(stat, kPercentDigits) + "%";
    };
    table.AddRow({cell.name, FormatCount(optimum.epochs_run), FormatCount(optimum.epoch),
                  quality(optimum.quality), quality(optimum.best_quality),
                  FormatStatSignificant(optimum.saved_wh),
                  FormatStatSignificant(optimum.saved_co2_g),
                  FormatStat(optimum.saved_percent, 0)});
  }
  text += table.Render() + notes;
  const OptimalEpochSavings savings = SuiteOptimalEpochSavings(input.cells, gain);
  if (savings.epochs_wh > 0) {
    text += fmt::format(
        "\nStopping every run at its optimal epoch would have saved {} Wh, {}% of the energy of "
        "all epochs.\n",
        Significant(savings.saved_wh), Fixed(savings.saved_wh / savings.epochs_wh * 100.0, 0));
  }
  return text + "\n";
}

}  // namespace carbonbench::report
