// The built-in plugins, loaded the way the host loads them, and the training
// loop they hook into. (The one torch-including test file: slow to compile.)
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "builtin_plugins.h"
#include "carbonbench/sdk.h"
#include "dataset_specs.h"
#include "plugins/plugin_registry.h"
#include "training/trainer.h"

namespace carbonbench {
namespace {

using test_support::CountParameters;
using test_support::ImageSpec;
using test_support::Registry;

Params DefaultsOf(PluginKind kind, const std::string& name,
                  std::map<std::string, ParamValue> given = {}) {
  return ResolveParams(Registry().Find(kind, name)->params, given);
}

std::shared_ptr<Network> BuildCnn(const DatasetSpec& spec,
                                  std::map<std::string, ParamValue> given = {}) {
  auto model = Registry().Create<Model>(PluginKind::kModel, "cnn");
  return model->Build(spec, DefaultsOf(PluginKind::kModel, "cnn", given));
}

std::shared_ptr<Optimization> MakeOptimization(const std::string& name,
                                               std::map<std::string, ParamValue> given = {}) {
  auto optimization = Registry().Create<Optimization>(PluginKind::kOptimization, name);
  optimization->Configure(DefaultsOf(PluginKind::kOptimization, name, given));
  return optimization;
}

TEST(CnnModel, SizesItselfFromTheDataset) {
  auto network = BuildCnn(ImageSpec({1, 28, 28}, 10));
  // conv 1->32 (no bias, bn 64) + conv 32->64 (bn 128) + fc 3136->128 + fc 128->10.
  EXPECT_EQ(CountParameters(*network), 288 + 64 + 18432 + 128 + 401408 + 128 + 1290);
  EXPECT_EQ(network->forward(torch::zeros({4, 1, 28, 28})).sizes(), (std::vector<int64_t>{4, 10}));

  auto colour = BuildCnn(ImageSpec({3, 32, 32}, 100), {{"channels", int64_t{8}}});
  EXPECT_EQ(colour->forward(torch::zeros({2, 3, 32, 32})).sizes(), (std::vector<int64_t>{2, 100}));
  EXPECT_EQ(colour->structure().repeated_blocks, (std::vector<std::string>{"block1", "block2"}));
}

TEST(CnnModel, RefusesARegressionDataset) {
  DatasetSpec spec = ImageSpec({1, 28, 28}, 0);
  spec.task = TaskKind::kRegression;
  EXPECT_THROW(BuildCnn(spec), std::invalid_argument);
}

TEST(MixedPrecision, AutocastsToBf16InsideTheForwardScopeOnly) {
  auto optimization = MakeOptimization("mixed_precision");
  auto network = BuildCnn(ImageSpec({1, 28, 28}, 10));
  TrainingContext ctx;
  ctx.network = network;
  optimization->OnModelBuilt(ctx);
  torch::nn::Linear linear(4, 2);
  {
    auto scope = optimization->EnterForward(ctx);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(linear->forward(torch::ones({1, 4})).scalar_type(), torch::kBFloat16);
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(linear->forward(torch::ones({1, 4})).scalar_type(), torch::kFloat32);
}

TEST(MixedPrecision, Fp16OnTheCpuIsRefusedWithAFix) {
  auto optimization = MakeOptimization("mixed_precision", {{"dtype", std::string("fp16")}});
  TrainingContext ctx;
  try {
    optimization->OnModelBuilt(ctx);
    FAIL() << "fp16 on the CPU was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("use dtype bf16 (or auto) on CPUs"), std::string::npos);
  }
}

EpochMetrics Epoch(int epoch, double accuracy, double elapsed_s) {
  EpochMetrics metrics;
  metrics.epoch = epoch;
  metrics.train_loss = 0.5;
  metrics.test_loss = 0.5;
  metrics.test_accuracy = accuracy;
  metrics.elapsed_s = elapsed_s;
  return metrics;
}

TEST(EarlyStop, StopsAfterPatienceEpochsWithoutGain) {
  auto stop = MakeOptimization("early_stop", {{"patience", int64_t{2}}, {"min_delta", 0.5}});
  TrainingContext ctx;
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Epoch(1, 0.80, 10)).stop);
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Epoch(2, 0.81, 20)).stop);   // +1 point: a gain
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Epoch(3, 0.812, 30)).stop);  // +0.2: not enough
  const EpochDecision decision = stop->OnEpochEnd(ctx, Epoch(4, 0.809, 40));
  EXPECT_TRUE(decision.stop);
  EXPECT_EQ(decision.reason, "no gain of 0.50 points in 2 epochs (best 81.00% at epoch 2)");
}

