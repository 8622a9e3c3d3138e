// `carbonbench calibrate` against counters on a fake machine: a powercap
// tree whose package counter, and a wall-plug file whose reading, follow a
// known power curve of the load that a fake /proc/stat reports. The load of
// each ladder step is set as the step starts, so the profile the ladder fits
// is checked against the curve that generated the counters.
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "fake_powercap.h"
#include "meter_test_util.h"
#include "power_model/calibration_profile.h"
#include "runner/counter_calibration.h"

namespace carbonbench {
namespace {

using power_model::CpuCurve;
using power_model::CpuTopology;
using power_model::LoadFraction;

constexpr const char* kCpuModel = "Fake(R) Processor 4000 @ 3.00GHz";
constexpr int kLogicalCpus = 4;
constexpr double kFullLoadW = 60.0;
const CpuCurve kTruth{0.3, 0.5, 0.1};
const CpuTopology kTopology{1, kLogicalCpus, 2};

double TruePowerW(double load) { return kFullLoadW * LoadFraction(kTruth, kTopology, load); }
// The wall plug sees the package through a power supply, plus the rest of the machine.
double PlugPowerW(double load) { return 1.2 * TruePowerW(load) + 10.0; }

// The load each step (and each qualification window) puts on the fake
// machine: spanning the curve as a real ladder's steps do.
double StepLoad(const std::string& step) {
  static const std::map<std::string, double> loads = {
      {"idle", 0.0},         {"1 thread", 0.25},    {"half threads", 0.5},  {"all threads", 1.0},
      {"fp32 matmul", 0.97}, {"bf16 matmul", 0.94}, {"memory stream", 0.75}};
  return loads.at(step);
}

// Writes through a temporary file and a rename, so a reader never sees a
// half-written file.
void WriteAtomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  std::ofstream(temporary) << text;
  std::filesystem::rename(temporary, path);
}

// A machine whose /proc/stat, package counter and wall plug advance every
// 5 ms by what the set load and the known curve say.
class FakeMachine {
 public:
  FakeMachine() {
    powercap_.Zone("intel-rapl:0", "package-0", 0);
    std::string cpuinfo;
    for (int cpu = 0; cpu < kLogicalCpus; ++cpu) {
      cpuinfo += "processor\t: " + std::to_string(cpu) + "\nmodel name\t: " + kCpuModel +
                 "\nphysical id\t: 0\ncore id\t\t: " + std::to_string(cpu % 2) + "\n\n";
    }
    proc_.Write("cpuinfo", cpuinfo);
    Publish();
    driver_ = std::thread([this] { Drive(); });
  }
  ~FakeMachine() {
    stop_ = true;
    driver_.join();
  }

  void SetLoad(double load) { load_ = load; }
  std::string PowercapRoot() const { return powercap_.Root(); }
  std::string ProcRoot() const { return proc_.path().string(); }
  std::string PlugFile() const { return proc_.PathIn("plug_joules"); }

 private:
  void Drive() {
    auto last = std::chrono::steady_clock::now();
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const auto now = std::chrono::steady_clock::now();
      const double dt = std::chrono::duration<double>(now - last).count();
      last = now;
      const double load = load_;
      // Fine-grained "jiffies", so the load a window reads is the load set.
      total_ += dt * 1e5 * kLogicalCpus;
      busy_ += dt * 1e5 * kLogicalCpus * load;
      package_uj_ += TruePowerW(load) * dt * 1e6;
      plug_j_ += PlugPowerW(load) * dt;
      Publish();
    }
  }

  void Publish() {
    const auto busy = static_cast<std::uint64_t>(busy_);
    const auto idle = static_cast<std::uint64_t>(total_) - busy;
    std::ostringstream stat;
    stat << "cpu  " << busy << " 0 0 " << idle << " 0 0 0 0 0 0\n";
    for (int cpu = 0; cpu < kLogicalCpus; ++cpu) {
      stat << "cpu" << cpu << " " << busy / kLogicalCpus << " 0 0 " << idle / kLogicalCpus
           << " 0 0 0 0 0 0\n";
    }
    WriteAtomically(proc_.path() / "stat", stat.str());
    WriteAtomically(std::filesystem::path(powercap_.Root()) / "intel-rapl:0" / "energy_uj",
                    std::to_string(static_cast<std::uint64_t>(package_uj_)) + "\n");
    WriteAtomically(PlugFile(), std::to_string(plug_j_) + "\n");
  }

