// What /proc/cpuinfo says about the CPU: its name, its family numbers and
// its topology, enough to find it in the tables or estimate it per vCPU.
#pragma once

#include <string>

#include "power_model/cpu_power_curve.h"

namespace carbonbench::power_model {

struct CpuIdentity {
  std::string model_name;  // "AMD EPYC 7763 64-Core Processor"; "" when none (ARM)
  std::string vendor_id;   // "AuthenticAMD", "GenuineIntel"
  int cpu_family = -1;     // -1 when not given
  int model = -1;
  int sockets = 1;          // distinct "physical id"s (1 when none)
  int physical_cores = 0;   // sum over sockets of "cpu cores"; 0 when not given
  int logical_cpus = 1;     // "processor" entries
  int siblings = 0;         // logical CPUs per socket ("siblings"); 0 when not given
  bool hypervisor = false;  // the "hypervisor" flag: a virtual machine's vCPUs

  CpuTopology Topology() const { return {sockets, logical_cpus, physical_cores}; }
};

// Parses /proc/cpuinfo text (x86 and ARM layouts; missing keys keep their
// defaults). Never throws.
CpuIdentity ParseCpuInfo(const std::string& text);
// <proc_root>/cpuinfo; an unreadable file gives the defaults.
CpuIdentity ReadCpuIdentity(const std::string& proc_root = "/proc");

// "AuthenticAMD" for names starting "AMD", "GenuineIntel" for "Intel" (and
// "11th Gen Intel..."), else "": score files name CPUs, not vendors.
std::string VendorFromModelName(const std::string& model_name);

}  // namespace carbonbench::power_model
