#include "runner/cell_run.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <torch/utils.h>

#include "power_model/calibration_profile.h"
#include "runner/cell_session.h"
#include "runner/cell_settings.h"
#include "runner/cell_setup.h"
#include "runner/saved_model.h"
#include "training/evaluate.h"
#include "training/trainer.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

// Where the carbon figure came from, beyond the intensity and its source.
CarbonDetails CarbonDetailsOf(const CarbonIntensity& carbon, const CarbonSettings& settings) {
  CarbonDetails details;
  details.country_iso_code = carbon.country_iso_code;
  details.country_name = carbon.country_name;
  details.subdivision = carbon.subdivision;
  details.cloud_provider = carbon.cloud_provider;
  details.cloud_region = carbon.cloud_region;
  details.year = carbon.year;
  details.fallback_path = carbon.fallback_path;
  details.pue_source = carbon.pue_source;
  details.pue_year = carbon.pue_year;
  // The file as loaded (resolved beside the suite), not as written.
  details.intensity_csv = carbon.hourly ? carbon.hourly->path() : "";
  details.compare_regions = settings.compare_regions;
  return details;
}

}  // namespace

MeterSelection ChooseMeters(SuiteRunContext& context, const Cell& cell, int threads) {
  MeterSelection chosen = SelectMeters(
      *context.registry, context.suite->meters,
      [&](const std::string& name) {
        return PluginParamsFor(context, PluginKind::kMeter, name, cell);
      },
      MeterContext{context.reference_data_dir, threads, power_model::DefaultCalibrationDir()});
  for (const MeterProbe& probe : chosen.probes) {
    // Never a silent fallback: say once per suite why a meter is not used.
    if (!probe.availability.available && context.explain_unavailable_meters &&
        context.unavailable_meters_reported.insert(probe.name).second) {
      std::fprintf(stderr, "meter %s not used: %s\n", probe.name.c_str(),
                   probe.availability.reason.c_str());
    }
  }
  if (chosen.meters.empty()) {
    throw std::runtime_error(
        fmt::format("no energy meter can measure or estimate here: {}", chosen.Refusals()));
  }
  return chosen;
}

DatasetRequest DatasetRequestFor(const Cell& cell, const Params& model_params,
                                 const VocabularySource& vocabulary) {
  DatasetRequest request;
  request.name = StringSetting(cell, "dataset");
  request.path = StringSetting(cell, "dataset.path");
  request.train_size = IntSetting(cell, "dataset.train_size");
  request.test_size = IntSetting(cell, "dataset.test_size");
  request.seed = IntSetting(cell, "seed");
  request.test_fraction = FloatSetting(cell, "dataset.test_fraction");
  request.augment = std::get<bool>(cell.Get("dataset.augment"));
  request.crop_padding_px = IntSetting(cell, "dataset.crop_padding_px");
  request.normalize = std::get<bool>(cell.Get("dataset.normalize"));
  request.max_length = IntSetting(cell, "dataset.max_length");
  request.vocab_path = StringSetting(cell, "dataset.vocab");
  request.vocab_size = IntSetting(cell, "dataset.vocab_size");
  request.categories = StringSetting(cell, "dataset.categories");
  request.window = IntSetting(cell, "dataset.window");
  request.horizon = IntSetting(cell, "dataset.horizon");
  request.value_column = StringSetting(cell, "dataset.value_column");
  // A model that brings its vocabulary (e.g. with pretrained weights) fixes
  // the ids: encode with its file, unless the suite names one.
  const std::string& folder_param = vocabulary.folder_param;
  if (request.vocab_path.empty() && !folder_param.empty() && model_params.Has(folder_param) &&
      !model_params.GetString(folder_param).empty()) {
    request.vocab_path =
        (std::filesystem::path(model_params.GetString(folder_param)) / vocabulary.file).string();
  }
  return request;
}

