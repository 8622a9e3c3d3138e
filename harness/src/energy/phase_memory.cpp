#include "energy/phase_memory.h"

#include <algorithm>
#include <fstream>

#include "energy/host_usage.h"

namespace carbonbench {

namespace {

constexpr double kBytesPerMib = 1024.0 * 1024.0;

double Mib(std::int64_t bytes) { return static_cast<double>(bytes) / kBytesPerMib; }

void KeepLargest(std::map<std::string, double>& peaks, const std::string& phase, double mb) {
  double& peak = peaks[phase];
  peak = std::max(peak, mb);
}

}  // namespace

PhaseMemory::PhaseMemory(std::string proc_root) : proc_root_(std::move(proc_root)) {}

PhaseMemory::~PhaseMemory() = default;

void PhaseMemory::TrackTensors() {
  if (!tensors_) tensors_ = std::make_unique<TensorMemory>();
}

bool PhaseMemory::ResetMark() {
  std::ofstream clear(proc_root_ + "/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

void PhaseMemory::Mark(const std::string& phase) {
  Stop();
  phase_ = phase;
  if (per_phase_ && !ResetMark()) per_phase_ = false;
  if (tensors_) tensors_->ResetPeak();
}

void PhaseMemory::Stop() {
  if (phase_.empty()) return;
  KeepLargest(peak_mb_, phase_, PeakResidentMib(proc_root_));
  if (tensors_) {
    KeepLargest(peak_tensor_mb_, phase_, Mib(tensors_->PeakBytes(c10::DeviceType::CPU)));
    if (tensors_->Seen(c10::DeviceType::CUDA)) {
      KeepLargest(peak_cuda_tensor_mb_, phase_, Mib(tensors_->PeakBytes(c10::DeviceType::CUDA)));
    }
  }
  phase_.clear();
}

double PhaseMemory::PeakMb(const std::string& phase) const {
  const auto found = peak_mb_.find(phase);
  return found == peak_mb_.end() ? 0 : found->second;
}

double PhaseMemory::PeakTensorMb(const std::string& phase) const {
  const auto found = peak_tensor_mb_.find(phase);
  return found == peak_tensor_mb_.end() ? 0 : found->second;
}

double PhaseMemory::OverallPeakMb() const {
  double peak = 0;
  for (const auto& [phase, mb] : peak_mb_) peak = std::max(peak, mb);
  return peak;
}

MemoryRecord PhaseMemory::Record() const {
  MemoryRecord record;
  if (peak_mb_.empty()) return record;
  for (const auto& [phase, mb] : peak_mb_) record.phases[phase].peak_rss_mb = mb;
  record.method = per_phase_ ? "VmHWM, reset at each phase (clear_refs)"
                             : "VmHWM since the cell's process started (clear_refs not writable)";
  if (!tensors_) return record;
  for (const auto& [phase, mb] : peak_tensor_mb_) record.phases[phase].peak_tensor_mb = mb;
  for (const auto& [phase, mb] : peak_cuda_tensor_mb_) {
    record.phases[phase].peak_cuda_tensor_mb = mb;
  }
  record.tensor_method =
      "bytes held by tensors at their peak, as libtorch's allocators report them; counts the "
      "network, its gradients, optimizer state, activations and batches, not the dataset";
  return record;
}

}  // namespace carbonbench
