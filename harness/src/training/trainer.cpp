#include "training/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "pipeline/batch_loader.h"
#include "training/evaluate.h"
#include "training/forward_scopes.h"
#include "training/memory_layout.h"

namespace carbonbench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const TrainingSettings& settings,
                                                       Network& network) {
  auto parameters = network.parameters();
  if (settings.nesterov && (settings.optimizer != "sgd" || settings.momentum <= 0)) {
    throw std::invalid_argument(
        "nesterov needs optimizer: sgd with momentum > 0 (this cell has optimizer: " +
        settings.optimizer + ", momentum: " + fmt::format("{:g}", settings.momentum) + ")");
  }
  if (settings.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(parameters,
                                               torch::optim::SGDOptions(settings.lr)
                                                   .momentum(settings.momentum)
                                                   .nesterov(settings.nesterov)
                                                   .weight_decay(settings.weight_decay));
  }
  if (settings.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(
        parameters, torch::optim::AdamOptions(settings.lr).weight_decay(settings.weight_decay));
  }
  if (settings.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(settings.lr).weight_decay(settings.weight_decay));
  }
  throw std::invalid_argument(
      fmt::format("unknown optimizer '{}' (known: sgd, adam, adamw)", settings.optimizer));
}

EvaluationSettings EvaluationSettingsFor(const TrainingSettings& settings) {
  EvaluationSettings evaluation;
  evaluation.batch_size = settings.eval_batch_size;
  evaluation.channels_last = settings.channels_last;
  return evaluation;
}

