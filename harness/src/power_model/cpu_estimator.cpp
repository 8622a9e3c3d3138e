#include "power_model/cpu_estimator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "power_model/calibration_profile.h"
#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

// Threads per core of the host package when a VM's vCPUs are apportioned by
// a core count read from the model name. Cloud vCPUs are SMT threads on the
// x86 server CPUs the clouds rent (AWS, Azure, GCP all sell a vCPU as one
// hyperthread), and the guest's own "siblings" cannot tell us, so two.
constexpr int kHostThreadsPerCore = 2;

std::string Cpus(double cpus) { return fmt::format("{:g}", cpus); }

std::string Plural(double count, const char* word) {
  return fmt::format("{} {}{}", Cpus(count), word, count == 1 ? "" : "s");
}

// This machine's (container's) share of the CPUs the OS shows, from the
// cgroup limit; 1 when not limited.
double CgroupShare(const MachineFacts& facts) {
  const double logical = std::max(1, facts.cpu.logical_cpus);
  if (facts.available_cpus > 0 && facts.available_cpus < logical) {
    return facts.available_cpus / logical;
  }
  return 1.0;
}

double AvailableCpus(const MachineFacts& facts) {
  return CgroupShare(facts) * std::max(1, facts.cpu.logical_cpus);
}

// " × 2/64 CPUs this container may use (cpu.max)", or "" when unlimited.
std::string CgroupWords(const MachineFacts& facts) {
  if (CgroupShare(facts) >= 1.0) return "";
  return fmt::format(" × {}/{} CPUs the control group allows ({})", Cpus(facts.available_cpus),
                     facts.cpu.logical_cpus, facts.limit_source);
}

MachinePowerModel Base(const MachineFacts& facts, const EstimatorTables& tables) {
  MachinePowerModel model;
  model.curve = tables.fitted.curve;
  model.topology = facts.cpu.Topology();
  model.band_relative = tables.fitted.band_relative;
  model.band_basis = tables.fitted.basis;
  model.warnings = tables.warnings;
  return model;
}

std::string CpuName(const CpuIdentity& cpu) {
  return cpu.model_name.empty() ? "this CPU (unnamed in /proc/cpuinfo)"
                                : fmt::format("'{}'", cpu.model_name);
}

bool UseProfile(const MachineFacts& facts, const EstimatorOptions& options,
                MachinePowerModel* model) {
  if (options.calibration_dir.empty() || facts.cpu.model_name.empty()) return false;
  ProfileLookup lookup =
      FindProfile(options.calibration_dir, facts.cpu.model_name, facts.cpu.logical_cpus);
  if (!lookup.warning.empty()) model->warnings.push_back(lookup.warning);
  if (!lookup.profile) return false;
  const CalibrationProfile& profile = *lookup.profile;
  model->path = EstimatePath::kProfile;
  model->full_load_w = profile.full_load_w * CgroupShare(facts);
  model->curve = profile.curve;
  model->topology = profile.topology;
  model->band_relative = profile.band_relative;
  model->band_basis = fmt::format("calibration on this machine against {} on {}", profile.meter,
                                  profile.calibrated_at.substr(0, 10));
  model->calibration = CalibrationPhrase(profile);
  model->description =
      fmt::format("{:.1f} W at full load, estimated with a model {} ({}){}", model->full_load_w,
                  model->calibration, lookup.path, CgroupWords(facts));
  return true;
}

void UseFamilyRow(const FamilyMatch& match, const MachineFacts& facts,
                  const EstimatorTables& tables, const std::string& lead,
                  MachinePowerModel* model) {
  const double per_tdp = tables.fitted.full_load_per_tdp;
  const double vcpus = AvailableCpus(facts);
  model->path = EstimatePath::kFamily;
  model->full_load_w = match.row.watts_per_thread * per_tdp * vcpus;
  const char* which = match.kind == FamilyMatchKind::kModelRange ? ""
                      : match.kind == FamilyMatchKind::kSameFamily
                          ? " (its family; its model number is outside the known ranges)"
                          : " (the vendor's nearest known family)";
  model->description = fmt::format(
      "{:.1f} W at full load, {}estimated per vCPU from the {} family{} (median of {} known "
      "CPUs){}: {:g} W TDP per thread × {:.2f} × {}",
      model->full_load_w, lead, match.row.microarchitecture, which, match.row.cpus,
      lead.empty() ? ", this CPU is not in the table" : "", match.row.watts_per_thread, per_tdp,
      Plural(vcpus, "vCPU"));
  model->band_basis += "; a family estimate, outside that validation";
}

