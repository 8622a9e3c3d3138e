#include "calibration/curve_fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench::calibration {
namespace {

using power_model::CpuCurve;
using power_model::CpuTopology;
using power_model::LadderPoint;

struct Bounds {
  double low;
  double high;
};
// idle_fraction, rise_exponent, smt_fraction: within what a profile may hold.
constexpr std::array<Bounds, 3> kBounds = {{{0.0, 0.95}, {0.1, 4.0}, {0.0, 0.95}}};
constexpr std::array<int, 3> kGridSteps = {20, 40, 20};

CpuCurve CurveOf(const std::array<double, 3>& shape) { return {shape[0], shape[1], shape[2]}; }

struct Scored {
  double full_load_w = 0;
  double squared_error = std::numeric_limits<double>::infinity();
};

// For one shape, the full-load power F minimising sum((F f_i - m_i) / m_i)^2:
// with a_i = f_i / m_i that is sum(a_i) / sum(a_i^2).
Scored Score(const std::array<double, 3>& shape, const std::vector<LadderPoint>& points,
             const CpuTopology& topology) {
  const CpuCurve curve = CurveOf(shape);
  double sum_a = 0;
  double sum_a2 = 0;
  std::vector<double> ratios;
  ratios.reserve(points.size());
  for (const LadderPoint& point : points) {
    const double a = power_model::LoadFraction(curve, topology, point.load) / point.watts;
    ratios.push_back(a);
    sum_a += a;
    sum_a2 += a * a;
  }
  Scored scored;
  if (sum_a2 <= 0) return scored;
  scored.full_load_w = sum_a / sum_a2;
  scored.squared_error = 0;
  for (const double a : ratios) {
    const double error = scored.full_load_w * a - 1.0;
    scored.squared_error += error * error;
  }
  return scored;
}

double Clamped(double value, int dimension) {
  return std::clamp(value, kBounds[dimension].low, kBounds[dimension].high);
}

}  // namespace

double FittedWatts(const CurveFit& fit, const CpuTopology& topology, double load) {
  return fit.full_load_w * power_model::LoadFraction(fit.curve, topology, load);
}

CurveFit FitCpuCurve(const std::vector<LadderPoint>& points, const CpuTopology& topology) {
  std::vector<LadderPoint> usable;
  for (const LadderPoint& point : points) {
    if (std::isfinite(point.watts) && point.watts > 0 && std::isfinite(point.load) &&
        point.load >= 0 && point.load <= 1) {
      usable.push_back(point);
    }
  }
  if (usable.size() < 2) {
    throw std::invalid_argument(
        fmt::format("a CPU curve needs at least two ladder steps with a positive power and a "
                    "load in [0, 1]; {} of {} had them",
                    usable.size(), points.size()));
  }

  std::array<double, 3> best{};
  Scored best_score;
  std::array<double, 3> shape{};
  for (int i = 0; i <= kGridSteps[0]; ++i) {
    for (int j = 0; j <= kGridSteps[1]; ++j) {
      for (int k = 0; k <= kGridSteps[2]; ++k) {
        const std::array<int, 3> index = {i, j, k};
        for (int d = 0; d < 3; ++d) {
          shape[d] = kBounds[d].low + (kBounds[d].high - kBounds[d].low) * index[d] / kGridSteps[d];
        }
        const Scored score = Score(shape, usable, topology);
        // Strictly better only: ties keep the first cell, so the fit is deterministic.
        if (score.squared_error < best_score.squared_error) {
          best = shape;
          best_score = score;
        }
      }
    }
  }

  // Pattern search: try a step either way along each parameter, halve the
  // steps when none improves.
  std::array<double, 3> step;
  for (int d = 0; d < 3; ++d) step[d] = (kBounds[d].high - kBounds[d].low) / kGridSteps[d];
  for (int round = 0; round < 200 && step[1] > 1e-6; ++round) {
    bool improved = false;
    for (int d = 0; d < 3; ++d) {
      for (const double sign : {-1.0, 1.0}) {
        std::array<double, 3> trial = best;
        trial[d] = Clamped(best[d] + sign * step[d], d);
        const Scored score = Score(trial, usable, topology);
        if (score.squared_error < best_score.squared_error - 1e-15) {
          best = trial;
          best_score = score;
          improved = true;
        }
      }
    }
    if (!improved) {
      for (double& each : step) each /= 2;
    }
  }

  CurveFit fit;
  fit.full_load_w = best_score.full_load_w;
  fit.curve = CurveOf(best);
  double sum = 0;
  for (const LadderPoint& point : usable) {
    sum += std::abs(FittedWatts(fit, topology, point.load) - point.watts) / point.watts;
  }
  fit.band_relative = sum / usable.size();
  return fit;
}

}  // namespace carbonbench::calibration
