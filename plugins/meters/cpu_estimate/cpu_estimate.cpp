// The cpu_estimate meter: CPU energy from CodeCarbon's cpu_load model, for
// machines without a readable power counter. Everything it reports is an
// estimate and is labelled so.
#include <unistd.h>

#include <exception>
#include <optional>
#include <sstream>

#include "carbonbench/meter.h"
#include "cpu_load_model.h"

namespace carbonbench::meters {
namespace {

constexpr const char* kProcRoot = "/proc";
constexpr const char* kCpuPowerCsv = "/codecarbon/hardware/cpu_power.csv";

// "65", "2.17": watts as people write them.
std::string Watts(double watts) {
  std::ostringstream out;
  out << watts;
  return out.str() + " W";
}

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

// The TDP the model uses, and where it came from.
struct TdpChoice {
  double tdp_w = 0;
  std::string source;  // short, for Method(): "cpu_power.csv row 'AMD EPYC 7763'"
  std::string reason;  // a sentence for Probe(), with the fix when it is a guess
};

TdpChoice DefaultTdp(const std::string& why) {
  const int threads = LogicalCpus();
  TdpChoice choice;
  choice.tdp_w = cpu_estimate::DefaultTdpW(threads);
  choice.source = "CodeCarbon's default " + Watts(cpu_estimate::kDefaultWattsPerThread) +
                  " per thread × " + std::to_string(threads) + " threads";
  choice.reason = why + ": " + choice.source + " = " + Watts(choice.tdp_w) +
                  "; set cpu_estimate.tdp_w to your CPU's TDP";
  return choice;
}

TdpChoice ResolveTdp(double override_w, const std::string& reference_data_dir) {
  if (override_w > 0) {
    return {override_w, "cpu_estimate.tdp_w",
            "TDP " + Watts(override_w) + " from cpu_estimate.tdp_w"};
  }
  const std::string model = cpu_estimate::ReadCpuModelName(kProcRoot);
  if (model.empty()) return DefaultTdp("/proc/cpuinfo names no CPU model");
  std::vector<cpu_estimate::CpuPowerEntry> table;
  try {
    table = cpu_estimate::ReadCpuPowerCsv(reference_data_dir + kCpuPowerCsv);
  } catch (const std::exception& error) {
    return DefaultTdp(error.what());
  }
  const cpu_estimate::TdpMatch match = cpu_estimate::LookUpTdp(model, table);
  if (!match.found) return DefaultTdp("CPU '" + model + "' not in cpu_power.csv");
  TdpChoice choice;
  choice.tdp_w = match.tdp_w;
  choice.source = "cpu_power.csv row '" + match.matched_name + "'";
  choice.reason =
      "TDP " + Watts(match.tdp_w) + " from cpu_power.csv for '" + match.matched_name + "'";
  if (match.matched_name != model) choice.reason += " (this CPU: '" + model + "')";
  return choice;
}

}  // namespace

class CpuEstimateMeter : public Meter {
 public:
  // An estimate apportioned to this process's CPU time: after the counters.
  static MeterTraits Traits() { return {true, 30, MeterScope::kProcess}; }

  static std::vector<ParamSpec> Parameters() {
    return {FloatParam("tdp_w", 0.0,
                       "CPU package TDP in watts; 0 looks it up in CodeCarbon's "
                       "cpu_power.csv by /proc/cpuinfo's model name",
                       0.0, 1000.0)};
  }

  void Configure(const Params& params, const MeterContext& context) override {
    tdp_override_w_ = params.Has("tdp_w") ? params.GetFloat("tdp_w") : 0.0;
    reference_data_dir_ = context.reference_data_dir;
    tdp_ = ResolveTdp(tdp_override_w_, reference_data_dir_);
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
    return {true, Tdp().reason};
#endif
  }

  std::vector<Component> Components() const override { return {Component::kCpu}; }

  Provenance ProvenanceOf(Component component) const override {
    return component == Component::kCpu ? Provenance::kEstimated : Provenance::kAbsent;
  }

  std::string Method() const override {
    const TdpChoice& tdp = Tdp();
    return "CPU energy estimated, not measured, with CodeCarbon's cpu_load model: power = " +
           Watts(tdp.tdp_w) + " TDP (" + tdp.source +
           ") × (0.1 + 0.9 × machine load³) × this process's share of the busy CPU time "
           "(from /proc/stat), integrated over wall-clock time.";
  }

  void Start() override {
    Tdp();  // resolve before the sampler thread starts calling ReadJoules()
    joules_ = 0;
    last_ = cpu_estimate::TakeCpuSnapshot(kProcRoot);
  }

  std::map<Component, double> ReadJoules() override {
    const cpu_estimate::CpuSnapshot now = cpu_estimate::TakeCpuSnapshot(kProcRoot);
    joules_ += cpu_estimate::EstimateInterval(last_, now, Tdp().tdp_w, ticks_per_s_).joules;
    last_ = now;
    return {{Component::kCpu, joules_}};
  }

 private:
  // Resolved in Configure(); lazily for a host that never calls it.
  const TdpChoice& Tdp() const {
    if (!tdp_) tdp_ = ResolveTdp(tdp_override_w_, reference_data_dir_);
    return *tdp_;
  }

  double tdp_override_w_ = 0;
  std::string reference_data_dir_;
  mutable std::optional<TdpChoice> tdp_;  // a cache; see Tdp()
  const double ticks_per_s_ = TicksPerSecond();
  cpu_estimate::CpuSnapshot last_;
  double joules_ = 0;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::CpuEstimateMeter, "cpu_estimate", "1.0.0",
                           "CPU power estimated from load and TDP (CodeCarbon's cpu_load model)")
