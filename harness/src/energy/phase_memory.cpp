#include "energy/phase_memory.h"

#include <algorithm>
#include <fstream>

#include "energy/host_usage.h"

namespace carbonbench {

PhaseMemory::PhaseMemory(std::string proc_root) : proc_root_(std::move(proc_root)) {}

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
}

void PhaseMemory::Stop() {
  if (phase_.empty()) return;
  double& peak = peak_mb_[phase_];
  peak = std::max(peak, PeakResidentMib(proc_root_));
  phase_.clear();
}

double PhaseMemory::PeakMb(const std::string& phase) const {
  const auto found = peak_mb_.find(phase);
  return found == peak_mb_.end() ? 0 : found->second;
}

double PhaseMemory::OverallPeakMb() const {
  double peak = 0;
  for (const auto& [phase, mb] : peak_mb_) peak = std::max(peak, mb);
  return peak;
}

nlohmann::json PhaseMemory::Json() const {
  nlohmann::json json = nlohmann::json::object();
  if (peak_mb_.empty()) return json;
  for (const auto& [phase, mb] : peak_mb_) json[phase] = {{"peak_rss_mb", mb}};
  json["method"] = per_phase_ ? "VmHWM, reset at each phase (clear_refs)"
                              : "VmHWM since the cell's process started (clear_refs not writable)";
  return json;
}

}  // namespace carbonbench
