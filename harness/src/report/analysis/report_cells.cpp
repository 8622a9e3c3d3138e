#include "report/analysis/report_cells.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace carbonbench::report {
namespace {

bool IsRegression(const RunRow& run) { return run.start.task == kRegressionTask; }

bool ByRepetition(const RunRow* a, const RunRow* b) {
  return std::tie(a->start.repetition, a->id) < std::tie(b->start.repetition, b->id);
}

CellRuns NewCell(const RunRow& run) {
  CellRuns cell;
  cell.name = run.start.cell_name;
  cell.config_hash = run.start.config_hash;
  cell.model = run.start.model;
  cell.optimizations = run.start.optimizations;
  cell.dataset = run.start.dataset;
  cell.task = run.start.task;
  cell.config_json = run.start.config_json;
  return cell;
}

std::string ComponentsText(const std::map<std::string, std::string>& components) {
  std::string text;
  for (const auto& [component, provenance] : components) {
    text += (text.empty() ? "" : ", ") + component + ": " + provenance;
  }
  return text;
}

std::optional<MeterInfo> ReadMeter(const MeterRecord& record) {
  if (!record.name) return std::nullopt;
  MeterInfo meter;
  meter.name = *record.name;
  meter.method = record.method.value_or("");
  if (record.components) meter.components = ComponentsText(*record.components);
  meter.available = record.available.value_or(true);
  meter.reason = record.reason.value_or("");
  return meter;
}

// Every optimization named by any cell: their "<opt>.<param>" settings are
// what an optimized cell adds to its baseline's settings.
std::set<std::string> OptimizationNames(const std::vector<CellRuns>& cells) {
  std::set<std::string> names;
  for (const CellRuns& cell : cells) {
    for (const std::string& name : SplitOptimizations(cell.optimizations)) {
      names.insert(name);
    }
  }
  return names;
}

// The cell's settings without optimization parameters; empty when the
// config cannot be read, which makes the cell match no baseline.
std::optional<nlohmann::json> ComparableSettings(const CellRuns& cell,
                                                 const std::set<std::string>& optimizations) {
  const auto config = nlohmann::json::parse(cell.config_json, nullptr,
                                            /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains("settings") || !config["settings"].is_object()) {
    return std::nullopt;
  }
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& [key, value] : config["settings"].items()) {
    const std::size_t dot = key.find('.');
    const bool optimization_param =
        dot != std::string::npos && optimizations.count(key.substr(0, dot)) > 0;
    if (!optimization_param) settings[key] = value;
  }
  return settings;
}

using DatasetTask = std::pair<std::string, bool>;  // dataset, regression

// "dataset" and "dataset.train_size": what fixes the data a cell trained
// and was tested on.
bool IsDataSetting(const std::string& key) {
  return key == "dataset" || key.rfind("dataset.", 0) == 0;
}

// A setting's stored value as it reads in a label: whole numbers with
// thousands separators ("12,000"), text without its quotes.
std::string DataValueText(const std::string& stored) {
  const auto value = nlohmann::json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_number()) return stored;
  const double number = value.get<double>();
  if (number != std::floor(number) || std::abs(number) >= 1e15) return Compact(number);
  std::string digits = std::to_string(static_cast<long long>(std::abs(number)));
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(at, ",");
  return (number < 0 ? "-" : "") + digits;
}

// A size setting in a label: 0 stands for the whole split.
std::string SizeText(const std::map<std::string, std::string>& settings, const std::string& key) {
  const auto found = settings.find(key);
  if (found == settings.end()) return "?";
  const std::string text = DataValueText(found->second);
  return text == "0" ? "all" : text;
}

