#include "suites/search_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "suites/integer_setting.h"
#include "suites/setting_reader.h"
#include "suites/yaml_scalar.h"
#include "util/strings.h"

namespace carbonbench::detail {
namespace {

using Kind = SearchDistribution::Kind;

const std::vector<std::string>& SearchKeys() {
  static const std::vector<std::string> keys = {"parameters",    "objectives", "sampler",
                                                "seed",          "pruner",     "trials",
                                                "max_energy_wh", "max_co2_g",  "timeout_s"};
  return keys;
}

const std::vector<std::string>& Metrics() {
  static const std::vector<std::string> metrics = {"accuracy", "rmse", "energy_wh", "co2_g",
                                                   "time_s"};
  return metrics;
}

const std::vector<std::string>& Samplers() {
  static const std::vector<std::string> samplers = {"tpe", "random", "nsga2"};
  return samplers;
}

const std::vector<std::string>& Pruners() {
  static const std::vector<std::string> pruners = {"median", "hyperband", "none"};
  return pruners;
}

constexpr char kSeedExample[] = "e.g. 'seed: 7'";
constexpr std::int64_t kMaxSeed = 4294967295;  // numpy's RandomState limit

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string LineOf(Loc loc) { return std::to_string(loc.line + 1); }

// Where a value is, or its key when yaml-cpp gives the empty value no place.
Loc ValueLoc(const YAML::Node& value, Loc key_loc) {
  return !value.IsDefined() || value.IsNull() ? key_loc : LocOf(value.Mark());
}

std::string KeyText(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : "?"; }

std::string Unknown(const std::string& what, const std::string& name,
                    const std::vector<std::string>& known, const std::string& takes) {
  const std::string match = ClosestMatch(name, known);
  return "unknown " + what + " '" + name + "' (" +
         (match.empty() ? "" : "did you mean '" + match + "'? ") + takes + " " +
         JoinStrings(known, ", ") + ")";
}

// Calls read(key, key_loc, value) for each entry of `map` whose key is in
// `keys`; reports other keys (did-you-mean) and keys given twice.
template <typename Read>
void ForEachKey(const YAML::Node& map, const std::string& where,
                const std::vector<std::string>& keys, ErrorList& errors, Read read) {
  std::map<std::string, Loc> seen;
  for (const auto& item : map) {
    const Loc key_loc = LocOf(item.first.Mark());
    const std::string key = KeyText(item.first);
    const auto [first, fresh] = seen.emplace(key, key_loc);
    if (!fresh) {
      errors.Add(key_loc, where + " key '" + key + "' is given twice (first at line " +
                              LineOf(first->second) + "); keep one");
      continue;
    }
    if (!Contains(keys, key)) {
      errors.Add(key_loc, Unknown(where + " key", key, keys, where + " takes"));
      continue;
    }
    read(key, key_loc, item.second);
  }
}

// A whole number within [min, max] (spec "name"), or an error ending in
// `example`.
std::optional<std::int64_t> ReadInteger(const YAML::Node& value, Loc loc, const std::string& name,
                                        std::int64_t min, std::int64_t max,
                                        const std::string& example, ErrorList& errors) {
  const ParamSpec spec =
      IntParam(name, min, "", static_cast<double>(min), static_cast<double>(max));
  const std::string written = value.IsScalar() ? value.Scalar() : "";
  const ParamValue parsed = value.IsScalar() ? ParseScalar(value) : ParamValue(std::string());
  std::string problem = CheckIntegerSetting(spec, written, parsed);
  if (!problem.empty()) {
    errors.Add(loc, problem + "; " + example);
    return std::nullopt;
  }
  return std::get<std::int64_t>(parsed);
}

// A finite number above 0, or an error ending in `example`.
std::optional<double> ReadPositive(const YAML::Node& value, Loc loc, const std::string& name,
                                   const std::string& example, ErrorList& errors) {
  const ParamValue parsed = value.IsScalar() ? ParseScalar(value) : ParamValue(std::string());
  std::optional<double> number;
  if (const auto* i = std::get_if<std::int64_t>(&parsed)) number = static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&parsed)) number = *d;
  if (!number || !std::isfinite(*number) || *number <= 0) {
    const std::string got = value.IsScalar() ? ", got '" + value.Scalar() + "'" : "";
    errors.Add(loc, name + " must be a number above 0" + got + "; " + example);
    return std::nullopt;
  }
  return number;
}

