// The ram_estimate meter: RAM energy from RAPL's DRAM counter where it can be
// read (measured), else CodeCarbon's v3 RAM model (estimated), and says which.
#include <sys/utsname.h>

#include <chrono>
#include <optional>
#include <sstream>

#include "../rapl/powercap.h"
#include "carbonbench/meter.h"
#include "ram_model.h"

namespace carbonbench::meters {
namespace {

bool IsArm() {
  utsname name{};
  if (uname(&name) != 0) return false;
  const std::string machine = name.machine;
  return machine.find("arm") != std::string::npos || machine.find("aarch") != std::string::npos;
}

std::string Format(double value) {
  std::ostringstream out;
  out.precision(3);
  out << value;
  return out.str();
}

}  // namespace

class RamEstimateMeter : public Meter {
 public:
  // Its default tracking is the machine's memory.
  static MeterTraits Traits() { return {true, 40, MeterScope::kMachine}; }

  static std::vector<ParamSpec> Parameters() {
    return {
        FloatParam("ram_gb", 0.0,
                   "memory size in GB for the model; 0 reads MemTotal (machine) or this "
                   "process's resident memory (process)",
                   0.0, 1e6),
        EnumParam("tracking", "machine", {"machine", "process"},
                  "CodeCarbon's tracking mode: the machine's memory or this process's"),
        BoolParam("use_rapl_dram", true, "measure with RAPL's DRAM counter when it can be read"),
        StringParam("powercap_root", powercap::kDefaultRoot,
                    "folder holding the intel-rapl:* zones")};
  }

  void Configure(const Params& params, const MeterContext&) override {
    if (params.Has("ram_gb")) ram_gb_override_ = params.GetFloat("ram_gb");
    if (params.Has("tracking")) process_ = params.GetString("tracking") == "process";
    if (params.Has("use_rapl_dram")) use_rapl_dram_ = params.GetBool("use_rapl_dram");
    if (params.Has("powercap_root")) powercap_root_ = params.GetString("powercap_root");
  }

  Availability Probe() override {
    drams_.clear();
    std::string rapl_note = "RAPL's DRAM counter not used (ram_estimate.use_rapl_dram: false)";
    if (use_rapl_dram_) {
      const powercap::Verdict verdict = powercap::Probe(powercap_root_);
      drams_ = verdict.drams;
      // Why the measurement was not possible, with its fix, so the fallback
      // to an estimate is never silent.
      rapl_note = verdict.available ? "RAPL has no readable DRAM domain here"
                                    : "no RAPL DRAM counter: " + verdict.reason;
    }
    if (!drams_.empty()) {
      return {true, "RAM measured by " + std::to_string(drams_.size()) +
                        " readable RAPL DRAM domain(s) under " + powercap_root_};
    }
    memory_gb_ = ram_gb_override_ > 0 ? ram_gb_override_
                 : process_           ? ram_estimate::ReadProcessRamGb()
                                      : ram_estimate::ReadTotalRamGb();
    if (memory_gb_ <= 0) {
      return {false,
              "cannot read the memory size from /proc (meminfo, self/status); set "
              "ram_estimate.ram_gb"};
    }
    power_w_ = ram_estimate::RamPowerW(memory_gb_, IsArm());
    memory_source_ = ram_gb_override_ > 0 ? "ram_estimate.ram_gb"
                     : process_           ? "this process's resident memory"
                                          : "MemTotal";
    return {true, "RAM estimated at " + Format(power_w_) + " W for " + Format(memory_gb_) +
                      " GB (" + memory_source_ + "); " + rapl_note};
  }

  std::vector<Component> Components() const override { return {Component::kRam}; }

  Provenance ProvenanceOf(Component component) const override {
    if (component != Component::kRam) return Provenance::kAbsent;
    return drams_.empty() ? Provenance::kEstimated : Provenance::kMeasured;
  }

  std::string Method() const override {
    if (!drams_.empty()) {
      return "RAM energy measured by RAPL DRAM counters under " + powercap_root_ +
             " (whole machine).";
    }
    return "RAM energy estimated, not measured, with CodeCarbon's v3 RAM model: " +
           std::to_string(ram_estimate::EstimateDimmCount(memory_gb_)) + " DIMM(s) guessed for " +
           Format(memory_gb_) + " GB (" + memory_source_ + "), " + Format(power_w_) +
           " W, times wall-clock time.";
  }

  void Start() override {
    if (!drams_.empty()) {
      counters_.emplace(drams_);
      counters_->Start();
    }
    last_ = std::chrono::steady_clock::now();
    joules_ = 0;
  }

  std::map<Component, double> ReadJoules() override {
    if (counters_) return {{Component::kRam, counters_->ReadJoules()}};
    const auto now = std::chrono::steady_clock::now();
    joules_ += power_w_ * std::chrono::duration<double>(now - last_).count();
    last_ = now;
    // As CodeCarbon, process tracking follows the resident memory as it grows.
    if (process_ && ram_gb_override_ <= 0) {
      const double memory_gb = ram_estimate::ReadProcessRamGb();
      if (memory_gb > 0) power_w_ = ram_estimate::RamPowerW(memory_gb, IsArm());
    }
    return {{Component::kRam, joules_}};
  }

 private:
  double ram_gb_override_ = 0;
  bool process_ = false;
  bool use_rapl_dram_ = true;
  std::string powercap_root_ = powercap::kDefaultRoot;
  std::vector<powercap::Domain> drams_;
  double memory_gb_ = 0;
  double power_w_ = 0;
  std::string memory_source_;
  std::optional<powercap::EnergyCounters> counters_;
  std::chrono::steady_clock::time_point last_;
  double joules_ = 0;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::RamEstimateMeter, "ram_estimate", "1.0.0",
                           "RAM energy: RAPL's DRAM counter, else CodeCarbon's v3 RAM model")
