// The sampler attributes each increment of energy to the phase in progress,
// picks one meter per component, applies the PUE and never hides provenance.
#include "energy/energy_sampler.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench {
namespace {

// A meter whose cumulative joules the test sets by hand.
class ScriptedMeter : public Meter {
 public:
  ScriptedMeter(std::vector<Component> components, Provenance provenance)
      : components_(std::move(components)), provenance_(provenance) {}
  Availability Probe() override { return {true, "scripted"}; }
  std::vector<Component> Components() const override { return components_; }
  Provenance ProvenanceOf(Component) const override { return provenance_; }
  std::string Method() const override { return "scripted"; }
  void Start() override { joules = 0; }
  std::map<Component, double> ReadJoules() override {
    ++reads;
    std::map<Component, double> out;
    for (Component component : components_) out[component] = joules.load();
    return out;
  }
  std::atomic<double> joules{0};
  std::atomic<int> reads{0};

 private:
  std::vector<Component> components_;
  Provenance provenance_;
};

// A scripted meter that states an error band for every component.
class BandedMeter : public ScriptedMeter {
 public:
  BandedMeter(std::vector<Component> components, double relative)
      : ScriptedMeter(std::move(components), Provenance::kEstimated), relative_(relative) {}
  ErrorBand BandOf(Component) const override { return {relative_, "fixture validation"}; }

