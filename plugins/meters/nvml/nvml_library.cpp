#include "nvml_library.h"

#include <dlfcn.h>

#include <sstream>
#include <stdexcept>

namespace carbonbench::nvml {
namespace {

template <typename Function>
void Resolve(void* handle, const char* symbol, const std::string& path, Function*& out) {
  out = reinterpret_cast<Function*>(dlsym(handle, symbol));
  if (out == nullptr) {
    throw std::runtime_error(path + " has no symbol " + symbol +
                             ": the NVIDIA driver is too old or this is not NVML; update the "
                             "driver");
  }
}

// "0,2" -> {0, 2}; nullopt when any item is not a plain index (UUIDs, MIG).
std::optional<std::vector<unsigned>> ParseIndices(const std::string& text) {
  std::vector<unsigned> indices;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.empty() || item.find_first_not_of("0123456789 ") != std::string::npos) {
      return std::nullopt;
    }
    indices.push_back(static_cast<unsigned>(std::stoul(item)));
  }
  if (indices.empty()) return std::nullopt;
  return indices;
}

}  // namespace

Library::Library(const std::string& path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = dlerror();
    throw std::runtime_error("no NVIDIA driver here: " + path + " cannot be loaded (" +
                             (why ? why : "unknown error") +
                             "); install the NVIDIA driver, or drop nvml from the meters");
  }
  try {
    Resolve(handle_, "nvmlInit_v2", path, init_);
    Resolve(handle_, "nvmlShutdown", path, shutdown_);
    Resolve(handle_, "nvmlErrorString", path, error_string_);
    Resolve(handle_, "nvmlDeviceGetCount_v2", path, count_);
    Resolve(handle_, "nvmlDeviceGetHandleByIndex_v2", path, handle_by_index_);
    Resolve(handle_, "nvmlDeviceGetName", path, name_);
    Resolve(handle_, "nvmlDeviceGetTotalEnergyConsumption", path, energy_);
    Resolve(handle_, "nvmlDeviceGetPowerUsage", path, power_);
    if (const Return code = init_(); code != kSuccess) {
      throw std::runtime_error("nvmlInit_v2 failed: " + Error(code) +
                               " (is the NVIDIA kernel module loaded? nvidia-smi says more)");
    }
  } catch (...) {
    dlclose(handle_);
    throw;
  }
}

Library::~Library() {
  if (shutdown_) shutdown_();
  dlclose(handle_);
}

std::string Library::Error(Return code) const {
  const char* text = error_string_ ? error_string_(code) : nullptr;
  return (text ? std::string(text) : "error") + " (code " + std::to_string(code) + ")";
}

unsigned Library::DeviceCount() const {
  unsigned count = 0;
  if (const Return code = count_(&count); code != kSuccess) {
    throw std::runtime_error("nvmlDeviceGetCount_v2 failed: " + Error(code));
  }
  return count;
}

Device Library::DeviceAt(unsigned index) const {
  Device device = nullptr;
  if (const Return code = handle_by_index_(index, &device); code != kSuccess) {
    throw std::runtime_error("nvmlDeviceGetHandleByIndex_v2(" + std::to_string(index) +
                             ") failed: " + Error(code));
  }
  return device;
}

std::string Library::Name(Device device) const {
  char name[96] = {};
  return name_(device, name, sizeof name) == kSuccess ? name : "unknown GPU";
}

std::optional<unsigned long long> Library::TotalEnergyMj(Device device) const {
  unsigned long long millijoules = 0;
  if (energy_(device, &millijoules) != kSuccess) return std::nullopt;
  return millijoules;
}

std::optional<unsigned> Library::PowerMw(Device device) const {
  unsigned milliwatts = 0;
  if (power_(device, &milliwatts) != kSuccess) return std::nullopt;
  return milliwatts;
}

std::vector<unsigned> SelectGpus(const std::string& selection, unsigned count,
                                 const char* cuda_visible_devices) {
  std::vector<unsigned> all;
  for (unsigned i = 0; i < count; ++i) all.push_back(i);
  std::optional<std::vector<unsigned>> chosen;
  if (selection == "all") return all;
  if (selection == "auto") {
    if (cuda_visible_devices == nullptr) return all;
    chosen = ParseIndices(cuda_visible_devices);
    if (!chosen) return all;  // UUIDs or MIG names: not indices NVML shares
  } else {
    chosen = ParseIndices(selection);
    if (!chosen) {
      throw std::runtime_error("nvml.gpus '" + selection +
                               "' is not auto, all or a list of indices such as 0,2");
    }
  }
  for (unsigned index : *chosen) {
    if (index >= count) {
      throw std::runtime_error("GPU " + std::to_string(index) + " does not exist: NVML sees " +
                               std::to_string(count) + " GPU(s), indices 0 to " +
                               std::to_string(count == 0 ? 0 : count - 1));
    }
  }
  return *chosen;
}

double TrapezoidJoules(double before_w, double after_w, double seconds) {
  return seconds > 0 ? (before_w + after_w) / 2.0 * seconds : 0.0;
}

}  // namespace carbonbench::nvml
