// The optimizations that change the network or its training: loss scaling,
// pruning, checkpointing, quantization and the early-stop budgets, loaded
// through the registry as the host loads them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "builtin_plugins.h"
#include "carbonbench/sdk.h"
#include "dataset_specs.h"
#include "energy/tensor_memory.h"
#include "inspect/model_summary.h"
#include "plugins/optimizations/mixed_precision/loss_scaler.h"
#include "training/memory_layout.h"
#include "training/trainer.h"

namespace carbonbench {
namespace {

using test_support::Build;
using test_support::CountParameters;
using test_support::ImageSpec;
using test_support::Optimize;
using test_support::TokenSpec;

const std::map<std::string, ParamValue> kTinyBert = {};  // the default: bert-tiny

// ------------------------------------------------------------ loss scaling

TEST(DynamicLossScaler, UnscalesFiniteGradientsAndSteps) {
  optimizations::DynamicLossScaler scaler({/*initial_scale=*/1024, /*growth_interval=*/2});
  torch::Tensor w = torch::zeros({3}, torch::requires_grad());
  w.mutable_grad() = torch::full({3}, 2048.0);
  EXPECT_TRUE(scaler.UnscaleAndUpdate({w}));
  EXPECT_TRUE(torch::equal(w.grad(), torch::full({3}, 2.0)));
  EXPECT_EQ(scaler.scale(), 1024);
  w.mutable_grad() = torch::full({3}, 1024.0);
  EXPECT_TRUE(scaler.UnscaleAndUpdate({w}));
  EXPECT_EQ(scaler.scale(), 2048);  // two good steps in a row: it grows
}

TEST(DynamicLossScaler, AnOverflowSkipsTheStepAndBacksOff) {
  optimizations::DynamicLossScaler scaler({/*initial_scale=*/65536, /*growth_interval=*/2});
  torch::Tensor a = torch::zeros({2}, torch::requires_grad());
  torch::Tensor b = torch::zeros({2}, torch::requires_grad());
  a.mutable_grad() = torch::ones({2});
  b.mutable_grad() = torch::tensor({1.0f, std::numeric_limits<float>::infinity()});
  EXPECT_FALSE(scaler.UnscaleAndUpdate({a, b}));
  EXPECT_EQ(scaler.scale(), 32768);
  EXPECT_EQ(scaler.skipped_steps(), 1);
  // The count of good steps starts again after an overflow.
  a.mutable_grad() = torch::ones({2});
  b.mutable_grad() = torch::ones({2});
  EXPECT_TRUE(scaler.UnscaleAndUpdate({a, b}));
  EXPECT_EQ(scaler.scale(), 32768);
  b.mutable_grad() = torch::tensor({std::nanf(""), 1.0f});
  EXPECT_FALSE(scaler.UnscaleAndUpdate({a, b}));
  EXPECT_EQ(scaler.scale(), 16384);
}

// ------------------------------------------------------------------ pruning

struct Hooked {
  std::shared_ptr<Network> network;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  TrainingContext ctx;
  std::map<std::string, double> figures;
};

std::unique_ptr<Hooked> Hook(std::shared_ptr<Network> network, int planned_epochs = 2) {
  auto hooked = std::make_unique<Hooked>();
  hooked->network = std::move(network);
  hooked->optimizer = std::make_unique<torch::optim::Adam>(hooked->network->parameters(),
                                                           torch::optim::AdamOptions(0.01));
  hooked->ctx.network = hooked->network;
  hooked->ctx.optimizer = hooked->optimizer.get();
  hooked->ctx.planned_epochs = planned_epochs;
  hooked->ctx.epoch = planned_epochs;
  auto* figures = &hooked->figures;
  hooked->ctx.record = [figures](const std::string& key, double value) { (*figures)[key] = value; };
  return hooked;
}

double ZeroFraction(Network& network) {
  int64_t zeros = 0, total = 0;
  for (const auto& module : network.modules(false)) {
    torch::Tensor weight;
    if (auto* conv = module->as<torch::nn::Conv2d>()) weight = conv->weight;
    if (auto* linear = module->as<torch::nn::Linear>()) weight = linear->weight;
    if (!weight.defined()) continue;
    zeros += weight.eq(0).sum().item<int64_t>();
    total += weight.numel();
  }
  return static_cast<double>(zeros) / static_cast<double>(total);
}

TEST(UnstructuredPruning, MasksSurviveOptimizerSteps) {
  torch::manual_seed(1);
  auto hooked = Hook(Build("cnn", ImageSpec({1, 8, 8}, 4), {{"channels", int64_t{4}}}));
  auto pruning = Optimize("pruning", {{"sparsity", 0.6}});
  pruning->OnModelBuilt(hooked->ctx);
  pruning->OnTrainingEnd(hooked->ctx);
  EXPECT_NEAR(ZeroFraction(*hooked->network), 0.6, 0.01);
  for (int step = 0; step < 3; ++step) {
    hooked->optimizer->zero_grad();
    hooked->network->forward(torch::randn({8, 1, 8, 8})).square().sum().backward();
    hooked->optimizer->step();
    pruning->AfterOptimizerStep(hooked->ctx);
  }
  EXPECT_NEAR(ZeroFraction(*hooked->network), 0.6, 0.01);
  pruning->OnFinalNetwork(hooked->ctx);
  EXPECT_NEAR(hooked->figures.at("pruning.zero_weight_fraction"), 0.6, 0.01);
  // Dense tensors: as many parameters as before.
  EXPECT_EQ(hooked->figures.at("pruning.parameters_after"),
            hooked->figures.at("pruning.parameters_before"));
}

TEST(Pruning, FineTunesAtATenthOfTheLearningRateUnlessToldOtherwise) {
  const FineTuning by_default = Optimize("pruning", {})->FineTuningAfterTraining();
  EXPECT_EQ(by_default.epochs, 1);
  EXPECT_DOUBLE_EQ(by_default.lr_scale, 0.1);
  const FineTuning asked =
      Optimize("pruning", {{"finetune_epochs", int64_t{3}}, {"finetune_lr_scale", 1.0}})
          ->FineTuningAfterTraining();
  EXPECT_EQ(asked.epochs, 3);
  EXPECT_DOUBLE_EQ(asked.lr_scale, 1.0);
}

TEST(UnstructuredPruning, LayerScopePrunesEveryLayerToTheSparsity) {
  torch::manual_seed(2);
  auto hooked = Hook(Build("cnn", ImageSpec({1, 8, 8}, 4), {{"channels", int64_t{4}}}));
  auto pruning = Optimize("pruning", {{"sparsity", 0.5}, {"scope", std::string("layer")}});
  pruning->OnModelBuilt(hooked->ctx);
  pruning->OnTrainingEnd(hooked->ctx);
  for (const auto& module : hooked->network->modules(false)) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      EXPECT_NEAR(linear->weight.eq(0).to(torch::kFloat).mean().item<double>(), 0.5, 0.02);
    }
  }
}

