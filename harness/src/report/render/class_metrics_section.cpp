// Per-class precision, recall and F1 and the confusion matrix of each
// classification cell, pooled over its repetitions.
#include <fmt/format.h>

#include "report/analysis/class_metrics.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// Past this many classes the matrix is too wide to read as a table; the
// JSON export still has it.
constexpr std::size_t kMaxMatrixClasses = 20;

std::string Percent(double fraction) { return Fixed(fraction * 100.0, kPercentDigits); }

std::string CellClasses(const CellRuns& cell, const ConfusionMatrix& matrix) {
  std::string text = "### " + EscapeText(cell.name) + "\n\n";
  if (cell.finished.size() > 1) {
    text += fmt::format("Test predictions of its {} repetitions pooled.\n\n", cell.finished.size());
  }
  MarkdownTable scores({{"Class"},
                        {"Precision %", Align::kRight},
                        {"Recall %", Align::kRight},
                        {"F1 %", Align::kRight},
                        {"Support", Align::kRight}});
  for (const ClassScore& score : ScoresOf(matrix)) {
    scores.AddRow({score.name, Percent(score.precision), Percent(score.recall), Percent(score.f1),
                   Count(score.support)});
  }
  const AverageScores averages = AveragesOf(matrix);
  scores.AddRow({"macro average", Percent(averages.macro_precision), Percent(averages.macro_recall),
                 Percent(averages.macro_f1), Count(averages.samples)});
  scores.AddRow(
      {"weighted average", kNone, kNone, Percent(averages.weighted_f1), Count(averages.samples)});
  text += scores.Render() + "\n";
  if (matrix.classes.size() > kMaxMatrixClasses) {
    return text + fmt::format("The confusion matrix of its {} classes is in the JSON export.\n\n",
                              matrix.classes.size());
  }
  std::vector<Column> columns = {{"true \\ predicted"}};
  for (const std::string& name : matrix.classes) columns.push_back({name, Align::kRight});
  MarkdownTable confusion(columns);
  for (std::size_t row = 0; row < matrix.classes.size(); ++row) {
    std::vector<std::string> cells = {matrix.classes[row]};
    for (const std::int64_t count : matrix.counts[row]) cells.push_back(Count(count));
    confusion.AddRow(cells);
  }
  return text + confusion.Render() + "\n";
}

}  // namespace

std::string ClassMetricsSection(const ReportInput& input) {
  std::string cells;
  for (const CellRuns& cell : input.cells) {
    if (cell.IsRegression() || cell.finished.empty()) continue;
    if (const auto matrix = PoolConfusion(cell.finished)) cells += CellClasses(cell, *matrix);
  }
  if (cells.empty()) return "";
  return "## Per-class metrics\n\nOn the test split after each run's last epoch. Precision is 0 "
         "for a class nothing was predicted as; the macro average weighs every class alike, the "
         "weighted one by support. Confusion matrices have a row per true class.\n\n" +
         cells;
}

}  // namespace carbonbench::report
