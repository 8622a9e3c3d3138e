#include "runner/cell_run.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "carbonbench/meter.h"
#include "carbonbench/model.h"
#include "carbonbench/optimization.h"
#include "energy/energy_sampler.h"
#include "energy/host_usage.h"
#include "energy/phase_memory.h"
#include "inspect/model_summary.h"
#include "process/malloc_library.h"
#include "runner/cell_settings.h"
#include "runner/environment.h"
#include "runner/meter_selection.h"
#include "runner/progress_display.h"
#include "runner/saved_model.h"
#include "text/wordpiece.h"
#include "training/inference.h"
#include "training/trainer.h"
#include "util/text.h"

namespace carbonbench {
namespace {

using Clock = std::chrono::steady_clock;

// The cell's values for one plugin's declared parameters, defaults filled in.
Params PluginParamsFor(const SuiteRunContext& context, PluginKind kind, const std::string& name,
                       const Cell& cell) {
  return ResolveParams(context.registry->Find(kind, name)->params, cell.PluginParams(name));
}

// Every field, so two cells share a loaded dataset only when nothing differs.
std::string RequestKey(const DatasetRequest& r) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", r.name, r.path,
                     r.train_size, r.test_size, r.seed, r.test_fraction, r.augment,
                     r.crop_padding_px, r.normalize, r.max_length, r.vocab_path, r.vocab_size,
                     r.categories, r.window, r.horizon, r.value_column);
}

std::string ResolveDevice(const std::string& requested) {
  if (requested == "cuda" && !torch::cuda::is_available()) {
    throw std::runtime_error(
        "device: cuda was requested but this torch sees no CUDA device (Debian's libtorch is "
        "CPU-only: build against a CUDA libtorch with -DTorch_DIR=...)");
  }
  if (requested == "auto") return torch::cuda::is_available() ? "cuda" : "cpu";
  return requested;
}

std::shared_ptr<const TensorDataset> DatasetFor(SuiteRunContext& context, const Cell& cell) {
  const DatasetRequest request = DatasetRequestFor(
      cell, PluginParamsFor(context, PluginKind::kModel, StringSetting(cell, "model"), cell));
  const std::string key = RequestKey(request);
  auto& cached = context.datasets[key];
  if (!cached) cached = std::make_shared<const TensorDataset>(LoadDataset(request));
  return cached;
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
                                       const std::string& device) {
  InferenceSettings settings;
  settings.channels_last = std::get<bool>(cell.Get("channels_last"));
  settings.batch_sizes = suite.inference.batch_sizes;
  settings.warmup_iterations = suite.inference.warmup_iterations;
  settings.min_time_s = suite.inference.min_time_s;
  settings.min_iterations = suite.inference.min_iterations;
  settings.device = device;
  return settings;
}

// The network's size and compute per sample, as one forward pass of a test
// sample finds them: before and after training show what an optimization
// that changes the network's structure did to it.
void RecordNetworkSize(Network& network, const torch::Tensor& sample, const std::string& when,
                       OptimizationFigures& figures) {
  const ModelSummary summary = SummarizeModel(network, sample);
  figures.counts["model.parameters_" + when] = summary.parameters;
  figures.counts["model.macs_per_sample_" + when] = summary.macs_per_sample;
}

std::int64_t Batches(std::int64_t samples, std::int64_t batch_size) {
  return (samples + batch_size - 1) / batch_size;
}

std::string ModelPath(const SuiteRunContext& context, const Cell& cell, int repetition) {
  return (std::filesystem::path(context.models_dir) / context.suite->name /
          fmt::format("{}-r{}.pt", cell.config_hash, repetition))
      .string();
}

}  // namespace

MeterSelection ChooseMeters(SuiteRunContext& context, const Cell& cell, int threads) {
  MeterSelection chosen = SelectMeters(
      *context.registry, context.suite->meters,
      [&](const std::string& name) {
        return PluginParamsFor(context, PluginKind::kMeter, name, cell);
      },
      MeterContext{context.reference_data_dir, threads});
  for (const MeterProbe& probe : chosen.probes) {
    // Never a silent fallback: say once per suite why a meter is not used.
    if (!probe.availability.available && context.explain_unavailable_meters &&
        context.unavailable_meters_reported.insert(probe.name).second) {
      std::fprintf(stderr, "meter %s not used: %s\n", probe.name.c_str(),
                   probe.availability.reason.c_str());
    }
  }
  if (chosen.meters.empty()) {
    throw std::runtime_error("no energy meter can measure or estimate here: " + chosen.Refusals());
  }
  return chosen;
}

