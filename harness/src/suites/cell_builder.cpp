#include "suites/cell_builder.h"

#include <filesystem>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "suites/code_file_setting.h"
#include "suites/config_hash.h"
#include "suites/setting_reader.h"
#include "util/strings.h"

namespace carbonbench::detail {
namespace {

using ValueMap = std::map<std::string, ParamValue>;

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

const char* FeatureText(ModelFeature feature) {
  switch (feature) {
    case ModelFeature::kRepeatedBlocks:
      return "repeated blocks declared in the model's code";
    case ModelFeature::kPrunableLayers:
      return "channel structure (prunable layers) declared in the model's code";
    case ModelFeature::kQuantizableLinear:
      return "linear layers built as QuantizableLinear";
  }
  return "a feature";
}

// An optimization that needs structure the cell's model says it can never
// declare (a model loaded from a file) is refused here, naming both, rather
// than failing the cell once it runs.
void CheckModelFeatures(const Cell& cell, const CellFactory::Candidate& candidate,
                        const SettingsSchema& schema, ErrorList& errors) {
  const std::string& model_name = std::get<std::string>(cell.settings.at(kModelKey));
  const PluginCatalogEntry* model = schema.FindPlugin(model_name);
  if (model == nullptr || model->missing_features.empty()) return;
  for (const std::string& name : cell.optimizations) {
    const PluginCatalogEntry* optimization = schema.FindPlugin(name);
    if (optimization == nullptr) continue;
    for (const FeatureNeed& need : optimization->declaration.needs) {
      if (!need.when_param.empty()) {
        const auto it = cell.settings.find(name + "." + need.when_param);
        if (it == cell.settings.end() || FormatParamValue(it->second) != need.when_value) continue;
      }
      for (const MissingFeature& missing : model->missing_features) {
        if (missing.feature != need.feature) continue;
        const std::string when =
            need.when_param.empty() ? "" : " with " + need.when_param + " " + need.when_value;
        errors.Add(candidate.origin, "optimization '" + name + "'" + when + " needs " +
                                         FeatureText(need.feature) + ", and model '" + model_name +
                                         "' has none: " + missing.why + "; leave '" + name +
                                         "' out of its cells");
      }
    }
  }
}

SettingMap BaseSettings(const SuiteDocument& doc) {
  SettingMap base = doc.dataset;
  for (const auto& [key, value] : doc.defaults) base[key] = value;
  return base;
}

const std::string& ModelOf(const Cell& cell) {
  return std::get<std::string>(cell.settings.at(kModelKey));
}

std::string CellName(const Cell& cell, const std::vector<std::string>& varying,
                     const SettingsSchema& schema) {
  std::string name =
      ModelOf(cell) + "/" +
      (cell.optimizations.empty() ? "baseline" : JoinStrings(cell.optimizations, "+"));
  for (const auto& key : varying) {
    const auto it = cell.settings.find(key);
    // Parameters of a plugin this cell does not run say nothing about it.
    if (it == cell.settings.end()) continue;
    std::string value = FormatParamValue(it->second);
    // A code file is stored absolute; its name tells the cells apart.
    if (const ParamSpec* spec = schema.Find(key); spec && spec->path != ParamPath::kNone) {
      value = std::filesystem::path(value).filename().string();
    }
    name += "/" + key + "=" + value;
  }
  return name;
}

// Matrix keys whose value is not the same in every cell of a model, seen one
// cell at a time. A cell is named by its model and optimizations, plus these:
// a suite that adds other models with settings of their own (another dataset,
// fewer epochs) does not lengthen every name in it.
class VaryingKeys {
 public:
  explicit VaryingKeys(std::set<std::string> matrix_keys) : matrix_keys_(std::move(matrix_keys)) {
    matrix_keys_.erase(kModelKey);
    matrix_keys_.erase(kOptimizationsKey);
  }

  void See(const Cell& cell) {
    auto& seen = by_model_[ModelOf(cell)];
    for (const auto& key : matrix_keys_) {
      const auto it = cell.settings.find(key);
      if (it == cell.settings.end()) continue;
      auto [first, inserted] = seen.try_emplace(key, Seen{it->second, false});
      if (!inserted && !(first->second.value == it->second)) first->second.varies = true;
    }
  }

