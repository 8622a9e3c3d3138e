#include "suites/cell_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "suites/config_hash.h"
#include "suites/setting_reader.h"
#include "util/strings.h"

namespace carbonbench::detail {
namespace {

using ValueMap = std::map<std::string, ParamValue>;

struct Candidate {
  Cell cell;
  // What the suite set for this cell beyond cell.settings: parameters of
  // plugins the cell does not run, and its optimization list. With the
  // settings (one-to-one with config_json) it is everything the suite said:
  // two candidates equal in both are a repeated entry. Kept apart so no cell
  // carries a second copy of its settings.
  ValueMap extra;
  Loc origin;
};

void FillFromSpecs(const std::vector<ParamSpec>& specs, const SettingMap& given,
                   ValueMap* settings) {
  for (const auto& spec : specs) {
    const auto it = given.find(spec.name);
    ParamValue value = it != given.end() ? it->second.value : spec.default_value;
    (*settings)[spec.name] = NormalizeForSpec(spec, std::move(value));
  }
}

// The default model is only checked when a cell relies on it: a suite that
// names its model everywhere need not have the default installed.
void CheckDefaultModel(const SettingMap& given, const Cell& cell, const SettingsSchema& schema,
                       ErrorList& errors) {
  if (given.count(kModelKey)) return;
  const std::string& model = std::get<std::string>(cell.settings.at(kModelKey));
  if (model.empty()) {
    errors.Add({},
               "no 'model' is set and no installed model is the default; set 'model' "
               "under 'defaults:' (" +
                   schema.KnownPluginsText(PluginKind::kModel) + ")");
    return;
  }
  if (schema.CheckPluginName(model, PluginKind::kModel).empty()) return;
  errors.Add({}, "no 'model' is set and the default model '" + model +
                     "' is not installed; set 'model' under 'defaults:' (" +
                     schema.KnownPluginsText(PluginKind::kModel) + ")");
}

// Specs are looked up once per plugin, not once per cell.
class SpecCache {
 public:
  explicit SpecCache(const SettingsSchema& schema) : schema_(schema) {}
  const std::vector<ParamSpec>& Of(const std::string& plugin) {
    auto it = specs_.find(plugin);
    if (it == specs_.end()) it = specs_.emplace(plugin, schema_.PluginSpecs(plugin)).first;
    return it->second;
  }