// Zeroes the first half of every prunable layer's output channels (weights
// and bias): those are then the smallest by norm, and removing them must
// leave a network that computes the same function.
void ZeroHalfOfEachPrunableLayer(Network& network) {
  torch::NoGradGuard no_grad;
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules;
  for (const auto& item : network.named_modules("", false)) modules[item.key()] = item.value();
  for (const PrunableLayer& layer : network.structure().prunable_layers) {
    // A head goes with its key and value: zero them all.
    std::vector<std::string> names = layer.coupled;
    names.push_back(layer.name);
    for (const std::string& name : names) {
      for (auto& parameter : modules.at(name)->parameters(/*recurse=*/false)) {
        parameter.slice(0, 0, parameter.size(0) / 2).zero_();  // weight rows, bias entries
      }
    }
  }
}

struct StructuredCase {
  std::string model;
  DatasetSpec spec;
  std::map<std::string, ParamValue> params;
  torch::Tensor input;
};

class StructuredPruning : public ::testing::TestWithParam<std::string> {
 protected:
  StructuredCase Case() const {
    torch::manual_seed(3);
    const std::string& model = GetParam();
    if (model == "bert") {
      return {"bert", TokenSpec(16, 50, 3), kTinyBert,
              torch::randint(1, 50, {2, 16}, torch::kLong)};
    }
    const DatasetSpec spec = ImageSpec({3, 16, 16}, 5);
    std::map<std::string, ParamValue> params;
    if (model == "cnn") params = {{"channels", int64_t{8}}};
    if (model == "mobilenet_v2") params = {{"width_mult", 0.5}};
    return {model, spec, params, torch::randn({2, 3, 16, 16})};
  }
};

