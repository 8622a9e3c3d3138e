// The learning curve of each finished cell, epoch by epoch.
#include <map>

#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// One epoch's figures gathered over a cell's repetitions.
struct EpochValues {
  std::vector<double> train_loss;
  std::vector<double> test_loss;
  std::vector<double> test_accuracy_percent;
  std::vector<double> test_rmse;
  std::vector<double> cumulative_wh;
};

// Keyed by epoch number. A repetition stopped early contributes to the
// epochs it reached only, so later means are over fewer runs.
std::map<int, EpochValues> CollectEpochs(const CellRuns& cell) {
  std::map<int, EpochValues> by_epoch;
  for (const RunRow* run : cell.finished) {
    double cumulative_wh = 0;
    for (const EpochRecord& epoch : run->epochs) {  // ordered by the store
      cumulative_wh += epoch.energy_wh;
      EpochValues& values = by_epoch[epoch.epoch];
      values.train_loss.push_back(epoch.train_loss);
      values.test_loss.push_back(epoch.test_loss);
      values.test_accuracy_percent.push_back(epoch.test_accuracy * 100.0);
      values.test_rmse.push_back(epoch.test_rmse);
      values.cumulative_wh.push_back(cumulative_wh);
    }
  }
  return by_epoch;
}

std::string Mean(const std::vector<double>& values) { return Significant(Summarize(values).mean); }

std::string MeanPercent(const std::vector<double>& values) {
  return Fixed(Summarize(values).mean, kPercentDigits);
}

std::string CellEpochs(const CellRuns& cell) {
  std::string text = "### " + EscapeText(cell.name) + "\n\n";
  const std::map<int, EpochValues> by_epoch = CollectEpochs(cell);
  if (by_epoch.empty()) return text + "No epochs recorded.\n\n";
  if (cell.finished.size() > 1) {
    text += fmt::format("Mean of {} repetitions at each epoch.\n\n", cell.finished.size());
  }
  // The task's quality figure: accuracy, or the error in target units.
  const bool regression = cell.IsRegression();
  MarkdownTable table({{"Epoch", Align::kRight},
                       {"Train loss", Align::kRight},
                       {"Test loss", Align::kRight},
                       {regression ? "Test RMSE" : "Test acc %", Align::kRight},
                       {"Energy Wh (cumulative)", Align::kRight}});
  for (const auto& [epoch, values] : by_epoch) {
    table.AddRow({std::to_string(epoch), Mean(values.train_loss), Mean(values.test_loss),
                  regression ? Mean(values.test_rmse) : MeanPercent(values.test_accuracy_percent),
                  Mean(values.cumulative_wh)});
  }
  return text + table.Render() + "\n";
}

}  // namespace

std::string EpochsSection(const ReportInput& input) {
  if (input.runs.empty()) return "";
  std::string text =
      "## Epochs\n\nFinished runs only. Where repetitions stopped at different "
      "epochs, each epoch's mean is over the repetitions that reached it.\n\n";
  for (const CellRuns& cell : input.cells) {
    if (!cell.finished.empty()) text += CellEpochs(cell);
  }
  return text;
}

}  // namespace carbonbench::report
