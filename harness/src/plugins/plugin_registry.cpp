#include "plugins/plugin_registry.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

#include "carbonbench/file_trust.h"
#include "carbonbench/meter_traits.h"
#include "carbonbench/model.h"
#include "carbonbench/optimization.h"
#include "util/strings.h"

namespace carbonbench {
namespace fs = std::filesystem;

PluginLoadError::PluginLoadError(const std::vector<std::string>& problems)
    : std::runtime_error(JoinStrings(problems, "\n")) {}

namespace {

std::vector<std::string> SplitPath(const std::string& text) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == ':') {
      if (!part.empty()) parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) parts.push_back(part);
  return parts;
}

// Loading a shared object runs its code: refuse one that anyone but root
// or this user could have replaced, anywhere on the way to it.
std::string TrustProblem(const std::string& path) {
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  if (ec) return fmt::format("{}: cannot resolve its path: {}", path, ec.message());
  const TrustSettings settings = ProcessTrustSettings();
  std::string problem = UntrustedFileProblem(real.string(), settings);
  if (problem.empty()) {
    const fs::path found_in = fs::absolute(path, ec).lexically_normal().parent_path();
    if (!ec) problem = UntrustedFolderProblem(found_in.string(), settings);
  }
  if (problem.empty()) return {};
  return fmt::format(
      "{}: refused: {} (a plugin runs with this process's rights, so it and every folder above "
      "it must be owned by root or by you and writable by no one else)",
      path, problem);
}

// boost::dll reads any file as ELF and fails with a bare "basic_ios::clear"
// on one that is not: say what the file is first.
std::string NotElfProblem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  static constexpr char kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
  char magic[4] = {};
  in.read(magic, sizeof magic);
  if (in.gcount() == 4 && std::memcmp(magic, kElfMagic, sizeof magic) == 0) return {};
  return fmt::format(
      "{}: not a shared library: it does not start with the ELF header a .so has ({}); build "
      "plugins with carbonbench_add_plugin, and keep other files out of the plugin folder",
      path, in.gcount() == 0 ? "it is empty or unreadable" : "it holds something else");
}

bool ExportsEntry(const std::string& path, std::string& problem) {
  try {
    boost::dll::library_info info(path);
    for (const auto& symbol : info.symbols()) {
      if (symbol == CARBONBENCH_ENTRY_NAME_STRING) return true;
    }
    problem = fmt::format(
        "{}: not a carbonbench plugin: it exports no '{}' entry point (build it with "
        "carbonbench_add_plugin and one CARBONBENCH_REGISTER_* macro)",
        path, CARBONBENCH_ENTRY_NAME_STRING);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    problem = fmt::format(
        "{}: not a readable shared object: {}; rebuild it or remove it from the plugin folder",
        path,
        what.find("iostream error") != std::string::npos
            ? "its ELF headers end early or are damaged"
            : what);
  }
  return false;
}

bool KnownKind(PluginKind kind) {
  return kind == PluginKind::kModel || kind == PluginKind::kOptimization ||
         kind == PluginKind::kMeter;
}

}  // namespace

std::vector<std::string> PluginSearchDirs(const PluginSearchOptions& options) {
  std::vector<std::string> dirs = options.cli_dirs;
  for (const auto& dir : SplitPath(options.env_path)) dirs.push_back(dir);
  if (!options.executable_path.empty()) {
    const fs::path exe_dir = fs::path(options.executable_path).parent_path();
    dirs.push_back((exe_dir.parent_path() / "lib" / "carbonbench" / "plugins").string());
#ifdef CARBONBENCH_BUILD_PLUGIN_DIR
    // Run from the build tree: its plugins sit beside bin/.
    if (fs::exists(exe_dir.parent_path() / "CMakeCache.txt"))
      dirs.push_back(CARBONBENCH_BUILD_PLUGIN_DIR);
#endif
  }
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const auto& dir : dirs) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(dir, ec);
    const std::string key = ec ? dir : canonical.string();
    if (seen.insert(key).second) unique.push_back(dir);
  }
  return unique;
}

