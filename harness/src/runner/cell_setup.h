// The set-up every way of running a cell shares (a run, a plan's probe,
// `carbonbench infer`), so each sets up threads, device, meters, data,
// optimizations and a served model the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "carbonbench/model.h"
#include "carbonbench/optimization.h"
#include "energy/energy_sampler.h"
#include "pipeline/dataset.h"
#include "runner/cell_run.h"
#include "runner/meter_selection.h"
#include "training/inference.h"

namespace carbonbench {

// What a cell has once set up, in the order it is done: its threads and
// device (after the allocator it asked for is checked and denormal flushing
// set), its meters and its data.
struct CellSetup {
  int threads = 0;
  std::string device;           // resolved: cpu | cuda
  bool flush_denormal = false;  // as applied
  MeterSelection meters;
  std::shared_ptr<const TensorDataset> data;
};

// `between` runs after the meters are chosen and before the data is loaded
// (a run takes the idle baseline there, before memory fills). Throws what
// the cell would fail with.
CellSetup SetUpCell(SuiteRunContext& context, const Cell& cell,
                    const std::function<void(const CellSetup&)>& between = {});

// "auto" resolved; "cuda" without a CUDA device is an error saying why.
std::string ResolveDevice(const std::string& requested);

// The cell's values for one plugin's declared parameters, defaults filled in.
Params PluginParamsFor(const SuiteRunContext& context, PluginKind kind, const std::string& name,
                       const Cell& cell);

// The cell's optimizations, configured, in their declared order.
std::vector<std::shared_ptr<Optimization>> MakeOptimizations(SuiteRunContext& context,
                                                             const Cell& cell);

// A sampler over `meters` at the suite's interval, with its PUE and carbon.
std::unique_ptr<EnergySampler> MakeSampler(const SuiteRunContext& context,
                                           const MeterSelection& meters);

// The suite's inference settings for this cell on `device`.
InferenceSettings InferenceSettingsFor(const Suite& suite, const Cell& cell,
                                       const std::string& device,
                                       std::vector<std::shared_ptr<Optimization>> optimizations);

// Serves a saved model as a user would: rebuilt from its file, prepared for
// inference by the optimizations, and timed from the load to its first
// prediction.
ColdStart LoadForServing(const Model& model, const DatasetSpec& spec, const Params& model_params,
                         const std::string& model_path,
                         const std::vector<std::shared_ptr<Optimization>>& optimizations,
                         const torch::Tensor& inputs, const std::string& device);

}  // namespace carbonbench
