#include "runner/cell_session.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <torch/utils.h>

#include "energy/measurement_record.h"
#include "energy/running_cells.h"
#include "inspect/model_summary.h"
#include "process/malloc_library.h"
#include "runner/cell_settings.h"
#include "runner/environment.h"
#include "runner/progress_display.h"
#include "runner/saved_model.h"
#include "slurm/allocation.h"
#include "tokenizer/wordpiece.h"
#include "training/inference.h"

namespace carbonbench {
namespace {

// The network's size and compute per sample, as one forward pass of a test
// sample finds them: before and after training show what an optimization
// that changes the network's structure did to it.
void RecordNetworkSize(Network& network, const torch::Tensor& sample, const std::string& when,
                       OptimizationFigures& figures) {
  const ModelSummary summary = SummarizeModel(network, sample);
  figures.counts["model.parameters_" + when] = summary.parameters;
  figures.counts["model.macs_per_sample_" + when] = summary.macs_per_sample;
}

std::string ModelPath(const SuiteRunContext& context, const Cell& cell, int repetition) {
  return (std::filesystem::path(context.models_dir) / context.suite->name /
          fmt::format("{}-r{}.pt", cell.config_hash, repetition))
      .string();
}

// What the machine draws idle over `duration_s`, PUE applied, in Wh.
double IdleEnergyWh(const IdleBaseline& idle, double duration_s, double pue) {
  return idle.TotalWatts() * duration_s / 3600.0 * pue;
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

}  // namespace

CellSession::CellSession(SuiteRunContext& context, const Cell& cell, int repetition)
    : context_(context),
      cell_(cell),
      repetition_(repetition),
      store_(*context.store),
      start_(BasicRunStart(context, cell, repetition)),
      warnings_(context.intensity.warnings),
      start_time_(Clock::now()) {}

CellOutcome CellSession::Run() {
  try {
    Prepare();
    Train();
    if (trained_->pruned) {
      // A search stopped it: nothing to keep or serve, only what it cost.
      outcome_.pruned = true;
    } else {
      Save();
      Serve();
      outcome_.finished = true;
    }
  } catch (const std::exception& e) {
    outcome_.failure_reason = e.what();
  } catch (...) {
    outcome_.failure_reason = "a non-standard exception escaped the cell";
  }
  Finalise();
  outcome_.run_id = run_id_;  // Finalise stored it under this id
  return outcome_;
}

// Everything that can fail before training is done before the run row is
// written, but a failure anywhere is still stored with its reason.
void CellSession::Prepare() {
  setup_ = SetUpCell(context_, cell_, [this](const CellSetup& setup) { DescribeRuntime(setup); });
  const TensorDataset& data = *setup_.data;
  if (data.spec.task == TaskKind::kRegression) start_.task = kRegressionTask;
  outcome_.task = start_.task;
  for (const auto& note : data.notes) Warn(note);
  // What loading freed (decoded files, tensors before the subset) would
  // otherwise stay resident through every phase, kept by the allocator.
  ReleaseFreeMemory();
  // Loading the data is no cell's cost: the clock starts after it, or a
  // cell whose data loads slowly would look slower to train.
  start_time_ = Clock::now();
  run_id_ = store_.BeginRun(start_);
  // Tensors are counted from here: the network, its gradients and
  // optimizer state, activations and batches, not the dataset.
  memory_.TrackTensors();
  BuildModel();
}

void CellSession::DescribeRuntime(const CellSetup& setup) {
  start_.environment = DescribeEnvironment(setup.threads, setup.device);
  if (const auto allocation = slurm::CurrentAllocation()) {
    start_.environment.slurm = allocation->ToRecord();
  }
  start_.environment.flush_denormal = setup.flush_denormal;
  start_.environment.channels_last = std::get<bool>(cell_.Get("channels_last"));
  start_.meters = setup.meters.Describe();
  for (const std::string& warning : setup.meters.Warnings()) Warn(warning);
  idle_ = IdleBaselineFor(context_, setup.meters);
  if (idle_) start_.idle = IdleRecordOf(*idle_);
}

void CellSession::RecordOverlap(MeasurementRecord& measurement) {
  const std::optional<std::int64_t> others = running_ ? running_->Overlapping() : std::nullopt;
  if (!others || *others == 0) return;
  measurement.overlapping_cells = *others;
  std::set<std::string> machine_wide;
  for (const ComponentMeasurement& component : measurement.components) {
    if (component.meter && component.scope == std::string("machine")) {
      machine_wide.insert(*component.meter);
    }
  }
  std::string meters;
  for (const std::string& meter : machine_wide) meters += (meters.empty() ? "" : ", ") + meter;
  measurement.overlap_warning = OverlapWarning(*others, meters);
  if (measurement.overlap_warning) Warn(*measurement.overlap_warning);
}

void CellSession::BuildModel() {
  model_ = context_.registry->Create<Model>(PluginKind::kModel, start_.model);
  model_params_ = PluginParamsFor(context_, PluginKind::kModel, start_.model, cell_);
  torch::manual_seed(static_cast<uint64_t>(start_.seed));
  network_ = model_->Build(setup_.data->spec, model_params_);
  optimizations_ = MakeOptimizations(context_, cell_);
  sample_ = setup_.data->test_inputs.slice(0, 0, 1);
  RecordNetworkSize(*network_, sample_, "before", figures_);
}

void CellSession::Train() {
  running_ = std::make_unique<RunningCellEntry>();
  sampler_ = MakeSampler(context_, setup_.meters);
  cpu_before_ = ReadCpuTimes();
  sampler_->Start("train");
  metered_since_ = std::chrono::system_clock::now();
  memory_.Mark("train");
  provenance_ = sampler_->ProvenanceSummary();
  trained_ = carbonbench::Train(network_, *setup_.data, optimizations_,
                                TrainingSettingsFor(cell_, start_.seed, setup_.device), Observer());
  RecordNetworkSize(*network_, sample_.to(torch::Device(setup_.device)), "after", figures_);
}

TrainingObserver CellSession::Observer() {
  TrainingObserver observer;
  observer.mark_phase = [this](const std::string& phase) { MarkPhase(phase); };
  observer.energy_wh = [this] { return sampler_->TotalWh(); };
  observer.co2_g = [this] { return sampler_->TotalCo2G(); };
  observer.record = [this](const std::string& key, double value) {
    figures_.measures[key] = value;
  };
  observer.warn = [this](const std::string& message) { Warn(message); };
  observer.on_epoch = [this](const EpochRecord& epoch) { OnEpoch(epoch); };
  observer.prune = context_.prune;
  return observer;
}

// Stores the epoch with its own CO2 and reports the cell's progress.
void CellSession::OnEpoch(const EpochRecord& epoch) {
  EpochRecord record = epoch;
  const double co2_now_g = sampler_->TotalCo2G();
  record.co2_g = co2_now_g - co2_before_g_;
  co2_before_g_ = co2_now_g;
  // The epoch's band: its energy times the band's share of the energy
  // sampled since the last epoch (the components' mix over that stretch).
  const double wh_now = sampler_->TotalWh();
  const double band_now_wh = sampler_->TotalBandWh();
  const double window_wh = wh_now - wh_before_;
  record.energy_band_wh =
      window_wh > 0 ? record.energy_wh * (band_now_wh - band_before_wh_) / window_wh : 0;
  wh_before_ = wh_now;
  band_before_wh_ = band_now_wh;
  record.energy_provenance = provenance_;
  store_.AppendEpoch(run_id_, record);
  outcome_.summary.epochs_run = record.epoch;
  CellEvent event;
  event.type = "epoch";
  event.epoch = record.epoch;
  event.epochs = static_cast<int>(IntSetting(cell_, "epochs"));
  event.metric =
      setup_.data->spec.task == TaskKind::kRegression
          ? fmt::format("test RMSE {:.4g}, MAE {:.4g}", record.test_rmse, record.test_mae)
          : fmt::format("test acc {:.2f}%", 100.0 * record.test_accuracy);
  event.train_loss = record.train_loss;
  event.elapsed_s = ElapsedS();
  event.epoch_s = record.train_s + record.eval_s;
  event.data_wait_pct = record.train_s > 0 ? 100.0 * record.data_s / record.train_s : 0.0;
  event.energy_wh = sampler_->TotalWh();
  event.epoch_energy_wh = record.energy_wh;
  event.epoch_energy_band_wh = record.energy_band_wh;
  event.provenance = provenance_;
  event.test_accuracy = record.test_accuracy;
  event.test_rmse = record.test_rmse;
  event.co2_g = co2_now_g;
  if (context_.on_event) {
    context_.on_event(event);
  } else {
    std::fprintf(stderr, "[%s] %s rep %d %s\n", context_.suite->name.c_str(), cell_.name.c_str(),
                 repetition_ + 1, ProgressDisplay::EpochText(event).c_str());
  }
}

void CellSession::Save() {
  RunSummary& summary = outcome_.summary;
  summary.model_path = ModelPath(context_, cell_, repetition_);
  SaveNetwork(network_, summary.model_path);
  SavedModelInfo saved;
  saved.model = start_.model;
  saved.model_params = model_params_;
  saved.dataset = start_.dataset;
  saved.spec = setup_.data->spec;
  saved.config_json = cell_.config_json;
  saved.vocab_path =
      DatasetRequestFor(cell_, saved.model_params,
                        context_.registry->Find(PluginKind::kModel, start_.model)->vocabulary)
          .vocab_path;
  if (setup_.data->vocabulary_built) {
    // The model only makes sense with the ids it was trained on.
    saved.vocab_path = summary.model_path.substr(0, summary.model_path.size() - 3) + ".vocab.txt";
    WordPieceVocabulary(setup_.data->vocabulary).Save(saved.vocab_path);
  }
  WriteSavedModelInfo(summary.model_path, saved);
}

// Served as a user would serve it: rebuilt from the saved file.
void CellSession::Serve() {
  if (!context_.suite->inference.enabled) return;
  MarkPhase("inference");
  if (context_.on_event) {
    CellEvent event;
    event.type = "phase";
    event.phase = "inference";
    context_.on_event(event);
  }
  const TensorDataset& data = *setup_.data;
  RunSummary& summary = outcome_.summary;
  const ColdStart cold = LoadForServing(*model_, data.spec, model_params_, summary.model_path,
                                        optimizations_, data.test_inputs, setup_.device);
  summary.cold_start_s = cold.seconds;
  summary.inference =
      MeasureInference(*cold.network, data.test_inputs,
                       InferenceSettingsFor(*context_.suite, cell_, setup_.device, optimizations_),
                       InferenceEnergy{[this] { return sampler_->TotalWh(); },
                                       [this] { return sampler_->TotalCo2G(); }, provenance_,
                                       [this] { return sampler_->TotalBandWh(); }});
}

void CellSession::Finalise() {
  Summarise();
  if (outcome_.pruned) {
    store_.PruneRun(run_id_, outcome_.summary.stop_reason, outcome_.summary);
    return;
  }
  if (outcome_.finished) {
    try {
      store_.FinishRun(run_id_, outcome_.summary);
      return;
    } catch (const std::exception& e) {
      outcome_.finished = false;
      outcome_.failure_reason = e.what();
    }
  }
  if (run_id_ == 0) run_id_ = store_.BeginRun(start_);
  store_.FailRun(run_id_, outcome_.failure_reason, outcome_.summary);
  std::fprintf(stderr, "[%s] %s rep %d FAILED: %s\n", context_.suite->name.c_str(),
               cell_.name.c_str(), repetition_ + 1, outcome_.failure_reason.c_str());
}

// What was measured up to now: all of it after a finished run; after a
// failure, what the steps that ran measured (energy only once the meters
// started) and the epochs stored.
void CellSession::Summarise() {
  RunSummary& summary = outcome_.summary;
  if (sampler_) {
    sampler_->Stop();
    memory_.Stop();
    if (const auto uncovered =
            context_.intensity.UncoveredWarning(metered_since_, std::chrono::system_clock::now())) {
      Warn(*uncovered);
    }
    summary.energy_wh = sampler_->TotalWh();
    summary.energy_band_wh = sampler_->TotalBandWh();
    summary.co2_g = sampler_->TotalCo2G();
    summary.energy_provenance = provenance_;
    summary.usage = UsageOf(cpu_before_, setup_.threads, memory_.OverallPeakMb() * 1048576.0 / 1e9);
    summary.phases = sampler_->PhaseTotals();
    summary.memory = memory_.Record();
    summary.figures = figures_;
    summary.measurement =
        MeasurementRecordOf(sampler_->sources(), start_.meters, sampler_->Sampling());
    if (summary.measurement.outside_load_warning) {
      Warn(*summary.measurement.outside_load_warning);
    }
    RecordOverlap(summary.measurement);
  }
  summary.duration_s = ElapsedS();
  if (outcome_.finished || outcome_.pruned) {
    summary.epochs_run = trained_->epochs_run;
    summary.best_accuracy = trained_->best_accuracy;
    summary.final_accuracy = trained_->final_accuracy;
    summary.best_rmse = trained_->best_rmse;
    summary.final_rmse = trained_->final_rmse;
    summary.final_mae = trained_->final_mae;
    summary.confusion = ConfusionOf(setup_.data->spec, trained_->final_confusion);
    summary.stop_reason = trained_->stop_reason;
    summary.compute_dtype = trained_->compute_dtype;
    const NetworkRuntime& runtime = trained_->runtime;
    summary.runtime = runtime.runtime.empty() ? kCppModulesRuntime : runtime.runtime;
    summary.architecture = runtime.architecture.empty() ? start_.model : runtime.architecture;
    if (idle_) summary.idle_energy_wh = IdleEnergyWh(*idle_, summary.duration_s, start_.pue);
  }
  summary.warnings = warnings_;
}

void CellSession::MarkPhase(const std::string& phase) {
  sampler_->MarkPhase(phase);
  memory_.Mark(phase);
}

void CellSession::Warn(const std::string& message) {
  if (std::find(warnings_.begin(), warnings_.end(), message) != warnings_.end()) return;
  warnings_.push_back(message);
  std::fprintf(stderr, "warning: %s: %s\n", cell_.name.c_str(), message.c_str());
}

double CellSession::ElapsedS() const {
  return std::chrono::duration<double>(Clock::now() - start_time_).count();
}

}  // namespace carbonbench
