#include "energy/host_usage.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "carbonbench/proc_files.h"

namespace carbonbench {

std::optional<CpuTimes> ReadCpuTimes(const std::string& proc_root) {
  std::ifstream in(proc_root + "/stat");
  std::string label;
  if (!(in >> label) || label != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal (guest time is already
  // counted in user and nice).
  std::uint64_t fields[8] = {};
  int read = 0;
  while (read < 8 && in >> fields[read]) ++read;
  if (read < 4) return std::nullopt;
  CpuTimes times;
  for (int i = 0; i < read; ++i) times.total_jiffies += fields[i];
  times.busy_jiffies = times.total_jiffies - fields[3] - (read > 4 ? fields[4] : 0);
  return times;
}

std::optional<double> CpuUtilizationPercent(const CpuTimes& before, const CpuTimes& after) {
  if (after.total_jiffies <= before.total_jiffies || after.busy_jiffies < before.busy_jiffies) {
    return std::nullopt;
  }
  const double busy = static_cast<double>(after.busy_jiffies - before.busy_jiffies);
  const double total = static_cast<double>(after.total_jiffies - before.total_jiffies);
  return 100.0 * busy / total;
}

double ProcessCpuSeconds() {
  timespec now{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) != 0) return 0;
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double ClockTicksPerSecond() {
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100.0;  // Linux's USER_HZ
}

std::optional<LoadSplit> SplitLoad(const CpuTimes& before, const CpuTimes& after,
                                   double process_cpu_s, double jiffies_per_s) {
  if (after.total_jiffies <= before.total_jiffies || after.busy_jiffies < before.busy_jiffies ||
      jiffies_per_s <= 0) {
    return std::nullopt;
  }
  LoadSplit split;
  split.capacity_s =
      static_cast<double>(after.total_jiffies - before.total_jiffies) / jiffies_per_s;
  const double busy_s =
      static_cast<double>(after.busy_jiffies - before.busy_jiffies) / jiffies_per_s;
  split.process_s = std::max(0.0, process_cpu_s);
  split.outside_s = std::max(0.0, busy_s - split.process_s);
  return split;
}

double TotalRamGb(const std::string& proc_root) {
  return ProcKilobytes(proc_root + "/meminfo", "MemTotal") * 1024.0 / 1e9;
}

double PeakResidentRamGb(const std::string& proc_root) {
  return ProcKilobytes(proc_root + "/self/status", "VmHWM") * 1024.0 / 1e9;
}

double PeakResidentMib(const std::string& proc_root) {
  return ProcKilobytes(proc_root + "/self/status", "VmHWM") / 1024.0;
}

}  // namespace carbonbench