TEST_P(StructuredPruning, RemovingZeroNormChannelsLeavesAnEquivalentNetwork) {
  const StructuredCase c = Case();
  auto hooked = Hook(Build(c.model, c.spec, c.params));
  Network& network = *hooked->network;
  ZeroHalfOfEachPrunableLayer(network);
  network.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor before = network.forward(c.input);
  const int64_t parameters_before = CountParameters(network);
  const int64_t macs_before = SummarizeModel(network, c.input.slice(0, 0, 1)).macs_per_sample;

  auto pruning = Optimize("pruning", {{"method", std::string("structured")}, {"sparsity", 0.5}});
  pruning->OnModelBuilt(hooked->ctx);
  pruning->OnTrainingEnd(hooked->ctx);
  const torch::Tensor after = network.forward(c.input);
  EXPECT_EQ(after.sizes(), before.sizes());
  EXPECT_TRUE(torch::allclose(after, before, 1e-4, 1e-5))
      << "largest difference " << (after - before).abs().max().item<double>();
  EXPECT_LT(CountParameters(network), parameters_before);
  EXPECT_LT(SummarizeModel(network, c.input.slice(0, 0, 1)).macs_per_sample, macs_before);
}

TEST_P(StructuredPruning, ThePrunedNetworkTrainsAndReloadsIntoAFreshBuild) {
  const StructuredCase c = Case();
  auto hooked = Hook(Build(c.model, c.spec, c.params));
  auto pruning = Optimize("pruning", {{"method", std::string("structured")}, {"sparsity", 0.5}});
  pruning->OnModelBuilt(hooked->ctx);
  pruning->OnTrainingEnd(hooked->ctx);
  Network& network = *hooked->network;
  network.train();
  // A step after pruning: the optimizer's state was reset to the new shapes.
  hooked->optimizer->zero_grad();
  network.forward(c.input).square().mean().backward();
  hooked->optimizer->step();

  const std::string path = ::testing::TempDir() + "pruned_" + c.model + ".pt";
  SaveNetwork(hooked->network, path);
  auto fresh = Build(c.model, c.spec, c.params);
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  fresh->load(archive);
  SyncOptionsWithWeights(*fresh);
  network.eval();
  fresh->eval();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(fresh->forward(c.input), network.forward(c.input)));
}

// As a cell runs it: trained BatchNorm statistics that differ per channel,
// and the network and its batches in the layout the cell chose. The zeroed
// channels' BatchNorm scale and shift are zeroed too, so they add nothing
// whatever their statistics; every kept channel must keep its own.
class StructuredPruningOfATrainedNetwork : public ::testing::TestWithParam<bool> {};

std::unique_ptr<Hooked> ResNetInLayout(bool channels_last, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto hooked = Hook(Build("resnet18", ImageSpec({3, 16, 16}, 5)));
  if (channels_last) ToChannelsLast(*hooked->network);
  return hooked;
}

// Training-mode forward passes: BatchNorm's running statistics follow the batches.
void GatherStatistics(Network& network, const std::vector<torch::Tensor>& batches,
                      bool channels_last) {
  torch::NoGradGuard no_grad;
  network.train();
  for (const auto& batch : batches) network.forward(InLayout(batch, channels_last));
}

void PruneHalfOfTheChannels(Hooked& hooked) {
  auto pruning = Optimize("pruning", {{"method", std::string("structured")}, {"sparsity", 0.5}});
  pruning->OnModelBuilt(hooked.ctx);
  pruning->OnTrainingEnd(hooked.ctx);
}

std::vector<torch::Tensor> ShiftedBatches(int count, double scale, double shift) {
  std::vector<torch::Tensor> batches;
  for (int i = 0; i < count; ++i) batches.push_back(torch::randn({8, 3, 16, 16}) * scale + shift);
  return batches;
}