DatasetRequest DatasetRequestFor(const Cell& cell, const Params& model_params) {
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
  // A pretrained text model fixes the vocabulary: encode with its vocab.txt.
  if (request.vocab_path.empty() && model_params.Has("pretrained") &&
      !model_params.GetString("pretrained").empty()) {
    request.vocab_path =
        (std::filesystem::path(model_params.GetString("pretrained")) / "vocab.txt").string();
  }
  return request;
}

// What the machine draws idle over `duration_s`, PUE applied, in Wh.
double IdleEnergyWh(const IdleBaseline& idle, double duration_s, double pue) {
  return idle.TotalWatts() * duration_s / 3600.0 * pue;
}

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

// A row per true class; empty when the run has no confusion matrix (a
// regressor).
ConfusionRecord ConfusionOf(const DatasetSpec& spec, const std::vector<std::int64_t>& flat) {
  const std::int64_t classes = spec.num_classes;
  ConfusionRecord confusion;
  if (flat.empty() || classes <= 0 || static_cast<std::int64_t>(flat.size()) != classes * classes) {
    return confusion;
  }
  for (std::int64_t c = 0; c < classes; ++c) {
    confusion.classes.push_back(c < static_cast<std::int64_t>(spec.class_names.size())
                                    ? spec.class_names[c]
                                    : std::to_string(c));
  }
  for (std::int64_t row = 0; row < classes; ++row) {
    confusion.matrix.emplace_back(flat.begin() + row * classes, flat.begin() + (row + 1) * classes);
  }
  return confusion;
}

