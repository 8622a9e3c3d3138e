// CodeCarbon's "cpu_load" CPU power model, as plain functions so it can be
// tested without a meter: power = TDP × (0.1 + 0.9 × load³), with the TDP
// looked up in CodeCarbon's cpu_power.csv by the CPU's model name.
//
// Everything here is pure except the few Read*/Take* functions, which read
// /proc under a root the caller chooses (tests point it at a fake tree).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench::cpu_estimate {

// CodeCarbon's fallback when the CPU is not in its table.
inline constexpr double kDefaultWattsPerThread = 4.0;

// TDP × (0.1 + 0.9 × load³): 10 % of TDP at idle, TDP at full load. `load`
// is clamped to [0, 1]; a NaN load counts as idle.
double CpuPowerW(double tdp_w, double load);

// CodeCarbon's default TDP for an unknown CPU: 4 W per logical CPU.
double DefaultTdpW(int logical_cpus);

// --- TDP lookup -------------------------------------------------------------

struct CpuPowerEntry {
  std::string name;  // as in the table, e.g. "AMD EPYC 7763"
  double tdp_w = 0;
};

// Parses cpu_power.csv text ("Name,TDP" header, quoted names may hold
// commas). Rows whose TDP is not a positive number are skipped (upstream has
// a few); a row without exactly two fields throws std::runtime_error naming
// `origin` and the line.
std::vector<CpuPowerEntry> ParseCpuPowerCsv(const std::string& text, const std::string& origin);
// Reads and parses the file; throws naming it when it cannot be read.
std::vector<CpuPowerEntry> ReadCpuPowerCsv(const std::string& path);

// Drops the decorations /proc/cpuinfo and the table disagree on: "(R)",
// "(TM)", "CPU", "@ 3.20GHz", "with Radeon Graphics", "8-Core Processor",
// and collapses spaces. "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz" becomes
// "Intel Core i7-8700".
std::string NormaliseCpuName(const std::string& name);

struct TdpMatch {
  bool found = false;
  double tdp_w = 0;
  std::string matched_name;  // the table's spelling
};

// Matches a /proc/cpuinfo model name against the table, in order: the exact
// name; the normalised names equal (ignoring case); else the longest table
// name that appears in the normalised model name as whole words.
TdpMatch LookUpTdp(const std::string& model_name, const std::vector<CpuPowerEntry>& table);

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

struct IntervalEstimate {
  double machine_load = 0;   // Δbusy / Δtotal, in [0, 1]
  double process_share = 0;  // this process's part of the busy time, [0, 1]
  double power_w = 0;        // CpuPowerW(tdp, load) × process_share
  double joules = 0;         // power_w × Δwall
};

// The energy this process is charged for between two snapshots: the whole
// CPU's modelled power, scaled by this process's share of the busy CPU time.
// Counters that went backwards (a reset) count as no change.
IntervalEstimate EstimateInterval(const CpuSnapshot& before, const CpuSnapshot& after, double tdp_w,
                                  double ticks_per_s);

}  // namespace carbonbench::cpu_estimate
