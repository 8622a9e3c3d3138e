// Per-class precision, recall and F1 from a confusion matrix, as plain
// functions; the report's per-class section and the exports use them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "records/run_records.h"

namespace carbonbench::report {

struct ConfusionMatrix {
  std::vector<std::string> classes;
  std::vector<std::vector<std::int64_t>> counts;  // [true class][predicted class]
};

// The run's confusion matrix; empty when it has none or when it is not
// square with a row per class.
std::optional<ConfusionMatrix> ConfusionOf(const ConfusionRecord& record);

// The sum over runs of their matrices; empty when none has one, or when
// two disagree on the classes.
std::optional<ConfusionMatrix> PoolConfusion(const std::vector<const RunRow*>& runs);

struct ClassScore {
  std::string name;
  double precision = 0;  // fractions; 0 where nothing was predicted as it
  double recall = 0;     // 0 where the class has no test sample
  double f1 = 0;
  std::int64_t support = 0;  // test samples of the class
};
std::vector<ClassScore> ScoresOf(const ConfusionMatrix& matrix);

struct AverageScores {
  double macro_precision = 0;
  double macro_recall = 0;
  double macro_f1 = 0;
  double weighted_f1 = 0;  // by support
  double accuracy = 0;
  std::int64_t samples = 0;
};
AverageScores AveragesOf(const ConfusionMatrix& matrix);

}  // namespace carbonbench::report