void UseDefault(const MachineFacts& facts, const EstimatorTables& tables,
                const EstimatorOptions& options, const std::string& why, MachinePowerModel* model) {
  const double per_tdp = tables.fitted.full_load_per_tdp;
  const double threads = AvailableCpus(facts);
  model->path = EstimatePath::kDefault;
  model->full_load_w = kDefaultWattsPerThread * per_tdp * threads;
  model->description = fmt::format(
      "{:.1f} W at full load from CodeCarbon's default {:g} W per thread × {:.2f} × {} ({}); "
      "set {} to your CPU's TDP",
      model->full_load_w, kDefaultWattsPerThread, per_tdp, Plural(threads, "thread"), why,
      options.tdp_override_name);
  model->band_basis += "; CodeCarbon's default power, outside that validation";
}

void UseTdp(double tdp_w, const std::string& source, const MachineFacts& facts,
            const EstimatorTables& tables, MachinePowerModel* model) {
  const double per_tdp = tables.fitted.full_load_per_tdp;
  const int sockets = std::max(1, facts.cpu.sockets);
  model->full_load_w = per_tdp * tdp_w * sockets * CgroupShare(facts);
  model->description =
      fmt::format("{:.1f} W at full load = {:.2f} × TDP {:g} W ({}) × {}{}", model->full_load_w,
                  per_tdp, tdp_w, source, Plural(sockets, "socket"), CgroupWords(facts));
}

// A table CPU seen through a hypervisor: the guest's topology is the VM's,
// not the host package's, so the package's full-load power is shared out
// per vCPU (TDP / the package's threads) when the model name gives the core
// count; else the family's per-thread power; else the whole package, which
// over-counts a small VM and is said so.
void UseVirtualisedTdpRow(const TdpMatch& match, const MachineFacts& facts,
                          const EstimatorTables& tables, const EstimatorOptions& options,
                          MachinePowerModel* model) {
  const double per_tdp = tables.fitted.full_load_per_tdp;
  const double vcpus = AvailableCpus(facts);
  const int cores = CoresInModelName(facts.cpu.model_name);
  if (cores > 0) {
    const int package_threads = cores * kHostThreadsPerCore;
    model->full_load_w = per_tdp * match.tdp_w / package_threads * vcpus;
    model->description = fmt::format(
        "{:.1f} W at full load, this VM's share of the package: {:.2f} × TDP {:g} W ('{}' in "
        "cpu_power.csv) / {} threads ({} cores × {}) × {}",
        model->full_load_w, per_tdp, match.tdp_w, match.matched_name, package_threads, cores,
        kHostThreadsPerCore, Plural(vcpus, "vCPU"));
    return;
  }
  const FamilyMatch family =
      ResolveFamily(tables.families, facts.cpu.vendor_id, facts.cpu.cpu_family, facts.cpu.model);
  if (family.kind != FamilyMatchKind::kNone) {
    UseFamilyRow(family, facts, tables,
                 fmt::format("the host package's size unknown ('{}', {:g} W TDP), ",
                             match.matched_name, match.tdp_w),
                 model);
    model->path = EstimatePath::kTdpRow;
    return;
  }
  UseTdp(match.tdp_w, fmt::format("'{}' in cpu_power.csv", match.matched_name), facts, tables,
         model);
  model->warnings.push_back(fmt::format(
      "CPU estimate: {} runs under a hypervisor and its package's core count is unknown, so the "
      "whole package's {:.1f} W is charged to this VM's {}; set {} to this VM's "
      "share",
      CpuName(facts.cpu), model->full_load_w, Plural(vcpus, "vCPU"), options.tdp_override_name));
}

}  // namespace

EstimatorTables LoadEstimatorTables(const std::string& reference_data_dir,
                                    const std::string& curve_path) {
  EstimatorTables tables;
  tables.fitted_path = curve_path.empty() ? reference_data_dir + kFittedCurveFile : curve_path;
  tables.fitted = LoadFittedCpuModel(tables.fitted_path);
  try {
    tables.tdp_table = ReadCpuPowerCsv(reference_data_dir + "/codecarbon/hardware/cpu_power.csv");
  } catch (const std::exception& error) {
    tables.warnings.push_back(fmt::format("CPU estimate: no TDP table: {}", error.what()));
  }
  try {
    tables.families = ReadCpuFamiliesCsv(reference_data_dir + kCpuFamiliesFile);
  } catch (const std::exception& error) {
    tables.warnings.push_back(fmt::format("CPU estimate: no CPU family table: {}", error.what()));
  }
  return tables;
}

