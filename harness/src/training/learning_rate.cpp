#include "training/learning_rate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench {
namespace {

constexpr double kPi = 3.14159265358979323846;

// From `from` at progress 0 to `to` at progress 1 along half a cosine.
double CosineBetween(double from, double to, double progress) {
  return to + (from - to) * (1 + std::cos(kPi * std::clamp(progress, 0.0, 1.0))) / 2;
}

}  // namespace

double LearningRateAt(const LearningRateSchedule& schedule, std::int64_t step,
                      std::int64_t steps_per_epoch, std::int64_t total_steps) {
  const double base = schedule.base_lr;
  steps_per_epoch = std::max<std::int64_t>(1, steps_per_epoch);
  total_steps = std::max<std::int64_t>(1, total_steps);
  if (schedule.kind == "one_cycle") {
    constexpr double kWarmFraction = 0.3, kInitialDivisor = 25, kFinalDivisor = 1e4;
    const double peak_step = kWarmFraction * static_cast<double>(total_steps);
    if (step < peak_step) return CosineBetween(base / kInitialDivisor, base, step / peak_step);
    return CosineBetween(base, base / kInitialDivisor / kFinalDivisor,
                         (step - peak_step) / std::max(1.0, total_steps - 1 - peak_step));
  }
  const std::int64_t warmup_steps = schedule.warmup_epochs * steps_per_epoch;
  if (step < warmup_steps) return base * static_cast<double>(step + 1) / warmup_steps;
  if (schedule.kind == "constant") return base;
  if (schedule.kind == "step") {
    const std::int64_t epoch = step / steps_per_epoch;
    return base * std::pow(schedule.gamma, epoch / std::max(1, schedule.step_epochs));
  }
  if (schedule.kind == "cosine") {
    const double span = std::max<std::int64_t>(1, total_steps - warmup_steps - 1);
    return CosineBetween(base, 0.0, static_cast<double>(step - warmup_steps) / span);
  }
  throw std::invalid_argument(fmt::format(
      "unknown lr_schedule '{}' (known: constant, step, cosine, one_cycle)", schedule.kind));
}

}  // namespace carbonbench
