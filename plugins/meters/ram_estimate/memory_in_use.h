// The memory a RAM estimate charges, as Linux reports it: this process's
// resident set, the machine's memory in use, or the usage of the memory cgroup
// that holds this process to less memory than the machine reports (a
// container). Every reader takes its root, so tests read fake trees.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace carbonbench::ram_estimate {

inline constexpr const char* kProcRoot = "/proc";
inline constexpr const char* kCgroupRoot = "/sys/fs/cgroup";

// VmRSS of <proc_root>/self/status in GB; none when unreadable.
std::optional<double> ReadProcessRamGb(const std::string& proc_root = kProcRoot);

// MemTotal of <proc_root>/meminfo in GB; none when unreadable.
std::optional<double> ReadTotalRamGb(const std::string& proc_root = kProcRoot);

// MemTotal - MemAvailable of <proc_root>/meminfo in GB (MemFree + Buffers +
// Cached stand in for MemAvailable on kernels before 3.14); none when
// unreadable.
std::optional<double> ReadMachineInUseGb(const std::string& proc_root = kProcRoot);

// A memory cgroup of this process whose limit is below the machine's memory.
struct LimitingCgroup {
  std::string usage_file;  // memory.current (v2) or memory.usage_in_bytes (v1)
  double limit_gb = 0;
  int version = 2;
};

// Of the cgroups on this process's path in <proc_root>/self/cgroup, from its
// own up to the root of the mounted hierarchy under `cgroup_root` (v2, else
// v1's memory controller), the one with the smallest memory limit below
// `machine_total_gb` (memory.max, v1 memory.limit_in_bytes; "max" and v1's
// huge default mean none). None when no cgroup limits memory below it.
std::optional<LimitingCgroup> FindLimitingCgroup(double machine_total_gb,
                                                 const std::string& proc_root = kProcRoot,
                                                 const std::string& cgroup_root = kCgroupRoot);

// The memory in use in `cgroup`, capped by its limit, in GB; none when unreadable.
std::optional<double> ReadCgroupInUseGb(const LimitingCgroup& cgroup);

// The memory figure a RAM estimate charges, chosen once and read at every
// sample (one small file each time).
class MemoryInUse {
 public:
  // This process's resident memory, followed as it grows.
  static MemoryInUse Process(const std::string& proc_root = kProcRoot);
  // The machine's memory in use, or, where a cgroup holds this process to
  // less memory than the machine reports, that cgroup's.
  static MemoryInUse Machine(const std::string& proc_root = kProcRoot,
                             const std::string& cgroup_root = kCgroupRoot);

  // The figure now, in GB; none when it cannot be read.
  std::optional<double> ReadGb() const;
  // Which figure, in a phrase: "the machine's memory in use (MemTotal - MemAvailable)".
  const std::string& Description() const { return description_; }

 private:
  enum class Source { kProcess, kMachine, kCgroup };
  MemoryInUse(Source source, std::string proc_root, std::string description)
      : source_(source), proc_root_(std::move(proc_root)), description_(std::move(description)) {}

  Source source_;
  std::string proc_root_;
  std::string description_;
  LimitingCgroup cgroup_;
};

}  // namespace carbonbench::ram_estimate