const char* EstimatePathName(EstimatePath path) {
  switch (path) {
    case EstimatePath::kProfile:
      return "calibration profile";
    case EstimatePath::kTdpOverride:
      return "TDP override";
    case EstimatePath::kTdpRow:
      return "TDP row";
    case EstimatePath::kFamily:
      return "CPU family";
    case EstimatePath::kDefault:
      return "default";
  }
  return "default";
}

double MachinePowerModel::PowerW(double load) const {
  return full_load_w * LoadFraction(curve, topology, load);
}

std::string DescribeCurve(const CpuCurve& curve) {
  return fmt::format("idle {:.0f} % of full load, rise core load^{:.2f}, SMT siblings {:.0f} %",
                     curve.idle_fraction * 100, curve.rise_exponent, curve.smt_fraction * 100);
}

int CoresInModelName(const std::string& model_name) {
  std::istringstream words(model_name);
  for (std::string word; words >> word;) {
    const std::string lower = Lower(word);
    const auto dash = lower.find("-core");
    if (dash == std::string::npos || dash == 0) continue;
    // strtol's end pointer points into the text, which must outlive the check.
    const std::string number = lower.substr(0, dash);
    char* end = nullptr;
    const long cores = std::strtol(number.c_str(), &end, 10);
    if (*end == '\0' && cores > 0) return static_cast<int>(cores);
  }
  return 0;
}

namespace {

// Under a control group limit the curve runs over the container's CPUs:
// as many logical CPUs as it may use, paired as SMT siblings when the host
// has SMT (the scheduler hands out sibling threads too).
void ApplyContainer(const MachineFacts& facts, MachinePowerModel* model) {
  if (CgroupShare(facts) >= 1.0) return;
  model->container_cpus = AvailableCpus(facts);
  const int logical = std::max(1, static_cast<int>(std::ceil(model->container_cpus)));
  const CpuTopology host = facts.cpu.Topology();
  const bool smt = PhysicalCores(host) < std::max(1, host.logical_cpus);
  model->topology = {1, logical, smt ? std::max(1, logical / 2) : logical};
}

// The full-load power and curve, by the first path that has evidence.
MachinePowerModel ResolveFullLoad(const MachineFacts& facts, const EstimatorTables& tables,
                                  const EstimatorOptions& options) {
  MachinePowerModel model = Base(facts, tables);
  if (options.tdp_override_w > 0) {
    // The user's own figure wins over a profile too: they asked for it.
    model.path = EstimatePath::kTdpOverride;
    UseTdp(options.tdp_override_w, options.tdp_override_name, facts, tables, &model);
    return model;
  }
  if (UseProfile(facts, options, &model)) return model;
  const TdpMatch match = LookUpTdp(facts.cpu.model_name, tables.tdp_table);
  if (match.found) {
    model.path = EstimatePath::kTdpRow;
    if (facts.cpu.hypervisor) {
      UseVirtualisedTdpRow(match, facts, tables, options, &model);
    } else {
      UseTdp(match.tdp_w, fmt::format("'{}' in cpu_power.csv", match.matched_name), facts, tables,
             &model);
    }
    return model;
  }
  const FamilyMatch family =
      ResolveFamily(tables.families, facts.cpu.vendor_id, facts.cpu.cpu_family, facts.cpu.model);
  if (family.kind != FamilyMatchKind::kNone) {
    UseFamilyRow(family, facts, tables, "", &model);
    return model;
  }
  UseDefault(facts, tables, options,
             facts.cpu.model_name.empty()
                 ? "/proc/cpuinfo names no CPU model"
                 : fmt::format("{} is in neither the TDP nor the family table", CpuName(facts.cpu)),
             &model);
  return model;
}

}  // namespace

MachinePowerModel ResolveMachinePowerModel(const MachineFacts& facts, const EstimatorTables& tables,
                                           const EstimatorOptions& options) {
  MachinePowerModel model = ResolveFullLoad(facts, tables, options);
  ApplyContainer(facts, &model);
  return model;
}

}  // namespace carbonbench::power_model
