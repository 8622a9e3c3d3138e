// The CPU curve fitted to public measurements, shipped as
// harness/data/meters/cpu_curve.json and validated leave-one-machine-out
// (docs/cpu-power-validation.md holds the table and the script that made it).
#pragma once

#include <string>

#include "power_model/cpu_power_curve.h"

namespace carbonbench::power_model {

struct FittedCpuModel {
  CpuCurve curve;
  // Package power at full load over the TDP: a table CPU's full-load power
  // is this × TDP × sockets.
  double full_load_per_tdp = 1.0;
  double band_relative = 0.5;               // the validation's mean absolute error, as a fraction
  std::string basis = "not yet validated";  // "leave-one-machine-out validation on 6 machines"
  int machines = 0;                         // machines and rows the fit saw
  int rows = 0;
};

// The file's place under the reference data folder.
inline constexpr const char* kFittedCurveFile = "/meters/cpu_curve.json";

// Parses the JSON ({"idle_fraction", "rise_exponent", "smt_fraction",
// "full_load_per_tdp", "band_relative", "basis", "machines", "rows"}).
// Throws std::runtime_error naming `origin`, the field and what is wrong.
FittedCpuModel ParseFittedCpuModel(const std::string& text, const std::string& origin);
// Reads and parses the file; throws naming it.
FittedCpuModel LoadFittedCpuModel(const std::string& path);

}  // namespace carbonbench::power_model
