#include "runner/meter_selection.h"

#include <algorithm>

#include "data/file_io.h"
#include "util/strings.h"

namespace carbonbench {

std::vector<MeterRecord> MeterSelection::Describe() const {
  std::vector<MeterRecord> description;
  for (const MeterProbe& probe : probes) {
    MeterRecord& entry = description.emplace_back();
    entry.name = probe.name;
    entry.available = probe.availability.available;
    entry.reason = probe.availability.reason;
    if (probe.availability.available) {
      entry.method = probe.method;
      auto& components = entry.components.emplace();
      for (const auto& [component, provenance] : probe.components) {
        components[ComponentName(component)] = ProvenanceName(provenance);
      }
      entry.scope = MeterScopeName(probe.scope);
      const ErrorBand* widest = nullptr;
      for (const auto& [component, band] : probe.bands) {
        if (band.relative > 0 && (!widest || band.relative > widest->relative)) widest = &band;
      }
      if (widest) {
        entry.band_relative = widest->relative;
        entry.band_basis = widest->basis;
      }
      if (!probe.calibration.empty()) entry.calibration = probe.calibration;
    }
  }
  return description;
}

std::vector<ComponentSource> MeterSelection::Sources() const {
  std::vector<ComponentSource> sources;
  for (Component component : {Component::kCpu, Component::kGpu, Component::kRam}) {
    for (const MeterProbe& probe : probes) {
      const auto it = std::find_if(probe.components.begin(), probe.components.end(),
                                   [component](const auto& c) { return c.first == component; });
      if (it == probe.components.end()) continue;
      const auto band = probe.bands.find(component);
      sources.push_back({component, probe.name, it->second,
                         band != probe.bands.end() ? band->second : ErrorBand{}});
      break;
    }
  }
  return sources;
}

std::vector<std::string> MeterSelection::Warnings() const {
  std::vector<std::string> warnings;
  for (const MeterProbe& probe : probes) {
    if (!probe.availability.available) continue;
    for (const std::string& warning : probe.availability.warnings) {
      warnings.push_back(probe.name + ": " + warning);
    }
  }
  return warnings;
}

std::string MeterSelection::Refusals() const {
  std::vector<std::string> refusals;
  for (const MeterProbe& probe : probes) {
    if (!probe.availability.available) {
      refusals.push_back(probe.name + ": " + probe.availability.reason);
    }
  }
  return JoinStrings(refusals, "; ");
}

MeterSelection SelectMeters(const PluginRegistry& registry, const std::vector<std::string>& names,
                            const std::function<Params(const std::string&)>& params_of,
                            const MeterContext& context) {
  MeterSelection selection;
  for (const std::string& name : names) {
    auto meter = registry.Create<Meter>(PluginKind::kMeter, name);
    MeterProbe probe;
    probe.name = name;
    probe.scope = registry.Find(PluginKind::kMeter, name)->meter_traits.scope;
    try {
      meter->Configure(params_of(name), context);
      probe.availability = meter->Probe();
    } catch (const std::exception& error) {
      // A meter whose settings are wrong is unavailable, with the reason.
      probe.availability = {false, error.what()};
    }
    // What a meter says is stored and read back as JSON, so it must be UTF-8
    // whatever the meter's source printed.
    probe.availability.reason = detail::ToValidUtf8(probe.availability.reason);
    for (std::string& warning : probe.availability.warnings) warning = detail::ToValidUtf8(warning);
    if (probe.availability.available) {
      probe.method = detail::ToValidUtf8(meter->Method());
      for (Component component : meter->Components()) {
        probe.components.emplace_back(component, meter->ProvenanceOf(component));
        probe.bands[component] = meter->BandOf(component);
      }
      probe.calibration = detail::ToValidUtf8(meter->Calibration());
      selection.meters.push_back({name, meter});
    }
    selection.probes.push_back(std::move(probe));
  }
  return selection;
}

}  // namespace carbonbench