// Sets each group's `data` to what tells it from its dataset's other
// groups: "12,000 train / 2,000 test", "max_length 64".
void NameDataDifferences(const std::vector<std::map<std::string, std::string>>& settings,
                         std::vector<DatasetCells>* groups) {
  for (std::size_t i = 0; i < groups->size(); ++i) {
    DatasetCells& group = (*groups)[i];
    std::set<std::string> differing;
    for (std::size_t j = 0; j < groups->size(); ++j) {
      const DatasetCells& other = (*groups)[j];
      if (j == i || other.dataset != group.dataset || other.regression != group.regression) {
        continue;
      }
      for (const auto& [key, value] : settings[i]) {
        const auto found = settings[j].find(key);
        if (found == settings[j].end() || found->second != value) differing.insert(key);
      }
    }
    std::vector<std::string> parts;
    if (differing.count("dataset.train_size") || differing.count("dataset.test_size")) {
      parts.push_back(SizeText(settings[i], "dataset.train_size") + " train / " +
                      SizeText(settings[i], "dataset.test_size") + " test");
    }
    for (const std::string& key : differing) {
      if (key == "dataset.train_size" || key == "dataset.test_size") continue;
      parts.push_back(key.substr(key.find('.') + 1) + " " + DataValueText(settings[i].at(key)));
    }
    group.data = fmt::format("{}", fmt::join(parts, ", "));
  }
}

}  // namespace

const CellRuns* FindBaseline(const CellRuns& cell, const std::vector<CellRuns>& cells) {
  const std::set<std::string> optimizations = OptimizationNames(cells);
  const auto wanted = ComparableSettings(cell, optimizations);
  if (!wanted) return nullptr;
  for (const CellRuns& candidate : cells) {
    if (!candidate.optimizations.empty() || candidate.finished.empty() ||
        candidate.IsRegression() != cell.IsRegression())
      continue;
    if (ComparableSettings(candidate, optimizations) == wanted) return &candidate;
  }
  return nullptr;
}

namespace {

bool OnCppModules(const CellRuns& cell) {
  return cell.runtime.empty() || cell.runtime == kCppModulesRuntime;
}

// The settings without the model and its parameters: what two runtimes of
// one architecture share.
std::optional<nlohmann::json> SettingsBesideModel(const CellRuns& cell) {
  auto settings = ComparableSettings(cell, {});
  if (!settings) return std::nullopt;
  nlohmann::json kept = nlohmann::json::object();
  for (const auto& [key, value] : settings->items()) {
    if (key != "model" && key.rfind(cell.model + ".", 0) != 0) kept[key] = value;
  }
  return kept;
}

}  // namespace

const CellRuns* FindRuntimeBaseline(const CellRuns& cell, const std::vector<CellRuns>& cells) {
  if (OnCppModules(cell) || cell.architecture.empty()) return nullptr;
  const auto wanted = SettingsBesideModel(cell);
  if (!wanted) return nullptr;
  for (const CellRuns& candidate : cells) {
    if (!OnCppModules(candidate) || candidate.finished.empty() ||
        candidate.architecture != cell.architecture ||
        candidate.optimizations != cell.optimizations ||
        candidate.IsRegression() != cell.IsRegression())
      continue;
    if (SettingsBesideModel(candidate) == wanted) return &candidate;
  }
  return nullptr;
}

std::vector<BaselinePair> BaselinePairs(const std::vector<CellRuns>& task_cells,
                                        const std::vector<CellRuns>& all_cells) {
  std::vector<BaselinePair> pairs;
  for (const CellRuns& cell : task_cells) {
    if (cell.finished.empty()) continue;
    if (!cell.optimizations.empty()) pairs.push_back({&cell, FindBaseline(cell, all_cells), false});
    if (const CellRuns* other = FindRuntimeBaseline(cell, all_cells)) {
      pairs.push_back({&cell, other, true});
    }
  }
  return pairs;
}

std::vector<CellRuns> GroupCells(const std::vector<RunRow>& runs) {
  std::map<std::pair<std::string, std::string>, CellRuns> by_key;
  for (const RunRow& run : runs) {
    const auto key = std::make_pair(run.start.cell_name, run.start.config_hash);
    auto found = by_key.find(key);
    if (found == by_key.end()) found = by_key.emplace(key, NewCell(run)).first;
    auto& list = run.status == "finished" ? found->second.finished : found->second.failed;
    list.push_back(&run);
    if (found->second.runtime.empty() && !run.summary.runtime.empty()) {
      found->second.runtime = run.summary.runtime;
      found->second.architecture = run.summary.architecture;
    }
  }
  std::vector<CellRuns> cells;
  for (auto& [key, cell] : by_key) {
    std::sort(cell.finished.begin(), cell.finished.end(), ByRepetition);
    std::sort(cell.failed.begin(), cell.failed.end(), ByRepetition);
    cells.push_back(std::move(cell));
  }
  return cells;
}