// CodeCarbon's utilisation and hardware columns, for the CSV export.
// `peak_rss_gb` is the run's peak resident memory; the process's high-water
// mark alone would be the last phase's, as each phase resets it.
UsageRecord UsageOf(const std::optional<CpuTimes>& cpu_before, int threads, double peak_rss_gb) {
  UsageRecord usage;
  usage.ram_used_gb = std::max(peak_rss_gb, PeakResidentRamGb());
  usage.ram_total_gb = TotalRamGb();
  usage.threads = threads;
  const std::optional<CpuTimes> cpu_after = ReadCpuTimes();
  if (cpu_before && cpu_after) {
    usage.cpu_utilization_percent = CpuUtilizationPercent(*cpu_before, *cpu_after);
  }
  return usage;
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
  const Suite& suite = *context.suite;
  ResultsStore& store = *context.store;
  CellOutcome outcome;
  auto start_time = Clock::now();
  RunStart start = BasicRunStart(context, cell, repetition);
  const std::int64_t seed = start.seed;
  const int threads = ApplyThreadCount(static_cast<int>(IntSetting(cell, "threads")));
  std::vector<std::string> warnings = context.intensity.warnings;
  auto warn = [&warnings, &cell](const std::string& message) {
    if (std::find(warnings.begin(), warnings.end(), message) != warnings.end()) return;
    warnings.push_back(message);
    std::fprintf(stderr, "warning: %s: %s\n", cell.name.c_str(), message.c_str());
  };

  // Everything that can fail before training is done before the run row is
  // written, but a failure anywhere is still stored with its reason.
  std::int64_t run_id = 0;
  std::unique_ptr<EnergySampler> sampler;
  std::optional<CpuTimes> cpu_before;
  PhaseMemory memory;
  OptimizationFigures figures;
  RunSummary& summary = outcome.summary;
  auto mark_phase = [&](const std::string& phase) {
    sampler->MarkPhase(phase);
    memory.Mark(phase);
  };
  try {
    const std::string device = ResolveDevice(StringSetting(cell, "device"));
    const std::string allocator_mismatch =
        AllocatorMismatch(StringSetting(cell, "allocator"), MallocProvider());
    if (!allocator_mismatch.empty()) throw std::runtime_error(allocator_mismatch);
    start.environment = DescribeEnvironment(threads, device);
    start.environment.flush_denormal =
        ApplyDenormalFlushing(std::get<bool>(cell.Get("flush_denormal")));
    start.environment.channels_last = std::get<bool>(cell.Get("channels_last"));
    MeterSelection meters = ChooseMeters(context, cell, threads);
    start.meters = meters.Describe();
    const IdleBaseline* idle = IdleBaselineFor(context, meters);
    if (idle) start.idle = IdleRecordOf(*idle);
    // Loading the data is no cell's cost: the clock starts after it, or a
    // cell whose data loads slowly would look slower to train.
    auto data = DatasetFor(context, cell);
    if (data->spec.task == TaskKind::kRegression) start.task = kRegressionTask;
    outcome.task = start.task;
    for (const auto& note : data->notes) warn(note);
    // What loading freed (decoded files, tensors before the subset) would
    // otherwise stay resident through every phase, kept by the allocator.
    ReleaseFreeMemory();
    start_time = Clock::now();
    run_id = store.BeginRun(start);
    // Tensors are counted from here: the network, its gradients and
    // optimizer state, activations and batches, not the dataset.
    memory.TrackTensors();

    const std::string model_name = start.model;
    auto model = context.registry->Create<Model>(PluginKind::kModel, model_name);
    torch::manual_seed(static_cast<uint64_t>(seed));
    std::shared_ptr<Network> network =
        model->Build(data->spec, PluginParamsFor(context, PluginKind::kModel, model_name, cell));
    auto optimizations = MakeOptimizations(context, cell);
    const torch::Tensor sample = data->test_inputs.slice(0, 0, 1);
    RecordNetworkSize(*network, sample, "before", figures);

    sampler = MakeSampler(context, meters);
    cpu_before = ReadCpuTimes();
    sampler->Start("train");
    memory.Mark("train");
    const std::string provenance = sampler->ProvenanceSummary();
    double co2_before_g = 0;

    TrainingObserver observer;
    observer.mark_phase = mark_phase;
    observer.energy_wh = [&] { return sampler->TotalWh(); };
    observer.co2_g = [&] { return sampler->TotalCo2G(); };
    observer.record = [&](const std::string& key, double value) { figures.measures[key] = value; };
    observer.warn = warn;
    observer.on_epoch = [&](const EpochRecord& epoch) {
      EpochRecord record = epoch;
      const double co2_now_g = sampler->TotalCo2G();
      record.co2_g = co2_now_g - co2_before_g;
      co2_before_g = co2_now_g;
      record.energy_provenance = provenance;
      store.AppendEpoch(run_id, record);
      summary.epochs_run = record.epoch;
      CellEvent event;
      event.type = "epoch";
      event.epoch = record.epoch;
      event.epochs = static_cast<int>(IntSetting(cell, "epochs"));
      event.metric =
          data->spec.task == TaskKind::kRegression
              ? fmt::format("test RMSE {:.4g}, MAE {:.4g}", record.test_rmse, record.test_mae)
              : fmt::format("test acc {:.2f}%", 100.0 * record.test_accuracy);
      event.train_loss = record.train_loss;
      event.elapsed_s = std::chrono::duration<double>(Clock::now() - start_time).count();
      event.epoch_s = record.train_s + record.eval_s;
      event.data_wait_pct = record.train_s > 0 ? 100.0 * record.data_s / record.train_s : 0.0;
      event.energy_wh = sampler->TotalWh();
      event.epoch_energy_wh = record.energy_wh;
      event.provenance = provenance;
      if (context.on_event) {
        context.on_event(event);
      } else {
        std::fprintf(stderr, "[%s] %s rep %d %s\n", suite.name.c_str(), cell.name.c_str(),
                     repetition + 1, ProgressDisplay::EpochText(event).c_str());
      }
    };

    const TrainingOutcome trained =
        Train(network, *data, optimizations, TrainingSettingsFor(cell, seed, device), observer);
    RecordNetworkSize(*network, sample.to(torch::Device(device)), "after", figures);
    summary.model_path = ModelPath(context, cell, repetition);
    SaveNetwork(network, summary.model_path);
    SavedModelInfo saved;
    saved.model = model_name;
    saved.model_params = PluginParamsFor(context, PluginKind::kModel, model_name, cell);
    saved.dataset = start.dataset;
    saved.spec = data->spec;
    saved.config_json = cell.config_json;
    saved.vocab_path = DatasetRequestFor(cell, saved.model_params).vocab_path;
    if (data->vocabulary_built) {
      // The model only makes sense with the ids it was trained on.
      saved.vocab_path = summary.model_path.substr(0, summary.model_path.size() - 3) + ".vocab.txt";
      WordPieceVocabulary(data->vocabulary).Save(saved.vocab_path);
    }
    WriteSavedModelInfo(summary.model_path, saved);
    if (suite.inference.enabled) {
      mark_phase("inference");
      if (context.on_event) {
        CellEvent event;
        event.type = "phase";
        event.phase = "inference";
        context.on_event(event);
      }
      // Served as a user would serve it: rebuilt from the saved file.
      const ColdStart cold = MeasureColdStart(
          [&] {
            std::shared_ptr<Network> loaded = model->Build(data->spec, saved.model_params);
            LoadNetworkWeights(*loaded, summary.model_path);
            for (const auto& optimization : optimizations) {
              optimization->PrepareForInference(*loaded, torch::Device(device));
            }
            return loaded;
          },
          data->test_inputs, device);
      summary.cold_start_s = cold.seconds;
      InferenceSettings inference = InferenceSettingsFor(suite, cell, device);
      inference.optimizations = optimizations;
      summary.inference =
          MeasureInference(*cold.network, data->test_inputs, inference,
                           InferenceEnergy{[&] { return sampler->TotalWh(); },
                                           [&] { return sampler->TotalCo2G(); }, provenance});
    }
    sampler->Stop();
    memory.Stop();

    summary.epochs_run = trained.epochs_run;
    summary.best_accuracy = trained.best_accuracy;
    summary.final_accuracy = trained.final_accuracy;
    summary.best_rmse = trained.best_rmse;
    summary.final_rmse = trained.final_rmse;
    summary.final_mae = trained.final_mae;
    summary.confusion = ConfusionOf(data->spec, trained.final_confusion);
    summary.stop_reason = trained.stop_reason;
    summary.compute_dtype = trained.compute_dtype;
    summary.duration_s = std::chrono::duration<double>(Clock::now() - start_time).count();
    summary.energy_wh = sampler->TotalWh();
    summary.co2_g = sampler->TotalCo2G();
    if (idle) summary.idle_energy_wh = IdleEnergyWh(*idle, summary.duration_s, start.pue);
    summary.energy_provenance = provenance;
    summary.usage = UsageOf(cpu_before, threads, memory.OverallPeakMb() * 1048576.0 / 1e9);
    summary.phases = sampler->PhaseTotals();
    summary.memory = memory.Record();
    summary.figures = figures;
    summary.warnings = warnings;
    store.FinishRun(run_id, summary);
    outcome.finished = true;
  } catch (const std::exception& e) {
    outcome.failure_reason = e.what();
  } catch (...) {
    outcome.failure_reason = "a non-standard exception escaped the cell";
  }
  if (!outcome.finished) {
    if (sampler) {
      sampler->Stop();
      summary.energy_wh = sampler->TotalWh();
      summary.co2_g = sampler->TotalCo2G();
      summary.energy_provenance = sampler->ProvenanceSummary();
      memory.Stop();
      summary.usage = UsageOf(cpu_before, threads, memory.OverallPeakMb() * 1048576.0 / 1e9);
      summary.phases = sampler->PhaseTotals();
      summary.memory = memory.Record();
      summary.figures = figures;
    }
    summary.duration_s = std::chrono::duration<double>(Clock::now() - start_time).count();
    summary.warnings = warnings;
    if (run_id == 0) run_id = store.BeginRun(start);
    store.FailRun(run_id, outcome.failure_reason, summary);
    std::fprintf(stderr, "[%s] %s rep %d FAILED: %s\n", suite.name.c_str(), cell.name.c_str(),
                 repetition + 1, outcome.failure_reason.c_str());
  }
  return outcome;
}

