#include "report/analysis/search_trials.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "report/analysis/number_format.h"
#include "report/analysis/tradeoffs.h"

namespace carbonbench::report {
namespace {

nlohmann::json ParsedObject(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

// A field that may be a string, or an object naming itself under "type", as
// the suite reader writes it ({"type": "median", "startup_trials": 5}), or
// "name".
std::string NameOf(const nlohmann::json& settings, const char* key) {
  const auto it = settings.find(key);
  if (it == settings.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    for (const char* field : {"type", "name"}) {
      const auto name = it->find(field);
      if (name != it->end() && name->is_string()) return name->get<std::string>();
    }
  }
  return "";
}

// A better value of objective `goal` than `than`.
bool Better(const SearchGoal& goal, double value, double than) {
  return goal.maximize ? value > than : value < than;
}

}  // namespace

SearchView MakeSearchView(StudyRecord study, std::vector<TrialRecord> trials, int earlier_studies) {
  SearchView view;
  view.study = std::move(study);
  view.trials = std::move(trials);
  std::stable_sort(view.trials.begin(), view.trials.end(),
                   [](const TrialRecord& a, const TrialRecord& b) { return a.number < b.number; });
  view.earlier_studies = earlier_studies;
  const nlohmann::json settings = ParsedObject(view.study.settings_json);
  if (const auto it = settings.find("objectives"); it != settings.end() && it->is_array()) {
    for (const nlohmann::json& objective : *it) {
      if (!objective.is_object()) continue;
      const auto metric = objective.find("metric");
      // The suite reader writes "direction"; "maximize" is read as well.
      const auto direction = objective.find("direction");
      const auto maximize = objective.find("maximize");
      const bool maximized =
          (direction != objective.end() && direction->is_string() &&
           direction->get<std::string>() == "maximize") ||
          (maximize != objective.end() && maximize->is_boolean() && maximize->get<bool>());
      view.goals.push_back({metric != objective.end() && metric->is_string()
                                ? metric->get<std::string>()
                                : "objective " + std::to_string(view.goals.size() + 1),
                            maximized});
    }
  }
  if (const auto it = settings.find("parameters"); it != settings.end() && it->is_array()) {
    for (const nlohmann::json& parameter : *it) {
      if (!parameter.is_object()) continue;
      const auto key = parameter.find("key");
      if (key != parameter.end() && key->is_string()) {
        view.parameter_keys.push_back(key->get<std::string>());
      }
    }
  }
  for (const TrialRecord& trial : view.trials) {
    const nlohmann::json params = ParsedObject(trial.params_json);
    for (auto it = params.begin(); it != params.end(); ++it) {
      if (std::find(view.parameter_keys.begin(), view.parameter_keys.end(), it.key()) ==
          view.parameter_keys.end()) {
        view.parameter_keys.push_back(it.key());
      }
    }
  }
  // Objectives the settings do not name: as many as the trials' values.
  std::size_t values = 0;
  for (const TrialRecord& trial : view.trials) values = std::max(values, trial.values.size());
  while (view.goals.size() < values) {
    view.goals.push_back({"objective " + std::to_string(view.goals.size() + 1), false});
  }
  view.sampler = NameOf(settings, "sampler");
  view.pruner = NameOf(settings, "pruner");
  if (const auto it = settings.find("trials"); it != settings.end() && it->is_number_integer()) {
    view.planned_trials = it->get<int>();
  }
  return view;
}

std::optional<SearchView> LoadSearch(const ResultsStore& store, const std::string& suite) {
  std::vector<StudyRecord> studies = store.LoadStudies(suite);
  if (studies.empty()) return std::nullopt;
  StudyRecord latest = std::move(studies.back());
  std::vector<TrialRecord> trials = store.LoadTrials(suite, latest.study);
  return MakeSearchView(std::move(latest), std::move(trials), static_cast<int>(studies.size()) - 1);
}

std::string GoalUnit(const std::string& metric) {
  if (metric == "accuracy") return "%";
  if (metric == "rmse") return "target units";
  if (metric == "energy_wh") return "Wh";
  if (metric == "co2_g") return "g";
  if (metric == "time_s") return "s";
  return "";
}

std::string GoalHeader(const SearchGoal& goal) {
  std::string name = goal.metric;
  if (goal.metric == "energy_wh") name = "energy Wh";
  if (goal.metric == "co2_g") name = "CO2 g";
  if (goal.metric == "time_s") name = "time s";
  if (goal.metric == "accuracy") name = "accuracy %";
  return name + (goal.maximize ? " (max)" : " (min)");
}

TrialCounts CountTrials(const std::vector<TrialRecord>& trials) {
  TrialCounts counts;
  for (const TrialRecord& trial : trials) {
    if (trial.state == kTrialComplete) ++counts.complete;
    if (trial.state == kTrialPruned) ++counts.pruned;
    if (trial.state == kTrialFailed) ++counts.failed;
    if (trial.state == kTrialRunning) ++counts.running;
    if (trial.from_store) ++counts.from_store;
  }
  return counts;
}

double SpentEnergyWh(const std::vector<TrialRecord>& trials) {
  double sum = 0;
  for (const TrialRecord& trial : trials) sum += trial.from_store ? 0 : trial.energy_wh;
  return sum;
}

double SpentCo2G(const std::vector<TrialRecord>& trials) {
  double sum = 0;
  for (const TrialRecord& trial : trials) sum += trial.from_store ? 0 : trial.co2_g;
  return sum;
}

double PruningSavedEnergyWh(const std::vector<TrialRecord>& trials) {
  double sum = 0;
  for (const TrialRecord& trial : trials) {
    if (trial.state == kTrialPruned)
      sum += std::max(0.0, trial.projected_energy_wh - trial.energy_wh);
  }
  return sum;
}

double PruningSavedCo2G(const std::vector<TrialRecord>& trials) {
  double sum = 0;
  for (const TrialRecord& trial : trials) {
    if (trial.state == kTrialPruned) sum += std::max(0.0, trial.projected_co2_g - trial.co2_g);
  }
  return sum;
}

std::string TrialsProvenance(const std::vector<TrialRecord>& trials) {
  std::vector<std::string> seen;
  for (const TrialRecord& trial : trials) {
    if (trial.from_store || trial.energy_provenance.empty()) continue;
    if (trial.energy_provenance.find("estimated") != std::string::npos) return "estimated";
    if (std::find(seen.begin(), seen.end(), trial.energy_provenance) == seen.end()) {
      seen.push_back(trial.energy_provenance);
    }
  }
  if (seen.empty()) return "unknown";
  return seen.size() == 1 ? seen.front() : "mixed";
}

bool Scored(const TrialRecord& trial, std::size_t objectives) {
  if (trial.state != kTrialComplete || trial.values.size() < objectives || objectives == 0) {
    return false;
  }
  for (std::size_t i = 0; i < objectives; ++i) {
    if (!std::isfinite(trial.values[i])) return false;
  }
  return true;
}

std::optional<std::size_t> BestTrial(const SearchView& view) {
  if (view.goals.empty()) return std::nullopt;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < view.trials.size(); ++i) {
    if (!Scored(view.trials[i], 1)) continue;
    if (!best || Better(view.goals[0], view.trials[i].values[0], view.trials[*best].values[0])) {
      best = i;
    }
  }
  return best;
}

std::vector<std::size_t> ParetoFront(const SearchView& view) {
  std::vector<std::size_t> front;
  if (view.goals.size() < 2) return front;
  std::vector<std::size_t> scored;
  std::vector<TradeoffPoint> points;
  for (std::size_t i = 0; i < view.trials.size(); ++i) {
    if (!Scored(view.trials[i], 2)) continue;
    const std::vector<double>& v = view.trials[i].values;
    // The first objective as a cost (lower is better), the second as a
    // quality (higher is better).
    scored.push_back(i);
    points.push_back(
        {view.goals[0].maximize ? -v[0] : v[0], view.goals[1].maximize ? v[1] : -v[1]});
  }
  const std::vector<int> dominated_by = DominatedBy(points);
  for (std::size_t k = 0; k < scored.size(); ++k) {
    if (dominated_by[k] == kOnTheFront) front.push_back(scored[k]);
  }
  const SearchGoal first = view.goals[0];
  std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
    return Better(first, view.trials[a].values[0], view.trials[b].values[0]);
  });
  return front;
}

