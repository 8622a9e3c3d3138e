// `carbonbench calibrate` against a counter: chooses a meter that measures
// the CPU here (from what the meters declare, never by name), runs the load
// ladder under it, fits this machine's CPU curve and saves it as the
// calibration profile the CPU estimate uses before any table. A counter the
// user wires in (a wall plug) is first compared with a second source over
// windows at idle and under load.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "calibration/load_ladder.h"
#include "calibration/meter_qualification.h"
#include "carbonbench/meter.h"
#include "plugins/plugin_registry.h"
#include "power_model/calibration_profile.h"

namespace carbonbench {

struct CounterCalibrationSettings {
  // The meter to calibrate against; "" for the first meter, by declared
  // default rank, that measures the CPU here.
  std::string meter;
  // Meters tried after the default ones when no meter is named (those the
  // user gave parameters to).
  std::vector<std::string> extra_candidates;
  // A meter's resolved parameters.
  std::function<Params(const std::string&)> params_of;
  std::string profile_dir;  // where the profile is saved
  double step_s = 20;       // measured seconds per ladder step
  double settle_s = 2;      // seconds each step runs before it is measured
  double window_s = 60;     // seconds per qualification window
  int windows_per_state = 5;
  // Qualify the counter against a second source even when it is one of the
  // default meters (a counter not on by default is always qualified).
  bool qualify = false;
  std::string proc_root = "/proc";
  std::size_t memory_bytes = 0;  // the memory step's buffer; 0: MemoryStreamBytes()
  // Applied to every step before it runs (ladder and qualification); tests
  // whose fake counters follow a load they set swap the work for a wait, so
  // busy threads do not delay the fake counters.
  std::function<calibration::LadderStep(calibration::LadderStep)> adapt_step;
  // Called as each ladder step and each qualification window starts (with
  // the step it runs: "idle" or "all threads" for the windows).
  std::function<void(const calibration::LadderStep&, std::size_t)> on_step;
};

// No meter measures the CPU here: what was tried, why each failed, and how
// to get a counter.
class NoCounterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ChosenCounter {
  std::string name;
  std::shared_ptr<Meter> meter;  // configured and probed
};

// The meter to calibrate against (see CounterCalibrationSettings::meter).
// Throws NoCounterError when it (or every candidate) cannot measure the CPU
// here, and std::invalid_argument for a meter that is not installed.
ChosenCounter ChooseCounter(const PluginRegistry& registry,
                            const CounterCalibrationSettings& settings);

struct CounterCalibrationResult {
  power_model::CalibrationProfile profile;
  std::string profile_path;
  std::string reference;  // the qualification's second source; "" when not qualified
  std::vector<calibration::QualificationWindow> qualification;
};

// The whole calibration, progress and results printed to `out`.
CounterCalibrationResult CalibrateAgainstCounter(const PluginRegistry& registry,
                                                 const CounterCalibrationSettings& settings,
                                                 std::ostream& out);

// The ladder as `calibrate` runs it on `logical_cpus` logical CPUs: idle;
// one thread; half and all of them busy; fp32 and bf16 matrix multiplies
// and the memory stream on all of them.
std::vector<calibration::LadderStep> StandardLadder(int logical_cpus, std::size_t memory_bytes);

}  // namespace carbonbench
