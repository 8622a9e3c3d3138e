#include "suites/setting_reader.h"

#include <algorithm>
#include <utility>

#include "suites/code_file_setting.h"
#include "suites/integer_setting.h"
#include "suites/yaml_scalar.h"
#include "util/file_name.h"
#include "util/strings.h"

namespace carbonbench::detail {
namespace {

constexpr char kDatasetKey[] = "dataset";

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

const char* ShapeName(const YAML::Node& node) {
  if (node.IsSequence()) return "list";
  if (node.IsMap()) return "mapping";
  return "value";
}

void FlattenInto(const YAML::Node& map, const std::string& prefix, const SettingsSchema& schema,
                 const std::vector<std::string>& reserved, ErrorList& errors,
                 std::vector<SettingEntry>* out) {
  for (const auto& item : map) {
    const Loc key_loc = LocOf(item.first.Mark());
    if (!item.first.IsScalar()) {
      errors.Add(key_loc,
                 "a setting name must be plain text, not a " + std::string(ShapeName(item.first)));
      continue;
    }
    const std::string& name = item.first.Scalar();
    if (prefix.empty() && Contains(reserved, name)) continue;
    std::string key = prefix.empty() ? name : prefix + "." + name;
    // The dataset map spells its name as "name"; the setting is "dataset".
    if (key == "dataset.name") key = kDatasetKey;
    // A map under a plugin name holds that plugin's parameters; 'dataset'
    // is both a value (its name) and a map of dataset settings.
    const bool nested = item.second.IsMap() && (key == kDatasetKey || !schema.IsKnown(key));
    if (nested) {
      FlattenInto(item.second, key, schema, {}, errors, out);
    } else if (!schema.IsKnown(key)) {
      errors.Add(key_loc, schema.UnknownKeyMessage(
                              key, prefix.empty() ? reserved : std::vector<std::string>{}));
    } else {
      out->push_back({key, key_loc, item.second});
    }
  }
}

// Gathers (name, where) pairs from "a+b", "none", [a, b] or [].
bool CollectOptimizationNames(const YAML::Node& node, ErrorList& errors,
                              std::vector<std::pair<std::string, Loc>>* names) {
  const Loc loc = LocOf(node.Mark());
  const std::string usage =
      " (write a list of optimization names such as [a, b], 'none', or "
      "names joined by '+')";
  if (node.IsScalar()) {
    const bool is_text = std::holds_alternative<std::string>(ParseScalar(node));
    if (!is_text) {
      errors.Add(
          loc, "optimizations must name optimization plugins, got '" + node.Scalar() + "'" + usage);
      return false;
    }
    if (node.Scalar() == "none") return true;
    for (auto& name : SplitOptimizations(node.Scalar())) names->emplace_back(std::move(name), loc);
    return true;
  }
  if (!node.IsSequence()) {
    errors.Add(loc, std::string("optimizations must be a list, not a ") + ShapeName(node) + usage);
    return false;
  }
  // [none] reads like 'none'; accept it rather than call 'none' unknown.
  if (node.size() == 1 && node[0].IsScalar() && node[0].Scalar() == "none") return true;
  bool ok = true;
  for (const auto& element : node) {
    if (!element.IsScalar()) {
      errors.Add(LocOf(element.Mark()),
                 std::string("each optimization must be a plugin name, not a ") +
                     ShapeName(element) + usage);
      ok = false;
      continue;
    }
    for (auto& name : SplitOptimizations(element.Scalar()))
      names->emplace_back(std::move(name), LocOf(element.Mark()));
  }
  return ok;
}

std::optional<SettingValue> ReadOptimizations(Loc key_loc, const YAML::Node& node,
                                              const SettingsSchema& schema, ErrorList& errors) {
  std::vector<std::pair<std::string, Loc>> found;
  bool ok = CollectOptimizationNames(node, errors, &found);
  std::vector<std::string> names;
  for (const auto& [name, loc] : found) {
    const std::string problem = name.empty()
                                    ? "empty optimization name; remove the extra '+'"
                                    : schema.CheckPluginName(name, PluginKind::kOptimization);
    if (!problem.empty()) {
      errors.Add(loc, problem);
      ok = false;
    }
    names.push_back(name);
  }
  const Loc loc = LocOf(node.Mark());
  for (const auto& problem : schema.CheckOptimizationSet(names)) {
    errors.Add(loc, problem);
    ok = false;
  }
  if (!ok) return std::nullopt;
  return SettingValue{JoinOptimizations(names), loc, key_loc};
}

constexpr char kCategoriesKey[] = "dataset.categories";

// Each category names a file in the dataset's folder, so it is held to the
// same rule as every name that becomes a file name: one plain component.
std::string CategoriesProblem(const std::string& categories) {
  for (const std::string& part : SplitString(categories, ',')) {
    const std::string name = Trim(part);
    if (name.empty()) continue;
    if (const std::string problem =
            FileStemProblem(name, "it names a file in the dataset's folder");
        !problem.empty()) {
      const std::string shown = name.size() > 40 ? name.substr(0, 40) + "..." : name;
      return "dataset.categories: category '" + shown + "' " + problem;
    }
  }
  return "";
}

// A quoted "5" is text; saying so spares the user a puzzling "got '5'".
std::string QuoteHint(const YAML::Node& node) {
  if (!IsQuoted(node)) return "";
  if (std::holds_alternative<std::string>(ParseScalarText(node.Scalar()))) return "";
  return " (it is quoted, so it is text; remove the quotes)";
}

}  // namespace

std::vector<SettingEntry> FlattenSettings(const YAML::Node& map, const std::string& prefix,
                                          const SettingsSchema& schema,
                                          const std::vector<std::string>& reserved,
                                          ErrorList& errors) {
  std::vector<SettingEntry> entries;
  FlattenInto(map, prefix, schema, reserved, errors, &entries);
  return entries;
}

std::optional<SettingValue> ReadSettingValue(const std::string& key, Loc key_loc,
                                             const YAML::Node& node, const SettingsSchema& schema,
                                             ErrorList& errors) {
  // yaml-cpp places an empty value on the next line; the key is clearer.
  if (!node.IsDefined() || node.IsNull()) {
    errors.Add(key_loc, "setting '" + key +
                            "' has no value; give one or "
                            "remove the key");
    return std::nullopt;
  }
  if (key == kOptimizationsKey) return ReadOptimizations(key_loc, node, schema, errors);
  const Loc loc = LocOf(node.Mark());
  if (!node.IsScalar()) {
    errors.Add(loc, "setting '" + key + "' takes a single value, not a " + ShapeName(node));
    return std::nullopt;
  }
  const ParamSpec& spec = *schema.Find(key);
  ParamValue value = ParseScalar(node);
  std::string problem = spec.type == ParamType::kInt
                            ? CheckIntegerSetting(spec, node.Scalar(), value)
                            : CheckParamValue(spec, value);
  if (problem.empty() && key == kModelKey)
    problem = schema.CheckPluginName(std::get<std::string>(value), PluginKind::kModel);
  if (problem.empty() && key == kCategoriesKey)
    problem = CategoriesProblem(std::get<std::string>(value));
  if (problem.empty() && spec.path == ParamPath::kCodeFile &&
      !std::get<std::string>(value).empty()) {
    std::string resolved;
    problem = ResolveCodeFile(key, std::get<std::string>(value), schema.relative_to(), &resolved);
    value = resolved;
  }
  if (!problem.empty()) {
    errors.Add(loc, problem + QuoteHint(node));
    return std::nullopt;
  }
  return SettingValue{NormalizeForSpec(spec, std::move(value)), loc, key_loc};
}

void AddSetting(const std::string& key, SettingValue value, SettingMap* map, ErrorList& errors) {
  const auto [it, inserted] = map->emplace(key, value);
  if (inserted) return;
  errors.Add(value.key_loc, "setting '" + key + "' is given twice (first at line " +
                                std::to_string(it->second.key_loc.line + 1) + "); keep one");
}

void ReadSettingMap(const YAML::Node& map, const std::string& prefix, const SettingsSchema& schema,
                    ErrorList& errors, SettingMap* into) {
  for (const auto& entry : FlattenSettings(map, prefix, schema, {}, errors)) {
    auto value = ReadSettingValue(entry.key, entry.key_loc, entry.value, schema, errors);
    if (value) AddSetting(entry.key, std::move(*value), into, errors);
  }
}

std::string DisplayValue(const std::string& key, const ParamValue& value) {
  if (key == kOptimizationsKey && std::get<std::string>(value).empty()) return "none";
  return FormatParamValue(value);
}

}  // namespace carbonbench::detail