// --- parameters ----------------------------------------------------------

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kFloat:
      return "float";
    case Kind::kInt:
      return "int";
    case Kind::kChoice:
      return "choice";
  }
  return "choice";
}

std::string KindExample(const std::string& key, Kind kind) {
  switch (kind) {
    case Kind::kFloat:
      return "e.g. '" + key + ": {float: [0.0001, 0.1], log: true}'";
    case Kind::kInt:
      return "e.g. '" + key + ": {int: [8, 64], step: 8}'";
    case Kind::kChoice:
      break;
  }
  if (key == kOptimizationsKey) return "e.g. '" + key + ": {choice: [[], [NAME], [NAME, NAME]]}'";
  return "e.g. '" + key + ": {choice: [a, b]}'";
}

// What `key`'s setting accepts beside choice: float and int, int, or nothing.
std::vector<Kind> RangeKinds(const ParamSpec* spec) {
  if (spec == nullptr) return {};  // optimizations
  if (spec->type == ParamType::kFloat) return {Kind::kFloat, Kind::kInt};
  if (spec->type == ParamType::kInt) return {Kind::kInt};
  return {};
}

std::string WhyNotRange(const std::string& key, const ParamSpec* spec, Kind kind) {
  if (spec != nullptr && spec->type == ParamType::kInt && kind == Kind::kFloat) {
    return "search parameter '" + key +
           "' is an integer setting, so it takes 'int: [low, high]' "
           "or 'choice: [...]', not 'float', " +
           KindExample(key, Kind::kInt);
  }
  std::string what = "text";
  if (spec == nullptr) what = "a list of optimizations";
  if (spec != nullptr && spec->type == ParamType::kBool) what = "true or false";
  if (spec != nullptr && spec->type == ParamType::kEnum)
    what = "one of " + JoinStrings(spec->choices, ", ");
  return "search parameter '" + key + "' takes " + what + ", so it is searched over a list: use " +
         "'choice: [...]' instead of '" + KindName(kind) + "', " + KindExample(key, Kind::kChoice);
}

std::string RangeText(const std::vector<double>& bounds, Kind kind) {
  auto show = [&](double v) {
    return kind == Kind::kInt ? std::to_string(static_cast<std::int64_t>(v)) : FormatParamValue(v);
  };
  return "[" + show(bounds[0]) + ", " + show(bounds[1]) + "]";
}

