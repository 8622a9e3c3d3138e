// Meters as the runner makes them: created by the plugin registry, their
// parameters defaulted but for `given`, then configured.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "builtin_plugins.h"
#include "temp_dir_test.h"

namespace carbonbench::meter_testing {

inline std::shared_ptr<Meter> MakeMeter(const std::string& name,
                                        const std::map<std::string, ParamValue>& given = {}) {
  const LoadedPlugin* plugin = test_support::Registry().Find(PluginKind::kMeter, name);
  if (plugin == nullptr) throw std::runtime_error("meter not built: " + name);
  auto meter = test_support::Registry().Create<Meter>(PluginKind::kMeter, name);
  meter->Configure(ResolveParams(plugin->params, given), MeterContext{});
  return meter;
}

using test_support::TempDir;

}  // namespace carbonbench::meter_testing
