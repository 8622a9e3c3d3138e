// `carbonbench calibrate` against a counter: the options it takes and the
// run, so the calibrate command can offer it beside its other modes.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace carbonbench::cli {

struct CounterCalibrationOptions {
  std::string meter;                      // "" : the first meter that measures the CPU here
  std::vector<std::string> meter_params;  // "<meter>.<param>=<value>"
  std::string profile_dir;                // "" : power_model::DefaultCalibrationDir()
  double step_s = 20;                     // measured seconds per ladder step
  double settle_s = 2;                    // seconds each step runs before it is measured
  double window_s = 60;                   // seconds per qualification window
  int windows = 5;                        // qualification windows at idle, and as many loaded
  bool qualify = false;                   // qualify a default meter too
  std::string proc_root = "/proc";        // where the load is read (tests: a fake tree)
};

// Adds --meter, --meter-param, --profile-dir, --step-s, --settle-s,
// --window-s, --windows, --qualify and --proc-root to `calibrate`.
void AddCounterCalibrationOptions(CLI::App* calibrate, CounterCalibrationOptions& options);

// Runs the ladder against the counter, fits and saves the profile (and
// qualifies a wall plug). Returns the exit code: 0 when a profile was
// saved, 1 when no counter measures the CPU here (the message on stderr
// says how to get one). Other failures throw.
int RunCounterCalibration(const CounterCalibrationOptions& options, const GlobalOptions& global);

}  // namespace carbonbench::cli
