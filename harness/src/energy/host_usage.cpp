#include "energy/host_usage.h"

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
