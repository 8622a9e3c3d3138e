// One cell repetition, start to end: data, model, optimizations, meters,
// training with the sampler beside it, the saved model and the stored rows.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "carbonbench/training_context.h"
#include "energy/carbon_intensity.h"
#include "energy/energy_sampler.h"
#include "pipeline/dataset.h"
#include "plugins/plugin_registry.h"
#include "runner/cell_request.h"
#include "runner/meter_selection.h"
#include "runner/plan.h"
#include "store/results_store.h"
#include "suites/suite.h"

namespace carbonbench {

// What every cell of a suite run shares.
struct SuiteRunContext {
  const Suite* suite = nullptr;
  const PluginRegistry* registry = nullptr;
  ResultsStore* store = nullptr;
  CarbonIntensity intensity;
  std::string reference_data_dir;
  std::string models_dir;
  int sampler_interval_ms = 100;
  // The suite's idle baseline, measured before the first cell that runs
  // when the suite asks for one (sampler.idle_baseline_s).
  std::optional<IdleBaseline> idle;
  // Meters already reported as unavailable, so each is explained once; a
  // cell's child process leaves that to the suite's process.
  std::set<std::string> unavailable_meters_reported;
  bool explain_unavailable_meters = true;
  // Progress as the cell goes; unset: one plain line per epoch on stderr.
  std::function<void(const CellEvent&)> on_event;
  // A search's pruner, asked after each planned epoch (TrainingObserver).
  std::function<EpochDecision(const EpochMetrics&)> prune;
  // Datasets already loaded, by request, so cells share one copy.
  std::map<std::string, std::shared_ptr<const TensorDataset>> datasets;
};

struct CellOutcome {
  bool finished = false;
  bool from_store = false;  // resumed: an earlier finished run was reused
  bool pruned = false;      // a search stopped it after an epoch (stored as pruned)
  std::int64_t run_id = 0;  // its row in the store; 0 when it was not stored
  std::string task = kClassificationTask;
  std::string failure_reason;
  RunSummary summary;
};

// The cell's dataset settings as a request; a model that declares a
// `vocabulary` source supplies the vocabulary from the folder its parameter
// (in `model_params`) names, unless dataset.vocab does.
DatasetRequest DatasetRequestFor(const Cell& cell, const Params& model_params,
                                 const VocabularySource& vocabulary);

// What is known of a run before it starts (no environment or meters yet):
// enough to store a failure that happened before the run could say more.
RunStart BasicRunStart(const SuiteRunContext& context, const Cell& cell, int repetition);

// The meters the cell would use, each unavailable one explained once.
// Throws when none can measure or estimate.
MeterSelection ChooseMeters(SuiteRunContext& context, const Cell& cell, int threads);

// The suite's idle baseline, measured with `meters` the first time it is
// asked for when the suite wants one (sampler.idle_baseline_s); else null.
const IdleBaseline* IdleBaselineFor(SuiteRunContext& context, const MeterSelection& meters);

// Trains, saves and measures one cell repetition in this process, storing
// every row as it goes; a failure is stored with its reason, not thrown.
CellOutcome RunCell(SuiteRunContext& context, const Cell& cell, int repetition);

// `carbonbench infer`: the inference phase of a saved model alone, on the
// test split of the cell's dataset, with the cell's meters and carbon.
struct InferOutcome {
  double cold_start_s = 0;
  std::vector<InferenceRecord> records;
  std::string quality;     // "test accuracy 88.20% (2000 samples)" or RMSE
  std::string provenance;  // of the energy figures
  std::string model;       // the plugin it was rebuilt with
};
InferOutcome InferSavedModel(SuiteRunContext& context, const Cell& cell,
                             const std::string& model_path);

// A short measurement of the cell for a plan: two epochs on `steps`
// batches of its training data and one evaluation batch (the first epoch
// warms up), with its meters; nothing is stored. Throws what the cell
// would fail with.
ProbeResult ProbeCell(SuiteRunContext& context, const Cell& cell, int steps);

}  // namespace carbonbench