TEST_P(StructuredPruningOfATrainedNetwork, LeavesAnEquivalentNetworkInEitherLayout) {
  const bool channels_last = GetParam();
  auto hooked = ResNetInLayout(channels_last, 11);
  Network& network = *hooked->network;
  GatherStatistics(network, ShiftedBatches(3, 2, 1), channels_last);
  ZeroHalfOfEachPrunableLayer(network);
  {
    torch::NoGradGuard no_grad;
    std::map<std::string, std::shared_ptr<torch::nn::Module>> modules;
    for (const auto& item : network.named_modules("", false)) modules[item.key()] = item.value();
    for (const PrunableLayer& layer : network.structure().prunable_layers) {
      for (const std::string& name : layer.dependents) {
        if (auto* bn = modules.at(name)->as<torch::nn::BatchNorm2d>()) {
          bn->weight.slice(0, 0, bn->weight.size(0) / 2).zero_();
          bn->bias.slice(0, 0, bn->bias.size(0) / 2).zero_();
        }
      }
    }
  }
  network.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor input = InLayout(torch::randn({4, 3, 16, 16}), channels_last);
  const torch::Tensor before = network.forward(input);
  PruneHalfOfTheChannels(*hooked);
  const torch::Tensor after = network.forward(input);
  EXPECT_TRUE(torch::allclose(after, before, 1e-4, 1e-4))
      << "largest difference " << (after - before).abs().max().item<double>();
}

// Training a pruned network goes the same way in either layout: batch
// statistics gathered after pruning land on the channels that were kept.
TEST(StructuredPruningOfATrainedNetwork, TrainsOnTheSameWayInEitherLayout) {
  torch::manual_seed(12);
  const std::vector<torch::Tensor> before = ShiftedBatches(4, 2, 1);
  const std::vector<torch::Tensor> after = ShiftedBatches(4, 1, -1);
  const torch::Tensor input = torch::randn({4, 3, 16, 16});
  std::vector<torch::Tensor> outputs;
  for (const bool channels_last : {false, true}) {
    auto hooked = ResNetInLayout(channels_last, 13);
    Network& network = *hooked->network;
    GatherStatistics(network, before, channels_last);
    PruneHalfOfTheChannels(*hooked);
    GatherStatistics(network, after, channels_last);
    network.eval();
    torch::NoGradGuard no_grad;
    outputs.push_back(network.forward(InLayout(input, channels_last)));
  }
  EXPECT_TRUE(torch::allclose(outputs[0], outputs[1], 1e-3, 1e-3))
      << "largest difference " << (outputs[0] - outputs[1]).abs().max().item<double>();
}

INSTANTIATE_TEST_SUITE_P(Layouts, StructuredPruningOfATrainedNetwork, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "ChannelsLast" : "Nchw"; });

TEST(StructuredPruning, RemovesWholeAttentionHeadsWithTheirKeysAndValues) {
  torch::manual_seed(8);
  // bert-tiny: 2 layers of 2 heads of 64 dimensions.
  auto hooked = Hook(Build("bert", TokenSpec(16, 50, 3), kTinyBert));
  auto pruning = Optimize("pruning", {{"method", std::string("structured")}, {"sparsity", 0.5}});
  pruning->OnModelBuilt(hooked->ctx);
  pruning->OnTrainingEnd(hooked->ctx);
  auto modules = hooked->network->named_modules();
  const std::string self = "bert.encoder.layer.0.attention.self.";
  for (const char* projection : {"query", "key", "value"}) {
    EXPECT_EQ(modules[self + projection]->as<torch::nn::Linear>()->weight.size(0), 64)
        << projection;
  }
  EXPECT_EQ(
      modules["bert.encoder.layer.0.attention.output.dense"]->as<torch::nn::Linear>()->weight.size(
          1),
      64);
  torch::NoGradGuard no_grad;
  EXPECT_EQ(hooked->network->forward(torch::randint(1, 50, {2, 16}, torch::kLong)).sizes(),
            (std::vector<int64_t>{2, 3}));
}

INSTANTIATE_TEST_SUITE_P(Models, StructuredPruning,
                         ::testing::Values("cnn", "resnet18", "mobilenet_v2", "bert"),
                         [](const auto& info) { return info.param; });

TEST(StructuredPruning, GradualScheduleRisesCubicallyToTheTarget) {
  torch::manual_seed(4);
  auto hooked = Hook(Build("cnn", ImageSpec({1, 8, 8}, 4), {{"channels", int64_t{16}}}), 4);
  auto pruning = Optimize("pruning", {{"method", std::string("structured")},
                                      {"sparsity", 0.5},
                                      {"schedule", std::string("gradual")}});
  pruning->OnModelBuilt(hooked->ctx);
  auto* conv = hooked->network->named_modules()["block1.conv"]->as<torch::nn::Conv2d>();
  std::vector<int64_t> channels;
  for (int epoch = 1; epoch <= 4; ++epoch) {
    hooked->ctx.epoch = epoch;
    pruning->OnEpochEnd(hooked->ctx, EpochMetrics{});
    channels.push_back(conv->weight.size(0));
  }
  // 16 x (1 - s) with s = 0.5 (1 - (1 - t/4)^3): 0.289, 0.4375, 0.492, 0.5.
  EXPECT_EQ(channels, (std::vector<int64_t>{11, 9, 8, 8}));
  EXPECT_EQ(conv->options.out_channels(), 8);
}

