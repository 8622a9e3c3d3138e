#include "suites/suite_reader.h"

#include <algorithm>
#include <map>
#include <optional>

#include "suites/integer_setting.h"
#include "suites/search_reader.h"
#include "suites/setting_reader.h"
#include "suites/yaml_scalar.h"
#include "util/file_name.h"
#include "util/strings.h"

namespace carbonbench::detail {
namespace {

const std::vector<std::string>& TopLevelKeys() {
  static const std::vector<std::string> keys = {
      "suite",  "description", "dataset", "defaults",  "matrix",    "repetitions", "carbon",
      "meters", "sampler",     "limits",  "inference", "max_cells", "search"};
  return keys;
}

std::string LineOf(Loc loc) { return std::to_string(loc.line + 1); }

// --- suite, description, repetitions -------------------------------------

void ReadName(const YAML::Node& node, Loc key_loc, ErrorList& errors, SuiteDocument* doc) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    errors.Add(node.IsNull() ? key_loc : LocOf(node.Mark()),
               "'suite' must be a name such as 'quickstart'");
    return;
  }
  doc->name = node.Scalar();
  if (const std::string problem = FileStemProblem(doc->name); !problem.empty()) {
    const std::string shown = doc->name.size() > 40 ? doc->name.substr(0, 40) + "..." : doc->name;
    errors.Add(LocOf(node.Mark()), "suite name '" + shown + "' " + problem);
  }
}

void ReadDescription(const YAML::Node& node, ErrorList& errors, SuiteDocument* doc) {
  if (node.IsNull()) return;
  if (!node.IsScalar()) {
    errors.Add(LocOf(node.Mark()), "'description' must be text");
    return;
  }
  doc->description = node.Scalar();
}

// A scalar checked against `spec` and normalized to its type, or an error
// at the value; nullopt on error.
std::optional<ParamValue> ReadChecked(const YAML::Node& value, Loc value_loc, const ParamSpec& spec,
                                      ErrorList& errors) {
  const ParamValue parsed = value.IsScalar() ? ParseScalar(value) : ParamValue(std::string("?"));
  const std::string problem = spec.type == ParamType::kInt && value.IsScalar()
                                  ? CheckIntegerSetting(spec, value.Scalar(), parsed)
                                  : CheckParamValue(spec, parsed);
  if (!problem.empty()) {
    errors.Add(value_loc, problem);
    return std::nullopt;
  }
  return NormalizeForSpec(spec, parsed);
}

std::optional<double> ReadNumber(const YAML::Node& value, Loc value_loc, const ParamSpec& spec,
                                 ErrorList& errors) {
  const std::optional<ParamValue> checked = ReadChecked(value, value_loc, spec, errors);
  if (!checked) return std::nullopt;
  return std::get<double>(*checked);
}

std::optional<int> ReadInt(const YAML::Node& value, Loc value_loc, const ParamSpec& spec,
                           ErrorList& errors) {
  const std::optional<ParamValue> checked = ReadChecked(value, value_loc, spec, errors);
  if (!checked) return std::nullopt;
  return static_cast<int>(std::get<std::int64_t>(*checked));
}

void ReadRepetitions(const YAML::Node& node, Loc key_loc, ErrorList& errors, SuiteDocument* doc) {
  const ParamSpec& spec = RepetitionsSpec();
  if (!node.IsScalar()) {
    errors.Add(node.IsNull() ? key_loc : LocOf(node.Mark()),
               "repetitions must be an integer >= 1, e.g. 'repetitions: 3'");
    return;
  }
  doc->repetitions_loc = LocOf(node.Mark());
  if (auto repetitions = ReadInt(node, LocOf(node.Mark()), spec, errors))
    doc->repetitions = *repetitions;
}

void ReadMaxCells(const YAML::Node& node, Loc key_loc, ErrorList& errors, SuiteDocument* doc) {
  static const ParamSpec kSpec =
      IntParam("max_cells", kDefaultMaxCells, "", 1, static_cast<double>(kHardMaxCells));
  if (!node.IsScalar()) {
    errors.Add(node.IsNull() ? key_loc : LocOf(node.Mark()),
               "max_cells must be an integer from 1 to " + std::to_string(kHardMaxCells) +
                   ", e.g. 'max_cells: 10000'");
    return;
  }
  if (auto checked = ReadChecked(node, LocOf(node.Mark()), kSpec, errors))
    doc->max_cells = std::get<std::int64_t>(*checked);
}

