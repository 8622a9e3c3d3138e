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

// This process's CPU time so far in seconds, all its threads
// (CLOCK_PROCESS_CPUTIME_ID); 0 where the clock is missing.
double ProcessCpuSeconds();

// The clock ticks per second /proc/stat counts in (USER_HZ).
double ClockTicksPerSecond();

// The machine's CPU time between two readings, split into this process's
// and everyone else's, in CPU seconds.
struct LoadSplit {
  double capacity_s = 0;  // every CPU's time, idle included
  double process_s = 0;   // this process's
  double outside_s = 0;   // busy time not this process's, never below 0
};

// The split between two readings of the machine's times and this process's
// CPU seconds; nullopt when no time passed or a counter went backwards.
// Busy time below the process's own (the counters tick at different
// granularities) counts as no outside load.
std::optional<LoadSplit> SplitLoad(const CpuTimes& before, const CpuTimes& after,
                                   double process_cpu_s, double jiffies_per_s);

// MemTotal of <proc_root>/meminfo in GB (10^9 bytes, as CodeCarbon), or 0.
double TotalRamGb(const std::string& proc_root = "/proc");

// This process's peak resident memory (VmHWM of <proc_root>/self/status)
// in GB, or 0 where it is not reported.
double PeakResidentRamGb(const std::string& proc_root = "/proc");
// The same high-water mark in MiB (2^20 bytes), as per-phase peaks report it.
double PeakResidentMib(const std::string& proc_root = "/proc");

}  // namespace carbonbench
