// This machine's CPU power curve, fitted to what its counter read on the
// load ladder: the power at full load and the curve's shape (idle share,
// rise with load, SMT share), by least squares on the relative error, so a
// 5 W idle step weighs as much as a 100 W busy one.
#pragma once

#include <vector>

#include "power_model/calibration_profile.h"
#include "power_model/cpu_power_curve.h"

namespace carbonbench::calibration {

struct CurveFit {
  double full_load_w = 0;
  power_model::CpuCurve curve;
  // Mean |fit - measured| / measured over the points.
  double band_relative = 0;
};

// The fitted power at `load`: full_load_w × LoadFraction(curve, topology, load).
double FittedWatts(const CurveFit& fit, const power_model::CpuTopology& topology, double load);

// Fits by a grid over the bounded shape (idle_fraction in [0, 0.95],
// rise_exponent in [0.1, 4], smt_fraction in [0, 0.95]), then a pattern
// search around the best cell with shrinking steps; for each shape the power
// at full load that minimises the squared relative error is solved in closed
// form. Deterministic: the same points give the same fit. Throws
// std::invalid_argument when fewer than two points have a positive power and
// a load in [0, 1].
CurveFit FitCpuCurve(const std::vector<power_model::LadderPoint>& points,
                     const power_model::CpuTopology& topology);

}  // namespace carbonbench::calibration
