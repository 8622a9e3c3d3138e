// The constant meter: a wattage the user declares per component, times
// wall-clock time. For devices whose draw is known from a datasheet or a
// one-off wall-plug reading, and for tests. Declared is not measured: its
// figures are labelled estimated.
#include <chrono>
#include <sstream>

#include "carbonbench/meter.h"

namespace carbonbench::meters {

class ConstantMeter : public Meter {
 public:
  // Only when asked for: a declared figure says nothing about this machine.
  static MeterTraits Traits() { return {false, 0, MeterScope::kMachine}; }

  static std::vector<ParamSpec> Parameters() {
    return {FloatParam("cpu_w", 0.0, "declared CPU power in watts (0: no cpu figure)", 0.0, 1e5),
            FloatParam("gpu_w", 0.0, "declared GPU power in watts (0: no gpu figure)", 0.0, 1e5),
            FloatParam("ram_w", 0.0, "declared RAM power in watts (0: no ram figure)", 0.0, 1e5)};
  }

  void Configure(const Params& params, const MeterContext&) override {
    watts_.clear();
    for (const auto& [key, component] :
         {std::pair{"cpu_w", Component::kCpu}, std::pair{"gpu_w", Component::kGpu},
          std::pair{"ram_w", Component::kRam}}) {
      const double watts = params.Has(key) ? params.GetFloat(key) : 0.0;
      if (watts > 0) watts_[component] = watts;
    }
  }

  Availability Probe() override {
    if (watts_.empty()) {
      return {false,
              "no wattage declared: set at least one of constant.cpu_w, constant.gpu_w and "
              "constant.ram_w above 0 (a component left at 0 has no figure)"};
    }
    return {true,
            "declared " + Declared() + " (estimated: a declared wattage is not a measurement)"};
  }

  std::vector<Component> Components() const override {
    std::vector<Component> components;
    for (const auto& [component, watts] : watts_) components.push_back(component);
    return components;
  }

  Provenance ProvenanceOf(Component component) const override {
    return watts_.count(component) ? Provenance::kEstimated : Provenance::kAbsent;
  }

  std::string Method() const override {
    return "declared constant power: " + Declared() +
           ", times wall-clock time since the start; not measured.";
  }

  void Start() override { start_ = std::chrono::steady_clock::now(); }

  std::map<Component, double> ReadJoules() override {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::map<Component, double> joules;
    for (const auto& [component, watts] : watts_) joules[component] = watts * seconds;
    return joules;
  }

 private:
  std::string Declared() const {
    std::ostringstream text;
    for (const auto& [component, watts] : watts_) {
      text << (text.tellp() > 0 ? ", " : "") << ComponentName(component) << " " << watts << " W";
    }
    return text.str();
  }

  std::map<Component, double> watts_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::ConstantMeter, "constant", "1.0.0",
                           "a declared constant power per component, times wall-clock time")
