#include "runner/cell_setup.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/cuda.h>

#include "process/malloc_library.h"
#include "runner/cell_settings.h"
#include "runner/environment.h"

namespace carbonbench {
namespace {

// Every field, so two cells share a loaded dataset only when nothing differs.
std::string RequestKey(const DatasetRequest& r) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", r.name, r.path,
                     r.train_size, r.test_size, r.seed, r.test_fraction, r.augment,
                     r.crop_padding_px, r.normalize, r.max_length, r.vocab_path, r.vocab_size,
                     r.categories, r.window, r.horizon, r.value_column);
}

std::shared_ptr<const TensorDataset> DatasetFor(SuiteRunContext& context, const Cell& cell) {
  const std::string model = StringSetting(cell, "model");
  const DatasetRequest request =
      DatasetRequestFor(cell, PluginParamsFor(context, PluginKind::kModel, model, cell),
                        context.registry->Find(PluginKind::kModel, model)->vocabulary);
  auto& cached = context.datasets[RequestKey(request)];
  if (!cached) cached = std::make_shared<const TensorDataset>(LoadDataset(request));
  return cached;
}

}  // namespace

std::string ResolveDevice(const std::string& requested) {
  if (requested == "cuda" && !torch::cuda::is_available()) {
    throw std::runtime_error(
        "device: cuda was requested but this torch sees no CUDA device (Debian's libtorch is "
        "CPU-only: build against a CUDA libtorch with -DTorch_DIR=...)");
  }
  if (requested == "auto") return torch::cuda::is_available() ? "cuda" : "cpu";
  return requested;
}

Params PluginParamsFor(const SuiteRunContext& context, PluginKind kind, const std::string& name,
                       const Cell& cell) {
  return ResolveParams(context.registry->Find(kind, name)->params, cell.PluginParams(name));
}

CellSetup SetUpCell(SuiteRunContext& context, const Cell& cell,
                    const std::function<void(const CellSetup&)>& between) {
  CellSetup setup;
  setup.threads = ApplyThreadCount(static_cast<int>(IntSetting(cell, "threads")));
  setup.device = ResolveDevice(StringSetting(cell, "device"));
  const std::string allocator_mismatch =
      AllocatorMismatch(StringSetting(cell, "allocator"), MallocProvider());
  if (!allocator_mismatch.empty()) throw std::runtime_error(allocator_mismatch);
  setup.flush_denormal = ApplyDenormalFlushing(std::get<bool>(cell.Get("flush_denormal")));
  setup.meters = ChooseMeters(context, cell, setup.threads);
  if (between) between(setup);
  setup.data = DatasetFor(context, cell);
  return setup;
}

std::vector<std::shared_ptr<Optimization>> MakeOptimizations(SuiteRunContext& context,
                                                             const Cell& cell) {
  std::vector<std::shared_ptr<Optimization>> optimizations;
  for (const auto& name : cell.optimizations) {
    auto optimization = context.registry->Create<Optimization>(PluginKind::kOptimization, name);
    optimization->Configure(PluginParamsFor(context, PluginKind::kOptimization, name, cell));
    optimizations.push_back(optimization);
  }
  std::stable_sort(optimizations.begin(), optimizations.end(),
                   [](const auto& a, const auto& b) { return a->Order() < b->Order(); });
  return optimizations;
}

std::unique_ptr<EnergySampler> MakeSampler(const SuiteRunContext& context,
                                           const MeterSelection& meters) {
  SamplerSettings settings;
  settings.interval = std::chrono::milliseconds(context.sampler_interval_ms);
  settings.pue = context.intensity.pue;
  const CarbonIntensity& carbon = context.intensity;
  settings.g_per_kwh_at = [&carbon](WallClock::time_point when) { return carbon.GPerKwhAt(when); };
  return std::make_unique<EnergySampler>(meters.meters, settings);
}

InferenceSettings InferenceSettingsFor(const Suite& suite, const Cell& cell,
                                       const std::string& device,
                                       std::vector<std::shared_ptr<Optimization>> optimizations) {
  InferenceSettings settings;
  settings.channels_last = std::get<bool>(cell.Get("channels_last"));
  settings.batch_sizes = suite.inference.batch_sizes;
  settings.warmup_iterations = suite.inference.warmup_iterations;
  settings.min_time_s = suite.inference.min_time_s;
  settings.min_iterations = suite.inference.min_iterations;
  settings.device = device;
  settings.optimizations = std::move(optimizations);
  return settings;
}

ColdStart LoadForServing(const Model& model, const DatasetSpec& spec, const Params& model_params,
                         const std::string& model_path,
                         const std::vector<std::shared_ptr<Optimization>>& optimizations,
                         const torch::Tensor& inputs, const std::string& device) {
  return MeasureColdStart(
      [&] {
        std::shared_ptr<Network> loaded = model.Build(spec, model_params);
        LoadNetworkWeights(*loaded, model_path);
        for (const auto& optimization : optimizations) {
          optimization->PrepareForInference(*loaded, torch::Device(device));
        }
        return loaded;
      },
      inputs, device);
}

}  // namespace carbonbench
