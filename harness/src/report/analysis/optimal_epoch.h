// The epoch after which a run's training stopped paying for itself, and what
// stopping there would have saved across a suite.
#pragma once

#include <optional>
#include <vector>

#include "records/run_records.h"
#include "report/analysis/report_cells.h"
#include "report/analysis/tradeoffs.h"

namespace carbonbench::report {

// The min_gain FindOptimalEpoch is given for a run: accuracy points, or a
// share of the run's best RMSE for a regressor (its errors have units).
double MinGainFor(const RunRow& run, double min_gain_points);

// A run's optimal epoch at the report's min-gain threshold.
std::optional<OptimalEpoch> OptimalEpochOf(const RunRow& run, double min_gain_points);

// What stopping every finished run at its optimal epoch would have saved,
// against the energy of all their epochs.
struct OptimalEpochSavings {
  double saved_wh = 0;
  double epochs_wh = 0;
};
OptimalEpochSavings SuiteOptimalEpochSavings(const std::vector<CellRuns>& cells,
                                             double min_gain_points);

}  // namespace carbonbench::report
