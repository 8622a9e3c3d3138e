// Reads the chosen meters on its own thread at a set interval and attributes
// each increment of energy to the phase in progress (train, eval, ...).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "carbonbench/meter.h"
#include "energy/host_usage.h"
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
  // Where the machine's CPU times are read (<proc_root>/stat), to tell the
  // load of other programs from the run's own; tests point it at a fake tree.
  std::string proc_root = "/proc";
  // This process's CPU seconds so far, and the ticks per second of
  // /proc/stat's counters; tests replace them.
  std::function<double()> process_cpu_s = [] { return ProcessCpuSeconds(); };
  double jiffies_per_s = ClockTicksPerSecond();
};

// For each component, the first meter in order that provides it.
struct ComponentSource {
  Component component = Component::kCpu;
  std::string meter;
  Provenance provenance = Provenance::kAbsent;
  ErrorBand band;  // the meter's, for this component; relative 0 when none known
};

// How regularly the meters were read, and how busy the machine was outside
// this process meanwhile.
struct SamplingStats {
  double interval_target_ms = 0;   // the setting
  double interval_mean_ms = 0;     // between readings, from Start on
  double interval_max_gap_ms = 0;  // the longest of them
  std::int64_t samples = 0;        // readings since Start
  // Shares of the machine's CPU capacity (all its CPUs' time, 0-1): busy
  // outside this process over the run and in its busiest interval, and this
  // process's own. Unset where /proc/stat cannot be read.
  std::optional<double> outside_load_mean;
  std::optional<double> outside_load_max;
  std::optional<double> process_load_mean;
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
  // ± Wh of TotalWh(): each component's band times its energy, added up.
  // Bands add linearly rather than in quadrature: a model's error is not
  // independent between intervals or phases (a curve that under-counts one
  // interval under-counts them all), so nothing cancels.
  double TotalBandWh();
  // CO2 so far in grams, from the same readings as TotalWh().
  double TotalCo2G();
  // TotalWh, TotalCo2G and TotalBandWh from one reading: what a caller
  // timing a short interval reads before and after it.
  struct Totals {
    double energy_wh = 0;
    double co2_g = 0;
    double band_wh = 0;
  };
  Totals ReadTotals();
  // Joules per component so far, before PUE (a reading is taken first).
  std::map<Component, double> ComponentJoules();
  // Per phase and component, with band_wh: the component's band times its
  // energy (PUE applied).
  std::vector<PhaseEnergy> PhaseTotals();
  // The sampling achieved and the outside load so far.
  SamplingStats Sampling();
  // "estimated", "measured" or "mixed: cpu measured, ram estimated".
  std::string ProvenanceSummary() const;

 private:
  void Loop();
  void SampleLocked();
  // Closes an interval of the machine's load once the sampling interval has
  // passed since the last (or at once when `closing`): /proc/stat ticks
  // coarsely, so shorter intervals would say little at a cost.
  void ReadLoadLocked(WallClock::time_point now, bool closing);
  double BandOf(Component component) const;

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
  WallClock::time_point start_time_;
  std::int64_t samples_ = 0;
  WallClock::duration max_gap_{0};
  // The load interval in progress: where it started, and the sums so far.
  std::optional<CpuTimes> load_mark_;
  double load_mark_process_s_ = 0;
  WallClock::time_point load_mark_time_;
  LoadSplit load_sum_;
  std::optional<double> outside_max_;
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
