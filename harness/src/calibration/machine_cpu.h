// Which CPU this machine has, as a calibration profile is keyed and its
// curve needs it: the model name, the online logical CPUs, the sockets and
// physical cores, read from /proc under a root the caller chooses (tests
// point it at a fake tree).
#pragma once

#include <string>

#include "power_model/cpu_power_curve.h"

namespace carbonbench::calibration {

struct MachineCpu {
  std::string model;  // the first "model name" of cpuinfo, trimmed; "" when none
  power_model::CpuTopology topology;
};

// Logical CPUs: the "cpuN" lines of <proc_root>/stat (the online CPUs, as
// sysconf counts them). Sockets: distinct "physical id"s of cpuinfo (1 when
// none). Physical cores: distinct (physical id, core id) pairs (0 when
// cpuinfo has no core ids, so the curve's default rule applies). Throws
// std::runtime_error naming the file when <proc_root>/stat cannot be read.
MachineCpu ReadMachineCpu(const std::string& proc_root = "/proc");

// The same from the texts of cpuinfo and stat, for tests.
MachineCpu ParseMachineCpu(const std::string& cpuinfo_text, const std::string& stat_text);

}  // namespace carbonbench::calibration