// ------------------------------------------------------------ checkpointing

std::vector<torch::Tensor> Gradients(Network& network, const torch::Tensor& input) {
  for (auto& p : network.parameters()) p.mutable_grad() = torch::Tensor();
  torch::manual_seed(11);  // the same dropout masks in both passes
  network.forward(input).square().mean().backward();
  std::vector<torch::Tensor> grads;
  for (const auto& p : network.parameters()) {
    grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  }
  return grads;
}

class Checkpointing : public ::testing::TestWithParam<std::string> {};

TEST_P(Checkpointing, GivesTheGradientsOfThePlainBackward) {
  torch::manual_seed(5);
  const bool bert = GetParam() == "bert";
  auto network = bert ? Build("bert", TokenSpec(16, 50, 3), kTinyBert)
                      : Build(GetParam(), ImageSpec({3, 16, 16}, 5),
                              GetParam() == "mobilenet_v2"
                                  ? std::map<std::string, ParamValue>{{"width_mult", 0.5}}
                                  : std::map<std::string, ParamValue>{});
  const torch::Tensor input =
      bert ? torch::randint(1, 50, {2, 16}, torch::kLong) : torch::randn({2, 3, 16, 16});
  network->train();
  const auto plain = Gradients(*network, input);

  auto hooked = Hook(network);
  auto checkpointing = Optimize("checkpointing");
  checkpointing->OnModelBuilt(hooked->ctx);
  ASSERT_TRUE(network->block_runner);
  const auto checkpointed = Gradients(*network, input);
  ASSERT_EQ(plain.size(), checkpointed.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    EXPECT_TRUE(torch::allclose(plain[i], checkpointed[i], 1e-4, 1e-6)) << "parameter " << i;
  }
  EXPECT_GT(hooked->figures.at("checkpointing.blocks"), 0);
}

INSTANTIATE_TEST_SUITE_P(Models, Checkpointing,
                         ::testing::Values("cnn", "resnet18", "mobilenet_v2", "bert"),
                         [](const auto& info) { return info.param; });

// What checkpointing is for: the activations of a checkpointed block are
// not kept for backward, so the most the tensors hold at once falls.
std::int64_t PeakTrainingStepBytes(Network& network, const torch::Tensor& input) {
  TensorMemory memory;
  network.forward(input).square().mean().backward();
  return memory.PeakBytes(c10::DeviceType::CPU);
}

TEST(CheckpointingMemory, HoldsLessAtThePeakOfATrainingStep) {
  torch::manual_seed(5);
  auto network = Build("resnet18", ImageSpec({3, 32, 32}, 10));
  network->train();
  const torch::Tensor input = torch::randn({16, 3, 32, 32});
  const std::int64_t plain = PeakTrainingStepBytes(*network, input);
  auto hooked = Hook(network);
  auto checkpointing = Optimize("checkpointing");
  checkpointing->OnModelBuilt(hooked->ctx);
  const std::int64_t checkpointed = PeakTrainingStepBytes(*network, input);
  EXPECT_GT(plain, 0);
  EXPECT_LT(static_cast<double>(checkpointed), 0.8 * static_cast<double>(plain))
      << "plain " << plain << " bytes, checkpointed " << checkpointed;
}

TEST(CheckpointingEvery, ChoosesEveryNthDeclaredBlock) {
  auto hooked = Hook(Build("resnet18", ImageSpec({3, 16, 16}, 5)));
  auto checkpointing = Optimize("checkpointing", {{"every", int64_t{3}}});
  checkpointing->OnModelBuilt(hooked->ctx);
  EXPECT_EQ(hooked->figures.at("checkpointing.blocks"), 3);  // blocks 0, 3, 6 of 8
}

// ------------------------------------------------------------- quantization

TEST(Quantization, IsAvailableInThisTorchBuild) {
  EXPECT_EQ(Optimize("quantization")->UnavailableReason(), "");
}