CellsByTask SplitByTask(const std::vector<CellRuns>& cells) {
  CellsByTask split;
  for (const CellRuns& cell : cells) {
    (cell.IsRegression() ? split.regression : split.classification).push_back(cell);
  }
  return split;
}

std::string EpochRange(const CellRuns& cell) {
  int low = cell.finished.front()->summary.epochs_run;
  int high = low;
  for (const RunRow* run : cell.finished) {
    low = std::min(low, run->summary.epochs_run);
    high = std::max(high, run->summary.epochs_run);
  }
  return low == high ? std::to_string(low) : fmt::format("{}–{}", low, high);
}

std::optional<double> NumberSetting(const CellRuns& cell, const std::string& key) {
  const auto config = nlohmann::json::parse(cell.config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains("settings")) return std::nullopt;
  const auto& settings = config["settings"];
  const auto found = settings.find(key);
  if (found == settings.end() || !found->is_number()) return std::nullopt;
  return found->get<double>();
}

std::vector<std::string> TargetAccuracySettings(const CellRuns& cell, const DeclaredRoles& roles) {
  std::vector<std::string> keys;
  for (const std::string& setting : roles.target_accuracy_settings) {
    if (NumberSetting(cell, setting)) keys.push_back(setting);
  }
  return keys;
}

std::string DatasetCells::Label() const {
  std::vector<std::string> notes;
  if (!data.empty()) notes.push_back(data);
  if (regression) notes.push_back("regression");
  if (notes.empty()) return dataset;
  return fmt::format("{} ({})", dataset, fmt::join(notes, ", "));
}

std::map<std::string, std::string> DataSettings(const CellRuns& cell) {
  const auto config = nlohmann::json::parse(cell.config_json, nullptr, /*allow_exceptions=*/false);
  std::map<std::string, std::string> data;
  if (!config.is_object() || !config.contains("settings") || !config["settings"].is_object()) {
    return data;
  }
  for (const auto& [key, value] : config["settings"].items()) {
    if (IsDataSetting(key)) data[key] = value.dump();
  }
  return data;
}

std::vector<DatasetCells> FinishedCellsByDataset(const std::vector<CellRuns>& cells) {
  std::vector<const CellRuns*> finished;
  for (const CellRuns& cell : cells) {
    if (!cell.finished.empty()) finished.push_back(&cell);
  }
  // The data settings every cell of a dataset records: one stored before a
  // setting existed is not split from the rest for lacking it.
  std::map<DatasetTask, std::map<std::string, std::string>> common;
  for (const CellRuns* cell : finished) {
    const DatasetTask task = {cell->dataset, cell->IsRegression()};
    const auto settings = DataSettings(*cell);
    const auto [found, first] = common.emplace(task, settings);
    if (first) continue;
    auto& shared = found->second;
    for (auto it = shared.begin(); it != shared.end();) {
      it = settings.count(it->first) ? std::next(it) : shared.erase(it);
    }
  }
  std::vector<DatasetCells> groups;
  std::vector<std::map<std::string, std::string>> group_settings;
  for (const CellRuns* cell : finished) {
    const DatasetTask task = {cell->dataset, cell->IsRegression()};
    std::map<std::string, std::string> settings;
    const auto all = DataSettings(*cell);
    for (const auto& [key, value] : common[task]) settings[key] = all.at(key);
    auto same = [&](std::size_t i) {
      return groups[i].dataset == task.first && groups[i].regression == task.second &&
             group_settings[i] == settings;
    };
    std::size_t index = 0;
    while (index < groups.size() && !same(index)) ++index;
    if (index == groups.size()) {
      // After the dataset's last group, so its groups read one after another.
      std::size_t at = groups.size();
      for (std::size_t i = 0; i < groups.size(); ++i) {
        if (groups[i].dataset == task.first && groups[i].regression == task.second) at = i + 1;
      }
      groups.insert(groups.begin() + static_cast<std::ptrdiff_t>(at),
                    DatasetCells{task.first, task.second, "", {}});
      group_settings.insert(group_settings.begin() + static_cast<std::ptrdiff_t>(at), settings);
      index = at;
    }
    groups[index].cells.push_back(cell);
  }
  NameDataDifferences(group_settings, &groups);
  return groups;
}

std::vector<const RunRow*> FinishedRuns(const std::vector<CellRuns>& cells) {
  std::vector<const RunRow*> finished;
  for (const CellRuns& cell : cells) {
    finished.insert(finished.end(), cell.finished.begin(), cell.finished.end());
  }
  return finished;
}

