// Train() on tiny synthetic datasets: a separable image classification, a
// noisy sine forecast (RMSE in the target's units), seeding, the epoch
// record, and early_stop loaded through the registry.
#include "training/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/nn/module.h>

#include "builtin_plugins.h"
#include "carbonbench/sdk.h"
#include "plugins/plugin_registry.h"

namespace carbonbench {
namespace {

using test_support::Build;
using test_support::Optimize;
using test_support::Registry;

// Two Gaussian blobs shaped as 1x4x4 images: class 0 around -1, class 1
// around +1 (unit noise), so the classes are far apart in 16 dimensions.
TensorDataset Blobs(std::int64_t train_count, std::int64_t test_count, std::uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto make = [&](std::int64_t count) {
    torch::Tensor labels = torch::randint(0, 2, {count}, generator, torch::kLong);
    torch::Tensor centre = (labels.to(torch::kFloat32) * 2 - 1).view({count, 1, 1, 1});
    torch::Tensor images = torch::randn({count, 1, 4, 4}, generator) + centre;
    return std::make_pair(images, labels);
  };
  TensorDataset data;
  data.spec.name = "blobs";
  data.spec.input_shape = {1, 4, 4};
  data.spec.num_classes = 2;
  data.spec.class_names = {"low", "high"};
  std::tie(data.train_inputs, data.train_targets) = make(train_count);
  std::tie(data.test_inputs, data.test_targets) = make(test_count);
  return data;
}

// Windows of a noisy sine (period 20 steps): 16 inputs, the next value the
// target. Values stay in [-1.2, 1.2], so they serve as "standardised" ones.
TensorDataset NoisySine(std::int64_t train_count, std::int64_t test_count) {
  constexpr std::int64_t kWindow = 16;
  const std::int64_t length = train_count + test_count + kWindow;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
  torch::Tensor t = torch::arange(length, torch::kFloat32);
  torch::Tensor series =
      torch::sin(t * (2 * M_PI / 20.0)) + 0.1 * torch::randn({length}, generator);
  torch::Tensor windows = series.unfold(0, kWindow + 1, 1);  // [length - kWindow, 17]
  torch::Tensor inputs = windows.slice(1, 0, kWindow).unsqueeze(1).contiguous();
  torch::Tensor targets = windows.slice(1, kWindow).contiguous();
  TensorDataset data;
  data.spec.name = "noisy_sine";
  data.spec.input_kind = InputKind::kSeries;
  data.spec.task = TaskKind::kRegression;
  data.spec.input_shape = {1, kWindow};
  data.spec.target_size = 1;
  data.train_inputs = inputs.slice(0, 0, train_count);
  data.train_targets = targets.slice(0, 0, train_count);
  data.test_inputs = inputs.slice(0, train_count, train_count + test_count);
  data.test_targets = targets.slice(0, train_count, train_count + test_count);
  return data;
}

struct TrainedRun {
  TrainingOutcome outcome;
  std::vector<EpochRecord> epochs;
  std::vector<std::string> phases;
  std::shared_ptr<Network> network;
};

TrainedRun TrainModel(const std::string& model, const std::map<std::string, ParamValue>& params,
                      const TensorDataset& data, const TrainingSettings& settings,
                      const std::vector<std::shared_ptr<Optimization>>& optimizations = {}) {
  torch::manual_seed(1234);  // the weights (the runner's job in the real program)
  TrainedRun run;
  run.network = Build(model, data.spec, params);
  TrainingObserver observer;
  observer.on_epoch = [&](const EpochRecord& record) { run.epochs.push_back(record); };
  observer.mark_phase = [&](const std::string& phase) { run.phases.push_back(phase); };
  run.outcome = Train(run.network, data, optimizations, settings, observer);
  return run;
}

TrainingSettings ClassifierSettings() {
  TrainingSettings settings;
  settings.epochs = 4;
  settings.batch_size = 32;
  settings.eval_batch_size = 50;  // several evaluation batches, one short
  settings.lr = 3e-3;
  settings.seed = 5;
  return settings;
}

const std::map<std::string, ParamValue> kSmallCnn = {{"channels", std::int64_t{4}},
                                                     {"hidden", std::int64_t{16}}};

// ---------------------------------------------------------------- classification

TEST(Trainer, LearnsSeparableBlobs) {
  const TensorDataset data = Blobs(320, 120, 1);
  const TrainedRun run = TrainModel("cnn", kSmallCnn, data, ClassifierSettings());
  EXPECT_EQ(run.outcome.epochs_run, 4);
  EXPECT_EQ(run.outcome.stop_reason, "completed 4 epochs");
  EXPECT_GT(run.outcome.final_accuracy, 0.9);
  EXPECT_GE(run.outcome.best_accuracy, run.outcome.final_accuracy);
  ASSERT_EQ(run.epochs.size(), 4u);
  for (std::size_t i = 0; i < run.epochs.size(); ++i) {
    const EpochRecord& record = run.epochs[i];
    EXPECT_EQ(record.epoch, static_cast<int>(i) + 1);
    EXPECT_TRUE(std::isfinite(record.train_loss));
    EXPECT_GT(record.train_loss, 0);
    EXPECT_GE(record.test_accuracy, 0);
    EXPECT_LE(record.test_accuracy, 1);
    EXPECT_EQ(record.test_rmse, 0);  // classifiers have no RMSE
    // Preparing batches is a part of the training time.
    EXPECT_GE(record.data_s, 0);
    EXPECT_LE(record.data_s, record.train_s);
  }
  EXPECT_LT(run.epochs.back().train_loss, run.epochs.front().train_loss);
  EXPECT_EQ(run.epochs.back().test_accuracy, run.outcome.final_accuracy);

  // The accuracy is what the trained network gives on the test split.
  torch::NoGradGuard no_grad;
  run.network->eval();
  const double accuracy =
      run.network->forward(data.test_inputs).argmax(1).eq(data.test_targets).sum().item<double>() /
      120.0;
  EXPECT_DOUBLE_EQ(accuracy, run.outcome.final_accuracy);
}

TEST(Trainer, SameSeedGivesIdenticalLosses) {
  const TensorDataset data = Blobs(160, 60, 2);
  TrainingSettings settings = ClassifierSettings();
  settings.epochs = 3;
  const TrainedRun first = TrainModel("cnn", kSmallCnn, data, settings);
  const TrainedRun second = TrainModel("cnn", kSmallCnn, data, settings);
  ASSERT_EQ(first.epochs.size(), 3u);
  ASSERT_EQ(second.epochs.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first.epochs[i].train_loss, second.epochs[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(first.epochs[i].test_loss, second.epochs[i].test_loss) << "epoch " << i + 1;
    EXPECT_EQ(first.epochs[i].test_accuracy, second.epochs[i].test_accuracy);
  }
  // Another shuffling seed takes other batches.
  settings.seed = 6;
  const TrainedRun other = TrainModel("cnn", kSmallCnn, data, settings);
  EXPECT_NE(other.epochs[0].train_loss, first.epochs[0].train_loss);
}

TEST(Trainer, TrainsWithAugmentedBatchesOnTheBackgroundLoader) {
  TensorDataset data = Blobs(160, 60, 3);
  data.augmentation.crop_padding_px = 1;
  data.augmentation.horizontal_flip = true;
  data.augmentation.fill = {0.0f};
  TrainingSettings settings = ClassifierSettings();
  settings.epochs = 2;
  const TrainedRun first = TrainModel("cnn", kSmallCnn, data, settings);
  const TrainedRun second = TrainModel("cnn", kSmallCnn, data, settings);
  ASSERT_EQ(first.epochs.size(), 2u);
  EXPECT_EQ(first.epochs[1].train_loss, second.epochs[1].train_loss);  // seeded augmentation
}

TEST(Trainer, MarksPhasesInOrder) {
  const TensorDataset data = Blobs(64, 32, 4);
  TrainingSettings settings = ClassifierSettings();
  settings.epochs = 2;
  const TrainedRun run = TrainModel("cnn", kSmallCnn, data, settings);
  EXPECT_EQ(run.phases, (std::vector<std::string>{"train", "eval", "train", "eval", "optimize"}));
}

TEST(Trainer, RejectsAnUnknownOptimizer) {
  const TensorDataset data = Blobs(32, 16, 4);
  TrainingSettings settings = ClassifierSettings();
  settings.optimizer = "lbfgs";
  EXPECT_THROW(TrainModel("cnn", kSmallCnn, data, settings), std::invalid_argument);
}

// ---------------------------------------------------------------- knobs

// Without batch statistics or dropout, a batch's gradient is the same
// whether it is taken whole or as the sum of its halves.
const std::map<std::string, ParamValue> kPlainCnn = {{"channels", std::int64_t{4}},
                                                     {"hidden", std::int64_t{16}},
                                                     {"batch_norm", false},
                                                     {"dropout", 0.0}};

TEST(TrainerKnobs, AccumulatingTwoHalfBatchesStepsLikeTheWholeBatch) {
  const TensorDataset data = Blobs(128, 64, 5);
  TrainingSettings whole = ClassifierSettings();
  whole.epochs = 2;
  whole.optimizer = "sgd";
  whole.lr = 0.05;
  TrainingSettings halves = whole;
  halves.batch_size = whole.batch_size / 2;
  halves.grad_accumulation = 2;
  const TrainedRun a = TrainModel("cnn", kPlainCnn, data, whole);
  const TrainedRun b = TrainModel("cnn", kPlainCnn, data, halves);
  ASSERT_EQ(a.epochs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(a.epochs[i].test_loss, b.epochs[i].test_loss, 1e-4) << "epoch " << i + 1;
  }
  // Without accumulation the half batches take twice the steps: another run.
  halves.grad_accumulation = 1;
  const TrainedRun c = TrainModel("cnn", kPlainCnn, data, halves);
  EXPECT_GT(std::abs(c.epochs[1].test_loss - a.epochs[1].test_loss), 1e-3);
}

TEST(TrainerKnobs, AStepScheduleWithGammaZeroFreezesTheWeightsAfterItsFirstEpoch) {
  const TensorDataset data = Blobs(128, 64, 6);
  TrainingSettings settings = ClassifierSettings();
  settings.epochs = 3;
  settings.schedule.kind = "step";
  settings.schedule.step_epochs = 1;
  settings.schedule.gamma = 0;
  // No batch norm: its running statistics would move even at a zero rate.
  const TrainedRun run = TrainModel("cnn", kPlainCnn, data, settings);
  ASSERT_EQ(run.epochs.size(), 3u);
  EXPECT_EQ(run.epochs[1].test_loss, run.epochs[2].test_loss);
  // The constant schedule goes on learning.
  settings.schedule.kind = "constant";
  const TrainedRun constant = TrainModel("cnn", kPlainCnn, data, settings);
  EXPECT_NE(constant.epochs[1].test_loss, constant.epochs[2].test_loss);
}

TEST(TrainerKnobs, LabelSmoothingRaisesTheTrainingLoss) {
  const TensorDataset data = Blobs(128, 64, 7);
  TrainingSettings settings = ClassifierSettings();
  settings.epochs = 2;
  const TrainedRun plain = TrainModel("cnn", kSmallCnn, data, settings);
  settings.label_smoothing = 0.3;
  const TrainedRun smoothed = TrainModel("cnn", kSmallCnn, data, settings);
  // A smoothed target cannot be met exactly: the training loss stays higher.
  EXPECT_GT(smoothed.epochs.back().train_loss, plain.epochs.back().train_loss);
}

TEST(TrainerKnobs, NesterovNeedsSgdWithMomentum) {
  const TensorDataset data = Blobs(32, 16, 8);
  TrainingSettings settings = ClassifierSettings();
  settings.nesterov = true;
  settings.optimizer = "adam";
  try {
    TrainModel("cnn", kSmallCnn, data, settings);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("nesterov needs optimizer: sgd with momentum > 0"),
              std::string::npos)
        << e.what();
  }
  // With sgd and momentum it trains, and steps otherwise than plain momentum.
  settings.optimizer = "sgd";
  settings.lr = 0.05;
  const TrainedRun nesterov = TrainModel("cnn", kSmallCnn, data, settings);
  settings.nesterov = false;
  const TrainedRun plain = TrainModel("cnn", kSmallCnn, data, settings);
  EXPECT_NE(nesterov.epochs.back().test_loss, plain.epochs.back().test_loss);
}

// Asks for fine-tuning and writes down the learning rate of every step, by
// the epoch it was taken in.
class FineTuningProbe : public Optimization {
 public:
  explicit FineTuningProbe(FineTuning asked) : asked_(asked) {}
  FineTuning FineTuningAfterTraining() const override { return asked_; }
  void AfterOptimizerStep(TrainingContext& ctx) override {
    rates[ctx.epoch].push_back(ctx.optimizer->param_groups()[0].options().get_lr());
  }
  std::map<int, std::vector<double>> rates;

