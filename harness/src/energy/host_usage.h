// What the machine was doing during a run, beside the energy: CPU
// utilisation, memory in use and installed. CodeCarbon's emissions.csv
// reports these, so carbonbench records them with every run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace carbonbench {

// Machine-wide CPU time from the aggregate "cpu" line of <proc_root>/stat.
struct CpuTimes {
  std::uint64_t busy_jiffies = 0;  // everything but idle and iowait
  std::uint64_t total_jiffies = 0;
};

// nullopt when the file is missing or has no aggregate cpu line (not Linux).
std::optional<CpuTimes> ReadCpuTimes(const std::string& proc_root = "/proc");

// Busy share of the machine's CPU time between two readings, in percent;
// nullopt when no time passed or a counter went backwards.
std::optional<double> CpuUtilizationPercent(const CpuTimes& before, const CpuTimes& after);

// MemTotal of <proc_root>/meminfo in GB (10^9 bytes, as CodeCarbon), or 0.
double TotalRamGb(const std::string& proc_root = "/proc");

// This process's peak resident memory (VmHWM of <proc_root>/self/status)
// in GB, or 0 where it is not reported.
double PeakResidentRamGb(const std::string& proc_root = "/proc");
// The same high-water mark in MiB (2^20 bytes), as per-phase peaks report it.
double PeakResidentMib(const std::string& proc_root = "/proc");

}  // namespace carbonbench
