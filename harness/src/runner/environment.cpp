#include "runner/environment.h"

#include <malloc.h>
#include <sched.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <torch/torch.h>

#include "process/malloc_library.h"
#include "slurm/allocation.h"

namespace carbonbench {
namespace {

constexpr int kMallocThresholdBytes = 256 * 1024 * 1024;
bool g_allocator_tuned = false;

std::string CpuModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

int UsableCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

bool GlibcMalloc() { return IsGlibcMalloc(MallocProvider()); }

}  // namespace

void ApplyAllocatorTuning() {
  if (!GlibcMalloc()) return;
  const char* opt_out = std::getenv("CARBONBENCH_MALLOC_TUNING");
  if (opt_out && std::string(opt_out) == "0") return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::string(tunables).find("glibc.malloc") != std::string::npos) return;
  g_allocator_tuned = mallopt(M_MMAP_THRESHOLD, kMallocThresholdBytes) == 1 &&
                      mallopt(M_TRIM_THRESHOLD, kMallocThresholdBytes) == 1;
}

std::string AllocatorDescription() {
  if (!GlibcMalloc()) {
    const std::string provider = MallocProvider();
    return (provider.empty() ? std::string("unknown") : provider) +
           " (preloaded in place of glibc malloc)";
  }
  if (g_allocator_tuned) {
    return "glibc malloc, mmap_threshold=268435456 trim_threshold=268435456 (raised by "
           "carbonbench)";
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::string(tunables).find("glibc.malloc") != std::string::npos) {
    return std::string("glibc malloc, GLIBC_TUNABLES=") + tunables;
  }
  return "glibc malloc, default thresholds";
}

int ResolveThreadCount(int requested) {
  if (requested > 0) return requested;
  // Slurm without CPU binding (task/none) leaves the affinity at the whole
  // node: the CPUs it gave the task are what the cell may use.
  const auto allocation = slurm::CurrentAllocation();
  if (allocation && allocation->cpus > 0) return std::min(allocation->cpus, UsableCores());
  return UsableCores();
}

int ApplyThreadCount(int requested) {
  const int threads = ResolveThreadCount(requested);
  at::set_num_threads(threads);
  return threads;
}

bool ApplyDenormalFlushing(bool on) { return at::globalContext().setFlushDenormal(on) && on; }

std::string LoadedBlas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const std::string file = std::filesystem::path(path).filename().string();
    if (file.find("blas") == std::string::npos) continue;
    std::error_code ec;
    const auto real = std::filesystem::canonical(path, ec);
    const std::string resolved = ec ? path : real.string();
    if (resolved.find("openblas") != std::string::npos) return "OpenBLAS (" + resolved + ")";
    if (resolved.find("blis") != std::string::npos) return "BLIS (" + resolved + ")";
    if (resolved.find("mkl") != std::string::npos) return "MKL (" + resolved + ")";
    return "reference BLAS (" + resolved + "): install libopenblas0-openmp for speed";
  }
  return "none mapped (torch uses its own kernels)";
}

std::string ReferenceDataDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "carbonbench" / "data";
    if (std::filesystem::is_directory(installed / "codecarbon")) return installed.string();
  }
#ifdef CARBONBENCH_SOURCE_DATA_DIR
  return CARBONBENCH_SOURCE_DATA_DIR;
#else
  return "harness/data";
#endif
}

EnvironmentRecord DescribeEnvironment(int threads, const std::string& device) {
  struct utsname name {};
  uname(&name);
  EnvironmentRecord environment;
  environment.cpu = CpuModelName();
  environment.cores = UsableCores();
  environment.threads = threads;
  environment.interop_threads = at::get_num_interop_threads();
  environment.blas = LoadedBlas();
  environment.torch = TORCH_VERSION;
  environment.allocator = AllocatorDescription();
  environment.device = device;
  environment.os = std::string(name.sysname) + " " + name.release + " " + name.machine;
  return environment;
}

}  // namespace carbonbench