// Reads [low, high] of a float or int range and checks it against the
// setting's own range; false after reporting why not.
bool ReadRange(const std::string& key, const ParamSpec& spec, Kind kind, const YAML::Node& node,
               Loc node_loc, bool log, ErrorList& errors, SearchDistribution* dist) {
  const std::string kind_name = KindName(kind);
  const std::string example = KindExample(key, kind);
  if (!node.IsSequence() || node.size() != 2) {
    errors.Add(node_loc, "'" + kind_name + "' of search parameter '" + key +
                             "' must be two numbers [low, high], " + example);
    return false;
  }
  std::vector<double> bounds;
  bool ok = true;
  for (const auto& element : node) {
    const Loc loc = LocOf(element.Mark());
    const ParamValue value = element.IsScalar() ? ParseScalar(element) : ParamValue(std::string());
    const auto* i = std::get_if<std::int64_t>(&value);
    const auto* d = std::get_if<double>(&value);
    const std::string got = element.IsScalar() ? "'" + element.Scalar() + "'" : "a list or mapping";
    if (kind == Kind::kInt && !i) {
      errors.Add(loc, "search parameter '" + key +
                          "': an int range's bounds are whole numbers, got " + got + "; " +
                          example);
      ok = false;
    } else if (!i && !(d && std::isfinite(*d))) {
      errors.Add(loc, "search parameter '" + key + "': a float range's bounds are numbers, got " +
                          got + "; " + example);
      ok = false;
    }
    bounds.push_back(i ? static_cast<double>(*i) : d ? *d : 0.0);
  }
  if (!ok) return false;
  std::optional<double> min = spec.min;
  std::optional<double> max = spec.max;
  if (spec.type == ParamType::kInt) {
    const IntegerRange stored = StoredRange(spec);
    min = static_cast<double>(stored.min);
    max = static_cast<double>(stored.max);
  }
  const std::string range = key + "'s " + kind_name + " range " + RangeText(bounds, kind);
  const auto number = [&](double v) {
    return kind == Kind::kInt || spec.type == ParamType::kInt
               ? std::to_string(static_cast<std::int64_t>(v))
               : FormatParamValue(v);
  };
  if (min && bounds[0] < *min) {
    errors.Add(LocOf(node[0].Mark()), range + " starts at " + number(bounds[0]) + ", below " + key +
                                          "'s minimum " + number(*min) + "; start at " +
                                          number(*min) + " or above");
    ok = false;
  }
  if (max && bounds[1] > *max) {
    errors.Add(LocOf(node[1].Mark()), range + " ends at " + number(bounds[1]) + ", above " + key +
                                          "'s maximum " + number(*max) + "; end at " +
                                          number(*max) + " or below");
    ok = false;
  }
  if (bounds[0] == bounds[1]) {
    errors.Add(node_loc, range + " holds one value; set '" + key + ": " + number(bounds[0]) +
                             "' under 'defaults:' instead, or widen the range");
    return false;
  }
  if (bounds[0] > bounds[1]) {
    errors.Add(node_loc, range + " is backwards: write the low end first, e.g. " +
                             RangeText({bounds[1], bounds[0]}, kind));
    return false;
  }
  if (log && bounds[0] <= 0) {
    errors.Add(LocOf(node[0].Mark()),
               range + " starts at " + number(bounds[0]) +
                   ", but log: true needs low > 0; start above 0 or drop 'log'");
    ok = false;
  }
  dist->low = bounds[0];
  dist->high = bounds[1];
  return ok;
}

bool ReadChoices(const std::string& key, const YAML::Node& node, Loc node_loc,
                 const SettingsSchema& schema, ErrorList& errors, SearchDistribution* dist) {
  if (!node.IsSequence() || node.size() == 0) {
    errors.Add(node_loc, "'choice' of search parameter '" + key +
                             "' must be a non-empty list of values, " +
                             KindExample(key, Kind::kChoice));
    return false;
  }
  bool ok = true;
  for (const auto& element : node) {
    const Loc loc = LocOf(element.Mark());
    auto value = ReadSettingValue(key, loc, element, schema, errors);
    if (!value) {
      ok = false;
      continue;
    }
    if (std::find(dist->choices.begin(), dist->choices.end(), value->value) !=
        dist->choices.end()) {
      errors.Add(loc, "search parameter '" + key + "' lists " + DisplayValue(key, value->value) +
                          " twice in its choices; list each value once");
      ok = false;
      continue;
    }
    dist->choices.push_back(value->value);
  }
  // Labels are what Optuna stores; distinct values that print alike (15
  // significant digits) get a suffix.
  for (const auto& choice : dist->choices) {
    const std::string base = DisplayValue(key, choice);
    std::string label = base;
    for (int n = 2; Contains(dist->labels, label); ++n)
      label = base + " (" + std::to_string(n) + ")";
    dist->labels.push_back(label);
  }
  return ok;
}

std::optional<bool> ReadLog(const std::string& key, const YAML::Node& value, Loc loc,
                            ErrorList& errors) {
  const ParamValue parsed = value.IsScalar() ? ParseScalar(value) : ParamValue(std::string());
  if (const auto* b = std::get_if<bool>(&parsed)) return *b;
  errors.Add(loc, "'log' of search parameter '" + key + "' must be true or false, e.g. '" + key +
                      ": {float: [0.0001, 0.1], log: true}'");
  return std::nullopt;
}

