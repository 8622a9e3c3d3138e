// CodeCarbon's CPU TDP table (harness/data/codecarbon/hardware/cpu_power.csv)
// and the matching of /proc/cpuinfo's model names against it.
#pragma once

#include <string>
#include <vector>

namespace carbonbench::power_model {

// CodeCarbon's fallback when the CPU is not in its table.
inline constexpr double kDefaultWattsPerThread = 4.0;

// CodeCarbon's default TDP for an unknown CPU: 4 W per logical CPU.
double DefaultTdpW(int logical_cpus);

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

}  // namespace carbonbench::power_model