// --- dataset, defaults -----------------------------------------------------

void ReadDataset(const YAML::Node& node, Loc key_loc, const SettingsSchema& schema,
                 ErrorList& errors, SuiteDocument* doc) {
  if (node.IsMap()) {
    ReadSettingMap(node, "dataset", schema, errors, &doc->dataset);
    return;
  }
  auto value = ReadSettingValue("dataset", key_loc, node, schema, errors);
  if (value) AddSetting("dataset", std::move(*value), &doc->dataset, errors);
}

void ReadDefaults(const YAML::Node& node, const SettingsSchema& schema, ErrorList& errors,
                  SuiteDocument* doc) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    errors.Add(LocOf(node.Mark()),
               "'defaults' must be a mapping of settings, e.g. "
               "'defaults: {epochs: 5, lr: 0.001}'");
    return;
  }
  ReadSettingMap(node, "", schema, errors, &doc->defaults);
}

// --- matrix ------------------------------------------------------------------

void ReadAxis(const SettingEntry& entry, const SettingsSchema& schema, ErrorList& errors,
              MatrixSpec* matrix) {
  for (const auto& axis : matrix->axes) {
    if (axis.key == entry.key) {
      errors.Add(entry.key_loc, "matrix axis '" + entry.key + "' is given twice (first at line " +
                                    LineOf(axis.loc) + "); keep one");
      return;
    }
  }
  const YAML::Node& list = entry.value;
  if (!list.IsSequence()) {
    errors.Add(list.IsNull() ? entry.key_loc : LocOf(list.Mark()),
               "matrix axis '" + entry.key + "' must be a list of values, e.g. '" + entry.key +
                   ": [a, b]'");
    return;
  }
  if (list.size() == 0) {
    errors.Add(LocOf(list.Mark()), "matrix axis '" + entry.key +
                                       "' is empty; give at least one value "
                                       "or remove the axis");
    return;
  }
  MatrixAxis axis{entry.key, entry.key_loc, {}};
  for (const auto& element : list) {
    auto value = ReadSettingValue(entry.key, entry.key_loc, element, schema, errors);
    if (!value) continue;
    const bool repeated =
        std::any_of(axis.values.begin(), axis.values.end(),
                    [&](const SettingValue& v) { return v.value == value->value; });
    if (repeated) {
      errors.Add(value->loc, "matrix axis '" + entry.key + "' lists " +
                                 DisplayValue(entry.key, value->value) +
                                 " twice; list each value once");
      continue;
    }
    axis.values.push_back(std::move(*value));
  }
  matrix->axes.push_back(std::move(axis));
}

void ReadEntries(const YAML::Node& node, const std::string& which, const SettingsSchema& schema,
                 ErrorList& errors, std::vector<MatrixEntry>* entries) {
  if (node.IsNull()) return;
  const std::string example = "e.g. '" + which + ": [{lr: 0.01}]'";
  if (!node.IsSequence()) {
    errors.Add(LocOf(node.Mark()), "matrix '" + which + "' must be a list of mappings, " + example);
    return;
  }
  for (const auto& element : node) {
    const Loc loc = LocOf(element.Mark());
    if (!element.IsMap() || element.size() == 0) {
      errors.Add(loc, "each '" + which +
                          "' entry must be a non-empty mapping "
                          "of settings, " +
                          example);
      continue;
    }
    MatrixEntry entry{loc, {}};
    ReadSettingMap(element, "", schema, errors, &entry.values);
    entries->push_back(std::move(entry));
  }
}

void ReadMatrix(const YAML::Node& node, Loc key_loc, const SettingsSchema& schema,
                ErrorList& errors, MatrixSpec* matrix) {
  static const std::vector<std::string> kReserved = {"include", "exclude"};
  matrix->present = true;
  matrix->loc = key_loc;
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    errors.Add(LocOf(node.Mark()),
               "'matrix' must be a mapping of axes, e.g. "
               "'matrix: {lr: [0.001, 0.01]}'");
    return;
  }
  for (const auto& entry : FlattenSettings(node, "", schema, kReserved, errors))
    ReadAxis(entry, schema, errors, matrix);
  for (const auto& item : node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
    if (key == "exclude") ReadEntries(item.second, key, schema, errors, &matrix->exclude);
    if (key == "include") ReadEntries(item.second, key, schema, errors, &matrix->include);
  }
}

// --- carbon, meters
// ------------------------------------------------------------

