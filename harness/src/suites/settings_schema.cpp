#include "suites/settings_schema.h"

#include <algorithm>
#include <utility>

#include "util/strings.h"

namespace carbonbench::detail {
namespace {

std::string WithArticle(PluginKind kind) {
  return (kind == PluginKind::kOptimization ? "an " : "a ") + std::string(PluginKindName(kind));
}

ParamSpec Renamed(ParamSpec spec, std::string name) {
  spec.name = std::move(name);
  return spec;
}

// A plugin that ships with carbonbench but is missing here was not built yet
// (scripts/quickstart.sh builds only those its suite uses), not misspelt.
bool ShipsWithCarbonbench(const std::string& name) {
#ifdef CARBONBENCH_BUILTIN_PLUGIN_NAMES
  const auto names = SplitString(CARBONBENCH_BUILTIN_PLUGIN_NAMES, ',');
  return std::find(names.begin(), names.end(), name) != names.end();
#else
  return false;
#endif
}

}  // namespace

std::string JoinOptimizations(const std::vector<std::string>& names) {
  return JoinStrings(names, "+");
}

std::vector<std::string> SplitOptimizations(const std::string& joined) {
  std::vector<std::string> names;
  if (joined.empty()) return names;
  std::size_t start = 0;
  while (true) {
    const auto plus = joined.find('+', start);
    names.push_back(Trim(joined.substr(start, plus - start)));
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  return names;
}

ParamValue NormalizeForSpec(const ParamSpec& spec, ParamValue value) {
  if (spec.type == ParamType::kFloat)
    if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (spec.type == ParamType::kString && !std::holds_alternative<std::string>(value))
    return FormatParamValue(value);
  return value;
}

// The first model that declares itself the default; "" when none does.
std::string DefaultModel(const PluginCatalog& catalog) {
  for (const auto& plugin : catalog) {
    if (plugin.kind == PluginKind::kModel && plugin.default_model) return plugin.name;
  }
  return "";
}

SettingsSchema::SettingsSchema(const PluginCatalog& catalog, std::string relative_to)
    : catalog_(catalog), relative_to_(std::move(relative_to)) {
  builtin_ = TrainingSettingSpecs();
  for (auto& spec : builtin_) {
    if (spec.name == kModelKey) spec.default_value = DefaultModel(catalog_);
  }
  for (const auto& spec : DatasetSettingSpecs()) builtin_.push_back(spec);
  for (const auto& spec : builtin_) {
    specs_[spec.name] = spec;
    known_keys_.push_back(spec.name);
  }
  known_keys_.push_back(kOptimizationsKey);
  for (const auto& plugin : catalog_) {
    for (const auto& spec : plugin.params) {
      const std::string key = plugin.name + "." + spec.name;
      if (specs_.count(key)) continue;  // first catalog entry wins
      specs_[key] = Renamed(spec, key);
      known_keys_.push_back(key);
    }
  }
}

const ParamSpec* SettingsSchema::Find(const std::string& key) const {
  auto it = specs_.find(key);
  return it == specs_.end() ? nullptr : &it->second;
}

bool SettingsSchema::IsKnown(const std::string& key) const {
  return key == kOptimizationsKey || specs_.count(key) > 0;
}

std::string SettingsSchema::UnknownKeyMessage(const std::string& key,
                                              const std::vector<std::string>& extra) const {
  std::vector<std::string> candidates = known_keys_;
  candidates.insert(candidates.end(), extra.begin(), extra.end());
  const std::string head = "unknown setting '" + key + "'";
  const std::string match = ClosestMatch(key, candidates);
  if (!match.empty()) return head + " (did you mean '" + match + "'?)";
  // A known plugin with an unknown parameter: its own list is the useful one.
  const auto dot = key.find('.');
  if (dot != std::string::npos) {
    if (const auto* plugin = FindPlugin(key.substr(0, dot))) {
      std::vector<std::string> names;
      for (const auto& spec : plugin->params) names.push_back(spec.name);
      if (names.empty()) return head + " (" + plugin->name + " takes no parameters)";
      return head + " (" + plugin->name + "'s parameters: " + JoinStrings(names, ", ") + ")";
    }
  }
  std::vector<std::string> builtin;
  for (const auto& spec : builtin_) builtin.push_back(spec.name);
  builtin.push_back(kOptimizationsKey);
  return head + " (settings are " + JoinStrings(builtin, ", ") +
         ", or '<plugin>.<param>' for a plugin's parameters)";
}

const PluginCatalogEntry* SettingsSchema::FindPlugin(const std::string& name) const {
  for (const auto& plugin : catalog_)
    if (plugin.name == name) return &plugin;
  return nullptr;
}

std::vector<std::string> SettingsSchema::NamesOfKind(PluginKind kind) const {
  std::vector<std::string> names;
  for (const auto& plugin : catalog_)
    if (plugin.kind == kind) names.push_back(plugin.name);
  return names;
}

std::string SettingsSchema::KnownPluginsText(PluginKind kind) const {
  const std::string what = PluginKindName(kind);
  const auto names = NamesOfKind(kind);
  if (names.empty()) return "no " + what + "s are installed";
  return "known " + what + "s: " + JoinStrings(names, ", ");
}

std::string SettingsSchema::CheckPluginName(const std::string& name, PluginKind kind) const {
  const auto* plugin = FindPlugin(name);
  if (plugin && plugin->kind == kind) return "";
  const std::string what = PluginKindName(kind);
  const auto names = NamesOfKind(kind);
  const std::string known = KnownPluginsText(kind);
  if (plugin) {
    return "'" + name + "' is " + WithArticle(plugin->kind) + ", not " + WithArticle(kind) + " (" +
           known + ")";
  }
  if (ShipsWithCarbonbench(name)) {
    return what + " '" + name + "' ships with carbonbench but is not built here: " +
           "`scripts/build.sh app` builds every plugin (" + known + ")";
  }
  const std::string match = ClosestMatch(name, names);
  const std::string hint = match.empty() ? "" : "did you mean '" + match + "'? ";
  return "unknown " + what + " '" + name + "' (" + hint + known + ")";
}

bool SettingsSchema::Conflict(const std::string& a, const std::string& b) const {
  auto lists = [](const PluginCatalogEntry* plugin, const std::string& other) {
    if (!plugin) return false;
    const auto& with = plugin->conflicts_with;
    return std::find(with.begin(), with.end(), other) != with.end();
  };
  return lists(FindPlugin(a), b) || lists(FindPlugin(b), a);
}

std::vector<std::string> SettingsSchema::CheckOptimizationSet(
    const std::vector<std::string>& names) const {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (const auto* plugin = FindPlugin(names[i]); plugin && !plugin->unavailable_reason.empty()) {
      problems.push_back("optimization '" + names[i] +
                         "' cannot run here: " + plugin->unavailable_reason);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (names[i] == names[j]) {
        problems.push_back("optimization '" + names[i] +
                           "' is listed twice in one cell; list it once");
      } else if (Conflict(names[j], names[i])) {
        problems.push_back("optimizations '" + names[j] + "' and '" + names[i] +
                           "' conflict and cannot run in the same cell; put "
                           "them in separate matrix entries");
      }
    }
  }
  return problems;
}

std::vector<ParamSpec> SettingsSchema::PluginSpecs(const std::string& plugin) const {
  std::vector<ParamSpec> specs;
  if (const auto* entry = FindPlugin(plugin))
    for (const auto& spec : entry->params) specs.push_back(Renamed(spec, plugin + "." + spec.name));
  return specs;
}

std::map<std::string, ParamValue> SettingsSchema::ParamsAddedLater() const {
  std::map<std::string, ParamValue> added;
  for (const auto& plugin : catalog_) {
    for (const auto& name : plugin.declaration.params_added_later) {
      const std::string key = plugin.name + "." + name;
      if (const ParamSpec* spec = Find(key)) added.emplace(key, spec->default_value);
    }
  }
  return added;
}

}  // namespace carbonbench::detail
