#include "ram_model.h"

#include <algorithm>
#include <cmath>

#include "carbonbench/proc_files.h"

namespace carbonbench::ram_estimate {

int EstimateDimmCount(double total_gb) {
  if (total_gb <= 2) return 1;
  if (total_gb <= 16) return 2;   // 2x2, 2x4 or 2x8 GB
  if (total_gb <= 32) return 4;   // 4x8 GB
  if (total_gb <= 64) return 4;   // 4x16 GB
  if (total_gb <= 128) return 8;  // 8x16 or 4x32 GB
  // A server: the largest DIMM size that still makes at least 8 DIMMs.
  for (const double dimm_gb : {128.0, 64.0, 32.0, 16.0, 8.0, 4.0}) {
    if (dimm_gb <= total_gb / 8) {
      return std::min(32, static_cast<int>(std::ceil(total_gb / dimm_gb)));
    }
  }
  return 8;
}

double RamPowerW(double memory_gb, bool arm) {
  const int dimms = EstimateDimmCount(memory_gb);
  const double per_dimm = arm ? 1.5 : 5.0;
  const double floor_w = arm ? 3.0 : per_dimm * 2;
  double watts = 0;
  if (dimms <= 4) {
    watts = per_dimm * dimms;
  } else if (dimms <= 8) {
    watts = per_dimm * 4 + per_dimm * 0.9 * (dimms - 4);
  } else if (dimms <= 16) {
    watts = per_dimm * 4 + per_dimm * 0.9 * 4 + per_dimm * 0.8 * (dimms - 8);
  } else {
    watts = per_dimm * 4 + per_dimm * 0.9 * 4 + per_dimm * 0.8 * 8 + per_dimm * 0.7 * (dimms - 16);
  }
  return std::max(floor_w, watts);
}

double ReadTotalRamGb(const std::string& proc_root) {
  return ProcKilobytes(proc_root + "/meminfo", "MemTotal") * 1024.0 / kBytesPerGb;
}

double ReadProcessRamGb(const std::string& proc_root) {
  return ProcKilobytes(proc_root + "/self/status", "VmRSS") * 1024.0 / kBytesPerGb;
}

}  // namespace carbonbench::ram_estimate