// The idle baseline, measured once per suite before the first cell that
// runs, with the meters that cell chose.
const IdleBaseline* IdleBaselineFor(SuiteRunContext& context, const MeterSelection& meters) {
  const double seconds = context.suite->sampler.idle_baseline_s;
  if (seconds <= 0) return nullptr;
  if (!context.idle) {
    std::fprintf(stderr, "measuring idle power for %.1f s before the first cell...\n", seconds);
    context.idle = MeasureIdleBaseline(
        meters.meters, std::chrono::milliseconds(static_cast<long long>(seconds * 1000)),
        std::chrono::milliseconds(context.sampler_interval_ms));
    std::fprintf(stderr, "idle power: %.2f W\n", context.idle->TotalWatts());
  }
  return &*context.idle;
}

RunStart BasicRunStart(const SuiteRunContext& context, const Cell& cell, int repetition) {
  RunStart start;
  start.suite = context.suite->name;
  start.cell_name = cell.name;
  start.config_hash = cell.config_hash;
  start.config_json = cell.config_json;
  start.repetition = repetition;
  // Repetitions differ only by seed, derived from the cell's seed.
  start.seed = IntSetting(cell, "seed") + repetition;
  start.model = StringSetting(cell, "model");
  start.optimizations = JoinStrings(cell.optimizations, "+");
  start.dataset = StringSetting(cell, "dataset");
  start.task = kClassificationTask;
  start.region_requested = context.intensity.region_requested;
  start.region_used = context.intensity.region_used;
  start.intensity_g_per_kwh = context.intensity.g_per_kwh;
  start.intensity_source = context.intensity.source;
  start.pue = context.intensity.pue;
  start.carbon = CarbonDetailsOf(context.intensity, context.suite->carbon);
  return start;
}

CellOutcome RunCell(SuiteRunContext& context, const Cell& cell, int repetition) {
  return CellSession(context, cell, repetition).Run();
}

ProbeResult ProbeCell(SuiteRunContext& context, const Cell& cell, int steps) {
  const RunStart start = BasicRunStart(context, cell, 0);
  const CellSetup setup = SetUpCell(context, cell);
  const auto& data = setup.data;
  TrainingSettings settings = TrainingSettingsFor(cell, start.seed, setup.device);

  ProbeResult probe;
  probe.epochs = settings.epochs;
  const std::int64_t train_count = data->train_inputs.size(0);
  const std::int64_t test_count = data->test_inputs.size(0);
  probe.train_batches_per_epoch = BatchCount(train_count, settings.batch_size);
  probe.eval_batches_per_epoch = BatchCount(test_count, settings.eval_batch_size);
  // The same loop on a slice of the data: the pace per step is what scales.
  TensorDataset slice = *data;
  const std::int64_t train_n = std::min(train_count, steps * settings.batch_size);
  // Evaluation scales with samples: a few hundred time it well enough.
  constexpr std::int64_t kProbeEvalSamples = 256;
  const std::int64_t eval_batch = std::min(test_count, settings.eval_batch_size);
  const std::int64_t test_n = std::min(eval_batch, kProbeEvalSamples);
  slice.train_inputs = data->train_inputs.slice(0, 0, train_n);
  slice.train_targets = data->train_targets.slice(0, 0, train_n);
  slice.test_inputs = data->test_inputs.slice(0, 0, test_n);
  slice.test_targets = data->test_targets.slice(0, 0, test_n);
  settings.epochs = 2;

  auto model = context.registry->Create<Model>(PluginKind::kModel, start.model);
  torch::manual_seed(static_cast<uint64_t>(start.seed));
  std::shared_ptr<Network> network =
      model->Build(slice.spec, PluginParamsFor(context, PluginKind::kModel, start.model, cell));
  auto optimizations = MakeOptimizations(context, cell);
  auto sampler = MakeSampler(context, setup.meters);
  sampler->Start("train");
  EpochRecord last;
  TrainingObserver observer;
  observer.mark_phase = [&](const std::string& phase) { sampler->MarkPhase(phase); };
  observer.energy_wh = [&] { return sampler->TotalWh(); };
  observer.warn = [](const std::string&) {};
  observer.on_epoch = [&](const EpochRecord& record) { last = record; };
  Train(network, slice, optimizations, settings, observer);
  sampler->Stop();

  probe.steps = static_cast<int>(BatchCount(train_n, settings.batch_size));
  probe.train_step_s = last.train_s / std::max(1, probe.steps);
  probe.eval_batches = 1;
  probe.eval_batch_s =
      test_n > 0 ? last.eval_s * static_cast<double>(eval_batch) / static_cast<double>(test_n) : 0;
  const double seconds = last.train_s + last.eval_s;
  probe.watts = seconds > 0 ? last.energy_wh * 3600.0 / seconds : 0;
  probe.provenance = sampler->ProvenanceSummary();
  // The inference phase: per batch size, its warm-up and then the longer of
  // its minimum time and its minimum iterations, at evaluation's pace.
  const Suite& suite = *context.suite;
  if (suite.inference.enabled && test_n > 0) {
    const double per_sample_s = last.eval_s / static_cast<double>(test_n);
    for (const std::int64_t batch : suite.inference.batch_sizes) {
      const double batch_s = per_sample_s * static_cast<double>(batch);
      probe.inference_s +=
          suite.inference.warmup_iterations * batch_s +
          std::max(suite.inference.min_time_s, suite.inference.min_iterations * batch_s);
    }
  }
  return probe;
}

