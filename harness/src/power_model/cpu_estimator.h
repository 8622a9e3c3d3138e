// The CPU estimator: resolves, once per machine, the package power at full
// load and the curve that scales it with load, from the best evidence there
// is: this machine's calibration profile, else CodeCarbon's TDP table and
// the fitted curve, else the per-thread power of the CPU's family, else
// CodeCarbon's 4 W per thread. The CPU estimating meter and `carbonbench
// calibrate --score` both call ResolveMachinePowerModel, so the figure a run records
// is the one the score validates.
#pragma once

#include <string>
#include <vector>

#include "power_model/cpu_families.h"
#include "power_model/cpu_identity.h"
#include "power_model/cpu_power_curve.h"
#include "power_model/fitted_cpu_model.h"
#include "power_model/tdp_table.h"

namespace carbonbench::power_model {

// The reference tables the estimator reads.
struct EstimatorTables {
  FittedCpuModel fitted;
  std::string fitted_path;  // where the curve came from, named in descriptions
  std::vector<CpuPowerEntry> tdp_table;
  std::vector<CpuFamilyRow> families;
  std::vector<std::string> warnings;  // a table that could not be read (then empty)
};

// cpu_curve.json (required: throws naming the file), cpu_power.csv and
// cpu_families.csv (a missing or broken one is a warning and an empty table)
// under `reference_data_dir`. `curve_path` replaces the shipped curve when
// not "".
EstimatorTables LoadEstimatorTables(const std::string& reference_data_dir,
                                    const std::string& curve_path = "");

// What the estimator knows about the machine it estimates.
struct MachineFacts {
  CpuIdentity cpu;
  // CPUs the control groups let this machine's processes use (fractional for
  // a quota); 0 or >= cpu.logical_cpus when not limited.
  double available_cpus = 0;
  std::string limit_source;  // the cgroup files that set the limit
};

struct EstimatorOptions {
  double tdp_override_w = 0;  // the user's TDP; 0: look it up
  // How descriptions name that setting ("<meter>.tdp_w").
  std::string tdp_override_name = "the TDP setting";
  std::string calibration_dir;  // where profiles are looked up; "" for none
};

enum class EstimatePath { kProfile, kTdpOverride, kTdpRow, kFamily, kDefault };
const char* EstimatePathName(EstimatePath path);  // "calibration profile", "TDP row", ...

struct MachinePowerModel {
  EstimatePath path = EstimatePath::kDefault;
  double full_load_w = 0;  // this machine's (or container's) CPU power at load 1
  CpuCurve curve;
  CpuTopology topology;  // what the load is a share of
  // CPUs a control group limits this machine's processes to; 0 when not
  // limited. Then full_load_w and topology are the container's, and its
  // load is its own CPU time over these CPUs (the host's /proc/stat counts
  // every other container's work too).
  double container_cpus = 0;
  double band_relative = 0;           // ± fraction
  std::string band_basis;             // what the band rests on
  std::string calibration;            // CalibrationPhrase() of the profile used, or ""
  std::string description;            // one sentence: how full_load_w was found
  std::vector<std::string> warnings;  // a refused profile, an unreadable table, a guess

  // Modelled CPU power in W at `load` (busy share of topology.logical_cpus).
  double PowerW(double load) const;
};

MachinePowerModel ResolveMachinePowerModel(const MachineFacts& facts, const EstimatorTables& tables,
                                           const EstimatorOptions& options);

// "idle 30 % of full load, rise core load^0.60, SMT siblings 10 %".
std::string DescribeCurve(const CpuCurve& curve);

// Cores per package from a name like "AMD EPYC 7763 64-Core Processor"; 0
// when the name does not say.
int CoresInModelName(const std::string& model_name);

}  // namespace carbonbench::power_model