 private:
  FineTuning asked_;
};

TEST(TrainerKnobs, FineTuningRunsAtItsScaledRateAfterThePlannedEpochs) {
  const TensorDataset data = Blobs(128, 32, 9);  // four steps an epoch
  TrainingSettings settings = ClassifierSettings();
  settings.epochs = 2;
  settings.schedule.kind = "cosine";
  auto longer = std::make_shared<FineTuningProbe>(FineTuning{2, 0.5});
  auto slower = std::make_shared<FineTuningProbe>(FineTuning{1, 0.1});
  auto none = std::make_shared<FineTuningProbe>(FineTuning{0, 0.01});
  const TrainedRun run = TrainModel("cnn", kSmallCnn, data, settings, {longer, slower, none});
  // The longest fine-tuning asked for, at the smallest rate of those that
  // fine-tune at all: two epochs at a tenth of lr, constant.
  EXPECT_EQ(run.outcome.epochs_run, 4);
  EXPECT_EQ(run.outcome.finetune_epochs, 2);
  ASSERT_EQ(longer->rates.size(), 4u);
  for (int epoch : {3, 4}) {
    for (double lr : longer->rates[epoch]) EXPECT_DOUBLE_EQ(lr, settings.lr * 0.1) << epoch;
  }
  // The planned epochs follow their schedule from the base rate.
  EXPECT_DOUBLE_EQ(longer->rates[1].front(), settings.lr);
  EXPECT_LT(longer->rates[2].back(), settings.lr * 0.1);
  EXPECT_EQ(run.epochs.back().phase, "finetune");
}

// ---------------------------------------------------------------- regression

TrainingSettings RegressorSettings() {
  TrainingSettings settings;
  settings.epochs = 8;
  settings.batch_size = 32;
  settings.eval_batch_size = 64;
  settings.lr = 1e-2;
  settings.seed = 11;
  return settings;
}

// RMSE and MAE of the trained network on the test split, by hand, in the
// target's units.
std::pair<double, double> TestErrors(Network& network, const TensorDataset& data) {
  torch::NoGradGuard no_grad;
  network.eval();
  torch::Tensor error =
      (network.forward(data.test_inputs).reshape(data.test_targets.sizes()) - data.test_targets)
          .to(torch::kFloat64) *
      data.target_stddev;
  return {std::sqrt(error.square().mean().item<double>()), error.abs().mean().item<double>()};
}

TEST(Trainer, RegressionReportsRmseInTheTargetsUnits) {
  const TensorDataset data = NoisySine(400, 100);
  const TrainedRun run = TrainModel("linear", {}, data, RegressorSettings());
  EXPECT_EQ(run.outcome.epochs_run, 8);
  EXPECT_GT(run.outcome.final_rmse, 0);
  EXPECT_LE(run.outcome.best_rmse, run.outcome.final_rmse);
  double best = run.epochs.front().test_rmse;
  for (const auto& record : run.epochs) {
    EXPECT_GT(record.test_rmse, 0);
    EXPECT_EQ(record.test_accuracy, 0);
    EXPECT_LE(record.data_s, record.train_s);
    best = std::min(best, record.test_rmse);
  }
  EXPECT_EQ(run.outcome.best_rmse, best);
  EXPECT_EQ(run.outcome.final_rmse, run.epochs.back().test_rmse);

  // It learned something: far better than always predicting the mean (0).
  const double baseline = std::sqrt(data.test_targets.square().mean().item<double>());
  EXPECT_LT(run.outcome.final_rmse, 0.5 * baseline);

  const auto [rmse, mae] = TestErrors(*run.network, data);
  EXPECT_NEAR(run.outcome.final_rmse, rmse, 1e-6);
  EXPECT_NEAR(run.outcome.final_mae, mae, 1e-6);
}

TEST(Trainer, RmseFollowsTheTargetScale) {
  const TensorDataset data = NoisySine(300, 80);
  TensorDataset scaled = data;  // same standardised tensors, targets 100x larger in their units
  scaled.target_stddev = 100.0;
  scaled.target_mean = 42.0;  // a shift does not change errors
  const TrainedRun plain = TrainModel("linear", {}, data, RegressorSettings());
  const TrainedRun hundred = TrainModel("linear", {}, scaled, RegressorSettings());
  ASSERT_EQ(plain.epochs.size(), hundred.epochs.size());
  EXPECT_NEAR(hundred.outcome.final_rmse, 100.0 * plain.outcome.final_rmse,
              1e-9 * hundred.outcome.final_rmse);
  EXPECT_NEAR(hundred.outcome.best_rmse, 100.0 * plain.outcome.best_rmse,
              1e-9 * hundred.outcome.best_rmse);
  EXPECT_NEAR(hundred.outcome.final_mae, 100.0 * plain.outcome.final_mae,
              1e-9 * hundred.outcome.final_mae);
  // The loss is on standardised targets, so training itself is unchanged.
  EXPECT_EQ(hundred.epochs.back().train_loss, plain.epochs.back().train_loss);
  EXPECT_EQ(hundred.epochs.back().test_loss, plain.epochs.back().test_loss);
  const auto [rmse, mae] = TestErrors(*hundred.network, scaled);
  EXPECT_NEAR(hundred.outcome.final_rmse, rmse, 1e-6 * rmse);
}

TEST(Trainer, DivergenceIsAnErrorNamingTheEpoch) {
  const TensorDataset data = NoisySine(200, 40);
  TrainingSettings settings = RegressorSettings();
  settings.optimizer = "sgd";
  settings.momentum = 0;
  settings.lr = 1e30;
  try {
    TrainModel("linear", {}, data, settings);
    FAIL() << "no error although the loss cannot stay finite";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("diverged"), std::string::npos) << message;
    EXPECT_NE(message.find("epoch 1"), std::string::npos) << message;
  }
}

// ---------------------------------------------------------------- early_stop

TEST(Trainer, EarlyStopEndsARegressionRunOnPatience) {
  const TensorDataset data = NoisySine(200, 50);
  TrainingSettings settings = RegressorSettings();
  settings.epochs = 20;
  settings.lr = 1e-7;  // RMSE barely moves: no epoch gains the 50% min_delta asks
  auto early_stop = Optimize("early_stop", {{"patience", std::int64_t{2}}, {"min_delta", 50.0}});
  const TrainedRun run = TrainModel("linear", {}, data, settings, {early_stop});
  // Best at epoch 1; epochs 2 and 3 gain nothing; stop after epoch 3.
  EXPECT_EQ(run.outcome.epochs_run, 3);
  EXPECT_EQ(run.epochs.size(), 3u);
  EXPECT_NE(run.outcome.stop_reason.find("RMSE"), std::string::npos) << run.outcome.stop_reason;
  EXPECT_NE(run.outcome.stop_reason.find("2 epochs"), std::string::npos) << run.outcome.stop_reason;
  EXPECT_EQ(run.phases.back(), "optimize");
}

TEST(Trainer, EarlyStopTargetRmseIsInTheTargetsUnits) {
  TensorDataset data = NoisySine(300, 80);
  data.target_stddev = 1000.0;
  TrainingSettings settings = RegressorSettings();
  settings.epochs = 30;
  // Reached only if the RMSE it compares is in the target's units: a
  // standardised RMSE (< 1.2) would meet it at epoch 1.
  auto early_stop = Optimize("early_stop", {{"target_rmse", 1.0}, {"patience", std::int64_t{100}}});
  const TrainedRun run = TrainModel("linear", {}, data, settings, {early_stop});
  EXPECT_EQ(run.outcome.epochs_run, 30) << run.outcome.stop_reason;
  EXPECT_EQ(run.outcome.stop_reason, "completed 30 epochs");
}

}  // namespace
}  // namespace carbonbench
