// The cpu_estimate meter: CPU energy from power_model's estimator (this
// machine's calibration profile, else a TDP table row, else the CPU's family,
// else CodeCarbon's default) and the load curve fitted to public
// measurements, for machines without a readable power counter. Everything it
// reports is an estimate, labelled so and carrying its error band.
#include <unistd.h>

#include <exception>
#include <optional>

#include <fmt/format.h>

#include "carbonbench/meter.h"
#include "cpu_load_model.h"
#include "power_model/cgroup_share.h"
#include "power_model/cpu_estimator.h"
#include "power_model/cpu_identity.h"
#include "power_model/csv_records.h"

namespace carbonbench::meters {
namespace {

constexpr const char* kProcRoot = "/proc";
constexpr const char* kCgroupRoot = "/sys/fs/cgroup";

// Online logical CPUs: the ones /proc/stat's machine-wide counters cover,
// and what CodeCarbon counts threads by.
int LogicalCpus() {
  const long count = sysconf(_SC_NPROCESSORS_ONLN);
  return count > 0 ? static_cast<int>(count) : 1;
}

double TicksPerSecond() {
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100.0;  // 100 on every Linux ABI
}

// What the estimator is told about this machine: /proc/cpuinfo, with the
// online CPU count /proc/stat covers, and the control groups' CPU limit.
power_model::MachineFacts ThisMachine() {
  power_model::MachineFacts facts;
  facts.cpu = power_model::ReadCpuIdentity(kProcRoot);
  facts.cpu.logical_cpus = LogicalCpus();
  const power_model::CgroupCpus limit = power_model::ReadCgroupCpus(
      kCgroupRoot, power_model::ReadFileOrEmpty(std::string(kProcRoot) + "/self/cgroup"));
  facts.available_cpus = limit.EffectiveCpus(facts.cpu.logical_cpus);
  facts.limit_source = limit.source;
  return facts;
}

// The estimator resolved once, or why it could not be.
struct Resolved {
  std::optional<power_model::MachinePowerModel> model;
  std::string error;
};

Resolved Resolve(double override_w, const MeterContext& context) {
  try {
    const power_model::EstimatorTables tables =
        power_model::LoadEstimatorTables(context.reference_data_dir);
    return {power_model::ResolveMachinePowerModel(
                ThisMachine(), tables, {override_w, "cpu_estimate.tdp_w", context.calibration_dir}),
            ""};
  } catch (const std::exception& error) {
    return {std::nullopt, error.what()};
  }
}

}  // namespace

class CpuEstimateMeter : public Meter {
 public:
  // An estimate apportioned to this process's CPU time: after the counters.
  static MeterTraits Traits() { return {true, 30, MeterScope::kProcess}; }

  static std::vector<ParamSpec> Parameters() {
    return {FloatParam("tdp_w", 0.0,
                       "CPU package TDP in watts; 0 looks it up in CodeCarbon's "
                       "cpu_power.csv by /proc/cpuinfo's model name (after a "
                       "calibration profile, before the CPU family table)",
                       0.0, 1000.0)};
  }

  void Configure(const Params& params, const MeterContext& context) override {
    tdp_override_w_ = params.Has("tdp_w") ? params.GetFloat("tdp_w") : 0.0;
    context_ = context;
    resolved_ = Resolve(tdp_override_w_, context_);
  }

  Availability Probe() override {
#ifndef __linux__
    return {false, "cpu_estimate reads /proc/stat, which only Linux has"};
#else
    try {
      cpu_estimate::ReadProcStat(kProcRoot);
    } catch (const std::exception& error) {
      return {false, std::string(error.what()) + "; cpu_estimate needs Linux with /proc mounted"};
    }
    const Resolved& resolved = Model();
    if (!resolved.model) return {false, resolved.error};
    const power_model::MachinePowerModel& model = *resolved.model;
    return {true, std::string(power_model::EstimatePathName(model.path)) + ": " + model.description,
            model.warnings};
#endif
  }

  std::vector<Component> Components() const override { return {Component::kCpu}; }

  Provenance ProvenanceOf(Component component) const override {
    return component == Component::kCpu ? Provenance::kEstimated : Provenance::kAbsent;
  }

  std::string Method() const override {
    const Resolved& resolved = Model();
    if (!resolved.model) return "CPU energy not estimated: " + resolved.error;
    const power_model::MachinePowerModel& model = *resolved.model;
    return fmt::format(
        "CPU energy estimated, not measured, from the {}: {}; power = that × the load curve ({}) "
        "at the machine's load × this process's share of the busy CPU time (from /proc/stat), "
        "integrated over wall-clock time; ±{:.0f} % ({}).",
        power_model::EstimatePathName(model.path), model.description,
        power_model::DescribeCurve(model.curve), model.band_relative * 100, model.band_basis);
  }

  ErrorBand BandOf(Component component) const override {
    const Resolved& resolved = Model();
    if (component != Component::kCpu || !resolved.model) return {};
    return {resolved.model->band_relative, resolved.model->band_basis};
  }

  std::string Calibration() const override {
    const Resolved& resolved = Model();
    return resolved.model ? resolved.model->calibration : "";
  }

  void Start() override {
    Model();  // resolve before the sampler thread starts calling ReadJoules()
    joules_ = 0;
    last_ = cpu_estimate::TakeCpuSnapshot(kProcRoot);
  }

  std::map<Component, double> ReadJoules() override {
    const cpu_estimate::CpuSnapshot now = cpu_estimate::TakeCpuSnapshot(kProcRoot);
    const Resolved& resolved = Model();
    if (resolved.model) {
      const power_model::MachinePowerModel& model = *resolved.model;
      const auto power_w = [&model](double load) { return model.PowerW(load); };
      joules_ +=
          cpu_estimate::EstimateInterval(last_, now, power_w, ticks_per_s_, model.container_cpus)
              .joules;
    }
    last_ = now;
    return {{Component::kCpu, joules_}};
  }

 private:
  // Resolved in Configure(); lazily for a host that never calls it.
  const Resolved& Model() const {
    if (!resolved_) resolved_ = Resolve(tdp_override_w_, context_);
    return *resolved_;
  }

  double tdp_override_w_ = 0;
  MeterContext context_;
  mutable std::optional<Resolved> resolved_;  // a cache; see Model()
  const double ticks_per_s_ = TicksPerSecond();
  cpu_estimate::CpuSnapshot last_;
  double joules_ = 0;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::CpuEstimateMeter, "cpu_estimate", "1.0.0",
                           "CPU power estimated from load with a curve fitted to measurements")
