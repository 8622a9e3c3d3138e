// The ram_estimate meter: RAM energy from RAPL's DRAM counter where it can be
// read (measured), else from a power per GB of memory in use grounded in
// published DRAM measurements (estimated, with their spread as its band).
#include <chrono>
#include <optional>
#include <sstream>

#include "../rapl/powercap.h"
#include "carbonbench/meter.h"
#include "memory_in_use.h"
#include "ram_model.h"

namespace carbonbench::meters {
namespace {

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
                   "memory in GB to charge; 0 reads the memory in use (machine: MemTotal - "
                   "MemAvailable, or the container's cgroup; process: this process's resident "
                   "memory)",
                   0.0, 1e6),
        EnumParam("tracking", "machine", {"machine", "process"},
                  "charge the machine's memory in use or this process's resident memory"),
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
    memory_.reset();
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
    if (ram_gb_override_ > 0) {
      memory_description_ = "ram_estimate.ram_gb";
      memory_gb_ = ram_gb_override_;
    } else {
      memory_.emplace(process_ ? ram_estimate::MemoryInUse::Process()
                               : ram_estimate::MemoryInUse::Machine());
      memory_description_ = memory_->Description();
      const std::optional<double> memory_gb = memory_->ReadGb();
      if (!memory_gb) {
        return {false, "cannot read " + memory_description_ +
                           " from /proc or /sys/fs/cgroup; set ram_estimate.ram_gb"};
      }
      memory_gb_ = *memory_gb;
    }
    return {true, "RAM estimated at " + Format(ram_estimate::RamPowerW(memory_gb_)) +
                      " W: " + Format(ram_estimate::kWattsPerGb) + " W/GB x " + Format(memory_gb_) +
                      " GB, " + memory_description_ + "; " + rapl_note};
  }

  std::vector<Component> Components() const override { return {Component::kRam}; }

  Provenance ProvenanceOf(Component component) const override {
    if (component != Component::kRam) return Provenance::kAbsent;
    return drams_.empty() ? Provenance::kEstimated : Provenance::kMeasured;
  }

  ErrorBand BandOf(Component component) const override {
    if (component != Component::kRam || !drams_.empty()) return {};
    return {ram_estimate::kBandRelative, ram_estimate::kBandBasis};
  }

  std::string Method() const override {
    if (!drams_.empty()) {
      return "RAM energy measured by RAPL DRAM counters under " + powercap_root_ +
             " (whole machine).";
    }
    const std::string now =
        Format(memory_gb_) + " GB = " + Format(ram_estimate::RamPowerW(memory_gb_)) + " W";
    // A followed figure changes from run to run, so the method (stored with
    // every run, and grouped on in the report) names what is followed, not
    // its value at the start; Probe() says that.
    const std::string memory = memory_ ? memory_description_ + ", re-read at every sample"
                                       : now + " (" + memory_description_ + ")";
    return "RAM energy estimated, not measured: " + Format(ram_estimate::kWattsPerGb) +
           " W per GB (±" + Format(ram_estimate::kBandRelative * 100) + " %) from " +
           ram_estimate::kSource + ", times " + memory + ", times wall-clock time.";
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
    joules_ +=
        ram_estimate::RamPowerW(memory_gb_) * std::chrono::duration<double>(now - last_).count();
    last_ = now;
    // The memory in use changes during a run: follow it, keeping the last
    // figure when a read fails.
    if (memory_) memory_gb_ = memory_->ReadGb().value_or(memory_gb_);
    return {{Component::kRam, joules_}};
  }

 private:
  double ram_gb_override_ = 0;
  bool process_ = false;
  bool use_rapl_dram_ = true;
  std::string powercap_root_ = powercap::kDefaultRoot;
  std::vector<powercap::Domain> drams_;
  std::optional<ram_estimate::MemoryInUse> memory_;  // none with ram_gb set
  std::string memory_description_;
  double memory_gb_ = 0;
  std::optional<powercap::EnergyCounters> counters_;
  std::chrono::steady_clock::time_point last_;
  double joules_ = 0;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::RamEstimateMeter, "ram_estimate", "1.0.0",
                           "RAM energy: RAPL's DRAM counter, else W per GB of memory in use")