InferOutcome InferSavedModel(SuiteRunContext& context, const Cell& cell,
                             const std::string& model_path) {
  const SavedModelInfo saved = ReadSavedModelInfo(model_path);
  const CellSetup setup = SetUpCell(context, cell);
  const TensorDataset& data = *setup.data;
  const std::string mismatch = SpecMismatch(saved.spec, data.spec);
  if (!mismatch.empty()) throw std::runtime_error(fmt::format("{}: {}", model_path, mismatch));
  auto model = context.registry->Create<Model>(PluginKind::kModel, saved.model);
  const auto optimizations = MakeOptimizations(context, cell);

  InferOutcome outcome;
  outcome.model = saved.model;
  auto sampler = MakeSampler(context, setup.meters);
  sampler->Start("inference");
  outcome.provenance = sampler->ProvenanceSummary();
  const ColdStart cold = LoadForServing(*model, saved.spec, saved.model_params, model_path,
                                        optimizations, data.test_inputs, setup.device);
  outcome.cold_start_s = cold.seconds;
  outcome.records = MeasureInference(
      *cold.network, data.test_inputs,
      InferenceSettingsFor(*context.suite, cell, setup.device, optimizations),
      InferenceEnergy{[&] { return sampler->TotalWh(); }, [&] { return sampler->TotalCo2G(); },
                      outcome.provenance, [&] { return sampler->TotalBandWh(); }});
  sampler->Stop();

  // Proof that the file holds the trained model: its quality on this data,
  // found as training's last epoch found it (the same evaluation, batches
  // and forward scopes), so the figures match the run's.
  const TrainingSettings training = TrainingSettingsFor(cell, 0, setup.device);
  EvaluationSettings settings;
  settings.batch_size = training.eval_batch_size;
  settings.channels_last = training.channels_last;
  TrainingContext ctx;
  ctx.device = torch::Device(setup.device);
  ctx.dataset = &data.spec;
  ctx.network = cold.network;
  const Evaluation evaluation = Evaluate(*cold.network, data, optimizations, ctx, settings);
  const std::int64_t count = data.test_inputs.size(0);
  outcome.quality =
      data.spec.task == TaskKind::kRegression
          ? fmt::format("test RMSE {:.4g} ({} samples)", evaluation.rmse, count)
          : fmt::format("test accuracy {:.2f}% ({} samples)", 100.0 * evaluation.accuracy, count);
  return outcome;
}

}  // namespace carbonbench