  meter_testing::FakePowercap powercap_;
  test_support::TempDir proc_;
  std::atomic<double> load_{0.0};
  std::atomic<bool> stop_{false};
  double total_ = 0;
  double busy_ = 0;
  double package_uj_ = 0;
  double plug_j_ = 0;
  std::thread driver_;
};

class CalibrateTest : public ::testing::Test {
 protected:
  // Settings as `calibrate` makes them, with short steps; `given` are the
  // meter parameters beyond the fake tree's root.
  CounterCalibrationSettings Settings(
      const std::map<std::string, std::map<std::string, ParamValue>>& given = {}) {
    CounterCalibrationSettings settings;
    settings.params_of = [this, given](const std::string& name) {
      std::map<std::string, ParamValue> params;
      const LoadedPlugin* plugin = test_support::Registry().Find(PluginKind::kMeter, name);
      for (const ParamSpec& spec : plugin->params) {
        if (spec.name == "powercap_root") params["powercap_root"] = root_override_;
      }
      if (const auto it = given.find(name); it != given.end()) {
        for (const auto& [key, value] : it->second) params[key] = value;
      }
      return ResolveParams(plugin->params, params);
    };
    settings.profile_dir = profiles_.path().string();
    // Long enough that a late tick of the fake counters (on a shared
    // machine) is a small part of a step.
    settings.step_s = 1.0;
    settings.settle_s = 0.1;
    settings.window_s = 1.0;
    settings.windows_per_state = 2;
    settings.proc_root = machine_.ProcRoot();
    settings.memory_bytes = 8 << 20;
    settings.on_step = [this](const calibration::LadderStep& step, std::size_t) {
      machine_.SetLoad(StepLoad(step.name));
    };
    // The fake machine's load is set, not made: the steps only wait, so
    // their busy threads do not delay the fake counters' ticks.
    settings.adapt_step = [](calibration::LadderStep step) {
      step.run = calibration::IdleStep().run;
      return step;
    };
    return settings;
  }

  FakeMachine machine_;
  std::string root_override_ = machine_.PowercapRoot();
  test_support::TempDir profiles_;
  std::ostringstream out_;
};

TEST_F(CalibrateTest, ProfileFromTheCounterFollowsTheGeneratingCurve) {
  const CounterCalibrationResult result =
      CalibrateAgainstCounter(test_support::Registry(), Settings(), out_);
  EXPECT_EQ(result.profile.meter, "rapl") << out_.str();
  EXPECT_TRUE(result.qualification.empty()) << "a default counter is not qualified";
  EXPECT_EQ(result.profile.points.size(), 7u);

  // Saved, then found by the lookup cpu_estimate uses, and it predicts the
  // curve the counter followed.
  const power_model::ProfileLookup lookup =
      power_model::FindProfile(profiles_.path().string(), kCpuModel, kLogicalCpus);
  ASSERT_TRUE(lookup.profile.has_value()) << lookup.warning << "\n" << out_.str();
  EXPECT_EQ(lookup.path, result.profile_path);
  const power_model::CalibrationProfile& profile = *lookup.profile;
  EXPECT_EQ(profile.topology.physical_cores, 2);
  for (const double load : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double predicted =
        profile.full_load_w * LoadFraction(profile.curve, profile.topology, load);
    EXPECT_NEAR(predicted, TruePowerW(load), 0.05 * TruePowerW(load)) << "at load " << load << "\n"
                                                                      << out_.str();
  }
  EXPECT_LT(profile.band_relative, 0.05);
  EXPECT_NE(out_.str().find("Profile saved: " + result.profile_path), std::string::npos);
  EXPECT_NE(out_.str().find("calibrated on this machine against rapl on"), std::string::npos)
      << out_.str();
}

