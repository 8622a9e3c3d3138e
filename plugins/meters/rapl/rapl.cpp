// The rapl meter: CPU package and DRAM energy from the kernel's RAPL
// counters, measured for the whole machine (every process on it).
#include <optional>

#include "carbonbench/meter.h"
#include "powercap.h"

namespace carbonbench::meters {

class RaplMeter : public Meter {
 public:
  // Measured counters cover every process on the machine; first choice for the CPU.
  static MeterTraits Traits() { return {true, 10, MeterScope::kMachine}; }

  static std::vector<ParamSpec> Parameters() {
    return {StringParam("powercap_root", powercap::kDefaultRoot,
                        "folder holding the intel-rapl:* zones (tests point it at a fake tree)"),
            BoolParam("include_dram", true, "report the DRAM domains as the ram component")};
  }

  void Configure(const Params& params, const MeterContext&) override {
    root_ = params.Has("powercap_root") ? params.GetString("powercap_root")
                                        : std::string(powercap::kDefaultRoot);
    include_dram_ = !params.Has("include_dram") || params.GetBool("include_dram");
  }

  Availability Probe() override {
    verdict_ = powercap::Probe(root_);
    if (!include_dram_) verdict_->drams.clear();
    return {verdict_->available, verdict_->reason};
  }

  std::vector<Component> Components() const override {
    std::vector<Component> components;
    if (!verdict_ || !verdict_->available) return components;
    components.push_back(Component::kCpu);
    if (!verdict_->drams.empty()) components.push_back(Component::kRam);
    return components;
  }

  Provenance ProvenanceOf(Component component) const override {
    const auto provided = Components();
    for (Component c : provided) {
      if (c == component) return Provenance::kMeasured;
    }
    return Provenance::kAbsent;
  }

  std::string Method() const override {
    return "CPU (and DRAM) energy measured by RAPL counters under " + root_ +
           ": the package domains of every socket (and DRAM), wrap-around handled; whole "
           "machine, every process, not this process alone.";
  }

  void Start() override {
    if (!verdict_) Probe();
    packages_.emplace(verdict_->packages);
    drams_.emplace(verdict_->drams);
    packages_->Start();
    drams_->Start();
  }

  std::map<Component, double> ReadJoules() override {
    std::map<Component, double> joules = {{Component::kCpu, packages_->ReadJoules()}};
    if (!verdict_->drams.empty()) joules[Component::kRam] = drams_->ReadJoules();
    return joules;
  }

 private:
  std::string root_ = powercap::kDefaultRoot;
  bool include_dram_ = true;
  std::optional<powercap::Verdict> verdict_;
  std::optional<powercap::EnergyCounters> packages_;
  std::optional<powercap::EnergyCounters> drams_;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::RaplMeter, "rapl", "1.0.0",
                           "CPU package and DRAM energy measured by Linux RAPL (powercap)")
