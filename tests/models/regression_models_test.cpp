// linear and cnn1d (windowed series regressors) through the plugin loader.
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>

#include "builtin_plugins.h"
#include "carbonbench/sdk.h"
#include "plugins/plugin_registry.h"

namespace carbonbench {
namespace {

using test_support::Build;
using test_support::CountParameters;
using test_support::Registry;

DatasetSpec SeriesSpec(int64_t channels, int64_t window, int64_t targets) {
  DatasetSpec spec;
  spec.name = "synthetic_series";
  spec.input_kind = InputKind::kSeries;
  spec.task = TaskKind::kRegression;
  spec.input_shape = {channels, window};
  spec.target_size = targets;
  return spec;
}

std::vector<int64_t> Shape(const torch::Tensor& t) { return t.sizes().vec(); }

torch::Tensor Forward(Network& network, const torch::Tensor& input) {
  torch::NoGradGuard no_grad;
  network.eval();
  return network.forward(input);
}

// ------------------------------------------------------------------ linear

TEST(LinearModel, MapsTheFlattenedWindowToTheTargets) {
  auto network = Build("linear", SeriesSpec(2, 12, 3));
  EXPECT_EQ(CountParameters(*network), 2 * 12 * 3 + 3);
  EXPECT_EQ(Shape(Forward(*network, torch::randn({5, 2, 12}))), (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(network->structure().input_kind, InputKind::kSeries);

  auto no_bias = Build("linear", SeriesSpec(1, 8, 1), {{"bias", false}});
  EXPECT_EQ(CountParameters(*no_bias), 8);
  EXPECT_EQ(Shape(Forward(*no_bias, torch::randn({4, 1, 8}))), (std::vector<int64_t>{4, 1}));
}

// ------------------------------------------------------------------- cnn1d

TEST(Cnn1dModel, SizesItselfFromTheDataset) {
  auto network = Build("cnn1d", SeriesSpec(1, 16, 1));
  // conv 1->32 k3 + bn, conv 32->32 k3 + bn, fc (32*16)->64, fc 64->1.
  EXPECT_EQ(CountParameters(*network), 96 + 64 + 3072 + 64 + (512 * 64 + 64) + 65);
  EXPECT_EQ(Shape(Forward(*network, torch::randn({4, 1, 16}))), (std::vector<int64_t>{4, 1}));
}

TEST(Cnn1dModel, OutputIsBatchByTargetsForEveryPoolingAndKernel) {
  for (const std::string pooling : {"flatten", "avg"}) {
    for (const int64_t kernel : {1, 3, 4, 7}) {
      auto network = Build("cnn1d", SeriesSpec(3, 20, 4),
                           {{"pooling", pooling}, {"kernel_size", kernel}, {"blocks", int64_t{3}}});
      EXPECT_EQ(Shape(Forward(*network, torch::randn({6, 3, 20}))), (std::vector<int64_t>{6, 4}))
          << pooling << ", kernel " << kernel;
    }
  }
  // Averaging makes the head independent of the window length.
  const int64_t avg_small =
      CountParameters(*Build("cnn1d", SeriesSpec(1, 16, 1), {{"pooling", std::string("avg")}}));
  const int64_t avg_large =
      CountParameters(*Build("cnn1d", SeriesSpec(1, 64, 1), {{"pooling", std::string("avg")}}));
  EXPECT_EQ(avg_small, avg_large);
}

TEST(Cnn1dModel, StructureNamesConvBlocksAndTheirChannelConsumers) {
  auto network = Build("cnn1d", SeriesSpec(2, 16, 1), {{"blocks", int64_t{3}}});
  const ModelStructure structure = network->structure();
  EXPECT_EQ(structure.input_kind, InputKind::kSeries);
  EXPECT_EQ(structure.repeated_blocks,
            (std::vector<std::string>{"blocks.0", "blocks.1", "blocks.2"}));
  ASSERT_EQ(structure.prunable_layers.size(), 4u);
  EXPECT_EQ(structure.prunable_layers[0].dependents,
            (std::vector<std::string>{"blocks.0.bn", "blocks.1.conv"}));
  EXPECT_EQ(structure.prunable_layers[2].dependents,
            (std::vector<std::string>{"blocks.2.bn", "fc1"}));
  EXPECT_EQ(structure.prunable_layers[3].name, "fc1");

  const auto modules = network->named_modules();
  for (const auto& block : structure.repeated_blocks) {
    EXPECT_NE(modules.find(block), nullptr) << block;
  }
  for (const auto& layer : structure.prunable_layers) {
    ASSERT_NE(modules.find(layer.name), nullptr) << layer.name;
    for (const auto& dependent : layer.dependents) {
      ASSERT_NE(modules.find(dependent), nullptr) << dependent;
    }
  }
  // A conv's outputs are exactly what its bn normalises and the next conv reads.
  for (int i = 0; i + 1 < 3; ++i) {
    const std::string block = "blocks." + std::to_string(i);
    const auto* conv = (*modules.find(block + ".conv"))->as<torch::nn::Conv1d>();
    const auto* bn = (*modules.find(block + ".bn"))->as<torch::nn::BatchNorm1d>();
    const auto* next =
        (*modules.find("blocks." + std::to_string(i + 1) + ".conv"))->as<torch::nn::Conv1d>();
    ASSERT_TRUE(conv && bn && next);
    EXPECT_EQ(bn->options.num_features(), conv->options.out_channels());
    EXPECT_EQ(next->options.in_channels(), conv->options.out_channels());
  }
  const auto* fc1 = (*modules.find("fc1"))->as<torch::nn::Linear>();
  ASSERT_NE(fc1, nullptr);
  EXPECT_EQ(fc1->options.in_features(), 32 * 16);  // flattened: channels x window
}

// ----------------------------------------------------------- both: refusals

TEST(RegressionModels, RefuseImageTokenAndClassificationDatasets) {
  DatasetSpec image;
  image.name = "fashion_mnist";
  image.input_shape = {1, 28, 28};
  image.num_classes = 10;
  DatasetSpec tokens;
  tokens.name = "imdb";
  tokens.input_kind = InputKind::kTokens;
  tokens.input_shape = {128};
  tokens.num_classes = 2;
  DatasetSpec classification = SeriesSpec(1, 16, 1);
  classification.task = TaskKind::kClassification;
  classification.num_classes = 3;

  for (const std::string model : {"linear", "cnn1d"}) {
    for (const auto& [spec, expected] :
         std::vector<std::pair<DatasetSpec, std::string>>{{image, " needs series inputs"},
                                                          {tokens, " needs series inputs"},
                                                          {classification, " is a regressor"}}) {
      try {
        Build(model, spec);
        ADD_FAILURE() << model << " accepted dataset " << spec.name;
      } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(model + expected), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(spec.name), std::string::npos) << e.what();
      }
    }
  }
}

// ------------------------------------------------------- training smoke test

class RegressionTrainingSmoke : public ::testing::TestWithParam<std::string> {};

TEST_P(RegressionTrainingSmoke, AdamStepsLowerTheLossOnALearnableSeries) {
  torch::manual_seed(11);
  constexpr int64_t kSamples = 64;
  constexpr int64_t kWindow = 16;
  auto network = Build(GetParam(), SeriesSpec(1, kWindow, 2));
  // Targets are fixed linear functions of the window, so every model can fit them.
  const torch::Tensor inputs = torch::randn({kSamples, 1, kWindow});
  const torch::Tensor mixing = torch::randn({kWindow, 2}) / std::sqrt(double{kWindow});
  const torch::Tensor targets = inputs.flatten(1).matmul(mixing);

  network->train();
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-2));
  double first = 0.0;
  for (int step = 0; step < 40; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::mse_loss(network->forward(inputs), targets);
    loss.backward();
    optimizer.step();
    if (step == 0) first = loss.item<double>();
  }
  network->eval();
  torch::NoGradGuard no_grad;
  const double last = torch::mse_loss(network->forward(inputs), targets).item<double>();
  RecordProperty("first_loss", std::to_string(first));
  RecordProperty("last_loss", std::to_string(last));
  EXPECT_TRUE(std::isfinite(last));
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;
}

INSTANTIATE_TEST_SUITE_P(Models, RegressionTrainingSmoke, ::testing::Values("linear", "cnn1d"));

}  // namespace
}  // namespace carbonbench
