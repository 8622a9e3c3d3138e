// `carbonbench meters`: what this machine can measure, what it can only
// estimate, and exactly why, before a suite spends hours on it.
#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "cli/commands.h"
#include "energy/carbon_intensity.h"
#include "power_model/calibration_profile.h"
#include "runner/environment.h"
#include "runner/meter_selection.h"
#include "suites/suite.h"
#include "util/strings.h"

namespace carbonbench::cli {
namespace {

struct MetersArguments {
  std::string suite_path;           // take its meters, parameters and carbon
  std::vector<std::string> meters;  // the order to try (default: the suite's)
  std::vector<std::string> sets;    // meter parameters: <meter>.<param>=<value>
  std::string region;               // also resolve this region's intensity
  int threads = 0;
};

// "<meter>.<param>=<default>" for the first installed meter that takes a
// parameter, so the example in an error message always works here.
std::string ExampleAssignment(const PluginRegistry& registry) {
  for (const std::string& name : registry.Names(PluginKind::kMeter)) {
    const LoadedPlugin* meter = registry.Find(PluginKind::kMeter, name);
    if (meter->params.empty()) continue;
    const ParamSpec& param = meter->params.front();
    return name + "." + param.name + "=" + FormatParamValue(param.default_value);
  }
  return "<meter>.<parameter>=<value>";
}

// A suite that holds the meters and their parameters, so --set is typed and
// checked as in any suite; from --suite when given.
Suite MetersSuite(const MetersArguments& a, const PluginRegistry& registry) {
  YAML::Node suite =
      a.suite_path.empty() ? YAML::Node() : YAML::Load(ReadSuiteFileText(a.suite_path));
  if (a.suite_path.empty()) suite["suite"] = "meters";
  if (!a.meters.empty()) suite["meters"] = a.meters;
  if (!a.region.empty()) suite["carbon"]["region"] = a.region;
  for (const auto& assignment : a.sets) {
    const auto [key, value] = SplitAssignment(assignment, ExampleAssignment(registry));
    suite["defaults"][key] = YAML::Load(value);
  }
  // Without --meters or a suite's list: the defaults, then every other meter
  // installed, so each one's verdict is shown.
  return LoadSuiteText(YAML::Dump(suite), a.suite_path.empty() ? "meters arguments" : a.suite_path,
                       registry.Catalog(), SuiteTextOrigin::kGeneratedText);
}

void PrintProbe(const MeterProbe& probe) {
  if (!probe.availability.available) {
    std::printf("  %-13s not available: %s\n", probe.name.c_str(),
                probe.availability.reason.c_str());
    return;
  }
  std::vector<std::string> components;
  for (const auto& [component, provenance] : probe.components) {
    components.push_back(
        fmt::format("{} {}", ComponentName(component), ProvenanceName(provenance)));
  }
  std::printf("  %-13s available (%s): %s\n", probe.name.c_str(),
              JoinStrings(components, ", ").c_str(), probe.availability.reason.c_str());
  std::printf("  %-13s method: %s\n", "", probe.method.c_str());
  for (const std::string& warning : probe.availability.warnings) {
    std::printf("  %-13s warning: %s\n", "", warning.c_str());
  }
}

// The installed meters the suite does not list, so their verdicts show too.
std::vector<std::string> UnlistedMeters(const PluginRegistry& registry,
                                        const std::vector<std::string>& listed) {
  std::vector<std::string> others;
  for (const auto& name : registry.Names(PluginKind::kMeter)) {
    if (std::find(listed.begin(), listed.end(), name) == listed.end()) others.push_back(name);
  }
  return others;
}

void PrintCarbon(const Suite& suite) {
  const CarbonIntensity carbon = ResolveCarbon(CarbonRequestFor(suite), ReferenceDataDir());
  std::printf("\nCarbon for region %s: %.1f g CO2e/kWh (%s); PUE %.2f (%s)\n",
              carbon.region_requested.c_str(), carbon.g_per_kwh, carbon.source.c_str(), carbon.pue,
              carbon.pue_source.c_str());
  for (const auto& warning : carbon.warnings) std::printf("  warning: %s\n", warning.c_str());
}

int DiagnoseMeters(const MetersArguments& a, const GlobalOptions& global) {
  const PluginRegistry registry = LoadPlugins(global);
  const Suite suite = MetersSuite(a, registry);
  const Cell& cell = suite.cells.at(0);
  const MeterContext context{ReferenceDataDir(), a.threads > 0 ? a.threads : 1,
                             power_model::DefaultCalibrationDir()};
  auto params_of = [&](const std::string& name) {
    return ResolveParams(registry.Find(PluginKind::kMeter, name)->params, cell.PluginParams(name));
  };
  const MeterSelection selection = SelectMeters(registry, suite.meters, params_of, context);

  std::printf("Energy meters, tried in this order for each component:\n");
  for (const MeterProbe& probe : selection.probes) PrintProbe(probe);
  const std::vector<std::string> others = UnlistedMeters(registry, suite.meters);
  if (!others.empty()) {
    std::printf("\nInstalled but not listed (add to 'meters:' or --meters to use):\n");
    for (const MeterProbe& probe : SelectMeters(registry, others, params_of, context).probes) {
      PrintProbe(probe);
    }
  }

  std::printf("\nA run would use:\n");
  const std::vector<ComponentSource> sources = selection.Sources();
  for (Component component : {Component::kCpu, Component::kGpu, Component::kRam}) {
    const auto it = std::find_if(sources.begin(), sources.end(),
                                 [component](const auto& s) { return s.component == component; });
    if (it == sources.end()) {
      std::printf("  %-4s nothing: no listed meter covers it here\n", ComponentName(component));
    } else {
      std::printf("  %-4s %s (%s)\n", ComponentName(component), it->meter.c_str(),
                  ProvenanceName(it->provenance));
    }
  }
  PrintCarbon(suite);
  if (selection.meters.empty()) {
    std::printf("\nNo listed meter works here: a run would fail (%s)\n",
                selection.Refusals().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void AddMetersCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "meters",
      "diagnose this machine's energy meters: which work, which not and why, and what "
      "a run would use");
  auto a = std::make_shared<MetersArguments>();
  command
      ->add_option("--suite", a->suite_path,
                   "use this suite's meters, their parameters and its carbon settings")
      ->check(CLI::ExistingFile);
  command->add_option("--meters", a->meters, "meters to try, in order (comma-separated)")
      ->delimiter(',');
  command->add_option("--set", a->sets,
                      "a meter parameter: <meter>.<parameter>=<value> (`carbonbench list -v` "
                      "lists them); repeatable");
  command->add_option("--region", a->region, "also show this region's carbon intensity and PUE");
  command->add_option("--threads", a->threads,
                      "threads a run would train with (for meters that apportion the CPU)");
  command->callback([&global, a] { global.exit_code = DiagnoseMeters(*a, global); });
}

}  // namespace carbonbench::cli
