// The curve fit recovers the curve its points were generated from: exactly
// without noise, within 5 % with a few percent of it.
#include "calibration/curve_fit.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench::calibration {
namespace {

using power_model::CpuCurve;
using power_model::CpuTopology;
using power_model::LadderPoint;
using power_model::LoadFraction;

constexpr double kFullLoadW = 85.0;

std::vector<LadderPoint> PointsFrom(const CpuCurve& curve, const CpuTopology& topology,
                                    const std::vector<double>& loads, double noise, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> jitter(-noise, noise);
  std::vector<LadderPoint> points;
  for (const double load : loads) {
    const double watts = kFullLoadW * LoadFraction(curve, topology, load) * (1.0 + jitter(random));
    points.push_back({"step", load, watts});
  }
  return points;
}

void ExpectPredictsWithin(const CurveFit& fit, const CpuCurve& truth, const CpuTopology& topology,
                          double tolerance) {
  for (const double load : {0.0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0}) {
    const double expected = kFullLoadW * LoadFraction(truth, topology, load);
    EXPECT_NEAR(FittedWatts(fit, topology, load), expected, tolerance * expected)
        << "at load " << load;
  }
}

// Loads a ladder reaches on a 16-thread, 8-core machine (idle driven to 0).
const std::vector<double> kLadderLoads = {0.0, 0.0625, 0.125, 0.25, 0.5, 0.75, 0.97, 1.0, 0.93};

TEST(FitCpuCurve, RecoversTheGeneratingCurveWithoutNoise) {
  const CpuTopology topology{1, 16, 8};
  const CpuCurve truth{0.25, 0.55, 0.12};
  const CurveFit fit = FitCpuCurve(PointsFrom(truth, topology, kLadderLoads, 0, 1), topology);
  EXPECT_NEAR(fit.full_load_w, kFullLoadW, 0.01 * kFullLoadW);
  EXPECT_NEAR(fit.curve.idle_fraction, truth.idle_fraction, 0.01);
  EXPECT_NEAR(fit.curve.rise_exponent, truth.rise_exponent, 0.02);
  EXPECT_NEAR(fit.curve.smt_fraction, truth.smt_fraction, 0.02);
  EXPECT_LT(fit.band_relative, 0.002);
  ExpectPredictsWithin(fit, truth, topology, 0.01);
}

TEST(FitCpuCurve, PredictsWithinFivePercentWithNoise) {
  const CpuTopology topology{1, 16, 8};
  for (const CpuCurve& truth :
       {CpuCurve{0.25, 0.55, 0.12}, CpuCurve{0.4, 0.9, 0.05}, CpuCurve{0.1, 0.35, 0.2}}) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
      const CurveFit fit =
          FitCpuCurve(PointsFrom(truth, topology, kLadderLoads, 0.02, seed), topology);
      ExpectPredictsWithin(fit, truth, topology, 0.05);
      EXPECT_GT(fit.band_relative, 0.0);
      EXPECT_LT(fit.band_relative, 0.03);
    }
  }
}

TEST(FitCpuCurve, MachineWithoutSmt) {
  const CpuTopology topology{2, 8, 8};
  const CpuCurve truth{0.3, 0.7, 0.0};
  const CurveFit fit = FitCpuCurve(
      PointsFrom(truth, topology, {0.0, 0.125, 0.25, 0.5, 0.75, 1.0, 0.98}, 0.01, 7), topology);
  ExpectPredictsWithin(fit, truth, topology, 0.05);
}

TEST(FitCpuCurve, IsDeterministic) {
  const CpuTopology topology{1, 4, 2};
  const auto points = PointsFrom(CpuCurve{0.3, 0.6, 0.1}, topology, kLadderLoads, 0.03, 3);
  const CurveFit first = FitCpuCurve(points, topology);
  const CurveFit second = FitCpuCurve(points, topology);
  EXPECT_EQ(first.full_load_w, second.full_load_w);
  EXPECT_EQ(first.curve.idle_fraction, second.curve.idle_fraction);
  EXPECT_EQ(first.curve.rise_exponent, second.curve.rise_exponent);
  EXPECT_EQ(first.curve.smt_fraction, second.curve.smt_fraction);
}

TEST(FitCpuCurve, StaysWithinTheBoundsAProfileAccepts) {
  const CpuTopology topology{1, 4, 2};
  // Power falling with load: no curve of the family fits; the fit stays bounded.
  const CurveFit fit = FitCpuCurve({{"a", 0.0, 50}, {"b", 0.5, 30}, {"c", 1.0, 10}}, topology);
  EXPECT_GE(fit.curve.idle_fraction, 0.0);
  EXPECT_LT(fit.curve.idle_fraction, 1.0);
  EXPECT_GT(fit.curve.rise_exponent, 0.0);
  EXPECT_LE(fit.curve.rise_exponent, 4.0);
  EXPECT_GE(fit.curve.smt_fraction, 0.0);
  EXPECT_LT(fit.curve.smt_fraction, 1.0);
  EXPECT_GT(fit.full_load_w, 0.0);
}

TEST(FitCpuCurve, RefusesTooFewUsablePoints) {
  const CpuTopology topology{1, 4, 2};
  try {
    FitCpuCurve({{"idle", 0.0, 10}, {"dead", 0.5, 0}, {"odd", 1.5, 30}}, topology);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("1 of 3"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace carbonbench::calibration
