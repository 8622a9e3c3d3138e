// What cpu_estimate reads from /proc and how it turns two readings into
// energy: the machine's modelled power at its load (power_model's estimator),
// scaled by this process's share of the busy CPU time. The TDP table lives
// in power_model (tdp_table.h) so `carbonbench calibrate --score` matches
// CPUs exactly as the meter does; its names are repeated here.
//
// Everything here is pure except the few Read*/Take* functions, which read
// /proc under a root the caller chooses (tests point it at a fake tree).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "power_model/tdp_table.h"

namespace carbonbench::cpu_estimate {

using power_model::CpuPowerEntry;
using power_model::DefaultTdpW;
using power_model::kDefaultWattsPerThread;
using power_model::LookUpTdp;
using power_model::NormaliseCpuName;
using power_model::ParseCpuPowerCsv;
using power_model::ReadCpuPowerCsv;
using power_model::TdpMatch;

// --- /proc readers ----------------------------------------------------------

// Jiffies summed over all CPUs, from the first "cpu" line of /proc/stat.
struct CpuJiffies {
  std::uint64_t busy = 0;   // total minus idle and iowait
  std::uint64_t total = 0;  // user..steal; guest time is already in user/nice
};

// Parses /proc/stat text. Throws std::runtime_error when it has no
// aggregate "cpu" line with at least the four classic fields.
CpuJiffies ParseProcStat(const std::string& text);
// Reads <proc_root>/stat; throws naming the file when it cannot be read.
CpuJiffies ReadProcStat(const std::string& proc_root = "/proc");

// The first "model name" in <proc_root>/cpuinfo, or "" (e.g. on ARM, whose
// cpuinfo has none).
std::string ReadCpuModelName(const std::string& proc_root = "/proc");

// --- Integration ------------------------------------------------------------

// What the meter records at each read.
struct CpuSnapshot {
  double wall_s = 0;         // a monotonic clock
  double process_cpu_s = 0;  // this process's CPU time, all threads
  CpuJiffies machine;        // whole machine, from /proc/stat
};

// This process's CPU time now (CLOCK_PROCESS_CPUTIME_ID), with the monotonic
// clock and /proc/stat read alongside.
CpuSnapshot TakeCpuSnapshot(const std::string& proc_root = "/proc");

// The machine's CPU power in W at a busy share (0-1) of its logical CPUs.
using MachinePower = std::function<double(double load)>;

struct IntervalEstimate {
  double machine_load = 0;   // Δbusy / Δtotal, in [0, 1]
  double process_share = 0;  // this process's part of the busy time, [0, 1]
  double power_w = 0;        // machine_power_w(load) × process_share
  double joules = 0;         // power_w × Δwall
};

// The energy this process is charged for between two snapshots: the whole
// CPU's modelled power, scaled by this process's share of the busy CPU time.
// Counters that went backwards (a reset) count as no change.
//
// In a container limited to `container_cpus` (> 0) the machine is the
// container: /proc/stat there counts the host's other tenants too, so the
// load is this process's CPU time over the container's CPUs and the
// container's power is all this process's (while it ran at all).
IntervalEstimate EstimateInterval(const CpuSnapshot& before, const CpuSnapshot& after,
                                  const MachinePower& machine_power_w, double ticks_per_s,
                                  double container_cpus = 0);

}  // namespace carbonbench::cpu_estimate
