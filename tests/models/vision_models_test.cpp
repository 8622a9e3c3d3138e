// resnet18 and mobilenet_v2 through the plugin loader: torchvision's sizes and
// names, the small-input variants, structure() and a training smoke test; the
// cnn's blocks against the textbook order of their operations.
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/nn/functional.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/optim/adam.h>

#include "builtin_plugins.h"
#include "carbonbench/sdk.h"
#include "dataset_specs.h"
#include "plugins/plugin_registry.h"

namespace carbonbench {
namespace {

using test_support::Build;
using test_support::CountParameters;
using test_support::ImageSpec;
using test_support::Registry;

std::vector<int64_t> Shape(const torch::Tensor& t) { return t.sizes().vec(); }

std::shared_ptr<torch::nn::Module> ModuleNamed(const torch::nn::Module& root,
                                               const std::string& name) {
  const auto modules = root.named_modules();
  const auto* found = modules.find(name);
  if (found == nullptr) throw std::runtime_error("no module named " + name);
  return *found;
}

torch::Tensor Forward(Network& network, const torch::Tensor& input) {
  torch::NoGradGuard no_grad;
  network.eval();
  return network.forward(input);
}

// Every name structure() gives exists, and each dependent consumes exactly
// the channels its prunable layer produces (so pruning can follow the edges).
void ExpectStructureMatchesModules(const Network& network) {
  const ModelStructure structure = network.structure();
  const auto modules = network.named_modules();
  for (const auto& block : structure.repeated_blocks) {
    EXPECT_NE(modules.find(block), nullptr) << "repeated block " << block;
  }
  for (const auto& layer : structure.prunable_layers) {
    ASSERT_NE(modules.find(layer.name), nullptr) << "prunable layer " << layer.name;
    const auto* producer = (*modules.find(layer.name))->as<torch::nn::Conv2d>();
    ASSERT_NE(producer, nullptr) << layer.name << " is not a Conv2d";
    const int64_t channels = producer->options.out_channels();
    for (const auto& name : layer.dependents) {
      ASSERT_NE(modules.find(name), nullptr) << "dependent " << name << " of " << layer.name;
      const auto& dependent = *modules.find(name);
      if (const auto* bn = dependent->as<torch::nn::BatchNorm2d>()) {
        EXPECT_EQ(bn->options.num_features(), channels) << name;
      } else if (const auto* conv = dependent->as<torch::nn::Conv2d>()) {
        EXPECT_EQ(conv->options.in_channels(), channels) << name;
      } else {
        ADD_FAILURE() << "dependent " << name << " is neither a Conv2d nor a BatchNorm2d";
      }
    }
  }
}

// Adam on one fixed, seeded batch; returns {first loss, last loss}.
std::pair<double, double> TrainOnFixedBatch(Network& network, const torch::Tensor& inputs,
                                            const torch::Tensor& targets, int steps) {
  network.train();
  torch::optim::Adam optimizer(network.parameters(), torch::optim::AdamOptions(1e-3));
  double first = 0.0;
  double last = 0.0;
  for (int step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::cross_entropy_loss(network.forward(inputs), targets);
    loss.backward();
    optimizer.step();
    if (step == 0) first = loss.item<double>();
  }
  {
    torch::NoGradGuard no_grad;
    last = torch::cross_entropy_loss(network.forward(inputs), targets).item<double>();
  }
  return {first, last};
}

// ---------------------------------------------------------------- resnet18

TEST(ResNet18, ParameterCountsMatchTorchvision) {
  EXPECT_EQ(CountParameters(*Build("resnet18", ImageSpec({3, 224, 224}, 1000))), 11689512);
  EXPECT_EQ(CountParameters(*Build("resnet18", ImageSpec({3, 224, 224}, 10))), 11181642);
  // The CIFAR stem's 3x3 conv1 has 64*3*(49-9) fewer weights.
  EXPECT_EQ(CountParameters(*Build("resnet18", ImageSpec({3, 32, 32}, 10))), 11173962);
}

TEST(ResNet18, ParameterNamesMatchTorchvisionStateDict) {
  auto network = Build("resnet18", ImageSpec({3, 224, 224}, 1000));
  const auto params = network->named_parameters();
  for (const char* name :
       {"conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
        "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight",
        "layer3.0.downsample.1.bias", "layer4.1.conv2.weight", "fc.weight", "fc.bias"}) {
    EXPECT_TRUE(params.contains(name)) << name;
  }
  EXPECT_FALSE(params.contains("layer1.0.downsample.0.weight"));  // no projection in layer1
  // torchvision's resnet18 state_dict: 62 parameters + 60 BN buffers = 122 keys.
  EXPECT_EQ(params.size(), 62u);
  EXPECT_EQ(params.size() + network->named_buffers().size(), 122u);
  EXPECT_EQ(Shape(params["layer2.0.downsample.0.weight"]), (std::vector<int64_t>{128, 64, 1, 1}));
  EXPECT_EQ(Shape(params["fc.weight"]), (std::vector<int64_t>{1000, 512}));
}

TEST(ResNet18, InitialisesLikeTorchvision) {
  torch::manual_seed(0);
  auto network = Build("resnet18", ImageSpec({3, 224, 224}, 10));
  const auto params = network->named_parameters();
  EXPECT_TRUE(torch::equal(params["layer3.1.bn1.weight"], torch::ones({256})));
  EXPECT_TRUE(torch::equal(params["layer3.1.bn1.bias"], torch::zeros({256})));
  // kaiming_normal_(fan_out, relu): std = sqrt(2 / (out_channels * k * k)).
  const double expected_std = std::sqrt(2.0 / (256 * 3 * 3));
  const double std = params["layer3.1.conv1.weight"].std().item<double>();
  EXPECT_NEAR(std, expected_std, 0.02 * expected_std);
}

TEST(ResNet18, OutputShapesForImageNetCifarAndFashionMnistInputs) {
  auto imagenet = Build("resnet18", ImageSpec({3, 224, 224}, 1000));
  EXPECT_EQ(Shape(Forward(*imagenet, torch::randn({1, 3, 224, 224}))),
            (std::vector<int64_t>{1, 1000}));
  auto cifar = Build("resnet18", ImageSpec({3, 32, 32}, 10));
  EXPECT_EQ(Shape(Forward(*cifar, torch::randn({2, 3, 32, 32}))), (std::vector<int64_t>{2, 10}));
  auto fashion = Build("resnet18", ImageSpec({1, 28, 28}, 10));
  EXPECT_EQ(Shape(Forward(*fashion, torch::randn({2, 1, 28, 28}))), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(Shape(fashion->named_parameters()["conv1.weight"]),
            (std::vector<int64_t>{64, 1, 3, 3}));
}

TEST(ResNet18, AutoStemPicksCifarForSmallImagesAndImageNetForLargeOnes) {
  auto small = Build("resnet18", ImageSpec({3, 32, 32}, 10));
  EXPECT_EQ(Shape(small->named_parameters()["conv1.weight"]), (std::vector<int64_t>{64, 3, 3, 3}));
  EXPECT_EQ(small->named_modules().find("maxpool"), nullptr);
  auto at_limit = Build("resnet18", ImageSpec({3, 64, 64}, 10));
  EXPECT_EQ(Shape(at_limit->named_parameters()["conv1.weight"]),
            (std::vector<int64_t>{64, 3, 3, 3}));
  auto tall = Build("resnet18", ImageSpec({3, 65, 32}, 10));  // both sides must be small
  EXPECT_EQ(Shape(tall->named_parameters()["conv1.weight"]), (std::vector<int64_t>{64, 3, 7, 7}));
  auto large = Build("resnet18", ImageSpec({3, 224, 224}, 10));
  EXPECT_EQ(Shape(large->named_parameters()["conv1.weight"]), (std::vector<int64_t>{64, 3, 7, 7}));
  EXPECT_NE(large->named_modules().find("maxpool"), nullptr);

  auto forced = Build("resnet18", ImageSpec({3, 32, 32}, 10), {{"stem", std::string("imagenet")}});
  EXPECT_EQ(Shape(forced->named_parameters()["conv1.weight"]), (std::vector<int64_t>{64, 3, 7, 7}));
  EXPECT_EQ(Shape(Forward(*forced, torch::randn({1, 3, 32, 32}))), (std::vector<int64_t>{1, 10}));
}

TEST(ResNet18, CifarStemLeavesAFourByFourMapBeforeThePool) {
  auto network = Build("resnet18", ImageSpec({3, 32, 32}, 10));
  network->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({1, 3, 32, 32});
  x = ModuleNamed(*network, "conv1")->as<torch::nn::Conv2d>()->forward(x);
  x = ModuleNamed(*network, "bn1")->as<torch::nn::BatchNorm2d>()->forward(x).relu();
  for (const char* layer : {"layer1", "layer2", "layer3", "layer4"}) {
    x = ModuleNamed(*network, layer)->as<torch::nn::Sequential>()->forward(x);
  }
  EXPECT_EQ(Shape(x), (std::vector<int64_t>{1, 512, 4, 4}));
}

TEST(ResNet18, StructureNamesTheEightBasicBlocksAndTheirFirstConvs) {
  auto network = Build("resnet18", ImageSpec({3, 32, 32}, 10));
  const ModelStructure structure = network->structure();
  EXPECT_EQ(structure.input_kind, InputKind::kImage);
  EXPECT_EQ(structure.repeated_blocks,
            (std::vector<std::string>{"layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0",
                                      "layer3.1", "layer4.0", "layer4.1"}));
  ASSERT_EQ(structure.prunable_layers.size(), 8u);
  EXPECT_EQ(structure.prunable_layers[2].name, "layer2.0.conv1");
  EXPECT_EQ(structure.prunable_layers[2].dependents,
            (std::vector<std::string>{"layer2.0.bn1", "layer2.0.conv2"}));
  ExpectStructureMatchesModules(*network);
}

// ------------------------------------------------------------ mobilenet_v2

TEST(MobileNetV2, ParameterCountMatchesTorchvisionAndWidthMultShrinksIt) {
  const int64_t full = CountParameters(*Build("mobilenet_v2", ImageSpec({3, 224, 224}, 1000)));
  EXPECT_EQ(full, 3504872);
  const int64_t half = CountParameters(
      *Build("mobilenet_v2", ImageSpec({3, 224, 224}, 1000), {{"width_mult", 0.5}}));
  EXPECT_LT(half, full);
  EXPECT_GT(half, 1000 * 1280);  // last_channel stays 1280 below width 1.0, as in torchvision
  // The small-input variant changes strides only, never parameters.
  EXPECT_EQ(CountParameters(*Build("mobilenet_v2", ImageSpec({3, 32, 32}, 1000))), full);
}

TEST(MobileNetV2, ParameterNamesMatchTorchvisionStateDict) {
  auto network = Build("mobilenet_v2", ImageSpec({3, 224, 224}, 1000));
  const auto params = network->named_parameters();
  for (const char* name :
       {"features.0.0.weight", "features.0.1.weight", "features.1.conv.0.0.weight",
        "features.1.conv.0.1.bias", "features.1.conv.1.weight", "features.1.conv.2.weight",
        "features.2.conv.0.0.weight", "features.2.conv.1.0.weight", "features.2.conv.2.weight",
        "features.2.conv.3.bias", "features.17.conv.3.weight", "features.18.0.weight",
        "features.18.1.bias", "classifier.1.weight", "classifier.1.bias"}) {
    EXPECT_TRUE(params.contains(name)) << name;
  }
  EXPECT_FALSE(params.contains("features.19.0.weight"));
  EXPECT_EQ(Shape(params["features.2.conv.1.0.weight"]), (std::vector<int64_t>{96, 1, 3, 3}));
  EXPECT_EQ(Shape(params["classifier.1.weight"]), (std::vector<int64_t>{1000, 1280}));
}

TEST(MobileNetV2, OutputShapesForImageNetCifarAndFashionMnistInputs) {
  auto imagenet = Build("mobilenet_v2", ImageSpec({3, 224, 224}, 1000));
  EXPECT_EQ(Shape(Forward(*imagenet, torch::randn({1, 3, 224, 224}))),
            (std::vector<int64_t>{1, 1000}));
  auto cifar = Build("mobilenet_v2", ImageSpec({3, 32, 32}, 10));
  EXPECT_EQ(Shape(Forward(*cifar, torch::randn({2, 3, 32, 32}))), (std::vector<int64_t>{2, 10}));
  auto fashion = Build("mobilenet_v2", ImageSpec({1, 28, 28}, 10));
  EXPECT_EQ(Shape(Forward(*fashion, torch::randn({2, 1, 28, 28}))), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(Shape(fashion->named_parameters()["features.0.0.weight"]),
            (std::vector<int64_t>{32, 1, 3, 3}));
}

TEST(MobileNetV2, SmallInputKeepsStrideOneEarlySoCifarEndsAtFourByFour) {
  auto features_of = [](const Network& network, const torch::Tensor& input) {
    torch::NoGradGuard no_grad;
    return ModuleNamed(network, "features")->as<torch::nn::Sequential>()->forward(input);
  };
  auto stride_of = [](const Network& network, const std::string& conv) {
    return ModuleNamed(network, conv)->as<torch::nn::Conv2d>()->options.stride()->at(0);
  };
  auto small = Build("mobilenet_v2", ImageSpec({3, 32, 32}, 10));  // auto -> yes
  small->eval();
  EXPECT_EQ(stride_of(*small, "features.0.0"), 1);
  EXPECT_EQ(stride_of(*small, "features.2.conv.1.0"), 1);
  EXPECT_EQ(stride_of(*small, "features.4.conv.1.0"), 2);
  EXPECT_EQ(Shape(features_of(*small, torch::randn({1, 3, 32, 32}))),
            (std::vector<int64_t>{1, 1280, 4, 4}));

  auto standard =
      Build("mobilenet_v2", ImageSpec({3, 32, 32}, 10), {{"small_input", std::string("no")}});
  standard->eval();
  EXPECT_EQ(stride_of(*standard, "features.0.0"), 2);
  EXPECT_EQ(stride_of(*standard, "features.2.conv.1.0"), 2);
  EXPECT_EQ(Shape(features_of(*standard, torch::randn({1, 3, 32, 32}))),
            (std::vector<int64_t>{1, 1280, 1, 1}));

  auto large = Build("mobilenet_v2", ImageSpec({3, 96, 96}, 10));  // auto -> no
  EXPECT_EQ(stride_of(*large, "features.0.0"), 2);
}

TEST(MobileNetV2, StructureNamesInvertedResidualsAndTheirExpansions) {
  auto network = Build("mobilenet_v2", ImageSpec({3, 32, 32}, 10));
  const ModelStructure structure = network->structure();
  ASSERT_EQ(structure.repeated_blocks.size(), 17u);
  EXPECT_EQ(structure.repeated_blocks.front(), "features.1");
  EXPECT_EQ(structure.repeated_blocks.back(), "features.17");
  // features.1 has expand ratio 1: no expansion conv to prune.
  ASSERT_EQ(structure.prunable_layers.size(), 16u);
  EXPECT_EQ(structure.prunable_layers[0].name, "features.2.conv.0.0");
  EXPECT_EQ(structure.prunable_layers[0].dependents,
            (std::vector<std::string>{"features.2.conv.0.1", "features.2.conv.1.0",
                                      "features.2.conv.1.1", "features.2.conv.2"}));
  ExpectStructureMatchesModules(*network);
}

TEST(MobileNetV2, InitialisesLikeTorchvision) {
  torch::manual_seed(0);
  auto network = Build("mobilenet_v2", ImageSpec({3, 224, 224}, 1000));
  const auto params = network->named_parameters();
  EXPECT_TRUE(torch::equal(params["classifier.1.bias"], torch::zeros({1000})));
  EXPECT_NEAR(params["classifier.1.weight"].std().item<double>(), 0.01, 0.0005);
  EXPECT_TRUE(torch::equal(params["features.18.1.weight"], torch::ones({1280})));
}

// ------------------------------------------------------------------- cnn

// The cnn's blocks pool before their ReLU, which is cheaper in training; with
// the textbook order (conv, batch norm, ReLU, pool) its outputs and every
// parameter's gradient are the same.
TEST(Cnn, PoolingBeforeReluGivesTheTextbookOrdersOutputsAndGradients) {
  torch::manual_seed(11);
  auto network = Build("cnn", ImageSpec({1, 28, 28}, 10), {{"dropout", 0.0}});
  network->train();
  const torch::Tensor inputs = torch::randn({16, 1, 28, 28});
  const torch::Tensor targets = torch::arange(16, torch::kLong) % 10;
  std::map<std::string, torch::Tensor> p;
  for (const auto& item : network->named_parameters()) p[item.key()] = item.value();

  namespace F = torch::nn::functional;
  auto block = [&](torch::Tensor x, const std::string& name) {
    x = F::conv2d(x, p[name + ".conv.weight"], F::Conv2dFuncOptions().padding(1));
    x = F::batch_norm(x, torch::Tensor(), torch::Tensor(),
                      F::BatchNormFuncOptions()
                          .weight(p[name + ".bn.weight"])
                          .bias(p[name + ".bn.bias"])
                          .training(true));
    return F::max_pool2d(torch::relu(x), F::MaxPool2dFuncOptions(2));
  };
  torch::Tensor x = block(block(inputs, "block1"), "block2").flatten(1);
  x = torch::relu(torch::linear(x, p["fc1.weight"], p["fc1.bias"]));
  const torch::Tensor expected = torch::linear(x, p["fc2.weight"], p["fc2.bias"]);
  std::vector<torch::Tensor> params;
  for (const auto& [name, tensor] : p) params.push_back(tensor);
  const auto expected_grads =
      torch::autograd::grad({torch::cross_entropy_loss(expected, targets)}, params);

  const torch::Tensor outputs = network->forward(inputs);
  torch::cross_entropy_loss(outputs, targets).backward();
  EXPECT_TRUE(torch::allclose(outputs, expected, 1e-5, 1e-6));
  size_t i = 0;
  for (const auto& [name, tensor] : p) {
    EXPECT_TRUE(torch::allclose(tensor.grad(), expected_grads[i++], 1e-4, 1e-7)) << name;
  }
}

// ----------------------------------------------------------- both: refusals

TEST(VisionModels, RefuseNonImageAndNonClassificationDatasets) {
  DatasetSpec series;
  series.name = "co2";
  series.input_kind = InputKind::kSeries;
  series.task = TaskKind::kRegression;
  series.input_shape = {1, 52};
  DatasetSpec regression = ImageSpec({3, 32, 32}, 0);
  regression.task = TaskKind::kRegression;
  DatasetSpec tokens;
  tokens.name = "imdb";
  tokens.input_kind = InputKind::kTokens;
  tokens.input_shape = {128};
  tokens.num_classes = 2;

  for (const std::string model : {"resnet18", "mobilenet_v2"}) {
    for (const auto& [spec, expected] :
         std::vector<std::pair<DatasetSpec, std::string>>{{series, " needs image inputs"},
                                                          {tokens, " needs image inputs"},
                                                          {regression, " is a classifier"}}) {
      try {
        Build(model, spec);
        ADD_FAILURE() << model << " accepted dataset " << spec.name;
      } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(model + expected), std::string::npos) << e.what();
      }
    }
  }
}

// ------------------------------------------------------- training smoke test

class VisionTrainingSmoke : public ::testing::TestWithParam<std::string> {};

TEST_P(VisionTrainingSmoke, AFewAdamStepsLowerTheLossOnAFixedBatch) {
  torch::manual_seed(7);
  auto network = Build(GetParam(), ImageSpec({3, 32, 32}, 10));
  const torch::Tensor inputs = torch::randn({8, 3, 32, 32});
  const torch::Tensor targets = torch::arange(8, torch::kLong) % 10;
  const auto [first, last] = TrainOnFixedBatch(*network, inputs, targets, 4);
  RecordProperty("first_loss", std::to_string(first));
  RecordProperty("last_loss", std::to_string(last));
  EXPECT_TRUE(std::isfinite(first) && std::isfinite(last));
  EXPECT_LT(last, 0.8 * first) << "first " << first << ", last " << last;
}

INSTANTIATE_TEST_SUITE_P(Models, VisionTrainingSmoke,
                         ::testing::Values("resnet18", "mobilenet_v2"));

}  // namespace
}  // namespace carbonbench