TEST(Quantization, RunsLinearLayersInInt8CloseToFp32) {
  torch::manual_seed(6);
  auto network = Build("bert", TokenSpec(16, 50, 3), kTinyBert);
  network->eval();
  const torch::Tensor input = torch::randint(1, 50, {4, 16}, torch::kLong);
  torch::NoGradGuard no_grad;
  const torch::Tensor fp32 = network->forward(input);
  const int64_t macs_fp32 = SummarizeModel(*network, input.slice(0, 0, 1)).macs_per_sample;

  Optimize("quantization")->PrepareForInference(*network, torch::kCPU);
  const torch::Tensor int8 = network->forward(input);
  EXPECT_FALSE(torch::equal(int8, fp32));  // it really runs another kernel
  EXPECT_LT((int8 - fp32).abs().max().item<double>(), 0.05 * fp32.abs().max().item<double>());
  // The int8 kernels' multiply-accumulates are counted like fp32 ones.
  EXPECT_EQ(SummarizeModel(*network, input.slice(0, 0, 1)).macs_per_sample, macs_fp32);
}

TEST(Quantization, MeasuresAccuracyBeforeAndAfterAndMarksTheNetworkChanged) {
  auto hooked = Hook(Build("cnn", ImageSpec({1, 8, 8}, 4), {{"channels", int64_t{4}}}));
  int evaluations = 0;
  hooked->ctx.evaluate = [&] {
    ++evaluations;
    return EvalFigures{0.5, evaluations == 1 ? 0.75 : 0.7, 0};
  };
  auto quantization = Optimize("quantization");
  quantization->OnModelBuilt(hooked->ctx);
  quantization->OnFinalNetwork(hooked->ctx);
  EXPECT_TRUE(hooked->ctx.network_changed);
  EXPECT_EQ(hooked->figures.at("quantization.accuracy_before_pct"), 75);
  EXPECT_EQ(hooked->figures.at("quantization.accuracy_after_pct"), 70);
  EXPECT_EQ(hooked->figures.at("quantization.layers_int8"), 2);  // fc1, fc2
}

TEST(Quantization, RefusesACudaDeviceWithAFix) {
  auto hooked = Hook(Build("cnn", ImageSpec({1, 8, 8}, 4)));
  hooked->ctx.device = torch::Device(torch::kCUDA);
  try {
    Optimize("quantization")->OnModelBuilt(hooked->ctx);
    FAIL() << "quantization on CUDA was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("set device: cpu"), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------------ budgets

EpochMetrics Spent(int epoch, double energy_wh, double co2_g) {
  EpochMetrics metrics;
  metrics.epoch = epoch;
  metrics.test_accuracy = 0.1 * epoch;  // always improving: no plateau
  metrics.elapsed_s = 10.0 * epoch;
  metrics.energy_wh = energy_wh;
  metrics.co2_g = co2_g;
  return metrics;
}

TEST(EarlyStopBudgets, StopBeforeTheNextEpochWouldPassTheEnergyBudget) {
  auto stop = Optimize("early_stop", {{"max_energy_wh", 1.0}, {"patience", int64_t{50}}});
  TrainingContext ctx;
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Spent(1, 0.3, 0)).stop);
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Spent(2, 0.6, 0)).stop);  // 0.6 + 0.3 <= 1
  const EpochDecision decision = stop->OnEpochEnd(ctx, Spent(3, 0.9, 0));
  EXPECT_TRUE(decision.stop);
  EXPECT_NE(decision.reason.find("1 Wh energy budget"), std::string::npos) << decision.reason;
}

TEST(EarlyStopBudgets, StopBeforeTheNextEpochWouldPassTheCo2Budget) {
  auto stop = Optimize("early_stop", {{"max_co2_g", 5.0}, {"patience", int64_t{50}}});
  TrainingContext ctx;
  EXPECT_FALSE(stop->OnEpochEnd(ctx, Spent(1, 0, 2.0)).stop);
  const EpochDecision decision = stop->OnEpochEnd(ctx, Spent(2, 0, 4.0));  // 4 + 2 > 5
  EXPECT_TRUE(decision.stop);
  EXPECT_NE(decision.reason.find("5 g CO2 budget"), std::string::npos) << decision.reason;
}

}  // namespace
}  // namespace carbonbench
