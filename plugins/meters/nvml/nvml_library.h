// NVIDIA's management library, loaded at run time with dlopen so carbonbench
// builds and runs on machines without the driver. Only the handful of C
// functions the meter calls are declared here, with NVML's own signatures
// (nvml.h is neither included nor linked).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace carbonbench::nvml {

using Return = int;                    // nvmlReturn_t
using Device = struct nvmlDevice_st*;  // nvmlDevice_t

// nvmlReturn_t values, as in nvml.h.
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorUninitialized = 1;
inline constexpr Return kErrorInvalidArgument = 2;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorNoPermission = 4;
inline constexpr Return kErrorDriverNotLoaded = 9;
inline constexpr Return kErrorLibRmVersionMismatch = 18;

inline constexpr char kDefaultLibrary[] = "libnvidia-ml.so.1";

class Library {
 public:
  // dlopen()s `path`, resolves the functions, then nvmlInit_v2(). Throws
  // std::runtime_error saying what is missing and how to fix it. The library
  // stays loaded and initialised until destruction (nvmlShutdown, dlclose).
  explicit Library(const std::string& path);
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  unsigned DeviceCount() const;
  Device DeviceAt(unsigned index) const;
  std::string Name(Device device) const;
  // Energy since the driver loaded, in mJ; nullopt where the GPU has no
  // counter (before Volta) or the call fails.
  std::optional<unsigned long long> TotalEnergyMj(Device device) const;
  // Current board power draw in mW; nullopt when unsupported or failing.
  std::optional<unsigned> PowerMw(Device device) const;
  // "Driver Not Loaded (NVML error 9)".
  std::string ErrorText(Return code) const;

 private:
  std::string path_;
  void* handle_ = nullptr;
  Return (*init_)() = nullptr;
  Return (*shutdown_)() = nullptr;
  const char* (*error_string_)(Return) = nullptr;
  Return (*count_)(unsigned*) = nullptr;
  Return (*handle_by_index_)(unsigned, Device*) = nullptr;
  Return (*name_)(Device, char*, unsigned) = nullptr;
  Return (*energy_)(Device, unsigned long long*) = nullptr;
  Return (*power_)(Device, unsigned*) = nullptr;
};

// The GPU indices `selection` names: "all"; "auto" (CUDA_VISIBLE_DEVICES
// when it holds plain indices, since those are the GPUs this process
// trains on; else all); or a list such as "0,2". Throws for an index out of
// range (naming the GPU count) or for text that is none of these.
std::vector<unsigned> SelectGpus(const std::string& selection, unsigned count,
                                 const char* cuda_visible_devices);

// Energy of a power draw polled at successive moments, by the trapezoid rule
// between consecutive polls. Times are seconds on any monotonic clock.
class PowerIntegrator {
 public:
  void Reset(double time_s, double watts);
  void Add(double time_s, double watts);
  double joules() const { return joules_; }

 private:
  double last_time_s_ = 0;
  double last_watts_ = 0;
  double joules_ = 0;
};

}  // namespace carbonbench::nvml
