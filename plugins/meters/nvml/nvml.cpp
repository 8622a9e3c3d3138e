// The nvml meter: GPU energy measured through NVIDIA's driver, by the
// total-energy counter where the GPU has one (Volta and later), by polling
// the power draw otherwise. Only the selected GPUs count, not every GPU in
// the machine, so a neighbour's job on another GPU is not billed to this run.
#include <chrono>
#include <cstdlib>
#include <memory>

#include "carbonbench/meter.h"
#include "nvml_library.h"

namespace carbonbench::meters {
namespace detail {

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace detail

class NvmlMeter : public Meter {
 public:
  // Measured, for the selected GPUs whoever uses them.
  static MeterTraits Traits() { return {true, 20, MeterScope::kMachine}; }

  static std::vector<ParamSpec> Parameters() {
    return {StringParam("library", nvml::kDefaultLibrary,
                        "NVML shared library to dlopen (the driver's libnvidia-ml.so.1)"),
            StringParam("gpus", "auto",
                        "GPUs to measure: auto (those a Slurm job was given, SLURM_JOB_GPUS, else "
                        "the CUDA_VISIBLE_DEVICES indices, else all), "
                        "all, or indices such as 0,2")};
  }

  void Configure(const Params& params, const MeterContext&) override {
    library_path_ = params.Has("library") ? params.GetString("library") : nvml::kDefaultLibrary;
    selection_ = params.Has("gpus") ? params.GetString("gpus") : "auto";
  }

  Availability Probe() override {
    gpus_.clear();
    try {
      if (!library_) library_ = std::make_unique<nvml::Library>(library_path_);
      const unsigned count = library_->DeviceCount();
      if (count == 0) {
        return {false, "NVML (" + library_path_ +
                           ") works but sees no GPU (nvidia-smi -L lists none); drop nvml "
                           "from meters"};
      }
      // In a Slurm job SLURM_JOB_GPUS names the GPUs it was given by their
      // physical index, as NVML counts them; CUDA_VISIBLE_DEVICES may have
      // been renumbered from 0 where Slurm confines the job's devices.
      const char* slurm_gpus = std::getenv("SLURM_JOB_GPUS");
      const bool from_slurm = slurm_gpus != nullptr && *slurm_gpus != '\0';
      const char* visible = from_slurm ? slurm_gpus : std::getenv("CUDA_VISIBLE_DEVICES");
      const std::vector<unsigned> indices = nvml::SelectGpus(selection_, count, visible);
      if (indices.empty()) {
        return {false, std::string("nvml.gpus is auto and ") +
                           (from_slurm ? "SLURM_JOB_GPUS='" : "CUDA_VISIBLE_DEVICES='") + visible +
                           "' hides every GPU from this process, so it uses none; set "
                           "nvml.gpus (e.g. all) to measure them anyway, or drop nvml"};
      }
      for (unsigned index : indices) {
        Gpu gpu;
        gpu.index = index;
        gpu.device = library_->DeviceAt(index);
        gpu.name = library_->Name(gpu.device);
        gpu.has_counter = library_->TotalEnergyMj(gpu.device).has_value();
        if (!gpu.has_counter && !library_->PowerMw(gpu.device)) {
          gpus_.clear();
          return {false, Label(gpu) +
                             " reports neither an energy counter nor its power draw through "
                             "NVML; leave it out with nvml.gpus, or drop nvml"};
        }
        gpus_.push_back(gpu);
      }
    } catch (const std::exception& error) {
      gpus_.clear();
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
    return "GPU energy measured through NVML (" + library_path_ + "): " + Describe() + ".";
  }

  void Start() override {
    const double now_s = detail::SteadySeconds();
    for (Gpu& gpu : gpus_) {
      gpu.joules = 0;
      if (gpu.has_counter) {
        gpu.last_mj = library_->TotalEnergyMj(gpu.device).value_or(0);
      } else {
        gpu.power.Reset(now_s, library_->PowerMw(gpu.device).value_or(0) / 1000.0);
      }
    }
  }

  std::map<Component, double> ReadJoules() override {
    // A failed read adds nothing now; the counter's next good read, or the
    // next poll's trapezoid over the longer interval, covers the gap.
    double joules = 0;
    const double now_s = detail::SteadySeconds();
    for (Gpu& gpu : gpus_) {
      if (gpu.has_counter) {
        if (const auto mj = library_->TotalEnergyMj(gpu.device)) {
          // The counter restarts at 0 when the driver reloads.
          const unsigned long long delta = *mj >= gpu.last_mj ? *mj - gpu.last_mj : *mj;
          gpu.joules += static_cast<double>(delta) / 1000.0;
          gpu.last_mj = *mj;
        }
      } else if (const auto mw = library_->PowerMw(gpu.device)) {
        gpu.power.Add(now_s, *mw / 1000.0);
        gpu.joules = gpu.power.joules();
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
    unsigned long long last_mj = 0;
    nvml::PowerIntegrator power;
    double joules = 0;
  };

  static std::string Label(const Gpu& gpu) {
    return "GPU " + std::to_string(gpu.index) + " (" + gpu.name + ")";
  }

  std::string Describe() const {
    std::string text;
    bool polled = false;
    for (const Gpu& gpu : gpus_) {
      text += (text.empty() ? "" : "; ") + Label(gpu) +
              (gpu.has_counter ? " by its total-energy counter"
                               : " by polling its power draw (it has no energy counter)");
      polled = polled || !gpu.has_counter;
    }
    if (polled) text += "; polled power is integrated by the trapezoid rule between samples";
    return text;
  }

  std::string library_path_ = nvml::kDefaultLibrary;
  std::string selection_ = "auto";
  std::unique_ptr<nvml::Library> library_;
  std::vector<Gpu> gpus_;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::NvmlMeter, "nvml", "1.0.0",
                           "NVIDIA GPU energy measured through NVML, loaded at run time")