  // Sorted, as the matrix keys are.
  std::map<std::string, std::vector<std::string>> ByModel() const {
    std::map<std::string, std::vector<std::string>> varying;
    for (const auto& [model, seen] : by_model_) {
      auto& keys = varying[model];
      for (const auto& [key, state] : seen)
        if (state.varies) keys.push_back(key);
    }
    return varying;
  }

 private:
  struct Seen {
    ParamValue value;
    bool varies = false;
  };
  std::set<std::string> matrix_keys_;
  std::map<std::string, std::map<std::string, Seen>> by_model_;
};

std::uint64_t HashOf(const ValueMap& values) {
  std::uint64_t hash = Fnv1a64("");
  for (const auto& [key, value] : values) {
    hash = Fnv1a64(key, hash);
    hash = Fnv1a64(std::string(1, static_cast<char>(value.index())) + FormatParamValue(value) +
                       std::string(1, '\0'),
                   hash);
  }
  return hash;
}

// Each combination's cell is compared with the earlier ones by digests of its
// config JSON and extra settings; a digest that matches is confirmed by
// making the earlier cell again, so only equal (or colliding) cells cost a
// second make, and nothing of a cell is held but its digests.
class Deduplicator {
 public:
  Deduplicator(const CellFactory& factory, std::size_t count) : factory_(factory) {
    seen_.reserve(count);
  }

  enum class Verdict { kNew, kSameCell, kRepeated };
  // `repeated_from`: for kRepeated, the earlier combination it repeats.
  Verdict See(std::size_t position, const CellFactory::Candidate& candidate,
              std::size_t* repeated_from) {
    const std::uint64_t json_hash = Fnv1a64(candidate.cell.config_json);
    const std::uint64_t extra_hash = HashOf(candidate.extra);
    std::vector<Seen>& same_hash = seen_[json_hash];
    bool same_cell = false;
    for (const Seen& earlier : same_hash) {
      const bool may_repeat = earlier.extra_hash == extra_hash;
      if (same_cell && !may_repeat) continue;
      const CellFactory::Candidate other = Remake(earlier.position);
      if (other.cell.config_json != candidate.cell.config_json) continue;
      same_cell = true;
      if (may_repeat && other.extra == candidate.extra) {
        *repeated_from = earlier.position;
        return Verdict::kRepeated;
      }
    }
    same_hash.push_back({static_cast<std::uint32_t>(position), extra_hash});
    return same_cell ? Verdict::kSameCell : Verdict::kNew;
  }

 private:
  struct Seen {
    std::uint32_t position;
    std::uint64_t extra_hash;
  };
  CellFactory::Candidate Remake(std::size_t position) const {
    ErrorList reported_already("", false);
    return factory_.MakeCandidate(position, reported_already);
  }