void ReadParameter(const std::string& key, Loc key_loc, const YAML::Node& value,
                   const SettingsSchema& schema, ErrorList& errors, SearchDocument* search) {
  static const std::vector<std::string> kKeys = {"float", "int", "choice", "log", "step"};
  const ParamSpec* spec = schema.Find(key);
  const std::vector<Kind> range_kinds = RangeKinds(spec);
  const Kind usual = range_kinds.empty() ? Kind::kChoice : range_kinds.front();
  if (!value.IsMap()) {
    errors.Add(ValueLoc(value, key_loc),
               "search parameter '" + key +
                   "' must be a mapping with one of 'float', 'int' or 'choice', " +
                   KindExample(key, usual));
    return;
  }
  SearchDistribution dist;
  std::optional<Kind> kind;
  YAML::Node range;
  Loc kind_key_loc;
  std::optional<Loc> log_loc;
  std::optional<Loc> step_loc;
  bool ok = true;
  ForEachKey(
      value, "search parameter '" + key + "'", kKeys, errors,
      [&](const std::string& name, Loc name_loc, const YAML::Node& item) {
        const Loc loc = ValueLoc(item, name_loc);
        if (name == "log") {
          log_loc = name_loc;
          const auto log = ReadLog(key, item, loc, errors);
          ok = ok && log.has_value();
          dist.log = log.value_or(false);
          return;
        }
        if (name == "step") {
          step_loc = name_loc;
          const auto step =
              ReadInteger(item, loc, "step of '" + key + "'", 1, std::numeric_limits<int>::max(),
                          KindExample(key, Kind::kInt), errors);
          ok = ok && step.has_value();
          dist.step = step.value_or(1);
          return;
        }
        const Kind this_kind = name == "float" ? Kind::kFloat
                               : name == "int" ? Kind::kInt
                                               : Kind::kChoice;
        if (kind) {
          errors.Add(name_loc, "search parameter '" + key + "' gives both '" + KindName(*kind) +
                                   "' and '" + name + "'; keep one of float, int or choice");
          ok = false;
          return;
        }
        kind = this_kind;
        kind_key_loc = name_loc;
        range = item;
      });
  if (!kind) {
    errors.Add(key_loc, "search parameter '" + key + "' needs one of 'float', 'int' or 'choice', " +
                            KindExample(key, usual));
    return;
  }
  dist.kind = *kind;
  const Loc range_loc = ValueLoc(range, kind_key_loc);
  if (*kind != Kind::kChoice &&
      std::find(range_kinds.begin(), range_kinds.end(), *kind) == range_kinds.end()) {
    errors.Add(kind_key_loc, WhyNotRange(key, spec, *kind));
    return;
  }
  if (log_loc && *kind == Kind::kChoice) {
    errors.Add(*log_loc, "search parameter '" + key +
                             "': 'log' applies to float and int ranges, not to a choice; "
                             "remove it");
    ok = false;
  }
  if (step_loc && *kind != Kind::kInt) {
    errors.Add(*step_loc, "search parameter '" + key + "': 'step' applies to int ranges only, " +
                              KindExample(key, Kind::kInt) + "; remove it");
    ok = false;
  }
  if (step_loc && dist.log && dist.step != 1) {
    errors.Add(*step_loc, "search parameter '" + key +
                              "': Optuna cannot step a log range; drop 'step' or 'log'");
    ok = false;
  }
  if (*kind == Kind::kChoice) {
    ok = ReadChoices(key, range, range_loc, schema, errors, &dist) && ok;
  } else {
    ok = ReadRange(key, *spec, *kind, range, range_loc, dist.log, errors, &dist) && ok;
  }
  if (!ok) return;
  search->settings.parameters.push_back({key, std::move(dist)});
  search->parameter_locs.push_back(key_loc);
}

