#include "energy/energy_sampler.h"

#include <algorithm>

namespace carbonbench {

EnergySampler::EnergySampler(std::vector<NamedMeter> meters, SamplerSettings settings)
    : meters_(std::move(meters)), settings_(settings) {
  for (Component component : {Component::kCpu, Component::kGpu, Component::kRam}) {
    for (const auto& named : meters_) {
      const auto provided = named.meter->Components();
      if (std::find(provided.begin(), provided.end(), component) != provided.end()) {
        sources_.push_back({component, named.name, named.meter->ProvenanceOf(component),
                            named.meter->BandOf(component)});
        break;
      }
    }
  }
}

EnergySampler::~EnergySampler() { Stop(); }

void EnergySampler::Start(const std::string& phase) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) return;
  for (auto& named : meters_) {
    named.meter->Start();
    last_joules_[named.name] = {};
  }
  phase_ = phase;
  last_sample_time_ = settings_.now();
  start_time_ = last_sample_time_;
  load_mark_time_ = last_sample_time_;
  if (!settings_.proc_root.empty()) load_mark_ = ReadCpuTimes(settings_.proc_root);
  load_mark_process_s_ = settings_.process_cpu_s ? settings_.process_cpu_s() : 0;
  running_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void EnergySampler::MarkPhase(const std::string& phase) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) SampleLocked();
  phase_ = phase;
}

void EnergySampler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!running_) return;
    SampleLocked();
    ReadLoadLocked(last_sample_time_, /*closing=*/true);
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EnergySampler::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (running_) {
    wake_.wait_for(lock, settings_.interval, [this] { return !running_; });
    if (running_) SampleLocked();
  }
}

void EnergySampler::SampleLocked() {
  const WallClock::time_point now = settings_.now();
  const WallClock::time_point midpoint = last_sample_time_ + (now - last_sample_time_) / 2;
  const double g_per_kwh = settings_.g_per_kwh_at ? settings_.g_per_kwh_at(midpoint) : 0.0;
  max_gap_ = std::max(max_gap_, now - last_sample_time_);
  ++samples_;
  last_sample_time_ = now;
  ReadLoadLocked(now, /*closing=*/false);
  for (auto& named : meters_) {
    const std::map<Component, double> joules = named.meter->ReadJoules();
    auto& last = last_joules_[named.name];
    for (const auto& source : sources_) {
      if (source.meter != named.name) continue;
      auto it = joules.find(source.component);
      if (it == joules.end()) continue;
      // A meter that went backwards (counter reset) adds nothing rather than
      // subtracting energy already spent.
      const double increment = std::max(0.0, it->second - last[source.component]);
      phase_joules_[{phase_, source.component}] += increment;
      phase_co2_g_[{phase_, source.component}] += increment / 3.6e6 * settings_.pue * g_per_kwh;
      last[source.component] = it->second;
    }
  }
}

double EnergySampler::TotalWh() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) SampleLocked();
  double joules = 0;
  for (const auto& [key, value] : phase_joules_) joules += value;
  return joules / 3600.0 * settings_.pue;
}

void EnergySampler::ReadLoadLocked(WallClock::time_point now, bool closing) {
  if (!load_mark_) return;
  const WallClock::duration elapsed = now - load_mark_time_;
  if (!closing && elapsed < settings_.interval) return;
  const std::optional<CpuTimes> times = ReadCpuTimes(settings_.proc_root);
  const double process_s = settings_.process_cpu_s ? settings_.process_cpu_s() : 0;
  if (!times) return;
  const std::optional<LoadSplit> split =
      SplitLoad(*load_mark_, *times, process_s - load_mark_process_s_, settings_.jiffies_per_s);
  if (!split) {
    // No tick passed yet: the interval goes on. A counter that went
    // backwards starts a new one.
    if (times->total_jiffies < load_mark_->total_jiffies ||
        times->busy_jiffies < load_mark_->busy_jiffies) {
      load_mark_ = times;
      load_mark_process_s_ = process_s;
      load_mark_time_ = now;
    }
    return;
  }
  load_sum_.capacity_s += split->capacity_s;
  load_sum_.process_s += split->process_s;
  load_sum_.outside_s += split->outside_s;
  // The short last interval (at Stop) counts towards the mean only: a few
  // ticks would make a noisy maximum.
  if (elapsed >= settings_.interval) {
    outside_max_ = std::max(outside_max_.value_or(0.0), split->outside_s / split->capacity_s);
  }
  load_mark_ = times;
  load_mark_process_s_ = process_s;
  load_mark_time_ = now;
}

