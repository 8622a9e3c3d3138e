// Which meters a run uses: each listed meter is configured and probed, the
// available ones kept in order, and every refusal kept with its reason, so a
// fallback is never silent. Shared by runs and `carbonbench meters`.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "carbonbench/meter.h"
#include "energy/energy_sampler.h"
#include "plugins/plugin_registry.h"

namespace carbonbench {

struct MeterProbe {
  std::string name;
  Availability availability;
  std::string method;                                        // empty when unavailable
  std::vector<std::pair<Component, Provenance>> components;  // when available
  MeterScope scope = MeterScope::kMachine;                   // as the meter declares
  std::map<Component, ErrorBand> bands;                      // when available
  std::string calibration;                                   // "" when none
};

struct MeterSelection {
  std::vector<MeterProbe> probes;  // every listed meter, in order
  std::vector<NamedMeter> meters;  // the available ones, configured, in order

  // Every listed meter: used, with its method, components, error band and
  // calibration, or not, with why. A meter whose components carry
  // different bands records the widest, with its basis.
  std::vector<MeterRecord> Describe() const;
  // What the available meters want the user to know (Availability::warnings),
  // each prefixed with the meter's name.
  std::vector<std::string> Warnings() const;
  // Per component, the meter that provides it (first available in order).
  std::vector<ComponentSource> Sources() const;
  // "<meter>: <why>; <meter>: <why>" for the unavailable ones.
  std::string Refusals() const;
};

// Creates, configures and probes each of `names` in order. `params_of`
// gives a meter's resolved parameters. Throws only for a meter that is not
// installed; an unavailable one is recorded, not thrown.
MeterSelection SelectMeters(const PluginRegistry& registry, const std::vector<std::string>& names,
                            const std::function<Params(const std::string&)>& params_of,
                            const MeterContext& context);

}  // namespace carbonbench
