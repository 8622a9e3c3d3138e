// The built-in plugins as the benchmarks load them: from the build tree's
// plugin folder, once per process.
#pragma once

#include "plugins/plugin_registry.h"

namespace carbonbench::bench {

inline const PluginRegistry& Registry() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    r.LoadDirectories({BUILD_PLUGIN_DIR});
    return r;
  }();
  return registry;
}

}  // namespace carbonbench::bench
