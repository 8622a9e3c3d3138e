// The report's view of a suite: runs grouped into cells (repetitions of one
// configuration), with the per-run figures every section derives from.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "records/run_records.h"
#include "report/analysis/declared_roles.h"
#include "report/analysis/number_format.h"

namespace carbonbench::report {

struct CellRuns {
  std::string name;
  std::string config_hash;
  std::string model;
  std::string optimizations;  // as stored: "a+b", empty for none
  std::string dataset;
  std::string task;  // as stored; one per cell, since it follows the dataset
  std::string config_json;
  // As its runs recorded them; empty for runs from before they were.
  std::string runtime;                  // kCppModulesRuntime, "TorchScript"
  std::string architecture;             // the model's name, or what an exported file declares
  std::vector<const RunRow*> finished;  // by repetition
  std::vector<const RunRow*> failed;    // by repetition

  // A cell counts as failed when any of its repetitions failed, even if
  // others finished (those still appear in the results).
  bool HasFailure() const { return !failed.empty(); }
  // Any other task reads as classification, as rows from before tasks did.
  bool IsRegression() const { return task == kRegressionTask; }
};

// Cells sorted by name (then hash): unlike store ids, names do not change
// when a cell is run again, so the report's order is stable across resumes.
std::vector<CellRuns> GroupCells(const std::vector<RunRow>& runs);

// The cells of each task, each list in the order given. Accuracies and
// errors are never compared with each other, so sections show them apart.
struct CellsByTask {
  std::vector<CellRuns> classification;
  std::vector<CellRuns> regression;
};
CellsByTask SplitByTask(const std::vector<CellRuns>& cells);
// The finished cell without optimizations whose other settings equal the
// cell's (its optimizations' own parameters aside); nullptr when none.
const CellRuns* FindBaseline(const CellRuns& cell, const std::vector<CellRuns>& cells);
// For a cell that ran on another runtime than C++ modules (TorchScript): the
// finished cell of the same architecture on C++ modules with the same
// optimizations and other settings (the models' own parameters aside);
// nullptr when none, or when the cell runs on C++ modules.
const CellRuns* FindRuntimeBaseline(const CellRuns& cell, const std::vector<CellRuns>& cells);
// One row of the against-baseline table: an optimized cell and the cell
// without its optimizations (`baseline` null when there is none), or a cell
// on another runtime and its FindRuntimeBaseline.
struct BaselinePair {
  const CellRuns* cell = nullptr;
  const CellRuns* baseline = nullptr;
  bool across_runtimes = false;
};
// The rows for the finished cells of `task_cells`, in their order, each
// cell's optimization row before its runtime row; baselines are sought in
// `all_cells`.
std::vector<BaselinePair> BaselinePairs(const std::vector<CellRuns>& task_cells,
                                        const std::vector<CellRuns>& all_cells);
// "5" when every finished repetition ran as many epochs, "3–5" when an
// optimization such as early stopping ended some sooner.
std::string EpochRange(const CellRuns& cell);
// A number among the cell's stored settings ("epochs",
// "stopper.target_acc"); empty when its configuration has none.
std::optional<double> NumberSetting(const CellRuns& cell, const std::string& key);
// The declared target-accuracy settings among the cell's stored settings.
std::vector<std::string> TargetAccuracySettings(const CellRuns& cell, const DeclaredRoles& roles);
// The finished cells trained and tested on the same data (the dataset and
// every `dataset.*` setting: sizes, split, vocabulary, ...) and of one task,
// in the order given. Accuracy and cost both follow the data, so cells on
// different data are never ranked or compared together.
struct DatasetCells {
  std::string dataset;
  bool regression = false;
  // What sets this group's data apart from the dataset's other groups:
  // "12,000 train / 2,000 test"; empty when the dataset has one group.
  std::string data;
  std::vector<const CellRuns*> cells;
  // "fashion_mnist (12,000 train / 2,000 test)", "co2 (regression)", or
  // the dataset alone.
  std::string Label() const;
};
// Groups in order of first appearance, a dataset's groups next to each
// other; cells without a finished run are left out.
std::vector<DatasetCells> FinishedCellsByDataset(const std::vector<CellRuns>& cells);
// The `dataset.*` settings of a cell's stored configuration, with the
// dataset's name under "dataset"; empty when the configuration cannot be read.
std::map<std::string, std::string> DataSettings(const CellRuns& cell);
// Every finished run of the cells, cell by cell.
std::vector<const RunRow*> FinishedRuns(const std::vector<CellRuns>& cells);
// Whether any of the cells has a finished run.
bool AnyFinished(const std::vector<CellRuns>& cells);

// Per-run figures the sections pool over repetitions. A metric returns no
// value where the run has none (AccuracyPerKwh without energy).
using Metric = std::optional<double> (*)(const RunRow&);
std::optional<double> BestAccuracyPercent(const RunRow& run);
std::optional<double> FinalAccuracyPercent(const RunRow& run);
std::optional<double> DurationS(const RunRow& run);
std::optional<double> EnergyWh(const RunRow& run);
std::optional<double> Co2G(const RunRow& run);
// Final accuracy in percent per kWh of energy; none for a regression run.
std::optional<double> AccuracyPerKwh(const RunRow& run);
// Regression errors in the target's units; none for a classification run.
std::optional<double> BestRmse(const RunRow& run);
std::optional<double> FinalRmse(const RunRow& run);
std::optional<double> FinalMae(const RunRow& run);

// ± Wh of the run's energy; 0 when none is known (see number_format.h).
std::optional<double> EnergyBandWh(const RunRow& run);

// The metric over a cell's finished runs. Runs for which `metric` has no
// value are left out.
Stat StatOver(const CellRuns& cell, Metric metric);

// The mean band of the cell's finished runs as a share of their mean
// energy ("±35%"), which is also its CO2's; "" when none is known.
std::string CellBandText(const CellRuns& cell);
// The relative band of the cell's mean energy in percent; empty when none.
std::optional<double> CellBandPercent(const CellRuns& cell);
// Whether any finished run of the cells carries a band.
bool AnyBand(const std::vector<CellRuns>& cells);
// Whether any of the runs' energy is estimated, in whole or in part.
bool AnyEstimated(const std::vector<const RunRow*>& runs);

// The optimization names of every cell, split at "+".
std::vector<std::string> SplitOptimizations(const std::string& joined);

// One energy provenance word for a set of runs: theirs if they agree,
// "mixed" if not, "unknown" if none was recorded.
std::string CommonProvenance(const std::vector<const RunRow*>& runs);
// Its first word: "mixed: cpu measured, ram estimated" -> "mixed".
std::string ProvenanceWord(const std::string& provenance);

// A meter as a run recorded it (RunStart::meters).
struct MeterInfo {
  std::string name;
  std::string method;
  std::string components;  // "cpu: estimated, ram: estimated"
  // A meter the suite asked for but that could not run here produced no
  // figure; `reason` says why.
  bool available = true;
  std::string reason;
};
// Distinct meters (by name) over all runs, in order of first appearance.
// A meter recorded without a name is skipped: a report never fails on old metadata.
std::vector<MeterInfo> MetersOf(const std::vector<RunRow>& runs);

// Values in order of first appearance, without repeats.
std::vector<std::string> Distinct(const std::vector<std::string>& values);

}  // namespace carbonbench::report