// One run of the loop: the optimizer, the schedule's position and the
// shuffling stream persist from epoch to epoch.
class EpochLoop {
 public:
  EpochLoop(const std::shared_ptr<Network>& network, const TensorDataset& data,
            const std::vector<std::shared_ptr<Optimization>>& optimizations,
            const TrainingSettings& settings, const TrainingObserver& observer,
            TrainingContext& ctx, torch::optim::Optimizer& optimizer)
      : network_(network),
        data_(data),
        optimizations_(optimizations),
        settings_(settings),
        observer_(observer),
        ctx_(ctx),
        optimizer_(optimizer),
        // The shuffling stream is separate from the weights' stream, so adding
        // an optimization that draws random numbers does not change the order.
        generator_(at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(settings.seed))),
        accumulation_(std::max<std::int64_t>(1, settings.grad_accumulation)),
        batches_(BatchCount(data.train_inputs.size(0), settings.batch_size)),
        steps_per_epoch_((batches_ + accumulation_ - 1) / accumulation_),
        total_steps_(steps_per_epoch_ * settings.epochs),
        training_start_(Clock::now()),
        energy_before_wh_(observer.energy_wh ? observer.energy_wh() : 0) {
    schedule_ = settings.schedule;
    schedule_.base_lr = settings.lr;
    finetune_lr_ = settings.lr;
  }

  // Fine-tuning epochs run at this constant rate (the base rate until set).
  void SetFineTuningLr(double lr) { finetune_lr_ = lr; }

  // Trains one epoch and evaluates it. `phase` is "train" for planned epochs
  // and "finetune" after them, which run at the constant fine-tuning rate.
  std::pair<EpochRecord, Evaluation> Run(int epoch, const std::string& phase) {
    ctx_.epoch = epoch;
    EpochRecord record;
    record.epoch = epoch;
    record.phase = phase;
    if (observer_.mark_phase) observer_.mark_phase(phase);
    network_->train();
    const auto train_start = Clock::now();
    double data_s = 0;
    const std::int64_t count = data_.train_inputs.size(0);
    torch::Tensor order = torch::randperm(count, generator_, torch::kLong);
    torch::Tensor loss_sum = torch::zeros({}, torch::kFloat64);
    BatchLoaderSettings loader_settings;
    loader_settings.batch_size = settings_.batch_size;
    loader_settings.augmentation = data_.augmentation;
    loader_settings.background = data_.augmentation.enabled();
    // One augmentation stream per epoch, independent of the shuffling one.
    loader_settings.augmentation_seed =
        static_cast<std::uint64_t>(settings_.seed) * 1000003ULL + static_cast<std::uint64_t>(epoch);
    BatchLoader loader(data_.train_inputs, data_.train_targets, order, loader_settings);
    std::int64_t batch_index = 0;
    while (true) {
      const auto data_start = Clock::now();
      std::optional<Batch> batch = loader.Next();
      if (!batch) break;
      torch::Tensor inputs = InLayout(batch->inputs.to(ctx_.device), settings_.channels_last);
      torch::Tensor targets = batch->targets.to(ctx_.device);
      data_s += SecondsSince(data_start);

      // With accumulation, gradients of `grad_accumulation` batches add up
      // (each loss divided by that count) before one step; a last, shorter
      // group at the end of the epoch steps all the same.
      const bool group_starts = batch_index % accumulation_ == 0;
      const bool group_ends = (batch_index + 1) % accumulation_ == 0 || batch_index + 1 == batches_;
      ++batch_index;
      if (group_starts) optimizer_.zero_grad();
      torch::Tensor outputs;
      {
        ForwardScopes scopes(optimizations_, ctx_);
        outputs = network_->forward(inputs);
      }
      torch::Tensor loss = Loss(data_.spec, outputs.to(torch::kFloat32), targets,
                                at::Reduction::Mean, settings_.label_smoothing);
      torch::Tensor scaled = accumulation_ > 1 ? loss / static_cast<double>(accumulation_) : loss;
      for (const auto& optimization : optimizations_)
        scaled = optimization->ScaleLoss(ctx_, scaled);
      scaled.backward();
      loss_sum +=
          loss.detach().to(torch::kCPU, torch::kFloat64) * static_cast<double>(inputs.size(0));
      if (!group_ends) continue;
      const double lr = phase == "train" ? LearningRateAt(schedule_, optimizer_step_,
                                                          steps_per_epoch_, total_steps_)
                                         : finetune_lr_;
      for (auto& group : optimizer_.param_groups()) group.options().set_lr(lr);
      ++optimizer_step_;
      bool step = true;
      for (const auto& optimization : optimizations_) {
        step = optimization->BeforeOptimizerStep(ctx_) && step;
      }
      if (step) {
        optimizer_.step();
        for (const auto& optimization : optimizations_) optimization->AfterOptimizerStep(ctx_);
      }
    }
    record.train_loss = loss_sum.item<double>() / static_cast<double>(count);
    record.train_s = SecondsSince(train_start);
    record.data_s = data_s;
    if (!std::isfinite(record.train_loss)) {
      throw std::runtime_error(
          fmt::format("training diverged: the training loss is {} at epoch {} (try a lower lr)",
                      record.train_loss, epoch));
    }

    if (observer_.mark_phase) observer_.mark_phase("eval");
    const auto eval_start = Clock::now();
    Evaluation eval =
        Evaluate(*network_, data_, optimizations_, ctx_, EvaluationSettingsFor(settings_));
    record.eval_s = SecondsSince(eval_start);
    record.test_loss = eval.loss;
    record.test_accuracy = eval.accuracy;
    record.test_rmse = eval.rmse;
    record.test_mae = eval.mae;

    const double energy_now_wh = observer_.energy_wh ? observer_.energy_wh() : 0;
    record.energy_wh = energy_now_wh - energy_before_wh_;
    energy_before_wh_ = energy_now_wh;
    if (observer_.on_epoch) observer_.on_epoch(record);
    return {record, std::move(eval)};
  }

  EpochMetrics MetricsOf(const EpochRecord& record) const {
    EpochMetrics metrics;
    metrics.epoch = record.epoch;
    metrics.train_loss = record.train_loss;
    metrics.test_loss = record.test_loss;
    metrics.test_accuracy = record.test_accuracy;
    metrics.test_rmse = record.test_rmse;
    metrics.elapsed_s = SecondsSince(training_start_);
    metrics.energy_wh = observer_.energy_wh ? observer_.energy_wh() : 0;
    metrics.co2_g = observer_.co2_g ? observer_.co2_g() : 0;
    return metrics;
  }

 private:
  const std::shared_ptr<Network>& network_;
  const TensorDataset& data_;
  const std::vector<std::shared_ptr<Optimization>>& optimizations_;
  const TrainingSettings& settings_;
  const TrainingObserver& observer_;
  TrainingContext& ctx_;
  torch::optim::Optimizer& optimizer_;
  at::Generator generator_;
  std::int64_t accumulation_;
  std::int64_t batches_;
  std::int64_t steps_per_epoch_;
  std::int64_t total_steps_;
  std::int64_t optimizer_step_ = 0;
  LearningRateSchedule schedule_;
  double finetune_lr_;
  Clock::time_point training_start_;
  double energy_before_wh_;
};

void TakeFinalFigures(const Evaluation& eval, TrainingOutcome& outcome) {
  outcome.final_accuracy = eval.accuracy;
  outcome.final_rmse = eval.rmse;
  outcome.final_mae = eval.mae;
  outcome.final_confusion = eval.confusion;
}

}  // namespace

