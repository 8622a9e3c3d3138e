#include "cli/calibrate_counter.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "power_model/calibration_profile.h"
#include "runner/counter_calibration.h"
#include "suites/suite.h"

namespace carbonbench::cli {
namespace {

constexpr const char* kMeterParamExample = "<meter>.<parameter>=<value>";

// The meter a "<meter>.<param>=<value>" assignment is for.
std::string MeterOf(const std::string& key) { return key.substr(0, key.find('.')); }

// The meters' parameters, typed and checked as a suite's are: the
// assignments become a generated suite's defaults.
Cell MeterParamsCell(const CounterCalibrationOptions& options, const PluginRegistry& registry) {
  YAML::Node suite;
  suite["suite"] = "calibrate";
  suite["meters"] = registry.Names(PluginKind::kMeter);
  for (const std::string& assignment : options.meter_params) {
    const auto [key, value] = SplitAssignment(assignment, kMeterParamExample);
    suite["defaults"][key] = YAML::Load(value);
  }
  return LoadSuiteText(YAML::Dump(suite), "calibrate arguments", registry.Catalog(),
                       SuiteTextOrigin::kGeneratedText)
      .cells.at(0);
}

}  // namespace

void AddCounterCalibrationOptions(CLI::App* calibrate, CounterCalibrationOptions& options) {
  calibrate->add_option("--meter", options.meter,
                        "the counter to calibrate against (default: the first installed meter, "
                        "by declared rank, that measures the CPU here; see `carbonbench meters`)");
  calibrate->add_option("--meter-param", options.meter_params,
                        "a meter parameter: <meter>.<parameter>=<value> (`carbonbench list -v` "
                        "lists them); repeatable");
  calibrate->add_option("--profile-dir", options.profile_dir,
                        "where the profile is saved (default: $CARBONBENCH_CALIBRATION_DIR, "
                        "else ~/.local/share/carbonbench/calibration)");
  calibrate->add_option("--step-s", options.step_s, "measured seconds per ladder step")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  calibrate
      ->add_option("--settle-s", options.settle_s, "seconds each step runs before it is measured")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  calibrate
      ->add_option("--window-s", options.window_s,
                   "seconds per window when a wall plug is qualified")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  calibrate
      ->add_option("--windows", options.windows,
                   "qualification windows at idle (and as many under load)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  calibrate->add_flag("--qualify", options.qualify,
                      "compare the counter with a second source even when it is a default "
                      "meter (a meter not on by default, as a wall plug, is always compared)");
  calibrate
      ->add_option("--proc-root", options.proc_root,
                   "where /proc is read (the machine's load and CPU); for tests")
      ->capture_default_str();
}

int RunCounterCalibration(const CounterCalibrationOptions& options, const GlobalOptions& global) {
  const PluginRegistry registry = LoadPlugins(global);
  const Cell cell = MeterParamsCell(options, registry);

  CounterCalibrationSettings settings;
  settings.meter = options.meter;
  for (const std::string& assignment : options.meter_params) {
    const std::string meter = MeterOf(SplitAssignment(assignment, kMeterParamExample).first);
    auto& extra = settings.extra_candidates;
    if (std::find(extra.begin(), extra.end(), meter) == extra.end()) extra.push_back(meter);
  }
  settings.params_of = [&registry, &cell](const std::string& name) {
    return ResolveParams(registry.Find(PluginKind::kMeter, name)->params, cell.PluginParams(name));
  };
  settings.profile_dir =
      options.profile_dir.empty() ? power_model::DefaultCalibrationDir() : options.profile_dir;
  if (settings.profile_dir.empty()) {
    throw std::runtime_error(
        "no folder for the calibration profile: set --profile-dir, CARBONBENCH_CALIBRATION_DIR "
        "or HOME");
  }
  settings.step_s = options.step_s;
  settings.settle_s = options.settle_s;
  settings.window_s = options.window_s;
  settings.windows_per_state = options.windows;
  settings.qualify = options.qualify;
  settings.proc_root = options.proc_root;
  try {
    CalibrateAgainstCounter(registry, settings, std::cout);
  } catch (const NoCounterError& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}

}  // namespace carbonbench::cli