double EnergySampler::BandOf(Component component) const {
  for (const auto& source : sources_) {
    if (source.component == component) return source.band.relative;
  }
  return 0;
}

double EnergySampler::TotalBandWh() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) SampleLocked();
  double band_wh = 0;
  for (const auto& [key, joules] : phase_joules_) {
    band_wh += BandOf(key.second) * joules / 3600.0 * settings_.pue;
  }
  return band_wh;
}

SamplingStats EnergySampler::Sampling() {
  std::lock_guard<std::mutex> lock(mutex_);
  SamplingStats stats;
  stats.interval_target_ms = std::chrono::duration<double, std::milli>(settings_.interval).count();
  stats.samples = samples_;
  if (samples_ > 0) {
    stats.interval_mean_ms =
        std::chrono::duration<double, std::milli>(last_sample_time_ - start_time_).count() /
        static_cast<double>(samples_);
    stats.interval_max_gap_ms = std::chrono::duration<double, std::milli>(max_gap_).count();
  }
  if (load_sum_.capacity_s > 0) {
    stats.outside_load_mean = load_sum_.outside_s / load_sum_.capacity_s;
    stats.process_load_mean = std::min(1.0, load_sum_.process_s / load_sum_.capacity_s);
    stats.outside_load_max = outside_max_.value_or(*stats.outside_load_mean);
  }
  return stats;
}

double EnergySampler::TotalCo2G() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) SampleLocked();
  double grams = 0;
  for (const auto& [key, value] : phase_co2_g_) grams += value;
  return grams;
}

EnergySampler::Totals EnergySampler::ReadTotals() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) SampleLocked();
  Totals totals;
  for (const auto& [key, joules] : phase_joules_) {
    totals.energy_wh += joules / 3600.0 * settings_.pue;
    totals.band_wh += BandOf(key.second) * joules / 3600.0 * settings_.pue;
  }
  for (const auto& [key, grams] : phase_co2_g_) totals.co2_g += grams;
  return totals;
}

std::map<Component, double> EnergySampler::ComponentJoules() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) SampleLocked();
  std::map<Component, double> joules;
  for (const auto& [key, value] : phase_joules_) joules[key.second] += value;
  return joules;
}

std::vector<PhaseEnergy> EnergySampler::PhaseTotals() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) SampleLocked();
  std::vector<PhaseEnergy> totals;
  for (const auto& [key, joules] : phase_joules_) {
    const auto& [phase, component] = key;
    for (const auto& source : sources_) {
      if (source.component != component) continue;
      const double energy_wh = joules / 3600.0 * settings_.pue;
      totals.push_back({phase, ComponentName(component), energy_wh,
                        ProvenanceName(source.provenance), source.meter, phase_co2_g_[key],
                        source.band.relative * energy_wh});
    }
  }
  return totals;
}

std::string EnergySampler::ProvenanceSummary() const {
  bool all_measured = true, all_estimated = true;
  std::string detail;
  for (const auto& source : sources_) {
    all_measured &= source.provenance == Provenance::kMeasured;
    all_estimated &= source.provenance == Provenance::kEstimated;
    detail += std::string(detail.empty() ? "" : ", ") + ComponentName(source.component) + " " +
              ProvenanceName(source.provenance);
  }
  if (sources_.empty()) return "absent";
  if (all_measured) return "measured";
  if (all_estimated) return "estimated";
  return "mixed: " + detail;
}

double IdleBaseline::TotalWatts() const {
  double total = 0;
  for (const auto& [component, value] : watts) total += value;
  return total;
}

IdleBaseline MeasureIdleBaseline(std::vector<NamedMeter> meters, std::chrono::milliseconds duration,
                                 std::chrono::milliseconds interval) {
  SamplerSettings settings;
  settings.interval = interval;
  EnergySampler sampler(std::move(meters), settings);
  const auto start = std::chrono::steady_clock::now();
  sampler.Start("idle");
  std::this_thread::sleep_for(duration);
  sampler.Stop();
  IdleBaseline baseline;
  baseline.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  baseline.sources = sampler.sources();
  for (const auto& [component, joules] : sampler.ComponentJoules()) {
    baseline.watts[component] = baseline.duration_s > 0 ? joules / baseline.duration_s : 0;
  }
  return baseline;
}

}  // namespace carbonbench
