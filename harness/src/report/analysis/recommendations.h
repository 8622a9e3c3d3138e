// The sentences that answer "which choice should I make": the cheapest
// configuration that reaches a target accuracy, the cheapest one within a
// point of the most accurate, and what each optimization did against its
// baseline. Shared by the report's summary and `carbonbench recommend`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/analysis/leaderboard.h"
#include "report/analysis/significance.h"

namespace carbonbench::report {

struct TargetAnswer {
  std::string dataset;
  double target_accuracy_percent = 0;
  Objective objective = Objective::kCo2ToTarget;
  // The cheapest cell whose every repetition reached the target (or, when
  // none did in all of them, the cheapest that did in some); null when no
  // run reached it.
  const CellStanding* best = nullptr;
  // The most expensive other cell that reached it; null when `best` is the
  // only one.
  const CellStanding* alternative = nullptr;
  std::optional<double> saving_percent;  // best against alternative
  // The larger relative band of the two figures compared, in percent;
  // empty when neither is estimated with a known band. A saving no larger
  // than it is not claimed as a measured one.
  std::optional<double> band_percent;
  bool saving_within_band = false;
  // The saving against the runs' spread: only a significant one is
  // recommended as a saving.
  std::optional<MeanDifference> saving_test;
  // When nothing reached the target: the most accurate cell.
  const CellStanding* closest = nullptr;
  std::string sentence;
};

// The answer on one board, whose objective must be one of the to-target
// ones. The cheapest cell is recommended ("use X") only when its saving
// exceeds the run-to-run spread or it alone reached the target; otherwise
// the sentence says the difference cannot be told from noise.
TargetAnswer AnswerForTarget(const Leaderboard& board);

// "For similar accuracy, use A for 6 epochs instead of B for 2 epochs: ...
// at 64% less CO2." Compares the most accurate cell with the cheapest (by
// CO2) whose mean final accuracy is within `tolerance_points` of it; a
// saving within the runs' spread is said to be so. Empty for a board of one
// cell.
std::string SimilarAccuracySentence(const Leaderboard& board, double tolerance_points);

// One sentence per optimization set used by cells with a baseline: the mean
// change of CO2 and of quality against the baseline, over how many cells;
// a change within the estimates' band is said to be so, and whether each
// change exceeds the run-to-run spread. Cells are grouped by the data they
// trained on (FinishedCellsByDataset), as every comparison is.
std::vector<std::string> OptimizationEffectSentences(const std::vector<CellRuns>& cells);

// The larger of two bands in percent; empty when neither is known.
std::optional<double> LargerBand(std::optional<double> a, std::optional<double> b);
// Whether a change in percent is no larger than the band: then it is not
// claimed as a measured saving.
bool WithinBand(double change_percent, std::optional<double> band_percent);
// " (within the estimates' ±35% band: a difference in time and CPU load,
// not a measured one)" when WithinBand, else "".
std::string WithinBandNote(double change_percent, std::optional<double> band_percent);

// How a difference between two cells stands against the spread of their
// repetitions, as a clause to follow it: "a difference larger than the
// run-to-run spread (Welch's t-test at 95%: p = 0.004 over 3 and 3 runs)",
// or "but ... cannot be told from noise: about 12 repetitions of each would
// tell", or, after one run, "run with repetitions: 3 or more to tell".
std::string SpreadVerdict(const MeanDifference& test);

// "6 epochs", or "3–6 epochs" when repetitions stopped at different ones.
std::string EpochsText(const CellRuns& cell);

}  // namespace carbonbench::report