void ReadParameters(const YAML::Node& node, Loc key_loc, const SettingsSchema& schema,
                    ErrorList& errors, SearchDocument* search) {
  const std::string example =
      "e.g. 'parameters: {lr: {float: [0.0001, 0.1], log: true}, batch_size: {choice: [32, "
      "64]}}'";
  if (!node.IsMap() || node.size() == 0) {
    errors.Add(ValueLoc(node, key_loc),
               "search.parameters must be a non-empty mapping of settings to "
               "distributions, " +
                   example);
    return;
  }
  std::map<std::string, Loc> seen;
  for (const auto& item : node) {
    const Loc loc = LocOf(item.first.Mark());
    if (!item.first.IsScalar()) {
      errors.Add(loc,
                 "a search parameter's name must be plain text, such as 'lr' or "
                 "'PLUGIN.PARAMETER'");
      continue;
    }
    std::string key = item.first.Scalar();
    if (key == "dataset.name") key = "dataset";  // as in a settings map
    const auto [first, fresh] = seen.emplace(key, loc);
    if (!fresh) {
      errors.Add(loc, "search parameter '" + key + "' is given twice (first at line " +
                          LineOf(first->second) + "); keep one");
      continue;
    }
    if (!schema.IsKnown(key)) {
      const PluginCatalogEntry* plugin = schema.FindPlugin(key);
      if (plugin != nullptr && item.second.IsMap()) {
        const std::string param = plugin->params.empty() ? "param" : plugin->params[0].name;
        errors.Add(loc, "search parameters name a plugin's parameters with dotted keys: write '" +
                            key + "." + param +
                            ": {int: [8, 64]}' rather than nesting them "
                            "under '" +
                            key + ":'");
      } else {
        errors.Add(loc, "search parameter: " + schema.UnknownKeyMessage(key, {}));
      }
      continue;
    }
    ReadParameter(key, loc, item.second, schema, errors, search);
  }
}

// --- objectives ----------------------------------------------------------

// Reads the objectives; false when they could not all be read.
bool ReadObjectives(const YAML::Node& node, Loc key_loc, ErrorList& errors,
                    SearchSettings* settings) {
  const std::string example = "e.g. 'objectives: [accuracy, co2_g]' or 'objectives: [rmse]'";
  std::vector<YAML::Node> items;
  if (node.IsScalar()) items.push_back(node);  // "objectives: rmse" means [rmse]
  if (node.IsSequence())
    for (const auto& element : node) items.push_back(element);
  if (items.empty() || items.size() > 2) {
    errors.Add(ValueLoc(node, key_loc), "search.objectives must list one or two metrics (" +
                                            JoinStrings(Metrics(), ", ") + "), " + example);
    return false;
  }
  bool ok = true;
  std::map<std::string, Loc> seen;
  for (const auto& item : items) {
    const Loc loc = LocOf(item.Mark());
    SearchObjective objective;
    YAML::Node name_node = item;
    if (item.IsMap() && item.size() == 1) {
      const auto entry = *item.begin();
      name_node = entry.first;
      const std::string direction = entry.second.IsScalar() ? entry.second.Scalar() : "";
      if (direction != "minimize" && direction != "maximize") {
        errors.Add(ValueLoc(entry.second, LocOf(entry.first.Mark())),
                   "an objective's direction is 'minimize' or 'maximize', e.g. "
                   "'{co2_g: minimize}'");
        ok = false;
        continue;
      }
      objective.maximize = direction == "maximize";
    } else if (!item.IsScalar()) {
      errors.Add(loc,
                 "each objective is a metric name or a mapping {metric: direction}, e.g. "
                 "'accuracy' or '{co2_g: minimize}'");
      ok = false;
      continue;
    }
    const Loc name_loc = LocOf(name_node.Mark());
    objective.metric = KeyText(name_node);
    if (!Contains(Metrics(), objective.metric)) {
      errors.Add(name_loc, Unknown("objective", objective.metric, Metrics(), "objectives are"));
      ok = false;
      continue;
    }
    if (item.IsScalar()) objective.maximize = objective.metric == "accuracy";
    const auto [first, fresh] = seen.emplace(objective.metric, name_loc);
    if (!fresh) {
      errors.Add(name_loc, "objective '" + objective.metric + "' is listed twice; list it once");
      ok = false;
      continue;
    }
    if (seen.count("accuracy") && seen.count("rmse")) {
      errors.Add(name_loc,
                 "objectives 'accuracy' and 'rmse' do not go together: a model is a classifier "
                 "(accuracy) or a regressor (rmse); keep the one its dataset gives and pair it "
                 "with energy_wh, co2_g or time_s");
      ok = false;
      continue;
    }
    settings->objectives.push_back(objective);
  }
  return ok;
}