 private:
  double relative_;
};

// A meter of the CPU alone.
std::shared_ptr<ScriptedMeter> CpuMeter(Provenance provenance) {
  return std::make_shared<ScriptedMeter>(std::vector<Component>{Component::kCpu}, provenance);
}

double WhOf(const std::vector<PhaseEnergy>& totals, const std::string& phase,
            const std::string& component) {
  for (const auto& total : totals) {
    if (total.phase == phase && total.component == component) return total.energy_wh;
  }
  return -1;
}

SamplerSettings SlowSampling(double pue = 1.0) {
  // The background thread must not interfere: phases are closed by MarkPhase.
  SamplerSettings settings;
  settings.interval = std::chrono::milliseconds(60000);
  settings.pue = pue;
  return settings;
}

// A wall clock the test moves by hand.
struct ManualClock {
  WallClock::time_point now = WallClock::time_point(std::chrono::hours(490000));
  void Advance(std::chrono::seconds seconds) { now += seconds; }
};

TEST(EnergySampler, AttributesEnergyToThePhaseInProgress) {
  auto meter = CpuMeter(Provenance::kEstimated);
  EnergySampler sampler({{"scripted", meter}}, SlowSampling());
  sampler.Start("train");
  meter->joules = 3600;  // 1 Wh during train
  sampler.MarkPhase("eval");
  meter->joules = 5400;  // 0.5 Wh during eval
  sampler.Stop();
  const auto totals = sampler.PhaseTotals();
  EXPECT_DOUBLE_EQ(WhOf(totals, "train", "cpu"), 1.0);
  EXPECT_DOUBLE_EQ(WhOf(totals, "eval", "cpu"), 0.5);
  EXPECT_DOUBLE_EQ(sampler.TotalWh(), 1.5);
  EXPECT_EQ(totals[0].provenance, "estimated");
  EXPECT_EQ(totals[0].meter, "scripted");
}

TEST(EnergySampler, AppliesThePue) {
  auto meter = CpuMeter(Provenance::kMeasured);
  EnergySampler sampler({{"scripted", meter}}, SlowSampling(1.5));
  sampler.Start("train");
  meter->joules = 7200;
  sampler.Stop();
  EXPECT_DOUBLE_EQ(sampler.TotalWh(), 3.0);
}

TEST(EnergySampler, TakesEachComponentFromTheFirstMeterThatHasIt) {
  auto measured = CpuMeter(Provenance::kMeasured);
  auto estimated = std::make_shared<ScriptedMeter>(
      std::vector<Component>{Component::kCpu, Component::kRam}, Provenance::kEstimated);
  EnergySampler sampler({{"rapl_like", measured}, {"estimate", estimated}}, SlowSampling());
  ASSERT_EQ(sampler.sources().size(), 2u);
  EXPECT_EQ(sampler.sources()[0].meter, "rapl_like");  // cpu
  EXPECT_EQ(sampler.sources()[1].meter, "estimate");   // ram
  EXPECT_EQ(sampler.ProvenanceSummary(), "mixed: cpu measured, ram estimated");

  sampler.Start("train");
  measured->joules = 3600;
  estimated->joules = 36000;  // its cpu figure is ignored: not counted twice
  sampler.Stop();
  const auto totals = sampler.PhaseTotals();
  EXPECT_DOUBLE_EQ(WhOf(totals, "train", "cpu"), 1.0);
  EXPECT_DOUBLE_EQ(WhOf(totals, "train", "ram"), 10.0);
  EXPECT_DOUBLE_EQ(sampler.TotalWh(), 11.0);
}

TEST(EnergySampler, ACounterThatGoesBackwardsAddsNothing) {
  auto meter = CpuMeter(Provenance::kMeasured);
  EnergySampler sampler({{"scripted", meter}}, SlowSampling());
  sampler.Start("train");
  meter->joules = 3600;
  sampler.MarkPhase("train");
  meter->joules = 1800;  // reset
  sampler.MarkPhase("train");
  meter->joules = 5400;
  sampler.Stop();
  EXPECT_DOUBLE_EQ(sampler.TotalWh(), 2.0);  // 1 Wh, then nothing, then 1 Wh
}

TEST(EnergySampler, TheBackgroundThreadReadsTheMetersOnItsOwn) {
  auto meter = CpuMeter(Provenance::kEstimated);
  SamplerSettings settings;
  settings.interval = std::chrono::milliseconds(5);
  EnergySampler sampler({{"scripted", meter}}, settings);
  sampler.Start("train");
  // No call here reads the meter: only the sampler's thread can.
  for (int i = 0; i < 1000 && meter->reads < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(meter->reads.load(), 3);
  sampler.Stop();
}

TEST(EnergySampler, ChargesEachIncrementAtTheIntensityOfItsTime) {
  auto meter = CpuMeter(Provenance::kMeasured);
  auto clock = std::make_shared<ManualClock>();
  const WallClock::time_point start = clock->now;
  SamplerSettings settings = SlowSampling(1.5);
  settings.now = [clock] { return clock->now; };
  // 100 g/kWh for the first hour after start, 400 g/kWh afterwards.
  settings.g_per_kwh_at = [start](WallClock::time_point when) {
    return when < start + std::chrono::hours(1) ? 100.0 : 400.0;
  };
  EnergySampler sampler({{"scripted", meter}}, settings);
  sampler.Start("train");
  clock->Advance(std::chrono::seconds(1800));  // midpoint 15 min: 100 g/kWh
  meter->joules = 3.6e6;                       // 1 kWh, 1.5 kWh with PUE
  sampler.MarkPhase("eval");
  clock->Advance(std::chrono::seconds(3600));  // midpoint 60 min: 400 g/kWh
  meter->joules = 5.4e6;                       // 0.5 kWh more, 0.75 with PUE
  sampler.Stop();
  EXPECT_DOUBLE_EQ(sampler.TotalWh(), 2250.0);
  EXPECT_DOUBLE_EQ(sampler.TotalCo2G(), 1.5 * 100 + 0.75 * 400);
  const auto totals = sampler.PhaseTotals();
  ASSERT_EQ(totals.size(), 2u);
  for (const auto& total : totals) {
    EXPECT_DOUBLE_EQ(total.co2_g, total.phase == "train" ? 150.0 : 300.0) << total.phase;
  }
}

TEST(EnergySampler, CountsNoCarbonWithoutAnIntensity) {
  auto meter = CpuMeter(Provenance::kMeasured);
  EnergySampler sampler({{"scripted", meter}}, SlowSampling());
  sampler.Start("train");
  meter->joules = 3600;
  sampler.Stop();
  EXPECT_DOUBLE_EQ(sampler.TotalWh(), 1.0);
  EXPECT_DOUBLE_EQ(sampler.TotalCo2G(), 0.0);
}

// A meter drawing a constant power on the steady clock, as an idle machine.
class SteadyPowerMeter : public ScriptedMeter {
 public:
  explicit SteadyPowerMeter(double watts)
      : ScriptedMeter({Component::kCpu, Component::kRam}, Provenance::kMeasured), watts_(watts) {}
  void Start() override { start_ = std::chrono::steady_clock::now(); }
  std::map<Component, double> ReadJoules() override {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return {{Component::kCpu, watts_ * seconds}, {Component::kRam, watts_ / 2 * seconds}};
  }

 private:
  double watts_;
  std::chrono::steady_clock::time_point start_;
};

TEST(EnergySampler, IdleBaselineIsTheMeanPowerPerComponent) {
  auto meter = std::make_shared<SteadyPowerMeter>(20.0);
  const IdleBaseline baseline = MeasureIdleBaseline(
      {{"steady", meter}}, std::chrono::milliseconds(200), std::chrono::milliseconds(20));
  EXPECT_GE(baseline.duration_s, 0.2);
  // The meter's clock and the baseline's start within microseconds of each
  // other, so the mean power is the meter's within a few percent.
  EXPECT_NEAR(baseline.watts.at(Component::kCpu), 20.0, 1.0);
  EXPECT_NEAR(baseline.watts.at(Component::kRam), 10.0, 0.5);
  EXPECT_NEAR(baseline.TotalWatts(), 30.0, 1.5);
  ASSERT_EQ(baseline.sources.size(), 2u);
  EXPECT_EQ(baseline.sources[0].meter, "steady");
}

}  // namespace
}  // namespace carbonbench

