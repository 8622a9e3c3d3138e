// How many CPUs the control groups let this machine's processes use: a
// container (or a systemd slice) may see the host's whole /proc/cpuinfo and
// yet run on two of its CPUs. Both cgroup v2 (cpu.max,
// cpuset.cpus.effective) and v1 (cpu.cfs_quota_us / cpu.cfs_period_us,
// cpuset.cpus) are read, under a root the caller chooses.
#pragma once

#include <string>

namespace carbonbench::power_model {

struct CgroupCpus {
  double quota_cpus = 0;  // CPU bandwidth quota in CPUs (quota / period); 0: no quota
  int cpuset_cpus = 0;    // CPUs in the allowed set; 0: not restricted
  std::string source;     // the files that set the limit, for Method(); "" when none

  // The CPUs available: the tightest of the quota, the set and `logical_cpus`.
  double EffectiveCpus(int logical_cpus) const;
};

// CPUs in a cpuset list ("0-3,8,10-11" is 7); 0 for an empty or bad list.
int CountCpuList(const std::string& list);

// Reads the limits for the cgroups named in `self_cgroup` (the text of
// /proc/self/cgroup: "0::/path" for v2, "4:cpu,cpuacct:/path" for v1) under
// `cgroup_root` (/sys/fs/cgroup). Quotas nest, so every level from the
// process's own cgroup up to the root counts and the tightest wins; the
// cpuset is the deepest one written. Missing files mean no limit.
CgroupCpus ReadCgroupCpus(const std::string& cgroup_root, const std::string& self_cgroup);

}  // namespace carbonbench::power_model
