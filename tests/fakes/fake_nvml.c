/* A stand-in for libnvidia-ml.so.1 exporting the same C functions with the
 * same signatures, so the nvml meter is tested on machines without a GPU.
 *
 * Set up from the environment when nvmlInit_v2 finds it uninitialised (NVML
 * counts nested inits; so does this):
 *   FAKE_NVML_GPUS=N               GPUs (default 2, at most 8)
 *   FAKE_NVML_ENERGY_SUPPORTED=0   no total-energy counter (pre-Volta)
 *   FAKE_NVML_POWER_SUPPORTED=0    no power reading either
 *   FAKE_NVML_POWER_MW=N           every GPU's power draw (default 150000)
 *   FAKE_NVML_INIT_FAIL=CODE       nvmlInit_v2 returns CODE (e.g. 9)
 * GPU i's counter starts at (i + 1) * 1000000 mJ and moves only when a test
 * sets it through fake_nvml_set_energy_mj(); fake_nvml_set_power_mw() and
 * fake_nvml_set_supported() change one GPU after init. A test finds them with
 * dlsym on the same path: dlopen of one path shares one copy of this state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_NVML_MAX_GPUS 8

enum {
  kSuccess = 0,
  kUninitialized = 1,
  kInvalidArgument = 2,
  kNotSupported = 3,
  kInsufficientSize = 7,
  kDriverNotLoaded = 9,
  kUnknown = 999
};

typedef struct nvmlDevice_st {
  unsigned index;
  unsigned long long energy_mj;
  unsigned power_mw;
  int energy_supported;
  int power_supported;
} FakeDevice;

static FakeDevice devices[FAKE_NVML_MAX_GPUS];
static unsigned device_count = 0;
static int init_count = 0;

static long EnvLong(const char* name, long fallback) {
  const char* value = getenv(name);
  return value && *value ? strtol(value, NULL, 10) : fallback;
}

static int ValidDevice(const FakeDevice* device) {
  return device >= devices && device < devices + device_count;
}

int nvmlInit_v2(void) {
  const long fail = EnvLong("FAKE_NVML_INIT_FAIL", 0);
  if (fail != 0) return (int)fail;
  if (init_count++ > 0) return kSuccess;
  long gpus = EnvLong("FAKE_NVML_GPUS", 2);
  if (gpus < 0) gpus = 0;
  if (gpus > FAKE_NVML_MAX_GPUS) gpus = FAKE_NVML_MAX_GPUS;
  device_count = (unsigned)gpus;
  const int energy_supported = EnvLong("FAKE_NVML_ENERGY_SUPPORTED", 1) != 0;
  const int power_supported = EnvLong("FAKE_NVML_POWER_SUPPORTED", 1) != 0;
  const unsigned power_mw = (unsigned)EnvLong("FAKE_NVML_POWER_MW", 150000);
  for (unsigned i = 0; i < device_count; ++i) {
    devices[i].index = i;
    devices[i].energy_mj = 1000000ULL * (i + 1);
    devices[i].power_mw = power_mw;
    devices[i].energy_supported = energy_supported;
    devices[i].power_supported = power_supported;
  }
  return kSuccess;
}

int nvmlShutdown(void) {
  if (init_count == 0) return kUninitialized;
  --init_count;
  return kSuccess;
}

const char* nvmlErrorString(int code) {
  switch (code) {
    case kSuccess: return "Success";
    case kUninitialized: return "Uninitialized";
    case kInvalidArgument: return "Invalid Argument";
    case kNotSupported: return "Not Supported";
    case kInsufficientSize: return "Insufficient Size";
    case kDriverNotLoaded: return "Driver Not Loaded";
    default: return "Unknown Error";
  }
}

int nvmlDeviceGetCount_v2(unsigned* count) {
  if (init_count == 0) return kUninitialized;
  if (count == NULL) return kInvalidArgument;
  *count = device_count;
  return kSuccess;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, FakeDevice** device) {
  if (init_count == 0) return kUninitialized;
  if (device == NULL || index >= device_count) return kInvalidArgument;
  *device = &devices[index];
  return kSuccess;
}

int nvmlDeviceGetName(FakeDevice* device, char* name, unsigned length) {
  if (init_count == 0) return kUninitialized;
  if (!ValidDevice(device) || name == NULL) return kInvalidArgument;
  char text[32];
  snprintf(text, sizeof text, "Fake GPU %u", device->index);
  if (strlen(text) + 1 > length) return kInsufficientSize;
  memcpy(name, text, strlen(text) + 1);
  return kSuccess;
}

int nvmlDeviceGetTotalEnergyConsumption(FakeDevice* device, unsigned long long* energy_mj) {
  if (init_count == 0) return kUninitialized;
  if (!ValidDevice(device) || energy_mj == NULL) return kInvalidArgument;
  if (!device->energy_supported) return kNotSupported;
  *energy_mj = device->energy_mj;
  return kSuccess;
}

int nvmlDeviceGetPowerUsage(FakeDevice* device, unsigned* power_mw) {
  if (init_count == 0) return kUninitialized;
  if (!ValidDevice(device) || power_mw == NULL) return kInvalidArgument;
  if (!device->power_supported) return kNotSupported;
  *power_mw = device->power_mw;
  return kSuccess;
}

/* Test controls, not part of NVML. */
void fake_nvml_set_energy_mj(unsigned index, unsigned long long energy_mj) {
  if (index < FAKE_NVML_MAX_GPUS) devices[index].energy_mj = energy_mj;
}

void fake_nvml_set_power_mw(unsigned index, unsigned power_mw) {
  if (index < FAKE_NVML_MAX_GPUS) devices[index].power_mw = power_mw;
}

void fake_nvml_set_supported(unsigned index, int energy, int power) {
  if (index < FAKE_NVML_MAX_GPUS) {
    devices[index].energy_supported = energy;
    devices[index].power_supported = power;
  }
}

int fake_nvml_init_count(void) { return init_count; }
