// CodeCarbon's v3 RAM power model, as plain functions: a DIMM count guessed
// from the memory size, 5 W per x86 DIMM (1.5 W on ARM) with diminishing
// steps for many DIMMs, and a floor of two DIMMs' worth (3 W on ARM).
#pragma once

#include <string>

namespace carbonbench::ram_estimate {

// As CodeCarbon counts memory: GiB (2^30 bytes), though it writes "GB".
inline constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;

int EstimateDimmCount(double total_gb);
double RamPowerW(double memory_gb, bool arm);

// MemTotal of <proc_root>/meminfo in CodeCarbon's GB; 0 when unreadable.
double ReadTotalRamGb(const std::string& proc_root = "/proc");
// This process's resident memory (VmRSS of <proc_root>/self/status); 0 when unreadable.
double ReadProcessRamGb(const std::string& proc_root = "/proc");

}  // namespace carbonbench::ram_estimate
