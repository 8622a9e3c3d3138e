// Reads the chosen meters on its own thread at a set interval and attributes
// each increment of energy to the phase in progress (train, eval, ...).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "carbonbench/meter.h"
#include "store/results_store.h"

namespace carbonbench {

struct NamedMeter {
  std::string name;
  std::shared_ptr<Meter> meter;
};

struct SamplerSettings {
  std::chrono::milliseconds interval{200};
  double pue = 1.0;  // multiplies every figure: the data centre's overhead
};

// For each component, the first meter in order that provides it.
struct ComponentSource {
  Component component = Component::kCpu;
  std::string meter;
  Provenance provenance = Provenance::kAbsent;
};

class EnergySampler {
 public:
  // `meters` must already be configured and available.
  EnergySampler(std::vector<NamedMeter> meters, SamplerSettings settings);
  ~EnergySampler();
  EnergySampler(const EnergySampler&) = delete;
  EnergySampler& operator=(const EnergySampler&) = delete;

  const std::vector<ComponentSource>& sources() const { return sources_; }

  void Start(const std::string& phase);
  // Takes a reading now, closing the phase in progress, then opens `phase`.
  void MarkPhase(const std::string& phase);
  void Stop();

  // Energy so far in Wh, PUE applied (a reading is taken first).
  double TotalWh();
  std::vector<PhaseEnergy> PhaseTotals();
  // "estimated", "measured" or "mixed: cpu measured, ram estimated".
  std::string ProvenanceSummary() const;

 private:
  void Loop();
  void SampleLocked();

  std::vector<NamedMeter> meters_;
  SamplerSettings settings_;
  std::vector<ComponentSource> sources_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = false;
  std::string phase_;
  std::map<std::string, std::map<Component, double>> last_joules_;  // per meter
  std::map<std::pair<std::string, Component>, double> phase_joules_;
  std::thread thread_;
};

}  // namespace carbonbench
