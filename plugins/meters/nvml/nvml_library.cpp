#include "nvml_library.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench::nvml {
namespace detail {

template <typename Function>
void Resolve(void* handle, const char* symbol, const std::string& path, Function*& out) {
  dlerror();
  out = reinterpret_cast<Function*>(dlsym(handle, symbol));
  if (out == nullptr) {
    throw std::runtime_error(
        fmt::format("{} has no function {}: it is not NVML, or the NVIDIA driver is too old for "
                    "carbonbench (update the driver)",
                    path, symbol));
  }
}

// What an nvmlInit_v2 failure usually means on Linux.
std::string InitHint(Return code) {
  switch (code) {
    case kErrorDriverNotLoaded:
      return "the NVIDIA kernel module is not loaded (nvidia-smi says the same): load it with "
             "sudo modprobe nvidia or reinstall the driver";
    case kErrorNoPermission:
      return "this user may not open /dev/nvidia*: add it to the group that owns them";
    case kErrorLibRmVersionMismatch:
      return "the driver library and the loaded kernel module are different versions, usually "
             "after a driver update: reboot";
    default:
      return "nvidia-smi shows whether the driver works";
  }
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// "12" -> 12; nullopt for anything but a plain non-negative decimal.
std::optional<unsigned> ParseIndex(const std::string& text) {
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return static_cast<unsigned>(std::strtoul(text.c_str(), nullptr, 10));
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) items.push_back(Trim(item));
  if (!text.empty() && text.back() == ',') items.push_back("");
  return items;
}

std::string RangeText(unsigned count) {
  if (count == 0) return "none";
  return count == 1 ? "index 0" : "indices 0 to " + std::to_string(count - 1);
}

}  // namespace detail

Library::Library(const std::string& path) : path_(path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* error = dlerror();
    const std::string why = error ? error : "unknown dlopen error";
    const bool missing = why.find("No such file") != std::string::npos;
    throw std::runtime_error(fmt::format(
        "{} (dlopen: {}); install the NVIDIA driver (it ships libnvidia-ml.so.1), point "
        "nvml.library at the library, or drop nvml from meters",
        missing ? "no NVIDIA driver here: " + path + " not found" : path + " cannot be loaded",
        why));
  }
  try {
    detail::Resolve(handle_, "nvmlInit_v2", path, init_);
    detail::Resolve(handle_, "nvmlShutdown", path, shutdown_);
    detail::Resolve(handle_, "nvmlErrorString", path, error_string_);
    detail::Resolve(handle_, "nvmlDeviceGetCount_v2", path, count_);
    detail::Resolve(handle_, "nvmlDeviceGetHandleByIndex_v2", path, handle_by_index_);
    detail::Resolve(handle_, "nvmlDeviceGetName", path, name_);
    detail::Resolve(handle_, "nvmlDeviceGetTotalEnergyConsumption", path, energy_);
    detail::Resolve(handle_, "nvmlDeviceGetPowerUsage", path, power_);
    if (const Return code = init_(); code != kSuccess) {
      throw std::runtime_error(fmt::format("NVML ({}) loaded but nvmlInit_v2 failed: {}; {}", path,
                                           ErrorText(code), detail::InitHint(code)));
    }
  } catch (...) {
    dlclose(handle_);
    throw;
  }
}

Library::~Library() {
  shutdown_();
  dlclose(handle_);
}

std::string Library::ErrorText(Return code) const {
  const char* text = error_string_(code);
  return (text ? std::string(text) : std::string("unknown error")) + " (NVML error " +
         std::to_string(code) + ")";
}

unsigned Library::DeviceCount() const {
  unsigned count = 0;
  if (const Return code = count_(&count); code != kSuccess) {
    throw std::runtime_error(fmt::format("nvmlDeviceGetCount_v2 failed: {}", ErrorText(code)));
  }
  return count;
}

Device Library::DeviceAt(unsigned index) const {
  Device device = nullptr;
  if (const Return code = handle_by_index_(index, &device); code != kSuccess) {
    throw std::runtime_error(
        fmt::format("nvmlDeviceGetHandleByIndex_v2({}) failed: {}", index, ErrorText(code)));
  }
  return device;
}

std::string Library::Name(Device device) const {
  char name[96] = {};  // NVML_DEVICE_NAME_V2_BUFFER_SIZE
  if (name_(device, name, sizeof name) != kSuccess) return "unnamed GPU";
  name[sizeof name - 1] = '\0';
  return name;
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
  std::vector<unsigned> all(count);
  for (unsigned i = 0; i < count; ++i) all[i] = i;
  if (selection == "all") return all;

  if (selection == "auto") {
    if (cuda_visible_devices == nullptr) return all;
    // CUDA's own rule: the list ends at the first index that is not a GPU
    // ("-1" hides them all). UUIDs and MIG names are not indices: measure
    // every GPU rather than guess.
    std::vector<unsigned> visible;
    for (const std::string& item : detail::SplitCommas(cuda_visible_devices)) {
      if (item.empty() || item[0] == '-') break;
      const std::optional<unsigned> index = detail::ParseIndex(item);
      if (!index) return all;
      if (*index >= count) break;
      if (std::find(visible.begin(), visible.end(), *index) != visible.end()) break;
      visible.push_back(*index);
    }
    return visible;
  }

  const std::vector<std::string> items = detail::SplitCommas(selection);
  if (items.empty()) {
    throw std::runtime_error("nvml.gpus is '': expected auto, all or GPU indices such as 0,2");
  }
  std::vector<unsigned> chosen;
  for (const std::string& item : items) {
    const std::optional<unsigned> index = detail::ParseIndex(item);
    if (!index) {
      throw std::runtime_error(fmt::format(
          "nvml.gpus is '{}': expected auto, all or GPU indices such as 0,2", selection));
    }
    if (*index >= count) {
      throw std::runtime_error(
          fmt::format("nvml.gpus names GPU {} but NVML sees {} GPU(s), {} (nvidia-smi lists them)",
                      item, count, detail::RangeText(count)));
    }
    if (std::find(chosen.begin(), chosen.end(), *index) != chosen.end()) {
      throw std::runtime_error(fmt::format(
          "nvml.gpus '{}' names GPU {} twice; its energy would be counted twice", selection, item));
    }
    chosen.push_back(*index);
  }
  return chosen;
}

void PowerIntegrator::Reset(double time_s, double watts) {
  last_time_s_ = time_s;
  last_watts_ = watts;
  joules_ = 0;
}

void PowerIntegrator::Add(double time_s, double watts) {
  // A clock that did not advance adds nothing but still updates the draw.
  if (time_s > last_time_s_) joules_ += (last_watts_ + watts) / 2.0 * (time_s - last_time_s_);
  last_time_s_ = std::max(last_time_s_, time_s);
  last_watts_ = watts;
}

}  // namespace carbonbench::nvml
