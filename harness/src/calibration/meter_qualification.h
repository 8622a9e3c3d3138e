// Qualifying a wall-plug counter before it is trusted, in the manner of
// MLPerf Power's meter checks: the counter and a second source (the
// machine's own CPU counter, else the estimate) read over the same windows
// at idle and under load, each window's powers side by side, and how far
// they agree.
#pragma once

#include <string>
#include <vector>

namespace carbonbench::calibration {

struct QualificationWindow {
  std::string state;  // "idle" or "load"
  double seconds = 0;
  double load = 0;  // the machine's busy share over the window
  double counter_w = 0;
  double reference_w = 0;
};

// counter / reference; 0 when the reference read nothing.
double PowerRatio(const QualificationWindow& window);

struct Agreement {
  // |counter - reference| / reference over the windows whose reference read
  // a positive power.
  double mean_relative_difference = 0;
  double max_relative_difference = 0;
  int windows = 0;  // the windows counted
};

Agreement Summarise(const std::vector<QualificationWindow>& windows);

// The table and the agreement as printed: one line per window, then the
// summary naming both sources.
std::string FormatQualification(const std::string& counter, const std::string& reference,
                                const std::vector<QualificationWindow>& windows);

}  // namespace carbonbench::calibration
