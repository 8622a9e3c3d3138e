#include "report/analysis/class_metrics.h"

namespace carbonbench::report {

std::optional<ConfusionMatrix> ConfusionOf(const ConfusionRecord& record) {
  ConfusionMatrix matrix;
  matrix.classes = record.classes;
  matrix.counts = record.matrix;
  if (matrix.classes.empty() || matrix.counts.size() != matrix.classes.size()) return std::nullopt;
  for (const auto& row : matrix.counts) {
    if (row.size() != matrix.classes.size()) return std::nullopt;
  }
  return matrix;
}

std::optional<ConfusionMatrix> PoolConfusion(const std::vector<const RunRow*>& runs) {
  std::optional<ConfusionMatrix> pooled;
  for (const RunRow* run : runs) {
    const auto matrix = ConfusionOf(run->summary.confusion);
    if (!matrix) continue;
    if (!pooled) {
      pooled = matrix;
      continue;
    }
    if (pooled->classes != matrix->classes) return std::nullopt;
    for (std::size_t row = 0; row < matrix->counts.size(); ++row) {
      for (std::size_t column = 0; column < matrix->counts.size(); ++column) {
        pooled->counts[row][column] += matrix->counts[row][column];
      }
    }
  }
  return pooled;
}

std::vector<ClassScore> ScoresOf(const ConfusionMatrix& matrix) {
  const std::size_t n = matrix.classes.size();
  std::vector<ClassScore> scores;
  for (std::size_t c = 0; c < n; ++c) {
    std::int64_t predicted = 0;
    std::int64_t actual = 0;
    for (std::size_t other = 0; other < n; ++other) {
      predicted += matrix.counts[other][c];
      actual += matrix.counts[c][other];
    }
    const double hits = static_cast<double>(matrix.counts[c][c]);
    ClassScore score;
    score.name = matrix.classes[c];
    score.support = actual;
    score.precision = predicted > 0 ? hits / predicted : 0;
    score.recall = actual > 0 ? hits / actual : 0;
    const double sum = score.precision + score.recall;
    score.f1 = sum > 0 ? 2 * score.precision * score.recall / sum : 0;
    scores.push_back(score);
  }
  return scores;
}

AverageScores AveragesOf(const ConfusionMatrix& matrix) {
  AverageScores averages;
  const std::vector<ClassScore> scores = ScoresOf(matrix);
  std::int64_t hits = 0;
  for (std::size_t c = 0; c < scores.size(); ++c) {
    averages.macro_precision += scores[c].precision / scores.size();
    averages.macro_recall += scores[c].recall / scores.size();
    averages.macro_f1 += scores[c].f1 / scores.size();
    averages.samples += scores[c].support;
    hits += matrix.counts[c][c];
  }
  for (const ClassScore& score : scores) {
    if (averages.samples > 0) {
      averages.weighted_f1 += score.f1 * score.support / static_cast<double>(averages.samples);
    }
  }
  averages.accuracy = averages.samples > 0 ? hits / static_cast<double>(averages.samples) : 0;
  return averages;
}

}  // namespace carbonbench::report