// Calls read(key, value, value_loc) for each entry of a mapping section, and
// reports keys outside `keys` with a did-you-mean.
template <typename ReadEntry>
void ReadSection(const YAML::Node& node, const std::string& section,
                 const std::vector<std::string>& keys, const std::string& example,
                 ErrorList& errors, ReadEntry read) {
  if (!node.IsMap()) {
    errors.Add(LocOf(node.Mark()), "'" + section + "' must be a mapping, e.g. '" + example + "'");
    return;
  }
  for (const auto& item : node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
    const YAML::Node& value = item.second;
    const Loc value_loc = value.IsNull() ? LocOf(item.first.Mark()) : LocOf(value.Mark());
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      read(key, value, value_loc);
      continue;
    }
    const std::string match = ClosestMatch(key, keys);
    errors.Add(LocOf(item.first.Mark()),
               "unknown " + section + " setting '" + key + "' (" +
                   (match.empty() ? "" : "did you mean '" + match + "'? ") + section + " takes " +
                   JoinStrings(keys, ", ") + ")");
  }
}

// A region code, or an error naming the accepted forms.
std::optional<std::string> ReadRegion(const YAML::Node& value, Loc value_loc,
                                      const std::string& what, ErrorList& errors) {
  if (value.IsScalar() && !value.Scalar().empty()) return value.Scalar();
  errors.Add(value_loc, what +
                            " must be a region code such as FR, USA, IN-TN, US-CA, "
                            "SE3 or gcp:europe-west1");
  return std::nullopt;
}

void ReadCarbon(const YAML::Node& node, ErrorList& errors, SuiteDocument* doc) {
  static const ParamSpec kPue = FloatParam("carbon.pue", 1.0, "", 1.0, 3.0);
  static const ParamSpec kIntensity =
      FloatParam("carbon.intensity_g_per_kwh", 0.0, "", 0.0, 5000.0);
  static const std::vector<std::string> kKeys = {"region", "pue", "intensity_g_per_kwh",
                                                 "intensity_csv", "compare_regions"};
  CarbonSettings& carbon = doc->carbon;
  ReadSection(node, "carbon", kKeys, "carbon: {region: FR, pue: 1.2}", errors,
              [&](const std::string& key, const YAML::Node& value, Loc value_loc) {
                if (key == "region") {
                  if (auto region = ReadRegion(value, value_loc, "carbon.region", errors))
                    carbon.region = *region;
                } else if (key == "pue") {
                  carbon.pue = ReadNumber(value, value_loc, kPue, errors);
                } else if (key == "intensity_g_per_kwh") {
                  carbon.intensity_g_per_kwh = ReadNumber(value, value_loc, kIntensity, errors);
                } else if (key == "intensity_csv") {
                  if (value.IsScalar() && !value.Scalar().empty()) {
                    carbon.intensity_csv = value.Scalar();
                  } else {
                    errors.Add(value_loc,
                               "carbon.intensity_csv must be the path of an hourly CSV "
                               "with the header 'timestamp,g_per_kwh'");
                  }
                } else if (key == "compare_regions") {
                  std::vector<YAML::Node> items;
                  if (value.IsSequence())
                    for (const auto& element : value) items.push_back(element);
                  if (items.empty()) {
                    errors.Add(value_loc,
                               "carbon.compare_regions must list region codes, e.g. "
                               "[FR, US-CA, gcp:europe-north1, aws:us-east-1]");
                  }
                  for (const auto& item : items) {
                    if (auto region = ReadRegion(item, LocOf(item.Mark()),
                                                 "each of carbon.compare_regions", errors))
                      carbon.compare_regions.push_back(*region);
                  }
                }
              });
}

void ReadSampler(const YAML::Node& node, ErrorList& errors, SuiteDocument* doc) {
  static const ParamSpec kInterval = IntParam("sampler.interval_ms", 100, "", 10, 60000);
  static const ParamSpec kIdle = FloatParam("sampler.idle_baseline_s", 0.0, "", 0.0, 3600.0);
  static const std::vector<std::string> kKeys = {"interval_ms", "idle_baseline_s"};
  ReadSection(node, "sampler", kKeys, "sampler: {interval_ms: 100, idle_baseline_s: 10}", errors,
              [&](const std::string& key, const YAML::Node& value, Loc value_loc) {
                if (key == "interval_ms") {
                  if (auto interval = ReadInt(value, value_loc, kInterval, errors))
                    doc->sampler.interval_ms = *interval;
                } else if (key == "idle_baseline_s") {
                  if (auto seconds = ReadNumber(value, value_loc, kIdle, errors))
                    doc->sampler.idle_baseline_s = *seconds;
                }
              });
}

