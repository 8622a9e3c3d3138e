// Per-thread power of CPU families (harness/data/meters/cpu_families.csv):
// for a CPU missing from the TDP table, or virtualised under a generic name
// ("AMD EPYC"), the median TDP per thread of the known CPUs of its family.
#pragma once

#include <string>
#include <vector>

namespace carbonbench::power_model {

// The file's place under the reference data folder.
inline constexpr const char* kCpuFamiliesFile = "/meters/cpu_families.csv";

struct CpuFamilyRow {
  std::string vendor_id;  // "AuthenticAMD"
  int cpu_family = 0;     // /proc/cpuinfo's "cpu family"
  int model_min = 0;      // the row covers models model_min..model_max
  int model_max = 0;
  std::string microarchitecture;  // "Zen 5"
  double watts_per_thread = 0;    // median TDP per thread of the known CPUs
  int cpus = 0;                   // how many known CPUs the median is of
  std::string source;
};

// Parses the CSV (header vendor_id,cpu_family,model_min,model_max,
// microarchitecture,watts_per_thread,cpus,source; order free, other columns
// ignored). Throws std::runtime_error naming `origin`, line and column.
std::vector<CpuFamilyRow> ParseCpuFamiliesCsv(const std::string& text, const std::string& origin);
std::vector<CpuFamilyRow> ReadCpuFamiliesCsv(const std::string& path);

enum class FamilyMatchKind { kNone, kModelRange, kSameFamily, kNearestFamily };

struct FamilyMatch {
  FamilyMatchKind kind = FamilyMatchKind::kNone;
  CpuFamilyRow row;
};

// The row for a CPU: its vendor, family and model within the row's range;
// else a row of the same vendor and family (the one with most CPUs); else
// the vendor's row whose family number is nearest (ties: more CPUs). A
// `cpu_family` below 0 (unknown) goes straight to the vendor's row with the
// most CPUs. kNone when the vendor has no row.
FamilyMatch ResolveFamily(const std::vector<CpuFamilyRow>& rows, const std::string& vendor_id,
                          int cpu_family, int model);

}  // namespace carbonbench::power_model
