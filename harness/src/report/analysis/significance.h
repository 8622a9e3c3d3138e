// Whether a difference between two cells is evidence or noise. Repetitions
// of one configuration differ (scheduling, load, the seed): a difference of
// two means counts as a finding only when it exceeds that run-to-run spread.
// The test is Welch's two-sided t-test at the 95% level, which needs
// neither equal spreads nor equal repetition counts; with one run on a side
// there is no spread, and nothing can be told.
#pragma once

#include <optional>

#include "report/analysis/number_format.h"

namespace carbonbench::report {

// Two-sided significance level of the test.
inline constexpr double kSignificanceLevel = 0.05;
// The repetitions to ask for where a cell ran once: the fewest with which a
// spread is known on both sides and the test has a degree of freedom to
// spare (two runs each give 2, whose 95% critical t is 4.30).
inline constexpr int kFewestRepetitionsToTell = 3;

// P(|T| >= |t|) for Student's t distribution with `degrees_of_freedom` (> 0,
// not necessarily whole): the two-sided p-value of a t statistic.
double StudentTTwoSidedP(double t, double degrees_of_freedom);

enum class Evidence {
  kSignificant,     // the difference exceeds the run-to-run spread
  kNotSignificant,  // it does not: it cannot be told from noise
  kNoSpread,        // a side ran once: no spread, so nothing can be told
};

// Welch's t-test of a.mean - b.mean over each side's repetitions.
struct MeanDifference {
  Evidence evidence = Evidence::kNoSpread;
  double difference = 0;          // a.mean - b.mean
  double standard_error = 0;      // √(sa²/na + sb²/nb); 0 without a spread
  double degrees_of_freedom = 0;  // Welch–Satterthwaite; 0 without a spread
  double p_value = 1;             // two-sided; 1 without a spread
  int runs_a = 0;
  int runs_b = 0;
  // Where the difference is not significant: the repetitions per cell that
  // would likely tell it (RepetitionsToTell), kFewestRepetitionsToTell
  // without a spread; empty when significant or when the means are equal.
  std::optional<int> repetitions_needed;
};
MeanDifference CompareMeans(const Stat& a, const Stat& b);

// Repetitions per cell for a two-sided test at the 95% level to detect a
// difference `difference` with 80% power, given the two spreads:
// n = 2·((z₀.₉₇₅ + z₀.₈)·s/d)², s² = (sa² + sb²)/2, rounded up, and never
// fewer than kFewestRepetitionsToTell. The normal approximation undercounts
// a little for small n, so this reads as "about". Empty for d = 0.
std::optional<int> RepetitionsToTell(double difference, double stddev_a, double stddev_b);

}  // namespace carbonbench::report