// --- sampler, seed, pruner -------------------------------------------------

struct SearchState {
  bool objectives_ok = false;
  bool objectives_given = false;
  std::optional<Loc> sampler_loc;  // the sampler's value (its name)
  std::optional<Loc> seed_loc;     // the seed's key
  std::string seed_where;          // "search.seed" or "sampler.seed"
  std::optional<Loc> pruner_loc;   // the pruner's value
};

void ReadSeed(const YAML::Node& value, Loc key_loc, const std::string& where, ErrorList& errors,
              SearchState* state, SearchSettings* settings) {
  if (state->seed_loc) {
    errors.Add(key_loc, "the sampler's seed is given twice (" + state->seed_where + " at line " +
                            LineOf(*state->seed_loc) + " and " + where +
                            "); keep one, e.g. 'seed: 7' under 'search:'");
    return;
  }
  state->seed_loc = key_loc;
  state->seed_where = where;
  settings->seed =
      ReadInteger(value, ValueLoc(value, key_loc), where, 0, kMaxSeed, kSeedExample, errors);
}

bool ReadName(const YAML::Node& value, Loc loc, const std::string& what,
              const std::vector<std::string>& names, const std::string& example, ErrorList& errors,
              std::string* name) {
  if (!value.IsScalar() || value.Scalar().empty()) {
    errors.Add(loc, what + " must be one of " + JoinStrings(names, ", ") + ", " + example);
    return false;
  }
  if (!Contains(names, value.Scalar())) {
    errors.Add(loc, Unknown(what, value.Scalar(), names, what + " is one of"));
    return false;
  }
  *name = value.Scalar();
  return true;
}

void ReadSampler(const YAML::Node& node, Loc key_loc, ErrorList& errors, SearchState* state,
                 SearchSettings* settings) {
  static const std::vector<std::string> kKeys = {"type", "seed"};
  const std::string example = "e.g. 'sampler: tpe' or 'sampler: {type: tpe, seed: 7}'";
  if (!node.IsMap()) {
    const Loc loc = ValueLoc(node, key_loc);
    if (ReadName(node, loc, "search.sampler", Samplers(), example, errors, &settings->sampler))
      state->sampler_loc = loc;
    return;
  }
  bool typed = false;
  ForEachKey(node, "search.sampler", kKeys, errors,
             [&](const std::string& key, Loc loc, const YAML::Node& value) {
               if (key == "seed")
                 return ReadSeed(value, loc, "sampler.seed", errors, state, settings);
               typed = true;
               const Loc value_loc = ValueLoc(value, loc);
               if (ReadName(value, value_loc, "search.sampler", Samplers(), example, errors,
                            &settings->sampler))
                 state->sampler_loc = value_loc;
             });
  if (!typed) errors.Add(LocOf(node.Mark()), "search.sampler needs a 'type', " + example);
}

