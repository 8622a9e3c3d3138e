// Meters as the runner makes them: created by the plugin registry, their
// parameters defaulted but for `given`, then configured.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "builtin_plugins.h"

namespace carbonbench::meter_testing {

inline std::shared_ptr<Meter> MakeMeter(const std::string& name,
                                        const std::map<std::string, ParamValue>& given = {}) {
  const LoadedPlugin* plugin = test_support::Registry().Find(PluginKind::kMeter, name);
  if (plugin == nullptr) throw std::runtime_error("meter not built: " + name);
  auto meter = test_support::Registry().Create<Meter>(PluginKind::kMeter, name);
  meter->Configure(ResolveParams(plugin->params, given), MeterContext{});
  return meter;
}

// A fresh temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "carbonbench_meter_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to `name` in the folder (replacing it), returns the path.
  std::string Write(const std::string& name, const std::string& text) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::trunc) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace carbonbench::meter_testing
