// Reading settings from YAML maps: flattening nested plugin maps into dotted
// keys, checking each key against the schema and each value against its spec.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "suites/settings_schema.h"
#include "suites/suite_document.h"
#include "suites/suite_errors.h"

namespace carbonbench::suite_internal {

// A known setting key (dotted, flattened) and its still unread value node.
struct SettingEntry {
  std::string key;
  Loc key_loc;
  YAML::Node value;
};

// Flattens `map` ("stopper: {patience: 2}" -> "stopper.patience",
// "dataset: {name: x}" -> "dataset"), reporting unknown keys. Top-level keys
// named in `reserved` are skipped (the caller reads them) and suggested in
// did-you-mean hints.
std::vector<SettingEntry> FlattenSettings(const YAML::Node& map, const std::string& prefix,
                                          const SettingsSchema& schema,
                                          const std::vector<std::string>& reserved,
                                          ErrorList& errors);

// Parses and checks one value of a known key; nullopt after recording why not.
std::optional<SettingValue> ReadSettingValue(const std::string& key, Loc key_loc,
                                             const YAML::Node& value, const SettingsSchema& schema,
                                             ErrorList& errors);

// Adds `value` unless `key` is already set there (nested and dotted spellings
// of one key, or 'dataset' given twice), which is reported instead.
void AddSetting(const std::string& key, SettingValue value, SettingMap* map, ErrorList& errors);

// FlattenSettings + ReadSettingValue + AddSetting over a whole map.
void ReadSettingMap(const YAML::Node& map, const std::string& prefix, const SettingsSchema& schema,
                    ErrorList& errors, SettingMap* into);

// How a value reads in messages and cell names ("none" for no optimizations).
std::string DisplayValue(const std::string& key, const ParamValue& value);

}  // namespace carbonbench::suite_internal
