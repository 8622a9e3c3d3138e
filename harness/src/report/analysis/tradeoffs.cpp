#include "report/analysis/tradeoffs.h"

#include <cmath>

namespace carbonbench::report {

namespace {

bool Finite(const TradeoffPoint& point) {
  return std::isfinite(point.cost) && std::isfinite(point.quality);
}

}  // namespace

std::vector<int> DominatedBy(const std::vector<TradeoffPoint>& points) {
  std::vector<int> dominated_by(points.size(), kOnTheFront);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!Finite(points[i])) {
      dominated_by[i] = kNotRanked;
      continue;
    }
    for (std::size_t j = 0; j < points.size(); ++j) {
      if (!Finite(points[j])) continue;
      const TradeoffPoint& a = points[j];
      const TradeoffPoint& b = points[i];
      const bool no_worse = a.cost <= b.cost && a.quality >= b.quality;
      const bool better = a.cost < b.cost || a.quality > b.quality;
      if (i == j || !no_worse || !better) continue;
      const int current = dominated_by[i];
      if (current < 0 || a.cost < points[current].cost ||
          (a.cost == points[current].cost && a.quality > points[current].quality)) {
        dominated_by[i] = static_cast<int>(j);
      }
    }
  }
  return dominated_by;
}

std::optional<OptimalEpoch> FindOptimalEpoch(const std::vector<EpochPoint>& epochs,
                                             double min_gain) {
  // A diverged epoch (quality -inf or NaN) gains nothing; with no finite
  // epoch there is no best to measure gains against.
  std::optional<double> best;
  std::size_t best_index = 0;
  double total_energy = 0;
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    total_energy += epochs[i].energy_wh;
    if (std::isfinite(epochs[i].quality) && (!best || epochs[i].quality > *best)) {
      best = epochs[i].quality;
      best_index = i;
    }
  }
  if (!best) return std::nullopt;
  OptimalEpoch result;
  result.best_quality = *best;
  result.epochs_run = static_cast<int>(epochs.size());
  std::optional<double> best_so_far;
  std::size_t chosen = 0;
  for (; chosen < best_index; ++chosen) {
    const double quality = epochs[chosen].quality;
    if (std::isfinite(quality) && (!best_so_far || quality > *best_so_far)) best_so_far = quality;
    if (best_so_far && *best - *best_so_far < min_gain) break;
  }
  if (chosen == best_index) best_so_far = *best;
  result.epoch = static_cast<int>(chosen) + 1;
  result.quality = *best_so_far;
  for (std::size_t later = chosen + 1; later < epochs.size(); ++later) {
    result.saved_energy_wh += epochs[later].energy_wh;
    result.saved_co2_g += epochs[later].co2_g;
    result.saved_s += epochs[later].duration_s;
  }
  result.saved_fraction = total_energy > 0 ? result.saved_energy_wh / total_energy : 0;
  return result;
}

std::optional<TargetReach> FirstReaching(const std::vector<EpochPoint>& epochs, double target) {
  TargetReach spent;
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    spent.energy_wh += epochs[i].energy_wh;
    spent.co2_g += epochs[i].co2_g;
    spent.duration_s += epochs[i].duration_s;
    spent.energy_band_wh += epochs[i].energy_band_wh;
    if (epochs[i].quality >= target) {
      spent.epoch = static_cast<int>(i) + 1;
      return spent;
    }
  }
  return std::nullopt;
}

std::optional<ProjectedSaving> ProjectRemainingEpochs(const std::vector<EpochPoint>& epochs,
                                                      int epochs_planned) {
  const int run = static_cast<int>(epochs.size());
  if (run == 0 || run >= epochs_planned) return std::nullopt;
  ProjectedSaving saving;
  saving.epochs_run = run;
  saving.epochs_planned = epochs_planned;
  double co2 = 0;
  double seconds = 0;
  for (const EpochPoint& epoch : epochs) {
    saving.spent_wh += epoch.energy_wh;
    co2 += epoch.co2_g;
    seconds += epoch.duration_s;
  }
  const double remaining = static_cast<double>(epochs_planned - run) / run;
  saving.saved_wh = saving.spent_wh * remaining;
  saving.saved_co2_g = co2 * remaining;
  saving.saved_s = seconds * remaining;
  saving.full_schedule_wh = saving.spent_wh + saving.saved_wh;
  return saving;
}

std::optional<double> PercentChange(double value, double base) {
  if (base == 0) return std::nullopt;
  return (value - base) / base * 100.0;
}

}  // namespace carbonbench::report
