// Reads the chosen meters on its own thread at a set interval and attributes
// each increment of energy to the phase in progress (train, eval, ...).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "carbonbench/meter.h"
#include "records/run_records.h"

namespace carbonbench {

struct NamedMeter {
  std::string name;
  std::shared_ptr<Meter> meter;
};

using WallClock = std::chrono::system_clock;

struct SamplerSettings {
  std::chrono::milliseconds interval{100};
  double pue = 1.0;  // multiplies every figure: the data centre's overhead
  // Carbon intensity in g/kWh at a moment; each increment of energy is
  // charged at the intensity of its interval's midpoint, so an hourly series
  // is followed as the run goes. Unset: no CO2 is counted.
  std::function<double(WallClock::time_point)> g_per_kwh_at;
  // Timestamps the samples; tests replace it.
  std::function<WallClock::time_point()> now = [] { return WallClock::now(); };
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
  // CO2 so far in grams, from the same readings as TotalWh().
  double TotalCo2G();
  // Joules per component so far, before PUE (a reading is taken first).
  std::map<Component, double> ComponentJoules();
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
  std::map<std::pair<std::string, Component>, double> phase_co2_g_;
  WallClock::time_point last_sample_time_;
  std::thread thread_;
};

// The power a machine draws doing nothing, per component, measured with the
// suite's meters before its first cell.
struct IdleBaseline {
  double duration_s = 0;
  std::map<Component, double> watts;  // before PUE
  std::vector<ComponentSource> sources;

  double TotalWatts() const;
};

// Samples `meters` (configured and available) for `duration` while this
// thread sleeps. Nothing else should run meanwhile: that is the point.
IdleBaseline MeasureIdleBaseline(std::vector<NamedMeter> meters, std::chrono::milliseconds duration,
                                 std::chrono::milliseconds interval);

}  // namespace carbonbench