std::string PluginRegistry::TryLoad(const std::string& path, LoadedPlugin& plugin) const {
  if (std::string problem = TrustProblem(path); !problem.empty()) return problem;
  if (std::string problem = NotElfProblem(path); !problem.empty()) return problem;
  if (std::string problem; !ExportsEntry(path, problem)) return problem;

  auto library = std::make_shared<boost::dll::shared_library>();
  try {
    library->load(path, boost::dll::load_mode::default_mode);
  } catch (const std::exception& e) {
    return fmt::format("{}: cannot be loaded: {}", path, e.what());
  }
  const PluginDescriptor* descriptor = nullptr;
  try {
    auto& entry = library->get_alias<const PluginDescriptor*()>(CARBONBENCH_ENTRY_NAME_STRING);
    descriptor = entry();
  } catch (const std::exception& e) {
    return fmt::format("{}: its entry point failed: {}", path, e.what());
  }
  if (descriptor == nullptr) return fmt::format("{}: its entry point returned nothing", path);

  // The header is plain data: safe to read before anything else matches.
  const PluginHeader& header = descriptor->header;
  const std::string name = header.name ? header.name : "?";
  if (header.abi_version != kAbiVersion) {
    return fmt::format(
        "{}: plugin '{}' was built for plugin ABI {}, this carbonbench uses ABI {}: rebuild "
        "the plugin against this carbonbench's SDK",
        path, name, header.abi_version, kAbiVersion);
  }
  const std::string tag = header.build_tag ? header.build_tag : "";
  if (tag != CARBONBENCH_BUILD_TAG) {
    return fmt::format(
        "{}: plugin '{}' was built with '{}', this carbonbench with '{}': rebuild the "
        "plugin with the same compiler, C++ ABI and torch version",
        path, name, tag, CARBONBENCH_BUILD_TAG);
  }
  if (!KnownKind(header.kind)) {
    return fmt::format("{}: plugin '{}' declares unknown kind {}", path, name,
                       static_cast<unsigned>(header.kind));
  }

  plugin.path = path;
  plugin.kind = header.kind;
  plugin.name = name;
  plugin.version = header.version ? header.version : "";
  plugin.summary = header.summary ? header.summary : "";
  plugin.build_tag = tag;
  plugin.create = descriptor->create;
  plugin.library = library;
  try {
    plugin.params = descriptor->parameters();
    // Declared, so read without creating (let alone starting) the meter.
    if (plugin.kind == PluginKind::kMeter && descriptor->meter_traits != nullptr) {
      plugin.meter_traits = descriptor->meter_traits();
    }
    if (plugin.kind == PluginKind::kOptimization) {
      std::unique_ptr<Plugin> probe(plugin.create());
      const auto* optimization = static_cast<Optimization*>(probe.get());
      plugin.conflicts_with = optimization->ConflictsWith();
      plugin.unavailable_reason = optimization->UnavailableReason();
      plugin.order = optimization->Order();
      plugin.declaration = optimization->Declaration();
    } else if (plugin.kind == PluginKind::kModel) {
      std::unique_ptr<Plugin> probe(plugin.create());
      const auto* model = static_cast<Model*>(probe.get());
      plugin.vocabulary = model->Vocabulary();
      plugin.default_model = model->DefaultModel();
      plugin.missing_features = model->MissingFeatures();
    }
  } catch (const std::exception& e) {
    return fmt::format("{}: plugin '{}' threw while describing itself: {}", path, name, e.what());
  } catch (...) {
    return fmt::format(
        "{}: plugin '{}' threw a non-standard exception while describing "
        "itself",
        path, name);
  }
  return {};
}

