// The built-in plugins as tests load them: through the same registry the
// host uses, from the build tree's plugin folder (BUILD_PLUGIN_DIR).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <torch/nn/module.h>

#include "carbonbench/sdk.h"
#include "plugins/plugin_registry.h"

namespace carbonbench::test_support {

inline const PluginRegistry& Registry() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    r.LoadDirectories({BUILD_PLUGIN_DIR});
    return r;
  }();
  return registry;
}

// A model plugin's network for `spec`, its parameters defaulted but for `given`.
inline std::shared_ptr<Network> Build(const std::string& name, const DatasetSpec& spec,
                                      const std::map<std::string, ParamValue>& given = {}) {
  const LoadedPlugin* plugin = Registry().Find(PluginKind::kModel, name);
  if (plugin == nullptr) throw std::runtime_error("plugin not built: " + name);
  auto model = Registry().Create<Model>(PluginKind::kModel, name);
  return model->Build(spec, ResolveParams(plugin->params, given));
}

// An optimization plugin, configured like Build's models.
inline std::shared_ptr<Optimization> Optimize(const std::string& name,
                                              const std::map<std::string, ParamValue>& given = {}) {
  const LoadedPlugin* plugin = Registry().Find(PluginKind::kOptimization, name);
  if (plugin == nullptr) throw std::runtime_error("plugin not built: " + name);
  auto optimization = Registry().Create<Optimization>(PluginKind::kOptimization, name);
  optimization->Configure(ResolveParams(plugin->params, given));
  return optimization;
}

inline std::int64_t CountParameters(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
  return count;
}

}  // namespace carbonbench::test_support