 private:
  const SettingsSchema& schema_;
  std::map<std::string, std::vector<ParamSpec>> specs_;
};

Candidate MakeCandidate(const SettingMap& base, const Combination& combination,
                        const std::vector<std::string>& meters, const SettingsSchema& schema,
                        SpecCache& plugin_specs, ErrorList& errors) {
  SettingMap given = base;
  for (const auto& [key, value] : combination.values) given[key] = value;

  Candidate candidate;
  candidate.origin = combination.origin;
  Cell& cell = candidate.cell;
  FillFromSpecs(schema.BuiltinSpecs(), given, &cell.settings);
  CheckDefaultModel(given, cell, schema, errors);
  const auto opts = given.find(kOptimizationsKey);
  if (opts != given.end())
    cell.optimizations = SplitOptimizations(std::get<std::string>(opts->second.value));

  // Only the plugins this cell runs contribute parameters, so a baseline
  // cell's hash does not change when a stopping rule's patience is tuned.
  std::vector<std::string> plugins = {std::get<std::string>(cell.settings.at(kModelKey))};
  plugins.insert(plugins.end(), cell.optimizations.begin(), cell.optimizations.end());
  plugins.insert(plugins.end(), meters.begin(), meters.end());
  for (const auto& plugin : plugins) FillFromSpecs(plugin_specs.Of(plugin), given, &cell.settings);

  // Given values are already normalized, so a key the cell holds holds
  // the given value: only the others need keeping.
  for (const auto& [key, value] : given)
    if (!cell.settings.count(key)) candidate.extra.emplace(key, value.value);
  return candidate;
}

// Matrix keys whose value is not the same in every cell, sorted.
std::vector<std::string> VaryingKeys(const std::vector<const Candidate*>& candidates,
                                     const std::set<std::string>& matrix_keys) {
  std::vector<std::string> varying;
  for (const auto& key : matrix_keys) {
    if (key == kModelKey || key == kOptimizationsKey) continue;
    std::set<ParamValue> values;
    for (const Candidate* candidate : candidates) {
      const auto it = candidate->cell.settings.find(key);
      if (it != candidate->cell.settings.end()) values.insert(it->second);
      if (values.size() > 1) break;
    }
    if (values.size() > 1) varying.push_back(key);
  }
  return varying;
}

std::string CellName(const Cell& cell, const std::vector<std::string>& varying) {
  std::string name =
      std::get<std::string>(cell.settings.at(kModelKey)) + "/" +
      (cell.optimizations.empty() ? "baseline" : JoinStrings(cell.optimizations, "+"));
  for (const auto& key : varying) {
    const auto it = cell.settings.find(key);
    // Parameters of a plugin this cell does not run say nothing about it.
    if (it != cell.settings.end()) name += "/" + key + "=" + FormatParamValue(it->second);
  }
  return name;
}

// A cell is named by its model and optimizations, plus the matrix values
// that vary among the cells of its model: a suite that adds other models
// with settings of their own (another dataset, fewer epochs) does not
// lengthen every name in it.
void NameCells(const std::set<std::string>& matrix_keys, std::vector<Candidate>* candidates) {
  std::map<std::string, std::vector<const Candidate*>> by_model;
  for (const Candidate& candidate : *candidates)
    by_model[std::get<std::string>(candidate.cell.settings.at(kModelKey))].push_back(&candidate);
  std::map<std::string, std::vector<std::string>> varying;
  for (const auto& [model, members] : by_model) varying[model] = VaryingKeys(members, matrix_keys);
  for (Candidate& candidate : *candidates) {
    const auto& model = std::get<std::string>(candidate.cell.settings.at(kModelKey));
    candidate.cell.name = CellName(candidate.cell, varying.at(model));
  }
}

void HashCells(const SuiteDocument& doc, const SettingsSchema& schema,
               std::vector<Candidate>* candidates) {
  const std::map<std::string, ParamValue> added_later = schema.ParamsAddedLater();
  for (auto& candidate : *candidates) {
    Cell& cell = candidate.cell;
    cell.config_json =
        CanonicalConfigJson(cell.settings, cell.optimizations, doc.carbon, doc.meters, added_later);
    cell.config_hash = Fnv1a64Hex(cell.config_json);
  }
}

// Keeps the first of each distinct cell. A repeated combination is an error;
// candidates that only differ in parameters of plugins they do not run (the
// baseline crossed with stopper.patience) are one cell, kept once. Cells are
// compared by their canonical JSON (one-to-one with their settings and
// optimizations), viewed in place rather than copied.
std::vector<Cell> Deduplicate(std::vector<Candidate> candidates, ErrorList& errors) {
  std::unordered_map<std::string_view, std::vector<std::size_t>> seen;
  seen.reserve(candidates.size());
  std::vector<bool> kept(candidates.size(), false);
  std::size_t kept_count = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i];
    std::vector<std::size_t>& same_cell = seen[candidate.cell.config_json];
    const auto repeated = std::find_if(same_cell.begin(), same_cell.end(), [&](std::size_t j) {
      return candidates[j].extra == candidate.extra;
    });
    if (repeated != same_cell.end()) {
      errors.Add(candidate.origin, "cell '" + candidate.cell.name +
                                       "' is defined twice (same settings as the one from line " +
                                       std::to_string(candidates[*repeated].origin.line + 1) +
                                       "); remove the repeated entry");
      continue;
    }
    if (same_cell.empty()) {
      kept[i] = true;
      ++kept_count;
    }
    same_cell.push_back(i);
  }
  seen.clear();  // its views point into the candidates, moved from next
  std::vector<Cell> cells;
  cells.reserve(kept_count);
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (kept[i]) cells.push_back(std::move(candidates[i].cell));
  return cells;
}

}  // namespace

std::vector<Cell> BuildCells(const SuiteDocument& doc, const std::vector<Combination>& combinations,
                             const SettingsSchema& schema, ErrorList& errors) {
  SettingMap base = doc.dataset;
  for (const auto& [key, value] : doc.defaults) base[key] = value;
  SpecCache plugin_specs(schema);
  std::vector<Candidate> candidates;
  candidates.reserve(combinations.size());
  for (const auto& combination : combinations)
    candidates.push_back(
        MakeCandidate(base, combination, doc.meters, schema, plugin_specs, errors));
  NameCells(MatrixKeys(doc.matrix), &candidates);
  HashCells(doc, schema, &candidates);
  return Deduplicate(std::move(candidates), errors);
}

}  // namespace carbonbench::detail
