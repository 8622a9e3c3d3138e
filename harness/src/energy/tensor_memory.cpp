#include "energy/tensor_memory.h"

#include <algorithm>

#include <c10/core/Allocator.h>

namespace carbonbench {
namespace {

// CPU and CUDA; other devices' reports are ignored.
constexpr int kDevices = 2;

int Slot(c10::DeviceType device) {
  if (device == c10::DeviceType::CPU) return 0;
  if (device == c10::DeviceType::CUDA) return 1;
  return -1;
}

}  // namespace

struct TensorMemory::Counters : c10::MemoryReportingInfoBase {
  std::atomic<std::int64_t> current[kDevices] = {};
  std::atomic<std::int64_t> peak[kDevices] = {};
  std::atomic<bool> seen[kDevices] = {};

  void reportMemoryUsage(void* /*ptr*/, std::int64_t alloc_size, std::int64_t /*total_allocated*/,
                         std::int64_t /*total_reserved*/, c10::Device device) override {
    const int slot = Slot(device.type());
    if (slot < 0) return;
    seen[slot].store(true, std::memory_order_relaxed);
    // Frees come as negative sizes.
    const std::int64_t now =
        current[slot].fetch_add(alloc_size, std::memory_order_relaxed) + alloc_size;
    std::int64_t high = peak[slot].load(std::memory_order_relaxed);
    while (now > high && !peak[slot].compare_exchange_weak(high, now, std::memory_order_relaxed)) {
    }
  }
  bool memoryProfilingEnabled() const override { return true; }
};

TensorMemory::TensorMemory()
    : counters_(std::make_shared<Counters>()),
      guard_(std::make_unique<c10::DebugInfoGuard>(c10::DebugInfoKind::PROFILER_STATE, counters_)) {
}

TensorMemory::~TensorMemory() = default;

void TensorMemory::ResetPeak() {
  for (int slot = 0; slot < kDevices; ++slot) {
    counters_->peak[slot].store(counters_->current[slot].load());
  }
}

std::int64_t TensorMemory::PeakBytes(c10::DeviceType device) const {
  const int slot = Slot(device);
  return slot < 0 ? 0 : counters_->peak[slot].load();
}

std::int64_t TensorMemory::CurrentBytes(c10::DeviceType device) const {
  const int slot = Slot(device);
  return slot < 0 ? 0 : counters_->current[slot].load();
}

bool TensorMemory::Seen(c10::DeviceType device) const {
  const int slot = Slot(device);
  return slot >= 0 && counters_->seen[slot].load();
}

}  // namespace carbonbench
