// One cell repetition, start to end: data, model, optimizations, meters,
// training with the sampler beside it, the saved model and the stored rows.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "pipeline/dataset.h"
#include "energy/carbon_intensity.h"
#include "energy/energy_sampler.h"
#include "plugins/plugin_registry.h"
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
  // Meters already reported as unavailable, so each is explained once.
  std::set<std::string> unavailable_meters_reported;
  // Datasets already loaded, by request, so cells share one copy.
  std::map<std::string, std::shared_ptr<const TensorDataset>> datasets;
};

struct CellOutcome {
  bool finished = false;
  bool from_store = false;  // resumed: an earlier finished run was reused
  std::string task = kClassificationTask;
  std::string failure_reason;
  RunSummary summary;
};

// The cell's dataset settings as a request; a model with a `pretrained`
// folder (`model_params`) supplies the vocabulary unless dataset.vocab does.
DatasetRequest DatasetRequestFor(const Cell& cell, const Params& model_params);

CellOutcome RunCell(SuiteRunContext& context, const Cell& cell, int repetition, bool fresh);

}  // namespace carbonbench