namespace carbonbench {
namespace {

double BandOf(const std::vector<PhaseEnergy>& totals, const std::string& phase,
              const std::string& component) {
  for (const auto& total : totals) {
    if (total.phase == phase && total.component == component) return total.band_wh;
  }
  return -1;
}

// Each phase's band is its components' bands times their energy, PUE
// applied; the total is their plain sum (errors of one model do not cancel).
TEST(EnergySamplerBands, EachFigureCarriesItsMetersBandAddedLinearly) {
  auto cpu = std::make_shared<BandedMeter>(std::vector<Component>{Component::kCpu}, 0.35);
  auto ram = std::make_shared<BandedMeter>(std::vector<Component>{Component::kRam}, 0.5);
  EnergySampler sampler({{"cpu_model", cpu}, {"ram_model", ram}}, SlowSampling(2.0));
  ASSERT_EQ(sampler.sources().size(), 2u);
  EXPECT_DOUBLE_EQ(sampler.sources()[0].band.relative, 0.35);
  EXPECT_EQ(sampler.sources()[0].band.basis, "fixture validation");
  sampler.Start("train");
  cpu->joules = 3600;  // 1 Wh, 2 Wh with PUE
  ram->joules = 1800;  // 0.5 Wh, 1 Wh with PUE
  sampler.MarkPhase("eval");
  cpu->joules = 5400;  // 0.5 Wh more, 1 Wh with PUE
  sampler.Stop();
  const auto totals = sampler.PhaseTotals();
  EXPECT_DOUBLE_EQ(BandOf(totals, "train", "cpu"), 0.35 * 2.0);
  EXPECT_DOUBLE_EQ(BandOf(totals, "train", "ram"), 0.5 * 1.0);
  EXPECT_DOUBLE_EQ(BandOf(totals, "eval", "cpu"), 0.35 * 1.0);
  EXPECT_DOUBLE_EQ(sampler.TotalWh(), 4.0);
  EXPECT_DOUBLE_EQ(sampler.TotalBandWh(), 0.35 * 3.0 + 0.5 * 1.0);
}

TEST(EnergySamplerBands, AMeterWithoutABandGivesNone) {
  auto meter = CpuMeter(Provenance::kMeasured);
  EnergySampler sampler({{"scripted", meter}}, SlowSampling());
  sampler.Start("train");
  meter->joules = 3600;
  sampler.Stop();
  EXPECT_DOUBLE_EQ(sampler.TotalBandWh(), 0.0);
  EXPECT_DOUBLE_EQ(sampler.PhaseTotals().at(0).band_wh, 0.0);
}

TEST(EnergySamplerSampling, CountsReadingsTheirMeanIntervalAndLargestGap) {
  auto meter = CpuMeter(Provenance::kEstimated);
  auto clock = std::make_shared<ManualClock>();
  SamplerSettings settings = SlowSampling();
  settings.now = [clock] { return clock->now; };
  settings.proc_root = "";  // no outside load here
  EnergySampler sampler({{"scripted", meter}}, settings);
  sampler.Start("train");
  clock->Advance(std::chrono::seconds(1));
  sampler.MarkPhase("train");
  clock->Advance(std::chrono::seconds(4));
  sampler.MarkPhase("eval");
  clock->Advance(std::chrono::seconds(1));
  sampler.Stop();
  const SamplingStats stats = sampler.Sampling();
  EXPECT_DOUBLE_EQ(stats.interval_target_ms, 60000.0);
  EXPECT_EQ(stats.samples, 3);
  EXPECT_DOUBLE_EQ(stats.interval_mean_ms, 2000.0);
  EXPECT_DOUBLE_EQ(stats.interval_max_gap_ms, 4000.0);
  EXPECT_FALSE(stats.outside_load_mean);
  EXPECT_FALSE(stats.outside_load_max);
}

// A fake /proc/stat the test rewrites, and this process's CPU time by hand.
class OutsideLoadTest : public test_support::TempDirTest {
 protected:
  // The machine's counters: user ticks (busy) and idle ticks.
  void SetMachine(std::uint64_t busy, std::uint64_t idle) {
    Write("stat",
          "cpu  " + std::to_string(busy) + " 0 0 " + std::to_string(idle) + " 0 0 0 0 0 0\n");
  }
  SamplerSettings Settings() {
    SamplerSettings settings;
    settings.interval = std::chrono::milliseconds(1000);
    settings.now = [this] { return clock_.now; };
    settings.proc_root = dir_.string();
    settings.process_cpu_s = [this] { return process_s_; };
    settings.jiffies_per_s = 100;
    return settings;
  }
  ManualClock clock_;
  double process_s_ = 0;
};

TEST_F(OutsideLoadTest, OutsideIsMachineBusyLessTheProcessOverCapacity) {
  // Readings come by hand only: the background thread waits a minute.
  SamplerSettings settings = Settings();
  settings.interval = std::chrono::milliseconds(60000);
  auto meter = CpuMeter(Provenance::kEstimated);
  SetMachine(1000, 1000);
  EnergySampler sampler({{"scripted", meter}}, settings);
  sampler.Start("train");
  // First minute, 4 CPUs (24000 ticks): 12000 busy, 6000 of them ours
  // (60 CPU s): outside 60 s of 240 s = 0.25.
  clock_.Advance(std::chrono::seconds(60));
  SetMachine(13000, 13000);
  process_s_ = 60;
  sampler.MarkPhase("train");
  // Second minute: 6000 busy, all ours, and a process clock a little ahead
  // of the ticks: no outside load, never below zero.
  clock_.Advance(std::chrono::seconds(60));
  SetMachine(19000, 31000);
  process_s_ = 125;
  sampler.Stop();
  const SamplingStats stats = sampler.Sampling();
  ASSERT_TRUE(stats.outside_load_mean);
  EXPECT_DOUBLE_EQ(*stats.outside_load_mean, 60.0 / 480.0);
  EXPECT_DOUBLE_EQ(*stats.outside_load_max, 0.25);
  EXPECT_DOUBLE_EQ(*stats.process_load_mean, 125.0 / 480.0);
}

TEST_F(OutsideLoadTest, ReadingsCloserThanTheIntervalExtendTheLoadInterval) {
  SamplerSettings settings = Settings();
  settings.interval = std::chrono::milliseconds(60000);
  auto meter = CpuMeter(Provenance::kEstimated);
  SetMachine(0, 0);
  EnergySampler sampler({{"scripted", meter}}, settings);
  sampler.Start("train");
  // Half a minute all outside, then half a minute idle: one interval.
  clock_.Advance(std::chrono::seconds(30));
  SetMachine(3000, 0);
  sampler.MarkPhase("eval");
  clock_.Advance(std::chrono::seconds(30));
  SetMachine(3000, 3000);
  sampler.MarkPhase("train");
  sampler.Stop();
  const SamplingStats stats = sampler.Sampling();
  EXPECT_DOUBLE_EQ(*stats.outside_load_mean, 0.5);
  EXPECT_DOUBLE_EQ(*stats.outside_load_max, 0.5);  // not the first half's 1.0
}

TEST_F(OutsideLoadTest, WithoutProcStatNothingIsClaimed) {
  auto meter = CpuMeter(Provenance::kEstimated);
  EnergySampler sampler({{"scripted", meter}}, Settings());  // no stat file written
  sampler.Start("train");
  clock_.Advance(std::chrono::seconds(5));
  sampler.Stop();
  EXPECT_FALSE(sampler.Sampling().outside_load_mean);
}

}  // namespace
}  // namespace carbonbench
