// The arithmetic behind the report's judgements, as plain functions on plain
// numbers, so each can be tested on hand-made cases: which cells are on the
// Pareto front, the epoch after which training stopped paying, what reaching
// a target cost (significance.h tells a difference from noise).
#pragma once

#include <optional>
#include <vector>

#include "report/analysis/number_format.h"

namespace carbonbench::report {

// A cell as a point of a trade-off: less cost and more quality are better.
struct TradeoffPoint {
  double cost = 0;     // energy (Wh) or CO2 (g)
  double quality = 0;  // accuracy in percent, or minus an error
};

// What DominatedBy gives a point on the front, and one it cannot place: a
// cost or quality that is not a finite number (a diverged run's RMSE) is
// neither better nor worse than anything.
inline constexpr int kOnTheFront = -1;
inline constexpr int kNotRanked = -2;

// For each point, the index of the point that dominates it (no worse on
// both axes and better on one), choosing the cheapest such point;
// kOnTheFront for a point on the front; kNotRanked for a point with a figure
// that is not finite, which dominates nothing either. Equal points do not
// dominate each other.
std::vector<int> DominatedBy(const std::vector<TradeoffPoint>& points);

// One epoch as the optimal-epoch and to-target logic see it.
struct EpochPoint {
  double quality = 0;  // higher is better: accuracy %, or minus RMSE
  double energy_wh = 0;
  double co2_g = 0;
  double duration_s = 0;      // training and evaluation of the epoch
  double energy_band_wh = 0;  // ± Wh of energy_wh; 0 when none is known
};

struct OptimalEpoch {
  int epoch = 0;            // 1-based
  double quality = 0;       // best quality reached by that epoch
  double best_quality = 0;  // best quality of the whole run
  int epochs_run = 0;
  // What the epochs after it cost.
  double saved_energy_wh = 0;
  double saved_co2_g = 0;
  double saved_s = 0;
  double saved_fraction = 0;  // of the run's epoch energy, in [0, 1]
};

// The first epoch after which every further epoch together bought less than
// `min_gain` of quality: the best quality reached by then is within
// `min_gain` of the best of the whole run (at the latest, the best epoch).
// Epochs whose quality is not finite count as no gain; empty when no epoch
// has a finite quality.
std::optional<OptimalEpoch> FindOptimalEpoch(const std::vector<EpochPoint>& epochs,
                                             double min_gain);

// What the run had spent when an epoch first reached `target` quality.
struct TargetReach {
  int epoch = 0;  // 1-based
  double energy_wh = 0;
  double co2_g = 0;
  double duration_s = 0;
  double energy_band_wh = 0;  // the epochs' bands added, as number_format.h says
};
// Empty when no epoch reached it.
std::optional<TargetReach> FirstReaching(const std::vector<EpochPoint>& epochs, double target);

// What the epochs a run did not train would have cost, at the mean cost of
// the epochs it did: an estimate of what stopping early saved.
struct ProjectedSaving {
  int epochs_run = 0;
  int epochs_planned = 0;
  double spent_wh = 0;          // its epochs' energy
  double full_schedule_wh = 0;  // spent plus the projected rest
  double saved_wh = 0;
  double saved_co2_g = 0;
  double saved_s = 0;
};
// Empty when the run trained every planned epoch, or none.
std::optional<ProjectedSaving> ProjectRemainingEpochs(const std::vector<EpochPoint>& epochs,
                                                      int epochs_planned);

// (value - base) / base in percent; empty against a zero base.
std::optional<double> PercentChange(double value, double base);

}  // namespace carbonbench::report
