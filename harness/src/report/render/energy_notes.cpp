// What a reader must know to read energy figures: what an estimate's
// differences mean, and what a counter's measurement covers.
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

bool AnyRunBand(const std::vector<const RunRow*>& runs) {
  for (const RunRow* run : runs) {
    if (run->summary.energy_band_wh > 0) return true;
  }
  return false;
}

// "cpu by pkg_counter (CPU package counter), whole machine".
std::string Coverage(const std::string& component, const std::string& meter, std::string method,
                     const std::optional<std::string>& scope) {
  // The method is a sentence; inside parentheses its full stop is noise.
  if (!method.empty() && method.back() == '.') method.pop_back();
  std::string text = component + " by " + meter;
  if (!method.empty()) text += " (" + method + ")";
  if (scope && !scope->empty()) text += ", " + ScopeText(scope);
  return text;
}

}  // namespace

std::string EstimateStatement(const std::vector<const RunRow*>& runs) {
  if (!AnyEstimated(runs)) return "";
  std::string text =
      "Estimated energy follows each cell's running time and CPU load only, so differences "
      "between cells on one machine reflect those two";
  if (AnyRunBand(runs)) {
    text += "; the ± band is the estimator's validated error and shifts every cell alike";
  }
  return text + ".\n\n";
}

// From the runs' measurement records; a run stored before them falls back
// to the meters it recorded as measuring.
std::string MeasuredCoverage(const std::vector<const RunRow*>& runs) {
  std::vector<std::string> parts;
  std::set<std::string> seen;
  auto add = [&parts, &seen](std::string part) {
    if (seen.insert(part).second) parts.push_back(std::move(part));
  };
  for (const RunRow* run : runs) {
    const auto& components = run->summary.measurement.components;
    for (const ComponentMeasurement& c : components) {
      if (c.provenance.value_or("") != "measured") continue;
      add(Coverage(c.component.value_or("energy"), c.meter.value_or("a meter"),
                   c.method.value_or(""), c.scope));
    }
    if (!components.empty()) continue;
    for (const MeterRecord& meter : run->start.meters) {
      if (!meter.name || !meter.available.value_or(true) || !meter.components) continue;
      for (const auto& [component, provenance] : *meter.components) {
        if (provenance == "measured") {
          add(Coverage(component, *meter.name, meter.method.value_or(""), meter.scope));
        }
      }
    }
  }
  if (parts.empty()) return "";
  return EscapeText(fmt::format("Measured: {}.", fmt::join(parts, "; "))) + "\n\n";
}

}  // namespace carbonbench::report
