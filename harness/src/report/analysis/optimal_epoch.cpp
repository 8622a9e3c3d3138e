#include "report/analysis/optimal_epoch.h"

#include "report/analysis/leaderboard.h"

namespace carbonbench::report {

// The min_gain FindOptimalEpoch is given for a run: accuracy points, or a
// share of the run's best RMSE for a regressor (its errors have units).
double MinGainFor(const RunRow& run, double min_gain_points) {
  if (run.start.task != kRegressionTask) return min_gain_points;
  return run.summary.best_rmse * min_gain_points / 100.0;
}

std::optional<OptimalEpoch> OptimalEpochOf(const RunRow& run, double min_gain_points) {
  return FindOptimalEpoch(EpochPoints(run), MinGainFor(run, min_gain_points));
}

OptimalEpochSavings SuiteOptimalEpochSavings(const std::vector<CellRuns>& cells,
                                             double min_gain_points) {
  OptimalEpochSavings savings;
  for (const RunRow* run : FinishedRuns(cells)) {
    for (const EpochRecord& epoch : run->epochs) savings.epochs_wh += epoch.energy_wh;
    if (const auto optimum = OptimalEpochOf(*run, min_gain_points)) {
      savings.saved_wh += optimum->saved_energy_wh;
    }
  }
  return savings;
}

}  // namespace carbonbench::report
