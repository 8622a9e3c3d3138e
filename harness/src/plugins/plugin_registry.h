// Finds, checks and loads plugin shared objects, and creates plugin objects
// that keep their library loaded for as long as they live.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "carbonbench/declarations.h"
#include "carbonbench/meter_traits.h"
#include "carbonbench/plugin.h"
#include "suites/suite.h"

namespace boost::dll {
class shared_library;
}

namespace carbonbench {

// Every problem found while loading, one per line, each naming the file.
class PluginLoadError : public std::runtime_error {
 public:
  explicit PluginLoadError(const std::vector<std::string>& problems);
};

struct LoadedPlugin {
  std::string path;
  PluginKind kind = PluginKind::kModel;
  std::string name;
  std::string version;
  std::string summary;
  std::string build_tag;
  std::vector<ParamSpec> params;
  std::vector<std::string> conflicts_with;
  std::string unavailable_reason;
  int order = 50;                                // optimizations only
  OptimizationDeclaration declaration;           // optimizations only
  VocabularySource vocabulary;                   // models only
  bool default_model = false;                    // models only
  std::vector<MissingFeature> missing_features;  // models only
  MeterTraits meter_traits;                      // meters only
  std::shared_ptr<boost::dll::shared_library> library;
  Plugin* (*create)() = nullptr;
};

struct PluginSearchOptions {
  std::vector<std::string> cli_dirs;  // --plugin-dir, in order
  std::string env_path;               // CARBONBENCH_PLUGIN_PATH (':'-separated)
  std::string executable_path;        // to find the install location
};

// The folders to search, in order, without duplicates: --plugin-dir, then
// CARBONBENCH_PLUGIN_PATH, then <prefix>/lib/carbonbench/plugins next to the
// executable, then the build tree's plugin folder when run from the build.
std::vector<std::string> PluginSearchDirs(const PluginSearchOptions& options);

// Throws PluginLoadError naming each of `dirs` (the --plugin-dir options)
// that does not exist or is not a folder: one the user named is never
// skipped in silence.
void CheckPluginDirsGiven(const std::vector<std::string>& dirs);

class PluginRegistry {
 public:
  // Loads every "*.so" in each folder (a missing folder is skipped, as the
  // search path's defaults may well be; an entry that cannot be examined,
  // such as a symlink loop, is skipped with a warning). Throws
  // PluginLoadError listing every refused file and duplicate name.
  void LoadDirectories(const std::vector<std::string>& dirs);
  // Loads one file; throws PluginLoadError if it is refused: one that is
  // not trusted (carbonbench/file_trust.h), not ELF, or not a carbonbench plugin.
  void LoadFile(const std::string& path);
  // What loading skipped, also printed to stderr as it happened.
  const std::vector<std::string>& warnings() const { return warnings_; }

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  const LoadedPlugin* Find(PluginKind kind, const std::string& name) const;
  std::vector<std::string> Names(PluginKind kind) const;
  PluginCatalog Catalog() const;

  // A new plugin object of the given kind; its library stays loaded while the
  // object (or anything sharing ownership of it) lives.
  template <typename T>
  std::shared_ptr<T> Create(PluginKind kind, const std::string& name) const {
    return std::static_pointer_cast<T>(CreatePlugin(kind, name));
  }

 private:
  std::shared_ptr<Plugin> CreatePlugin(PluginKind kind, const std::string& name) const;
  // Returns the problem, or "" when `plugin` was filled in.
  std::string TryLoad(const std::string& path, LoadedPlugin& plugin) const;
  void Warn(const std::string& message);

  std::vector<LoadedPlugin> plugins_;
  std::vector<std::string> warnings_;
};

}  // namespace carbonbench