void ReadPruner(const YAML::Node& node, Loc key_loc, ErrorList& errors, SearchState* state,
                SearchSettings* settings) {
  static const std::vector<std::string> kKeys = {"type", "startup_trials", "warmup_epochs",
                                                 "min_epochs", "reduction_factor"};
  static const std::map<std::string, std::vector<std::string>> kOwnKeys = {
      {"median", {"startup_trials", "warmup_epochs"}},
      {"hyperband", {"min_epochs", "reduction_factor"}},
      {"none", {}}};
  const std::string example =
      "e.g. 'pruner: median' or 'pruner: {type: hyperband, min_epochs: 1, reduction_factor: 3}'";
  SearchPruner& pruner = settings->pruner;
  const Loc loc = ValueLoc(node, key_loc);
  if (!node.IsMap()) {
    if (ReadName(node, loc, "search.pruner", Pruners(), example, errors, &pruner.name))
      state->pruner_loc = loc;
    return;
  }
  const YAML::Node type = node["type"];
  if (!type) {
    errors.Add(loc, "search.pruner needs a 'type', " + example);
    return;
  }
  if (!ReadName(type, LocOf(type.Mark()), "search.pruner", Pruners(), example, errors,
                &pruner.name))
    return;
  state->pruner_loc = loc;
  const std::vector<std::string>& own = kOwnKeys.at(pruner.name);
  ForEachKey(node, "search.pruner", kKeys, errors,
             [&](const std::string& key, Loc entry_loc, const YAML::Node& value) {
               if (key == "type") return;
               if (!Contains(own, key)) {
                 const std::string takes =
                     own.empty() ? "takes no settings" : "takes " + JoinStrings(own, ", ");
                 errors.Add(entry_loc, "'" + key + "' is not a setting of the " + pruner.name +
                                           " pruner (it " + takes + "); remove it");
                 return;
               }
               const Loc value_loc = ValueLoc(value, entry_loc);
               const std::int64_t min = key == "min_epochs" ? 1 : key == "reduction_factor" ? 2 : 0;
               const auto n = ReadInteger(
                   value, value_loc, "pruner." + key, min, std::numeric_limits<int>::max(),
                   "e.g. '" + key + ": " + std::to_string(min + 1) + "'", errors);
               if (!n) return;
               const int v = static_cast<int>(*n);
               if (key == "startup_trials") pruner.startup_trials = v;
               if (key == "warmup_epochs") pruner.warmup_epochs = v;
               if (key == "min_epochs") pruner.min_epochs = v;
               if (key == "reduction_factor") pruner.reduction_factor = v;
             });
}

// --- canonical form --------------------------------------------------------

nlohmann::json ValueJson(const ParamValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return std::get<std::string>(value);
}

nlohmann::json DistributionJson(const SearchDistribution& dist) {
  nlohmann::json out;
  out["kind"] = KindName(dist.kind);
  switch (dist.kind) {
    case Kind::kFloat:
      out["low"] = dist.low;
      out["high"] = dist.high;
      out["log"] = dist.log;
      break;
    case Kind::kInt:
      out["low"] = static_cast<std::int64_t>(dist.low);
      out["high"] = static_cast<std::int64_t>(dist.high);
      out["log"] = dist.log;
      out["step"] = dist.step;
      break;
    case Kind::kChoice: {
      nlohmann::json choices = nlohmann::json::array();
      for (const auto& choice : dist.choices) choices.push_back(ValueJson(choice));
      out["choices"] = std::move(choices);
      out["labels"] = dist.labels;
      break;
    }
  }
  return out;
}

}  // namespace

std::string SearchCanonicalJson(const SearchSettings& settings) {
  nlohmann::json out;
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& parameter : settings.parameters) {
    parameters.push_back(
        {{"key", parameter.key}, {"distribution", DistributionJson(parameter.distribution)}});
  }
  out["parameters"] = std::move(parameters);
  nlohmann::json objectives = nlohmann::json::array();
  for (const auto& objective : settings.objectives) {
    objectives.push_back({{"metric", objective.metric},
                          {"direction", objective.maximize ? "maximize" : "minimize"}});
  }
  out["objectives"] = std::move(objectives);
  out["sampler"] = settings.sampler;
  out["seed"] = settings.seed ? nlohmann::json(*settings.seed) : nlohmann::json(nullptr);
  nlohmann::json pruner = {{"type", settings.pruner.name}};
  if (settings.pruner.name == "median") {
    pruner["startup_trials"] = settings.pruner.startup_trials;
    pruner["warmup_epochs"] = settings.pruner.warmup_epochs;
  } else if (settings.pruner.name == "hyperband") {
    pruner["min_epochs"] = settings.pruner.min_epochs;
    pruner["reduction_factor"] = settings.pruner.reduction_factor;
  }
  out["pruner"] = std::move(pruner);
  out["trials"] = settings.trials;
  out["max_energy_wh"] = settings.max_energy_wh;
  out["max_co2_g"] = settings.max_co2_g;
  out["timeout_s"] = settings.timeout_s;
  return out.dump();
}