TEST_F(CalibrateTest, WallPlugIsQualifiedAgainstTheCpuCounter) {
  CounterCalibrationSettings settings = Settings({{"external", {{"file", machine_.PlugFile()}}}});
  settings.meter = "external";
  const CounterCalibrationResult result =
      CalibrateAgainstCounter(test_support::Registry(), settings, out_);
  EXPECT_EQ(result.reference, "rapl") << out_.str();
  ASSERT_EQ(result.qualification.size(), 4u);
  for (const calibration::QualificationWindow& window : result.qualification) {
    const double load = window.state == "idle" ? 0.0 : 1.0;
    EXPECT_NEAR(window.load, load, 0.02);
    EXPECT_NEAR(window.reference_w, TruePowerW(load), 0.05 * TruePowerW(load)) << out_.str();
    EXPECT_NEAR(calibration::PowerRatio(window), PlugPowerW(load) / TruePowerW(load), 0.05)
        << out_.str();
  }
  EXPECT_NE(out_.str().find("Agreement of external with rapl over 4 windows"), std::string::npos)
      << out_.str();
  // The plug's own profile follows the plug's curve.
  EXPECT_EQ(result.profile.meter, "external");
  EXPECT_NEAR(result.profile.full_load_w, PlugPowerW(1.0), 0.05 * PlugPowerW(1.0));
}

TEST_F(CalibrateTest, TheLadderRunsItsRealWork) {
  // Every step's own work (busy threads, fp32 and bf16 matrix multiplies, the
  // memory stream) runs and the counter is read over each; the fit's
  // accuracy is checked above, where the work does not delay the counters.
  CounterCalibrationSettings settings = Settings();
  settings.adapt_step = nullptr;
  settings.step_s = 0.3;
  const CounterCalibrationResult result =
      CalibrateAgainstCounter(test_support::Registry(), settings, out_);
  const std::vector<std::string> expected = {"idle",         "1 thread",    "half threads",
                                             "all threads",  "fp32 matmul", "bf16 matmul",
                                             "memory stream"};
  ASSERT_EQ(result.profile.points.size(), expected.size()) << out_.str();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(result.profile.points[i].step, expected[i]);
    EXPECT_GT(result.profile.points[i].watts, 0.0) << expected[i];
  }
  EXPECT_TRUE(power_model::FindProfile(profiles_.path().string(), kCpuModel, kLogicalCpus)
                  .profile.has_value());
}

TEST_F(CalibrateTest, NoCounterSaysHowToGetOne) {
  root_override_ = "/nonexistent-powercap";
  try {
    CalibrateAgainstCounter(test_support::Registry(), Settings(), out_);
    FAIL() << "expected NoCounterError";
  } catch (const NoCounterError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("no meter measures the CPU's power on this machine"), std::string::npos)
        << message;
    EXPECT_NE(message.find("rapl: no /nonexistent-powercap"), std::string::npos) << message;
    EXPECT_NE(message.find("cpu_estimate: it estimates"), std::string::npos) << message;
    EXPECT_NE(message.find("RAPL energy counters readable"), std::string::npos) << message;
    EXPECT_NE(message.find("wall-plug"), std::string::npos) << message;
  }
  EXPECT_FALSE(std::filesystem::exists(profiles_.path() /
                                       power_model::ProfileFileName(kCpuModel, kLogicalCpus)));
}

TEST_F(CalibrateTest, AnEstimateIsNoCounter) {
  CounterCalibrationSettings settings = Settings();
  settings.meter = "cpu_estimate";
  EXPECT_THROW(ChooseCounter(test_support::Registry(), settings), NoCounterError);
  settings.meter = "no_such_meter";
  EXPECT_THROW(ChooseCounter(test_support::Registry(), settings), std::invalid_argument);
}

}  // namespace
}  // namespace carbonbench
