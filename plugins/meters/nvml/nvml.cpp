// The nvml meter: GPU energy measured through NVIDIA's driver, by the
// total-energy counter where the GPU has one, by polling power otherwise.
// Only the GPUs selected count, not every GPU in the machine.
#include <chrono>
#include <cstdlib>
#include <memory>

#include "carbonbench/meter.h"
#include "nvml_library.h"

namespace carbonbench::meters {

class NvmlMeter : public Meter {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {StringParam("library", "libnvidia-ml.so.1", "NVML shared library to load"),
            StringParam("gpus", "auto",
                        "auto (CUDA_VISIBLE_DEVICES, else all), all, or indices like 0,2")};
  }

  void Configure(const Params& params, const MeterContext&) override {
    library_path_ = params.Has("library") ? params.GetString("library") : "libnvidia-ml.so.1";
    selection_ = params.Has("gpus") ? params.GetString("gpus") : "auto";
  }

  Availability Probe() override {
    gpus_.clear();
    try {
      if (!library_) library_ = std::make_shared<nvml::Library>(library_path_);
      const unsigned count = library_->DeviceCount();
      if (count == 0) return {false, "NVML loaded but sees no GPU"};
      for (unsigned index :
           nvml::SelectGpus(selection_, count, std::getenv("CUDA_VISIBLE_DEVICES"))) {
        Gpu gpu;
        gpu.index = index;
        gpu.device = library_->DeviceAt(index);
        gpu.name = library_->Name(gpu.device);
        gpu.has_counter = library_->TotalEnergyMj(gpu.device).has_value();
        if (!gpu.has_counter && !library_->PowerMw(gpu.device)) {
          return {false, "GPU " + std::to_string(index) + " (" + gpu.name +
                             ") reports neither an energy counter nor its power draw"};
        }
        gpus_.push_back(gpu);
      }
    } catch (const std::exception& error) {
      return {false, error.what()};
    }
    return {true, Describe()};
  }

  std::vector<Component> Components() const override {
    return gpus_.empty() ? std::vector<Component>{} : std::vector<Component>{Component::kGpu};
  }

  Provenance ProvenanceOf(Component component) const override {
    return component == Component::kGpu && !gpus_.empty() ? Provenance::kMeasured
                                                          : Provenance::kAbsent;
  }

  std::string Method() const override {
    return "GPU energy measured through NVML: " + Describe() + ".";
  }

  void Start() override {
    const auto now = std::chrono::steady_clock::now();
    for (Gpu& gpu : gpus_) {
      gpu.joules = 0;
      gpu.last_time = now;
      if (gpu.has_counter) {
        gpu.start_mj = library_->TotalEnergyMj(gpu.device).value_or(0);
      } else {
        gpu.last_w = library_->PowerMw(gpu.device).value_or(0) / 1000.0;
      }
    }
  }

  std::map<Component, double> ReadJoules() override {
    double joules = 0;
    const auto now = std::chrono::steady_clock::now();
    for (Gpu& gpu : gpus_) {
      if (gpu.has_counter) {
        if (auto mj = library_->TotalEnergyMj(gpu.device); mj && *mj >= gpu.start_mj) {
          gpu.joules = static_cast<double>(*mj - gpu.start_mj) / 1000.0;
        }
      } else if (auto mw = library_->PowerMw(gpu.device)) {
        const double watts = *mw / 1000.0;
        gpu.joules += nvml::TrapezoidJoules(
            gpu.last_w, watts, std::chrono::duration<double>(now - gpu.last_time).count());
        gpu.last_w = watts;
        gpu.last_time = now;
      }
      joules += gpu.joules;
    }
    return {{Component::kGpu, joules}};
  }

 private:
  struct Gpu {
    unsigned index = 0;
    nvml::Device device = nullptr;
    std::string name;
    bool has_counter = false;
    unsigned long long start_mj = 0;
    double last_w = 0;
    std::chrono::steady_clock::time_point last_time;
    double joules = 0;
  };

  std::string Describe() const {
    std::string text;
    for (const Gpu& gpu : gpus_) {
      text += (text.empty() ? "" : "; ") + ("GPU " + std::to_string(gpu.index)) + " " +
              gpu.name + (gpu.has_counter ? " by its energy counter" : " by power polling");
    }
    return text;
  }

  std::string library_path_ = "libnvidia-ml.so.1";
  std::string selection_ = "auto";
  std::shared_ptr<nvml::Library> library_;
  std::vector<Gpu> gpus_;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::NvmlMeter, "nvml", "1.0.0",
                           "NVIDIA GPU energy measured through NVML, loaded at run time")