void ReadLimits(const YAML::Node& node, ErrorList& errors, SuiteDocument* doc) {
  static const ParamSpec kTimeout =
      FloatParam("limits.cell_timeout_s", 86400.0, "", 1.0, 30.0 * 86400);
  static const ParamSpec kMemory = IntParam("limits.cell_memory_mb", 0, "", 0, 1 << 30);
  static const std::vector<std::string> kKeys = {"cell_timeout_s", "cell_memory_mb"};
  ReadSection(node, "limits", kKeys, "limits: {cell_timeout_s: 3600, cell_memory_mb: 8000}", errors,
              [&](const std::string& key, const YAML::Node& value, Loc value_loc) {
                if (key == "cell_timeout_s") {
                  if (auto seconds = ReadNumber(value, value_loc, kTimeout, errors))
                    doc->limits.cell_timeout_s = *seconds;
                } else if (key == "cell_memory_mb") {
                  if (auto checked = ReadChecked(value, value_loc, kMemory, errors))
                    doc->limits.cell_memory_mb = std::get<std::int64_t>(*checked);
                }
              });
}

void ReadInference(const YAML::Node& node, ErrorList& errors, SuiteDocument* doc) {
  static const ParamSpec kEnabled = BoolParam("inference.enabled", true, "");
  static const ParamSpec kBatch = IntParam("inference.batch_sizes", 1, "", 1, 1 << 20);
  static const ParamSpec kWarmup = IntParam("inference.warmup_iterations", 3, "", 0, 100000);
  static const ParamSpec kMinTime = FloatParam("inference.min_time_s", 0.5, "", 0.0, 3600.0);
  static const ParamSpec kMinIterations = IntParam("inference.min_iterations", 10, "", 1, 10000000);
  static const std::vector<std::string> kKeys = {"enabled", "batch_sizes", "warmup_iterations",
                                                 "min_time_s", "min_iterations"};
  InferenceSuiteSettings& inference = doc->inference;
  ReadSection(
      node, "inference", kKeys, "inference: {batch_sizes: [1, 64], min_time_s: 0.5}", errors,
      [&](const std::string& key, const YAML::Node& value, Loc value_loc) {
        if (key == "enabled") {
          if (auto checked = ReadChecked(value, value_loc, kEnabled, errors))
            inference.enabled = std::get<bool>(*checked);
        } else if (key == "batch_sizes") {
          std::vector<YAML::Node> items;
          if (value.IsScalar()) items.push_back(value);
          if (value.IsSequence())
            for (const auto& element : value) items.push_back(element);
          if (items.empty()) {
            errors.Add(value_loc, "inference.batch_sizes must list batch sizes, e.g. [1, 64]");
            return;
          }
          inference.batch_sizes.clear();
          for (const auto& item : items) {
            const Loc loc = LocOf(item.Mark());
            const auto checked = ReadChecked(item, loc, kBatch, errors);
            if (!checked) continue;
            const std::int64_t size = std::get<std::int64_t>(*checked);
            if (std::find(inference.batch_sizes.begin(), inference.batch_sizes.end(), size) !=
                inference.batch_sizes.end()) {
              errors.Add(loc, "inference.batch_sizes lists " + std::to_string(size) +
                                  " twice; list each once");
              continue;
            }
            inference.batch_sizes.push_back(size);
          }
        } else if (key == "warmup_iterations") {
          if (auto n = ReadInt(value, value_loc, kWarmup, errors)) inference.warmup_iterations = *n;
        } else if (key == "min_time_s") {
          if (auto seconds = ReadNumber(value, value_loc, kMinTime, errors))
            inference.min_time_s = *seconds;
        } else if (key == "min_iterations") {
          if (auto n = ReadInt(value, value_loc, kMinIterations, errors))
            inference.min_iterations = *n;
        }
      });
}