void PluginRegistry::LoadFile(const std::string& path) {
  LoadedPlugin plugin;
  if (std::string problem = TryLoad(path, plugin); !problem.empty()) {
    throw PluginLoadError({problem});
  }
  // One namespace for all kinds: suites address parameters as "<name>.<param>".
  for (const auto& existing : plugins_) {
    if (existing.name == plugin.name) {
      throw PluginLoadError({fmt::format(
          "plugin name '{}' is defined twice: {} ({}) and {} ({}); remove or rename one",
          plugin.name, existing.path, PluginKindName(existing.kind), plugin.path,
          PluginKindName(plugin.kind))});
    }
  }
  plugins_.push_back(std::move(plugin));
}

void PluginRegistry::LoadDirectories(const std::vector<std::string>& dirs) {
  std::vector<std::string> problems;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<std::string> files;
    fs::directory_iterator entry(dir, ec);
    for (; !ec && entry != fs::directory_iterator(); entry.increment(ec)) {
      if (entry->path().extension() != ".so") continue;
      std::error_code type_ec;
      const bool regular = entry->is_regular_file(type_ec);
      if (type_ec) {
        // A symlink loop or a link to nowhere: one bad entry, not a reason
        // to load nothing.
        Warn(fmt::format("plugin {} skipped: {}", entry->path().string(), type_ec.message()));
        continue;
      }
      if (regular) files.push_back(entry->path().string());
    }
    if (ec)
      problems.push_back(fmt::format("plugin folder {}: cannot list it: {}", dir, ec.message()));
    std::sort(files.begin(), files.end());  // stable order, stable messages
    for (const auto& file : files) {
      try {
        LoadFile(file);
      } catch (const PluginLoadError& e) {
        problems.push_back(e.what());
      }
    }
  }
  if (!problems.empty()) throw PluginLoadError(problems);
}

void PluginRegistry::Warn(const std::string& message) {
  warnings_.push_back(message);
  std::fprintf(stderr, "warning: %s\n", message.c_str());
}

void CheckPluginDirsGiven(const std::vector<std::string>& dirs) {
  std::vector<std::string> problems;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    const fs::file_status status = fs::status(dir, ec);
    if (ec || !fs::exists(status)) {
      problems.push_back(fmt::format("--plugin-dir {}: no such folder ({}); check the path", dir,
                                     ec ? ec.message() : "it does not exist"));
    } else if (!fs::is_directory(status)) {
      problems.push_back(fmt::format(
          "--plugin-dir {}: not a folder; name the folder that holds the plugin .so files", dir));
    }
  }
  if (!problems.empty()) throw PluginLoadError(problems);
}

const LoadedPlugin* PluginRegistry::Find(PluginKind kind, const std::string& name) const {
  for (const auto& plugin : plugins_) {
    if (plugin.kind == kind && plugin.name == name) return &plugin;
  }
  return nullptr;
}

std::vector<std::string> PluginRegistry::Names(PluginKind kind) const {
  std::vector<std::string> names;
  for (const auto& plugin : plugins_) {
    if (plugin.kind == kind) names.push_back(plugin.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

PluginCatalog PluginRegistry::Catalog() const {
  PluginCatalog catalog;
  for (const auto& plugin : plugins_) {
    catalog.push_back({plugin.name, plugin.kind, plugin.params, plugin.conflicts_with,
                       plugin.unavailable_reason, plugin.declaration, plugin.default_model,
                       plugin.meter_traits, plugin.missing_features});
  }
  return catalog;
}

std::shared_ptr<Plugin> PluginRegistry::CreatePlugin(PluginKind kind,
                                                     const std::string& name) const {
  const LoadedPlugin* plugin = Find(kind, name);
  if (plugin == nullptr) {
    throw std::runtime_error(fmt::format("no {} plugin named '{}' (known: {})",
                                         PluginKindName(kind), name,
                                         JoinStrings(Names(kind), ", ")));
  }
  Plugin* raw = plugin->create();
  // The deleter owns a reference to the library: the code behind the object's
  // vtable stays mapped until the object is gone.
  auto library = plugin->library;
  return std::shared_ptr<Plugin>(raw, [library](Plugin* p) { delete p; });
}

}  // namespace carbonbench
