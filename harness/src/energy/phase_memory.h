// Peak resident memory per phase of a run. Linux keeps one high-water mark
// per process (VmHWM); writing "5" to /proc/self/clear_refs resets it, so
// each phase's peak is read when the phase ends and the mark is reset for
// the next. Each cell runs in its own process, so no other work shares it.
// Once TrackTensors() is called, each phase also keeps the peak bytes held
// by tensors (TensorMemory), on the CPU and, where used, on CUDA.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "energy/tensor_memory.h"
#include "records/run_details.h"

namespace carbonbench {

class PhaseMemory {
 public:
  explicit PhaseMemory(std::string proc_root = "/proc");
  ~PhaseMemory();

  // From now on, tensors allocated on this thread are counted; call it and
  // destroy this object on the same thread.
  void TrackTensors();

  // Ends the current phase (if any) and starts `phase`. A phase that comes
  // back (train, eval, train, ...) keeps the largest of its peaks.
  void Mark(const std::string& phase);
  // Ends the current phase.
  void Stop();

  double PeakMb(const std::string& phase) const;  // 0 for a phase never seen
  // 0 for a phase never seen, or when tensors are not tracked.
  double PeakTensorMb(const std::string& phase) const;
  double OverallPeakMb() const;
  // False where the mark cannot be reset (clear_refs not writable): every
  // phase's figure is then the peak since the process started.
  bool per_phase() const { return per_phase_; }

  // Peak resident memory per phase, and the tensors' peak where tracked
  // (CUDA's too where CUDA memory was allocated), with how each was read.
  MemoryRecord Record() const;

 private:
  bool ResetMark();

  std::string proc_root_;
  std::string phase_;
  bool per_phase_ = true;
  std::map<std::string, double> peak_mb_;
  std::unique_ptr<TensorMemory> tensors_;
  std::map<std::string, double> peak_tensor_mb_;
  std::map<std::string, double> peak_cuda_tensor_mb_;
};

}  // namespace carbonbench