void ReadMeters(const YAML::Node& node, Loc key_loc, const SettingsSchema& schema,
                ErrorList& errors, SuiteDocument* doc) {
  doc->meters.clear();
  std::vector<YAML::Node> items;
  if (node.IsScalar()) items.push_back(node);  // "meters: x" means [x]
  if (node.IsSequence())
    for (const auto& element : node) items.push_back(element);
  if (items.empty()) {
    errors.Add(node.IsNull() ? key_loc : LocOf(node.Mark()),
               "'meters' must list at least one meter (" +
                   schema.KnownPluginsText(PluginKind::kMeter) + ")");
    return;
  }
  for (const auto& item : items) {
    const Loc loc = LocOf(item.Mark());
    const std::string name = item.IsScalar() ? item.Scalar() : "";
    std::string problem = schema.CheckPluginName(name, PluginKind::kMeter);
    if (problem.empty() &&
        std::find(doc->meters.begin(), doc->meters.end(), name) != doc->meters.end())
      problem = "meter '" + name + "' is listed twice; list it once";
    if (!problem.empty()) {
      errors.Add(loc, problem);
      continue;
    }
    doc->meters.push_back(name);
  }
}

// --- top level ---------------------------------------------------------------

std::string UnknownTopLevelMessage(const std::string& key, const SettingsSchema& schema) {
  const std::string head = "unknown top-level key '" + key + "'";
  const bool is_setting = schema.IsKnown(key) || schema.FindPlugin(key) != nullptr;
  if (is_setting) return head + "; settings go under 'defaults:' (or a 'matrix:' axis)";
  const std::string match = ClosestMatch(key, TopLevelKeys());
  if (!match.empty()) return head + " (did you mean '" + match + "'?)";
  return head + " (known keys: " + JoinStrings(TopLevelKeys(), ", ") + ")";
}

void ReadTopLevel(const std::string& key, Loc key_loc, const YAML::Node& value,
                  const SettingsSchema& schema, ErrorList& errors, SuiteDocument* doc) {
  if (key == "suite") return ReadName(value, key_loc, errors, doc);
  if (key == "description") return ReadDescription(value, errors, doc);
  if (key == "dataset") return ReadDataset(value, key_loc, schema, errors, doc);
  if (key == "defaults") return ReadDefaults(value, schema, errors, doc);
  if (key == "matrix") return ReadMatrix(value, key_loc, schema, errors, &doc->matrix);
  if (key == "repetitions") return ReadRepetitions(value, key_loc, errors, doc);
  if (key == "carbon") return ReadCarbon(value, errors, doc);
  if (key == "meters") return ReadMeters(value, key_loc, schema, errors, doc);
  if (key == "sampler") return ReadSampler(value, errors, doc);
  if (key == "limits") return ReadLimits(value, errors, doc);
  if (key == "inference") return ReadInference(value, errors, doc);
  if (key == "max_cells") return ReadMaxCells(value, key_loc, errors, doc);
  if (key == "search") return ReadSearch(value, key_loc, schema, errors, &doc->search);
  errors.Add(key_loc, UnknownTopLevelMessage(key, schema));
}

// Without a 'meters' list, the meters that declare themselves on by default.
void UseDefaultMeters(const SettingsSchema& schema, ErrorList& errors, SuiteDocument* doc) {
  doc->meters = DefaultMeters(schema.catalog());
  if (doc->meters.empty()) {
    errors.Add({},
               "no 'meters' are listed and no installed meter is on by default; add "
               "'meters: [...]' (" +
                   schema.KnownPluginsText(PluginKind::kMeter) + ")");
  }
}

}  // namespace

SuiteDocument ReadSuiteDocument(const YAML::Node& root, const SettingsSchema& schema,
                                ErrorList& errors) {
  SuiteDocument doc;
  if (!root.IsNull() && !root.IsMap()) {
    errors.Add(LocOf(root.Mark()),
               "a suite must be a YAML mapping with keys such as 'suite:', "
               "'defaults:' and 'matrix:'");
    return doc;
  }
  std::map<std::string, Loc> seen;
  if (root.IsMap()) {
    for (const auto& item : root) {
      const Loc key_loc = LocOf(item.first.Mark());
      const std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
      const auto [first, fresh] = seen.emplace(key, key_loc);
      if (!fresh) {
        errors.Add(key_loc, "key '" + key + "' is given twice (first at line " +
                                LineOf(first->second) + "); keep one");
        continue;
      }
      ReadTopLevel(key, key_loc, item.second, schema, errors, &doc);
    }
  }
  if (!seen.count("suite")) {
    errors.Add({},
               "missing required key 'suite'; add a line such as "
               "'suite: my_suite' (it names the result files)");
  }
  if (!seen.count("meters")) UseDefaultMeters(schema, errors, &doc);
  if (doc.search.present) CheckSearchAgainstSuite(doc, errors);
  return doc;
}

}  // namespace carbonbench::detail