bool AnyFinished(const std::vector<CellRuns>& cells) {
  return std::any_of(cells.begin(), cells.end(),
                     [](const CellRuns& cell) { return !cell.finished.empty(); });
}

std::optional<double> BestAccuracyPercent(const RunRow& run) {
  return run.summary.best_accuracy * 100.0;
}

std::optional<double> FinalAccuracyPercent(const RunRow& run) {
  return run.summary.final_accuracy * 100.0;
}

std::optional<double> DurationS(const RunRow& run) { return run.summary.duration_s; }

std::optional<double> EnergyWh(const RunRow& run) { return run.summary.energy_wh; }

std::optional<double> Co2G(const RunRow& run) { return run.summary.co2_g; }

std::optional<double> EnergyBandWh(const RunRow& run) { return run.summary.energy_band_wh; }

std::optional<double> AccuracyPerKwh(const RunRow& run) {
  if (IsRegression(run) || run.summary.energy_wh <= 0) return std::nullopt;
  return run.summary.final_accuracy * 100.0 / (run.summary.energy_wh / 1000.0);
}

std::optional<double> BestRmse(const RunRow& run) {
  if (!IsRegression(run)) return std::nullopt;
  return run.summary.best_rmse;
}

std::optional<double> FinalRmse(const RunRow& run) {
  if (!IsRegression(run)) return std::nullopt;
  return run.summary.final_rmse;
}

std::optional<double> FinalMae(const RunRow& run) {
  if (!IsRegression(run)) return std::nullopt;
  return run.summary.final_mae;
}

Stat StatOver(const CellRuns& cell, Metric metric) {
  std::vector<double> values;
  for (const RunRow* run : cell.finished) {
    if (const auto value = metric(*run)) values.push_back(*value);
  }
  return Summarize(values);
}

// The mean of the runs' bands over the mean of their energy: a mean's band
// is the mean of the bands (number_format.h says why they add).
std::optional<double> CellBandPercent(const CellRuns& cell) {
  return BandPercent(StatOver(cell, EnergyWh).mean, StatOver(cell, EnergyBandWh).mean);
}

std::string CellBandText(const CellRuns& cell) {
  return BandText(StatOver(cell, EnergyWh).mean, StatOver(cell, EnergyBandWh).mean);
}

bool AnyBand(const std::vector<CellRuns>& cells) {
  for (const CellRuns& cell : cells) {
    if (!CellBandText(cell).empty()) return true;
  }
  return false;
}

bool AnyEstimated(const std::vector<const RunRow*>& runs) {
  for (const RunRow* run : runs) {
    if (run->summary.energy_provenance.find("estimated") != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> SplitOptimizations(const std::string& joined) {
  std::vector<std::string> names;
  std::size_t begin = 0;
  while (begin < joined.size()) {
    std::size_t end = joined.find('+', begin);
    if (end == std::string::npos) end = joined.size();
    if (end > begin) names.push_back(joined.substr(begin, end - begin));
    begin = end + 1;
  }
  return names;
}

std::string CommonProvenance(const std::vector<const RunRow*>& runs) {
  std::set<std::string> words;
  for (const RunRow* run : runs) {
    if (!run->summary.energy_provenance.empty()) {
      words.insert(run->summary.energy_provenance);
    }
  }
  if (words.empty()) return "unknown";
  return words.size() == 1 ? *words.begin() : "mixed";
}

std::string ProvenanceWord(const std::string& provenance) {
  return provenance.substr(0, provenance.find(':'));
}

std::vector<MeterInfo> MetersOf(const std::vector<RunRow>& runs) {
  std::vector<MeterInfo> meters;
  std::set<std::string> seen;
  for (const RunRow& run : runs) {
    for (const MeterRecord& item : run.start.meters) {
      const auto meter = ReadMeter(item);
      if (meter && seen.insert(meter->name).second) meters.push_back(*meter);
    }
  }
  return meters;
}

std::vector<std::string> Distinct(const std::vector<std::string>& values) {
  std::vector<std::string> distinct;
  std::set<std::string> seen;
  for (const std::string& value : values) {
    if (seen.insert(value).second) distinct.push_back(value);
  }
  return distinct;
}

}  // namespace carbonbench::report