  const CellFactory& factory_;
  std::unordered_map<std::uint64_t, std::vector<Seen>> seen_;
};

}  // namespace

CellFactory::CellFactory(const SuiteDocument& doc, const PluginCatalog& catalog, ErrorList& errors)
    : catalog_(catalog),
      schema_(catalog_),
      combinations_(doc.matrix, errors),
      base_(BaseSettings(doc)),
      meters_(doc.meters),
      carbon_(doc.carbon),
      added_later_(schema_.ParamsAddedLater()) {
  // Specs are looked up once per plugin, not once per cell.
  for (const auto& entry : catalog_)
    plugin_specs_.emplace(entry.name, schema_.PluginSpecs(entry.name));
}

const std::vector<ParamSpec>& CellFactory::PluginSpecs(const std::string& plugin) const {
  static const std::vector<ParamSpec> none;
  const auto it = plugin_specs_.find(plugin);
  // A plugin not installed has no parameters; the reader reported it.
  return it != plugin_specs_.end() ? it->second : none;
}

CellFactory::Candidate CellFactory::MakeCandidate(std::size_t position, ErrorList& errors) const {
  return MakeCandidateFrom(combinations_.At(position), errors);
}

CellFactory::Candidate CellFactory::MakeCandidateFrom(const Combination& combination,
                                                      ErrorList& errors) const {
  SettingMap given = base_;
  for (const auto& [key, value] : combination.values) given[key] = value;

  Candidate candidate;
  candidate.origin = combination.origin;
  Cell& cell = candidate.cell;
  FillFromSpecs(schema_.BuiltinSpecs(), given, &cell.settings);
  CheckDefaultModel(given, cell, schema_, errors);
  const auto opts = given.find(kOptimizationsKey);
  if (opts != given.end())
    cell.optimizations = SplitOptimizations(std::get<std::string>(opts->second.value));

  // Only the plugins this cell runs contribute parameters, so a baseline
  // cell's hash does not change when a stopping rule's patience is tuned.
  std::vector<std::string> plugins = {ModelOf(cell)};
  plugins.insert(plugins.end(), cell.optimizations.begin(), cell.optimizations.end());
  plugins.insert(plugins.end(), meters_.begin(), meters_.end());
  for (const auto& plugin : plugins) FillFromSpecs(PluginSpecs(plugin), given, &cell.settings);

  // Given values are already normalized, so a key the cell holds holds
  // the given value: only the others need keeping.
  for (const auto& [key, value] : given)
    if (!cell.settings.count(key)) candidate.extra.emplace(key, value.value);

  CheckModelFeatures(cell, candidate, schema_, errors);

  cell.config_json = CanonicalConfigJson(cell.settings, cell.optimizations, carbon_, meters_,
                                         added_later_, CodeFileDigests(cell));
  cell.config_hash = Fnv1a64Hex(cell.config_json);
  return candidate;
}

std::map<std::string, std::string> CellFactory::CodeFileDigests(const Cell& cell) const {
  std::map<std::string, std::string> digests;
  for (const auto& [key, value] : cell.settings) {
    const ParamSpec* spec = schema_.Find(key);
    const auto* path = std::get_if<std::string>(&value);
    if (spec == nullptr || spec->path != ParamPath::kCodeFile || path == nullptr || path->empty())
      continue;
    const std::lock_guard<std::mutex> lock(digest_mutex_);
    auto found = digests_.find(*path);
    if (found == digests_.end()) found = digests_.emplace(*path, CodeFileDigest(*path)).first;
    digests.emplace(key, found->second);
  }
  return digests;
}

void CellFactory::Name(Cell* cell) const {
  static const std::vector<std::string> none;
  const auto it = varying_.find(ModelOf(*cell));
  cell->name = CellName(*cell, it != varying_.end() ? it->second : none, schema_);
}

void CellFactory::NameByKeys(Cell* cell, const std::vector<std::string>& keys) const {
  std::vector<std::string> named;
  for (const auto& key : keys)
    if (key != kModelKey && key != kOptimizationsKey) named.push_back(key);
  cell->name = CellName(*cell, named, schema_);
}

Cell CellFactory::Make(std::size_t position) const {
  ErrorList reported_already("", false);
  Cell cell = MakeCandidate(position, reported_already).cell;
  Name(&cell);
  return cell;
}

CellMatrix BuildCellMatrix(const SuiteDocument& doc, const PluginCatalog& catalog,
                           ErrorList& errors) {
  auto factory = std::make_shared<CellFactory>(doc, catalog, errors);
  const std::size_t count = factory->combination_count();
  VaryingKeys varying(MatrixKeys(doc.matrix));
  Deduplicator deduplicator(*factory, count);
  std::vector<std::uint32_t> kept;
  std::vector<std::pair<std::size_t, std::size_t>> repeated;  // (combination, the one it repeats)
  for (std::size_t position = 0; position < count; ++position) {
    const CellFactory::Candidate candidate = factory->MakeCandidate(position, errors);
    varying.See(candidate.cell);
    std::size_t repeated_from = 0;
    switch (deduplicator.See(position, candidate, &repeated_from)) {
      case Deduplicator::Verdict::kNew:
        kept.push_back(static_cast<std::uint32_t>(position));
        break;
      case Deduplicator::Verdict::kSameCell:
        break;  // differs only in parameters of plugins it does not run: one cell
      case Deduplicator::Verdict::kRepeated:
        repeated.emplace_back(position, repeated_from);
        break;
    }
  }
  factory->SetVaryingKeys(varying.ByModel());
  // Names need every combination seen, so repeated entries are told last.
  for (const auto& [position, earlier] : repeated) {
    ErrorList reported_already("", false);
    const CellFactory::Candidate candidate = factory->MakeCandidate(position, reported_already);
    const Loc earlier_origin = factory->MakeCandidate(earlier, reported_already).origin;
    Cell cell = candidate.cell;
    factory->Name(&cell);
    errors.Add(candidate.origin,
               "cell '" + cell.name + "' is defined twice (same settings as the one from line " +
                   std::to_string(earlier_origin.line + 1) + "); remove the repeated entry");
  }
  kept.shrink_to_fit();
  return CellMatrix(std::move(factory), std::move(kept));
}

}  // namespace carbonbench::detail