TEST(EarlyStop, StopsAtTheTargetAccuracy) {
  auto stop = MakeOptimization("early_stop", {{"target_acc", 85.0}});
  TrainingContext ctx;
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Epoch(1, 0.849, 10)).stop);
  const EpochDecision decision = stop->OnEpochEnd(ctx, Epoch(2, 0.8512, 20));
  EXPECT_TRUE(decision.stop);
  EXPECT_EQ(decision.reason, "reached the target accuracy 85.0% at epoch 2 (85.12%)");
}

TEST(EarlyStop, StopsBeforeTheNextEpochWouldOverrunTheBudget) {
  auto stop = MakeOptimization("early_stop", {{"time_budget_s", 100.0}, {"patience", int64_t{50}}});
  TrainingContext ctx;
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Epoch(1, 0.5, 30)).stop);
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Epoch(2, 0.6, 60)).stop);  // 60 + 30 <= 100
  EXPECT_TRUE(stop->OnEpochEnd(ctx, Epoch(3, 0.7, 90)).stop);   // 90 + 30 > 100
}

// A learnable synthetic task: the class is the brightest quadrant.
TensorDataset QuadrantDataset(int64_t train, int64_t test) {
  torch::manual_seed(7);
  auto make = [](int64_t n) {
    torch::Tensor x = torch::randn({n, 1, 8, 8}) * 0.3;
    torch::Tensor y = torch::randint(0, 4, {n}, torch::kLong);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t q = y[i].item<int64_t>();
      x[i].slice(1, (q / 2) * 4, (q / 2) * 4 + 4).slice(2, (q % 2) * 4, (q % 2) * 4 + 4) += 1.0;
    }
    return std::make_pair(x, y);
  };
  TensorDataset data;
  data.spec = ImageSpec({1, 8, 8}, 4);
  std::tie(data.train_inputs, data.train_targets) = make(train);
  std::tie(data.test_inputs, data.test_targets) = make(test);
  return data;
}

std::vector<double> TrainLosses(const TensorDataset& data, int64_t seed,
                                const std::vector<std::shared_ptr<Optimization>>& optimizations,
                                TrainingOutcome* outcome = nullptr) {
  torch::manual_seed(static_cast<uint64_t>(seed));
  auto network = BuildCnn(data.spec, {{"channels", int64_t{4}}, {"hidden", int64_t{16}}});
  TrainingSettings settings;
  settings.epochs = 3;
  settings.batch_size = 32;
  settings.lr = 0.01;
  settings.seed = seed;
  std::vector<double> losses;
  TrainingObserver observer;
  observer.on_epoch = [&losses](const EpochRecord& record) { losses.push_back(record.train_loss); };
  TrainingOutcome result = Train(network, data, optimizations, settings, observer);
  if (outcome) *outcome = result;
  return losses;
}

TEST(Trainer, IsDeterministicForASeedAndLearns) {
  const TensorDataset data = QuadrantDataset(256, 128);
  TrainingOutcome outcome;
  const auto first = TrainLosses(data, 3, {}, &outcome);
  const auto second = TrainLosses(data, 3, {});
  const auto other_seed = TrainLosses(data, 4, {});
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first, second);  // bit for bit
  EXPECT_NE(first, other_seed);
  EXPECT_LT(first.back(), first.front());
  EXPECT_GT(outcome.final_accuracy, 0.9);
  EXPECT_EQ(outcome.stop_reason, "completed 3 epochs");
}

TEST(Trainer, StopsWhenAnOptimizationSaysSo) {
  const TensorDataset data = QuadrantDataset(256, 128);
  TrainingOutcome outcome;
  TrainLosses(data, 3, {MakeOptimization("early_stop", {{"target_acc", 50.0}})}, &outcome);
  EXPECT_EQ(outcome.epochs_run, 1);
  EXPECT_NE(outcome.stop_reason.find("reached the target accuracy"), std::string::npos);
}

TEST(Trainer, ReportsDivergenceWithTheEpoch) {
  TensorDataset data = QuadrantDataset(64, 32);
  data.train_inputs[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  try {
    TrainLosses(data, 3, {});
    FAIL() << "a NaN loss was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("training diverged"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at epoch 1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace carbonbench
