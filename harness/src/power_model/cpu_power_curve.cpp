#include "power_model/cpu_power_curve.h"

#include <algorithm>
#include <cmath>

namespace carbonbench::power_model {

int PhysicalCores(const CpuTopology& topology) {
  const int logical = std::max(1, topology.logical_cpus);
  if (topology.physical_cores > 0) return std::min(topology.physical_cores, logical);
  return logical >= 2 ? logical / 2 : 1;
}

double LoadFraction(const CpuCurve& curve, const CpuTopology& topology, double load) {
  const double clamped = std::isnan(load) ? 0.0 : std::clamp(load, 0.0, 1.0);
  const int logical = std::max(1, topology.logical_cpus);
  const int cores = PhysicalCores(topology);
  const double busy_threads = clamped * logical;
  const double core_load = std::min(busy_threads, static_cast<double>(cores)) / cores;
  const double sibling_load =
      logical > cores ? std::max(0.0, busy_threads - cores) / (logical - cores) : core_load;
  const double rise = (1.0 - curve.smt_fraction) * std::pow(core_load, curve.rise_exponent) +
                      curve.smt_fraction * sibling_load;
  return curve.idle_fraction + (1.0 - curve.idle_fraction) * std::clamp(rise, 0.0, 1.0);
}

}  // namespace carbonbench::power_model
