// Peak memory held by tensors, as libtorch's allocators account for it.
//
// The resident-set peak (PhaseMemory's VmHWM) also counts what the C
// allocator keeps after tensors are freed, the dataset and libtorch itself,
// so it hides what an optimization such as checkpointing changes: the bytes
// the network's tensors hold at their peak. libtorch's CPU allocator (and
// CUDA's caching allocator) report every allocation and free to the thread's
// memory-reporting hook, the one its profiler uses; TensorMemory installs
// itself there and keeps a running total and a high-water mark per device
// type. That is the CPU counterpart of CUDA's max_memory_allocated.
//
// What it counts: tensors allocated on the installing thread, or on threads
// libtorch hands its thread-local state to (autograd, at::launch), from the
// moment it is installed. Tensors that existed before are not counted, even
// when they are freed later.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <c10/core/Device.h>
#include <c10/util/ThreadLocalDebugInfo.h>

namespace carbonbench {

class TensorMemory {
 public:
  // Installs the hook on the calling thread until this object is destroyed,
  // which must happen on the same thread.
  TensorMemory();
  ~TensorMemory();
  TensorMemory(const TensorMemory&) = delete;
  TensorMemory& operator=(const TensorMemory&) = delete;

  // The high-water mark restarts from what is held now.
  void ResetPeak();
  std::int64_t PeakBytes(c10::DeviceType device) const;
  std::int64_t CurrentBytes(c10::DeviceType device) const;
  // Whether any allocation on `device` was reported since installation.
  bool Seen(c10::DeviceType device) const;

  struct Counters;

 private:
  std::shared_ptr<Counters> counters_;
  std::unique_ptr<c10::DebugInfoGuard> guard_;
};

}  // namespace carbonbench