std::vector<ProgressPoint> BestSoFar(const SearchView& view) {
  std::vector<ProgressPoint> points;
  if (view.goals.empty()) return points;
  double cumulative = 0;
  std::optional<double> best;
  for (const TrialRecord& trial : view.trials) {
    cumulative += trial.from_store ? 0 : trial.energy_wh;
    if (Scored(trial, 1) && (!best || Better(view.goals[0], trial.values[0], *best))) {
      best = trial.values[0];
    }
    if (best) points.push_back({trial.number, cumulative, *best});
  }
  return points;
}

std::vector<std::pair<std::string, double>> Importances(const StudyRecord& study) {
  std::vector<std::pair<std::string, double>> importances;
  const nlohmann::json parsed = ParsedObject(study.importances_json);
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    if (it->is_number() && std::isfinite(it->get<double>())) {
      importances.emplace_back(it.key(), it->get<double>());
    }
  }
  std::stable_sort(importances.begin(), importances.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return importances;
}

std::string ParamText(const std::string& params_json, const std::string& key) {
  const nlohmann::json params = ParsedObject(params_json);
  const auto it = params.find(key);
  if (it == params.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  if (it->is_number_integer()) return Count(it->get<long long>());
  if (it->is_number()) {
    const double value = it->get<double>();
    const std::string compact = Compact(value);
    const std::string significant = Significant(value);
    return compact.size() <= significant.size() ? compact : significant;
  }
  return it->dump();
}

}  // namespace carbonbench::report