ProbeResult ProbeCell(SuiteRunContext& context, const Cell& cell, int steps) {
  const RunStart start = BasicRunStart(context, cell, 0);
  const int threads = ApplyThreadCount(static_cast<int>(IntSetting(cell, "threads")));
  const std::string device = ResolveDevice(StringSetting(cell, "device"));
  const MeterSelection meters = ChooseMeters(context, cell, threads);
  const auto data = DatasetFor(context, cell);
  TrainingSettings settings = TrainingSettingsFor(cell, start.seed, device);

  ProbeResult probe;
  probe.epochs = settings.epochs;
  const std::int64_t train_count = data->train_inputs.size(0);
  const std::int64_t test_count = data->test_inputs.size(0);
  probe.train_batches_per_epoch = Batches(train_count, settings.batch_size);
  probe.eval_batches_per_epoch = Batches(test_count, settings.eval_batch_size);
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
  auto sampler = MakeSampler(context, meters);
  sampler->Start("train");
  EpochRecord last;
  TrainingObserver observer;
  observer.mark_phase = [&](const std::string& phase) { sampler->MarkPhase(phase); };
  observer.energy_wh = [&] { return sampler->TotalWh(); };
  observer.warn = [](const std::string&) {};
  observer.on_epoch = [&](const EpochRecord& record) { last = record; };
  Train(network, slice, optimizations, settings, observer);
  sampler->Stop();

  probe.steps = static_cast<int>(Batches(train_n, settings.batch_size));
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
  const int threads = ApplyThreadCount(static_cast<int>(IntSetting(cell, "threads")));
  const std::string device = ResolveDevice(StringSetting(cell, "device"));
  const MeterSelection meters = ChooseMeters(context, cell, threads);
  const auto data = DatasetFor(context, cell);
  const std::string mismatch = SpecMismatch(saved.spec, data->spec);
  if (!mismatch.empty()) throw std::runtime_error(model_path + ": " + mismatch);
  auto model = context.registry->Create<Model>(PluginKind::kModel, saved.model);
  const auto optimizations = MakeOptimizations(context, cell);

  InferOutcome outcome;
  outcome.model = saved.model;
  auto sampler = MakeSampler(context, meters);
  sampler->Start("inference");
  outcome.provenance = sampler->ProvenanceSummary();
  const ColdStart cold = MeasureColdStart(
      [&] {
        std::shared_ptr<Network> loaded = model->Build(saved.spec, saved.model_params);
        LoadNetworkWeights(*loaded, model_path);
        for (const auto& optimization : optimizations) {
          optimization->PrepareForInference(*loaded, torch::Device(device));
        }
        return loaded;
      },
      data->test_inputs, device);
  outcome.cold_start_s = cold.seconds;
  InferenceSettings inference = InferenceSettingsFor(*context.suite, cell, device);
  inference.optimizations = optimizations;
  outcome.records =
      MeasureInference(*cold.network, data->test_inputs, inference,
                       InferenceEnergy{[&] { return sampler->TotalWh(); },
                                       [&] { return sampler->TotalCo2G(); }, outcome.provenance});
  sampler->Stop();

  // Proof that the file holds the trained model: its quality on this data.
  torch::NoGradGuard no_grad;
  const std::int64_t count = data->test_inputs.size(0);
  double correct = 0, squared_error = 0;
  for (std::int64_t begin = 0; begin < count; begin += 1024) {
    const std::int64_t end = std::min(count, begin + 1024);
    torch::Tensor outputs =
        cold.network->forward(data->test_inputs.slice(0, begin, end).to(torch::Device(device)))
            .to(torch::kCPU, torch::kFloat32);
    torch::Tensor targets = data->test_targets.slice(0, begin, end);
    if (data->spec.task == TaskKind::kRegression) {
      torch::Tensor error =
          (outputs.reshape(targets.sizes()) - targets).to(torch::kFloat64) * data->target_stddev;
      squared_error += error.square().sum().item<double>();
    } else {
      correct += static_cast<double>(outputs.argmax(1).eq(targets).sum().item<std::int64_t>());
    }
  }
  if (data->spec.task == TaskKind::kRegression) {
    const double values = static_cast<double>(count * data->spec.target_size);
    outcome.quality = fmt::format("test RMSE {:.4g} ({} samples)",
                                  std::sqrt(squared_error / std::max(1.0, values)), count);
  } else {
    outcome.quality = fmt::format("test accuracy {:.2f}% ({} samples)",
                                  100.0 * correct / std::max<double>(1, count), count);
  }
  return outcome;
}

}  // namespace carbonbench
