// A stand-in for libnvidia-ml.so.1 with the same C symbols, so the nvml
// meter is tested on machines without a GPU. Driven by the environment at
// nvmlInit_v2: FAKE_NVML_GPUS (count, default 2), FAKE_NVML_NO_COUNTER=1
// (no energy counter: power polling), FAKE_NVML_POWER_MW (default 150000),
// FAKE_NVML_INIT_FAIL=1. GPU i's energy counter advances (i + 1) J per read.
#include <cstdlib>
#include <cstring>

namespace {

struct FakeDevice {
  unsigned index;
  unsigned long long energy_mj;
};

FakeDevice devices[8];
unsigned device_count = 0;
bool has_counter = true;
unsigned power_mw = 150000;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

}  // namespace

extern "C" {

struct nvmlDevice_st;

int nvmlInit_v2() {
  if (EnvInt("FAKE_NVML_INIT_FAIL", 0)) return 9;  // NVML_ERROR_DRIVER_NOT_LOADED
  device_count = static_cast<unsigned>(EnvInt("FAKE_NVML_GPUS", 2));
  if (device_count > 8) device_count = 8;
  has_counter = !EnvInt("FAKE_NVML_NO_COUNTER", 0);
  power_mw = static_cast<unsigned>(EnvInt("FAKE_NVML_POWER_MW", 150000));
  for (unsigned i = 0; i < device_count; ++i) devices[i] = {i, 1000000ULL * (i + 1)};
  return 0;
}

int nvmlShutdown() { return 0; }

const char* nvmlErrorString(int code) {
  return code == 9 ? "Driver Not Loaded" : code == 3 ? "Not Supported" : "Unknown Error";
}

int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = device_count;
  return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_st** device) {
  if (index >= device_count) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *device = reinterpret_cast<nvmlDevice_st*>(&devices[index]);
  return 0;
}

int nvmlDeviceGetName(nvmlDevice_st* device, char* name, unsigned length) {
  const unsigned index = reinterpret_cast<FakeDevice*>(device)->index;
  std::strncpy(name, index == 0 ? "Fake A100" : "Fake H100", length);
  return 0;
}

int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_st* device, unsigned long long* energy_mj) {
  if (!has_counter) return 3;  // NVML_ERROR_NOT_SUPPORTED
  FakeDevice* fake = reinterpret_cast<FakeDevice*>(device);
  *energy_mj = fake->energy_mj;
  fake->energy_mj += 1000ULL * (fake->index + 1);
  return 0;
}

int nvmlDeviceGetPowerUsage(nvmlDevice_st*, unsigned* power) {
  *power = power_mw;
  return 0;
}

}  // extern "C"
