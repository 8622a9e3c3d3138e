#include "suites/cell_builder.h"

#include <map>
#include <set>
#include <utility>

#include "suites/config_hash.h"
#include "suites/setting_reader.h"
#include "util/text.h"

namespace carbonbench::suite_internal {
namespace {

using ValueMap = std::map<std::string, ParamValue>;

struct Candidate {
  Cell cell;
  // Everything the suite set for this cell, including parameters of plugins
  // the cell does not use: two candidates equal here are a real repetition.
  ValueMap given;
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

Candidate MakeCandidate(const SuiteDocument& doc, const Combination& combination,
                        const SettingsSchema& schema, ErrorList& errors) {
  SettingMap given = doc.dataset;
  for (const auto& [key, value] : doc.defaults) given[key] = value;
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
  plugins.insert(plugins.end(), doc.meters.begin(), doc.meters.end());
  for (const auto& plugin : plugins)
    FillFromSpecs(schema.PluginSpecs(plugin), given, &cell.settings);

  candidate.given = cell.settings;
  for (const auto& [key, value] : given) candidate.given[key] = value.value;
  return candidate;
}

// Matrix keys whose value is not the same in every cell, sorted.
std::vector<std::string> VaryingKeys(const std::vector<Candidate>& candidates,
                                     const std::set<std::string>& matrix_keys) {
  std::vector<std::string> varying;
  for (const auto& key : matrix_keys) {
    if (key == kModelKey || key == kOptimizationsKey) continue;
    std::set<ParamValue> values;
    for (const auto& candidate : candidates) {
      const auto it = candidate.cell.settings.find(key);
      if (it != candidate.cell.settings.end()) values.insert(it->second);
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
  std::map<std::string, std::vector<std::size_t>> by_model;
  for (std::size_t i = 0; i < candidates->size(); ++i)
    by_model[std::get<std::string>((*candidates)[i].cell.settings.at(kModelKey))].push_back(i);
  for (const auto& [model, members] : by_model) {
    std::vector<Candidate> group;
    for (std::size_t i : members) group.push_back((*candidates)[i]);
    const auto varying = VaryingKeys(group, matrix_keys);
    for (std::size_t i : members)
      (*candidates)[i].cell.name = CellName((*candidates)[i].cell, varying);
  }
}

// Keeps the first of each distinct cell. A repeated combination is an error;
// candidates that only differ in parameters of plugins they do not run (the
// baseline crossed with stopper.patience) are one cell, kept once.
std::vector<Cell> Deduplicate(std::vector<Candidate> candidates, ErrorList& errors) {
  std::map<ValueMap, Loc> seen_given;
  std::set<std::pair<ValueMap, std::vector<std::string>>> seen_cells;
  std::vector<Cell> cells;
  for (auto& candidate : candidates) {
    const auto [first, fresh] = seen_given.emplace(candidate.given, candidate.origin);
    if (!fresh) {
      errors.Add(candidate.origin, "cell '" + candidate.cell.name +
                                       "' is defined twice (same settings as the one from line " +
                                       std::to_string(first->second.line + 1) +
                                       "); remove the repeated entry");
      continue;
    }
    const auto key = std::make_pair(candidate.cell.settings, candidate.cell.optimizations);
    if (seen_cells.insert(key).second) cells.push_back(std::move(candidate.cell));
  }
  return cells;
}

void HashCells(const SuiteDocument& doc, const SettingsSchema& schema, std::vector<Cell>* cells) {
  const std::map<std::string, ParamValue> added_later = schema.ParamsAddedLater();
  for (auto& cell : *cells) {
    cell.config_json =
        CanonicalConfigJson(cell.settings, cell.optimizations, doc.carbon, doc.meters, added_later);
    cell.config_hash = Fnv1a64Hex(cell.config_json);
  }
}

}  // namespace

std::vector<Cell> BuildCells(const SuiteDocument& doc, const std::vector<Combination>& combinations,
                             const SettingsSchema& schema, ErrorList& errors) {
  std::vector<Candidate> candidates;
  for (const auto& combination : combinations)
    candidates.push_back(MakeCandidate(doc, combination, schema, errors));
  NameCells(MatrixKeys(doc.matrix), &candidates);
  std::vector<Cell> cells = Deduplicate(std::move(candidates), errors);
  HashCells(doc, schema, &cells);
  return cells;
}

}  // namespace carbonbench::suite_internal