std::int64_t BatchCount(std::int64_t samples, std::int64_t batch_size) {
  return (samples + batch_size - 1) / batch_size;
}

TrainingOutcome Train(const std::shared_ptr<Network>& network, const TensorDataset& data,
                      const std::vector<std::shared_ptr<Optimization>>& optimizations,
                      const TrainingSettings& settings, const TrainingObserver& observer) {
  TrainingContext ctx;
  ctx.device = torch::Device(settings.device);
  ctx.dataset = &data.spec;
  ctx.network = network;
  ctx.planned_epochs = settings.epochs;
  ctx.warn = observer.warn;
  ctx.mark_phase = observer.mark_phase;
  ctx.record = observer.record;
  ctx.evaluate = [&] {
    const Evaluation eval =
        Evaluate(*network, data, optimizations, ctx, EvaluationSettingsFor(settings));
    network->train();
    return EvalFigures{eval.loss, eval.accuracy, eval.rmse};
  };
  network->to(ctx.device);
  if (settings.channels_last) ToChannelsLast(*network);
  auto optimizer = MakeOptimizer(settings, *network);
  ctx.optimizer = optimizer.get();
  for (const auto& optimization : optimizations) optimization->OnModelBuilt(ctx);
  TrainingOutcome outcome;
  outcome.compute_dtype = ctx.compute_dtype;
  outcome.runtime = network->runtime();

  EpochLoop loop(network, data, optimizations, settings, observer, ctx, *optimizer);
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    auto [record, eval] = loop.Run(epoch, "train");
    outcome.epochs_run = epoch;
    outcome.best_accuracy = std::max(outcome.best_accuracy, eval.accuracy);
    if (epoch == 1 || eval.rmse < outcome.best_rmse) outcome.best_rmse = eval.rmse;
    TakeFinalFigures(eval, outcome);

    const EpochMetrics metrics = loop.MetricsOf(record);
    EpochDecision decision;
    for (const auto& optimization : optimizations) {
      EpochDecision vote = optimization->OnEpochEnd(ctx, metrics);
      if (vote.stop && !decision.stop) decision = vote;  // first in order wins
    }
    if (decision.stop) {
      outcome.stop_reason = decision.reason;
      break;
    }
    if (observer.prune) {
      const EpochDecision verdict = observer.prune(metrics);
      if (verdict.stop) {
        outcome.stop_reason = verdict.reason;
        outcome.pruned = true;
        return outcome;
      }
    }
  }
  if (outcome.stop_reason.empty()) {
    outcome.stop_reason = fmt::format("completed {} epochs", outcome.epochs_run);
  }
  if (observer.mark_phase) observer.mark_phase("optimize");
  for (const auto& optimization : optimizations) optimization->OnTrainingEnd(ctx);

  // The longest fine-tuning asked for, at the smallest rate asked for.
  FineTuning finetuning;
  for (const auto& optimization : optimizations) {
    const FineTuning asked = optimization->FineTuningAfterTraining();
    if (asked.epochs <= 0) continue;
    finetuning.lr_scale =
        finetuning.epochs == 0 ? asked.lr_scale : std::min(finetuning.lr_scale, asked.lr_scale);
    finetuning.epochs = std::max(finetuning.epochs, asked.epochs);
  }
  loop.SetFineTuningLr(settings.lr * finetuning.lr_scale);
  const int finetune_epochs = finetuning.epochs;
  for (int i = 1; i <= finetune_epochs; ++i) {
    auto [record, eval] = loop.Run(outcome.epochs_run + 1, "finetune");
    ++outcome.epochs_run;
    ++outcome.finetune_epochs;
    TakeFinalFigures(eval, outcome);
    ctx.network_changed = false;  // this epoch's evaluation saw the network as it is
  }
  if (finetune_epochs > 0 && observer.mark_phase) observer.mark_phase("optimize");
  for (const auto& optimization : optimizations) optimization->OnFinalNetwork(ctx);
  if (ctx.network_changed) {
    if (observer.mark_phase) observer.mark_phase("eval");
    TakeFinalFigures(Evaluate(*network, data, optimizations, ctx, EvaluationSettingsFor(settings)),
                     outcome);
  }
  return outcome;
}

void SaveNetwork(const std::shared_ptr<Network>& network, const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  torch::serialize::OutputArchive archive;
  network->save(archive);
  const std::string partial = path + ".partial";
  archive.save_to(partial);
  std::filesystem::rename(partial, path);  // never leave a half-written model
}

}  // namespace carbonbench