void ReadSearch(const YAML::Node& node, Loc key_loc, const SettingsSchema& schema,
                ErrorList& errors, SearchDocument* search) {
  search->present = true;
  search->loc = key_loc;
  SearchSettings& settings = search->settings;
  if (!node.IsMap()) {
    errors.Add(ValueLoc(node, key_loc),
               "'search' must be a mapping with 'parameters' and 'objectives', e.g. "
               "'search: {parameters: {lr: {float: [0.0001, 0.1], log: true}}, objectives: "
               "[accuracy]}'");
    return;
  }
  SearchState state;
  bool parameters_given = false;
  ForEachKey(
      node, "search", SearchKeys(), errors,
      [&](const std::string& key, Loc loc, const YAML::Node& value) {
        const Loc value_loc = ValueLoc(value, loc);
        if (key == "parameters") {
          parameters_given = true;
          ReadParameters(value, loc, schema, errors, search);
        } else if (key == "objectives") {
          state.objectives_given = true;
          state.objectives_ok = ReadObjectives(value, loc, errors, &settings);
        } else if (key == "sampler") {
          ReadSampler(value, loc, errors, &state, &settings);
        } else if (key == "seed") {
          ReadSeed(value, loc, "search.seed", errors, &state, &settings);
        } else if (key == "pruner") {
          ReadPruner(value, loc, errors, &state, &settings);
        } else if (key == "trials") {
          if (auto n = ReadInteger(value, value_loc, "search.trials", 1, 100000,
                                   "e.g. 'trials: 50'", errors))
            settings.trials = static_cast<int>(*n);
        } else if (key == "max_energy_wh") {
          if (auto wh =
                  ReadPositive(value, value_loc, "search.max_energy_wh",
                               "e.g. 'max_energy_wh: 5' (watt-hours over all trials)", errors))
            settings.max_energy_wh = *wh;
        } else if (key == "max_co2_g") {
          if (auto g = ReadPositive(value, value_loc, "search.max_co2_g",
                                    "e.g. 'max_co2_g: 2' (grams over all trials)", errors))
            settings.max_co2_g = *g;
        } else if (key == "timeout_s") {
          if (auto s = ReadPositive(value, value_loc, "search.timeout_s",
                                    "e.g. 'timeout_s: 3600' (seconds over all trials)", errors))
            settings.timeout_s = *s;
        }
      });
  if (!parameters_given) {
    errors.Add(key_loc,
               "search needs 'parameters', the settings it samples, e.g. "
               "'parameters: {lr: {float: [0.0001, 0.1], log: true}}'");
  }
  if (!state.objectives_given) {
    errors.Add(key_loc,
               "search needs 'objectives', what each trial is scored by, e.g. "
               "'objectives: [accuracy]' or 'objectives: [accuracy, co2_g]'");
  }
  if (state.objectives_ok) {
    const bool multi = settings.objectives.size() == 2;
    if (!state.pruner_loc) {
      settings.pruner.name = multi ? "none" : "median";
    } else if (multi && settings.pruner.name != "none") {
      errors.Add(*state.pruner_loc,
                 "Optuna prunes single-objective studies only: with two objectives use "
                 "'pruner: none' (or leave pruner out), or keep one objective");
    }
    if (!multi && settings.sampler == "nsga2" && state.sampler_loc) {
      errors.Add(*state.sampler_loc,
                 "nsga2 is a multi-objective sampler; with one objective use tpe (or random), "
                 "or add a second objective such as co2_g");
    }
  }
  settings.canonical_json = SearchCanonicalJson(settings);
}

void CheckSearchAgainstSuite(const SuiteDocument& doc, ErrorList& errors) {
  if (!doc.search.present) return;
  if (doc.matrix.present) {
    errors.Add(doc.matrix.loc,
               "a suite has a matrix or a search, not both: the search's parameters are its "
               "axes (run --grid runs their grid); move fixed values to 'defaults:' and "
               "remove 'matrix:'");
  }
  if (doc.repetitions > 1) {
    errors.Add(doc.repetitions_loc,
               "repetitions: " + std::to_string(doc.repetitions) +
                   " does not apply to a search: each trial runs once (Optuna compares "
                   "trials, not repeats); remove 'repetitions' or set it to 1");
  }
}

}  // namespace carbonbench::detail
