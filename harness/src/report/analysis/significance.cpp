#include "report/analysis/significance.h"

#include <algorithm>
#include <cmath>

namespace carbonbench::report {
namespace {

// Standard normal quantiles of the repetition estimate: two-sided 95%
// confidence, and 80% power (the usual planning choice).
constexpr double kZConfidence = 1.959963984540054;  // z(0.975)
constexpr double kZPower = 0.8416212335729143;      // z(0.8)
// Beyond this the estimate says nothing more useful than "very many".
constexpr double kMostRepetitions = 1e9;

// The continued fraction of the incomplete beta function (modified Lentz),
// converging fast for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr int kMaxIterations = 500;
  constexpr double kEpsilon = 1e-15;
  constexpr double kTiny = 1e-300;
  const auto not_tiny = [](double value) { return std::abs(value) < kTiny ? kTiny : value; };
  double c = 1.0;
  double d = 1.0 / not_tiny(1.0 - (a + b) * x / (a + 1.0));
  double fraction = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double two_m = 2.0 * m;
    // The even step, then the odd one.
    double numerator = m * (b - m) * x / ((a - 1.0 + two_m) * (a + two_m));
    d = 1.0 / not_tiny(1.0 + numerator * d);
    c = not_tiny(1.0 + numerator / c);
    fraction *= d * c;
    numerator = -(a + m) * (a + b + m) * x / ((a + two_m) * (a + 1.0 + two_m));
    d = 1.0 / not_tiny(1.0 + numerator * d);
    c = not_tiny(1.0 + numerator / c);
    const double step = d * c;
    fraction *= step;
    if (std::abs(step - 1.0) < kEpsilon) break;
  }
  return fraction;
}

// I_x(a, b), the regularized incomplete beta function.
double RegularizedIncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  // The fraction converges on one side of the mean; the symmetry
  // I_x(a, b) = 1 - I_{1-x}(b, a) covers the other.
  if (x < (a + 1.0) / (a + b + 2.0)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1.0 - front * BetaContinuedFraction(b, a, 1.0 - x) / b;
}

}  // namespace

double StudentTTwoSidedP(double t, double degrees_of_freedom) {
  if (std::isinf(t)) return 0;
  // P(|T| >= t) = I_{ν/(ν+t²)}(ν/2, 1/2).
  const double x = degrees_of_freedom / (degrees_of_freedom + t * t);
  return std::clamp(RegularizedIncompleteBeta(degrees_of_freedom / 2.0, 0.5, x), 0.0, 1.0);
}

std::optional<int> RepetitionsToTell(double difference, double stddev_a, double stddev_b) {
  if (difference == 0) return std::nullopt;
  const double spread = std::sqrt((stddev_a * stddev_a + stddev_b * stddev_b) / 2.0);
  const double ratio = (kZConfidence + kZPower) * spread / difference;
  const double runs = std::ceil(std::min(2.0 * ratio * ratio, kMostRepetitions));
  return std::max(kFewestRepetitionsToTell, static_cast<int>(runs));
}

MeanDifference CompareMeans(const Stat& a, const Stat& b) {
  MeanDifference result;
  result.difference = a.mean - b.mean;
  result.runs_a = a.count;
  result.runs_b = b.count;
  if (a.count < 2 || b.count < 2) {
    result.evidence = Evidence::kNoSpread;
    result.repetitions_needed = kFewestRepetitionsToTell;
    return result;
  }
  const double variance_a = a.stddev * a.stddev / a.count;
  const double variance_b = b.stddev * b.stddev / b.count;
  result.standard_error = std::sqrt(variance_a + variance_b);
  if (result.standard_error == 0) {
    // Every repetition gave the same figure: any difference is real.
    result.p_value = result.difference == 0 ? 1.0 : 0.0;
    result.evidence = result.difference == 0 ? Evidence::kNotSignificant : Evidence::kSignificant;
    return result;
  }
  result.degrees_of_freedom =
      (variance_a + variance_b) * (variance_a + variance_b) /
      (variance_a * variance_a / (a.count - 1) + variance_b * variance_b / (b.count - 1));
  result.p_value =
      StudentTTwoSidedP(result.difference / result.standard_error, result.degrees_of_freedom);
  if (result.p_value < kSignificanceLevel) {
    result.evidence = Evidence::kSignificant;
    return result;
  }
  result.evidence = Evidence::kNotSignificant;
  if (const auto needed = RepetitionsToTell(result.difference, a.stddev, b.stddev)) {
    // The runs made did not tell it: the side with fewer takes at least one more.
    result.repetitions_needed = std::max(*needed, std::min(a.count, b.count) + 1);
  }
  return result;
}

}  // namespace carbonbench::report
