// Which setting keys exist (training, dataset, and "<plugin>.<param>" from the
// catalog) and what each accepts. Knows nothing about YAML.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "suites/suite.h"

namespace carbonbench::detail {

// The one setting that is a list of plugin names rather than a ParamValue.
inline constexpr char kOptimizationsKey[] = "optimizations";
inline constexpr char kModelKey[] = "model";

// Inside the reader and the matrix an optimization list travels as one string
// value, names joined by '+' ("" for none), so matrix values stay plain
// ParamValues that compare with ==.
std::string JoinOptimizations(const std::vector<std::string>& names);
std::vector<std::string> SplitOptimizations(const std::string& joined);

// An integer given for a float parameter becomes a double, so "lr: 1" and
// "lr: 1.0" make the same cell and the same hash.
ParamValue NormalizeForSpec(const ParamSpec& spec, ParamValue value);

class SettingsSchema {
 public:
  // `relative_to`: the folder relative code-file paths are taken from (the
  // suite file's); empty: the folder carbonbench runs in.
  explicit SettingsSchema(const PluginCatalog& catalog, std::string relative_to = "");
  const std::string& relative_to() const { return relative_to_; }

  // The spec of a value-setting, with `name` set to the full key; nullptr for
  // "optimizations" and for unknown keys.
  const ParamSpec* Find(const std::string& key) const;
  bool IsKnown(const std::string& key) const;
  // "unknown setting 'x' ..." with a suggestion; `extra` adds names that are
  // valid in the caller's context (e.g. the matrix's include/exclude).
  std::string UnknownKeyMessage(const std::string& key,
                                const std::vector<std::string>& extra) const;

  const PluginCatalogEntry* FindPlugin(const std::string& name) const;
  // "" when `name` is an installed plugin of `kind`, else what is wrong and
  // which names would work.
  std::string CheckPluginName(const std::string& name, PluginKind kind) const;
  // Duplicates and conflicting pairs in one cell's optimization list.
  std::vector<std::string> CheckOptimizationSet(const std::vector<std::string>& names) const;

  // Every training and dataset spec, then the plugin parameter specs of
  // `plugin` (names as full keys).
  const std::vector<ParamSpec>& BuiltinSpecs() const { return builtin_; }
  std::vector<ParamSpec> PluginSpecs(const std::string& plugin) const;
  // Optimization parameters declared as added later, by full key, each with
  // its default: the value at which it changes nothing.
  std::map<std::string, ParamValue> ParamsAddedLater() const;
  // "known models: a, b" or "no models are installed".
  std::string KnownPluginsText(PluginKind kind) const;
  const PluginCatalog& catalog() const { return catalog_; }

 private:
  std::vector<std::string> NamesOfKind(PluginKind kind) const;
  bool Conflict(const std::string& a, const std::string& b) const;

  const PluginCatalog& catalog_;
  std::string relative_to_;
  std::vector<ParamSpec> builtin_;
  std::map<std::string, ParamSpec> specs_;  // full key -> spec
  std::vector<std::string> known_keys_;     // for did-you-mean
};

}  // namespace carbonbench::detail
