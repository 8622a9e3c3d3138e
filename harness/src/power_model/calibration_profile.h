// A machine's own CPU power curve, fitted by `carbonbench calibrate` against
// a counter (RAPL, an external wall plug, a GPU's power counter) and kept as a
// JSON file per CPU model and logical CPU count. The CPU estimating meter
// uses a matching profile before any table. The format is documented in docs/energy-and-carbon.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "power_model/cpu_power_curve.h"

namespace carbonbench::power_model {

inline constexpr const char* kProfileFormat = "carbonbench-cpu-calibration";
inline constexpr int kProfileVersion = 1;

// One step of the load ladder: what ran, the machine's load and the power
// the counter saw.
struct LadderPoint {
  std::string step;  // "idle", "1 thread", "fp32 matmul", ...
  double load = 0;   // machine busy share, 0-1
  double watts = 0;  // counter's mean power over the step
};

struct CalibrationProfile {
  std::string cpu_model;  // /proc/cpuinfo's model name, as read
  int logical_cpus = 0;
  CpuTopology topology;
  std::string meter;          // the meter calibrated against, by its name
  std::string calibrated_at;  // ISO 8601 UTC, e.g. "2026-12-07T01:02:03Z"
  double full_load_w = 0;     // fitted package power at load 1
  CpuCurve curve;
  // Mean absolute error of the fit over the ladder, as a fraction of the
  // measured power: the band figures from this profile carry.
  double band_relative = 0;
  std::vector<LadderPoint> points;
};

// The profile's file name for a machine: "<model slug>-<N>cpus.json".
std::string ProfileFileName(const std::string& cpu_model, int logical_cpus);

// $CARBONBENCH_CALIBRATION_DIR, else $XDG_DATA_HOME/carbonbench/calibration,
// else ~/.local/share/carbonbench/calibration.
std::string DefaultCalibrationDir();

std::string ProfileToJson(const CalibrationProfile& profile);
// Parses and checks a profile (format name, version, positive power, curve
// within bounds). Throws std::runtime_error naming `origin` and what is
// wrong when the text is not a profile this release can use.
CalibrationProfile ProfileFromJson(const std::string& text, const std::string& origin);

// Writes atomically (a temporary file renamed over the old), creating the
// folder. Throws naming the path when it cannot.
void SaveProfile(const CalibrationProfile& profile, const std::string& dir);

// The phrase every estimate from this profile carries: "calibrated on this
// machine against <meter> on 2026-12-07, ±4.1 %".
std::string CalibrationPhrase(const CalibrationProfile& profile);

struct ProfileLookup {
  std::optional<CalibrationProfile> profile;  // a usable profile for this machine
  std::string path;                           // the file looked at
  // Set when a file was there but refused (corrupt, foreign, another
  // machine's): the meter falls back to its table and warns with this.
  std::string warning;
};

// Looks for this machine's profile in `dir` ("" finds nothing). A missing
// file is no warning; an unreadable, corrupt or mismatched one is.
ProfileLookup FindProfile(const std::string& dir, const std::string& cpu_model, int logical_cpus);

}  // namespace carbonbench::power_model
