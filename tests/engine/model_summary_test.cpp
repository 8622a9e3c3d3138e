// SummarizeModel on model plugins loaded through the registry: published
// parameter and MAC counts (resnet18, mobilenet_v2), layer rows of the cnn,
// and BERT's attention products against a hand-derived formula.
#include "inspect/model_summary.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/nn/module.h>

#include "builtin_plugins.h"
#include "carbonbench/sdk.h"
#include "dataset_specs.h"
#include "plugins/plugin_registry.h"

namespace carbonbench {
namespace {

using test_support::Build;
using test_support::ImageSpec;
using test_support::Registry;
using test_support::TokenSpec;

std::vector<const LayerSummary*> RowsNamed(const ModelSummary& summary, const std::string& name) {
  std::vector<const LayerSummary*> rows;
  for (const auto& layer : summary.layers) {
    if (layer.name == name) rows.push_back(&layer);
  }
  return rows;
}

std::int64_t SumOfMacs(const ModelSummary& summary) {
  std::int64_t total = 0;
  for (const auto& layer : summary.layers) total += layer.macs;
  return total;
}

// A table of the rows, for failure messages.
std::string Table(const ModelSummary& summary) {
  return "\n" + FormatModelSummary(summary, "summary");
}

// ---------------------------------------------------------------- published figures

TEST(ModelSummary, ResNet18MatchesTorchvisionsPublishedFigures) {
  auto network = Build("resnet18", ImageSpec({3, 224, 224}, 1000));
  const ModelSummary summary = SummarizeModel(*network, torch::randn({1, 3, 224, 224}));
  EXPECT_EQ(summary.parameters, 11689512);
  EXPECT_EQ(summary.trainable_parameters, 11689512);
  EXPECT_EQ(summary.parameter_bytes, 4 * 11689512);
  // torchvision lists 1.81 GFLOPS (multiply-accumulates) for resnet18.
  EXPECT_EQ(summary.macs_per_sample, 1814073344) << Table(summary);
  EXPECT_EQ(summary.output_shape, (std::vector<std::int64_t>{1, 1000}));
  EXPECT_EQ(summary.input_shape, (std::vector<std::int64_t>{1, 3, 224, 224}));
  EXPECT_TRUE(summary.unused_modules.empty());
  // Every parameter is owned by exactly one row.
  std::int64_t row_parameters = 0;
  for (const auto& layer : summary.layers) row_parameters += layer.parameters;
  EXPECT_EQ(row_parameters, summary.parameters);
  ASSERT_FALSE(summary.layers.empty());
  EXPECT_EQ(summary.layers.front().name, "conv1");
  EXPECT_EQ(summary.layers.front().output_shape, (std::vector<std::int64_t>{1, 64, 112, 112}));
  EXPECT_EQ(summary.layers.back().name, "fc");
  EXPECT_EQ(RowsNamed(summary, "layer2.0.downsample.0").size(), 1u) << Table(summary);
}

TEST(ModelSummary, MobileNetV2MatchesTorchvisionsPublishedFigures) {
  auto network = Build("mobilenet_v2", ImageSpec({3, 224, 224}, 1000));
  const ModelSummary summary = SummarizeModel(*network, torch::randn({1, 3, 224, 224}));
  EXPECT_EQ(summary.parameters, 3504872);
  // torchvision lists 0.30 GFLOPS; depthwise convolutions count in/groups.
  EXPECT_EQ(summary.macs_per_sample, 300774272) << Table(summary);
  EXPECT_EQ(summary.output_shape, (std::vector<std::int64_t>{1, 1000}));
}

// ---------------------------------------------------------------- cnn rows

// The cnn's own MACs on 1x28x28 with its defaults (channels 32, hidden 128).
constexpr std::int64_t kConv1Macs = 32 * 28 * 28 * (1 * 3 * 3);
constexpr std::int64_t kConv2Macs = 64 * 14 * 14 * (32 * 3 * 3);
constexpr std::int64_t kFc1Macs = (64 * 7 * 7) * 128;
constexpr std::int64_t kFc2Macs = 128 * 10;

TEST(ModelSummary, CnnRowsInForwardOrderWithShapesAndFoldedLinears) {
  auto network = Build("cnn", ImageSpec({1, 28, 28}, 10));
  const ModelSummary summary = SummarizeModel(*network, torch::randn({2, 1, 28, 28}));

  std::vector<std::string> names;
  for (const auto& layer : summary.layers) names.push_back(layer.name);
  EXPECT_EQ(names, (std::vector<std::string>{"block1.conv", "block1.bn", "block2.conv", "block2.bn",
                                             "fc1", "fc2"}))
      << Table(summary);

  const auto conv1 = RowsNamed(summary, "block1.conv");
  ASSERT_EQ(conv1.size(), 1u);
  EXPECT_EQ(conv1[0]->operation, "Conv2d");
  EXPECT_EQ(conv1[0]->output_shape, (std::vector<std::int64_t>{2, 32, 28, 28}));
  EXPECT_EQ(conv1[0]->parameters, 32 * 1 * 3 * 3);  // no bias under batch norm
  EXPECT_EQ(conv1[0]->macs, 2 * kConv1Macs);

  const auto bn2 = RowsNamed(summary, "block2.bn");
  ASSERT_EQ(bn2.size(), 1u);
  EXPECT_EQ(bn2[0]->operation, "BatchNorm2d");
  EXPECT_EQ(bn2[0]->parameters, 2 * 64);
  EXPECT_EQ(bn2[0]->macs, 0);
  EXPECT_EQ(bn2[0]->output_shape, (std::vector<std::int64_t>{2, 64, 14, 14}));

  // A linear layer (a QuantizableLinear, which is a torch::nn::Linear)
  // dispatches more than one operator (t + addmm, or linear): one row, with
  // the whole layer's MACs and the layer's output.
  const auto fc1 = RowsNamed(summary, "fc1");
  ASSERT_EQ(fc1.size(), 1u) << Table(summary);
  EXPECT_EQ(fc1[0]->operation, "QuantizableLinear");
  EXPECT_EQ(fc1[0]->output_shape, (std::vector<std::int64_t>{2, 128}));
  EXPECT_EQ(fc1[0]->parameters, 64 * 7 * 7 * 128 + 128);
  EXPECT_EQ(fc1[0]->macs, 2 * kFc1Macs);
  const auto fc2 = RowsNamed(summary, "fc2");
  ASSERT_EQ(fc2.size(), 1u);
  EXPECT_EQ(fc2[0]->output_shape, (std::vector<std::int64_t>{2, 10}));
  EXPECT_EQ(fc2[0]->macs, 2 * kFc2Macs);

  EXPECT_EQ(summary.macs_per_sample, kConv1Macs + kConv2Macs + kFc1Macs + kFc2Macs);
  EXPECT_EQ(SumOfMacs(summary), 2 * summary.macs_per_sample);
  EXPECT_EQ(summary.output_shape, (std::vector<std::int64_t>{2, 10}));
  std::int64_t parameters = 0;
  for (const auto& p : network->parameters()) parameters += p.numel();
  EXPECT_EQ(summary.parameters, parameters);
}

TEST(ModelSummary, MacsPerSampleDoNotDependOnTheBatch) {
  auto network = Build("cnn", ImageSpec({1, 28, 28}, 10));
  const ModelSummary one = SummarizeModel(*network, torch::randn({1, 1, 28, 28}));
  const ModelSummary three = SummarizeModel(*network, torch::randn({3, 1, 28, 28}));
  EXPECT_GT(one.macs_per_sample, 0);
  EXPECT_EQ(one.macs_per_sample, three.macs_per_sample);
  EXPECT_EQ(SumOfMacs(three), 3 * SumOfMacs(one));
  EXPECT_EQ(one.layers.size(), three.layers.size());
}

TEST(ModelSummary, RestoresTheTrainingFlag) {
  auto network = Build("cnn", ImageSpec({1, 28, 28}, 10));
  network->train();
  SummarizeModel(*network, torch::randn({1, 1, 28, 28}));
  EXPECT_TRUE(network->is_training());
  for (const auto& module : network->modules()) EXPECT_TRUE(module->is_training());
  network->eval();
  SummarizeModel(*network, torch::randn({1, 1, 28, 28}));
  EXPECT_FALSE(network->is_training());
  for (const auto& module : network->modules()) EXPECT_FALSE(module->is_training());
}

TEST(ModelSummary, RunsInEvalModeWithoutGradients) {
  // In eval mode BatchNorm leaves its running statistics alone.
  auto network = Build("cnn", ImageSpec({1, 28, 28}, 10));
  network->train();
  const auto buffers = network->named_buffers();
  const torch::Tensor before = buffers["block1.bn.running_mean"].clone();
  SummarizeModel(*network, torch::randn({4, 1, 28, 28}) * 5 + 3);
  EXPECT_TRUE(torch::equal(buffers["block1.bn.running_mean"], before));
  for (const auto& p : network->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(ModelSummary, FormattedTableShowsRowsAndTotals) {
  auto network = Build("cnn", ImageSpec({1, 28, 28}, 10));
  const ModelSummary summary = SummarizeModel(*network, torch::randn({1, 1, 28, 28}));
  const std::string text = FormatModelSummary(summary, "cnn on 1x28x28");
  EXPECT_EQ(text.rfind("cnn on 1x28x28\n", 0), 0u) << text;
  EXPECT_NE(text.find("block2.conv"), std::string::npos) << text;
  EXPECT_NE(text.find("[1, 128]"), std::string::npos) << text;
  EXPECT_NE(text.find("Total parameters: 421,738"), std::string::npos) << text;
  EXPECT_NE(text.find("Multiply-accumulates per sample: 4,241,152 (4.24 MMACs)"), std::string::npos)
      << text;
}

// ---------------------------------------------------------------- BERT

struct BertTinyShape {
  std::int64_t layers = 2, hidden = 128, intermediate = 512;
};

// Per sample, for L tokens, hidden H, intermediate I and C classes:
// embeddings and LayerNorms 0; per layer 4LH^2 (query, key, value, output
// dense) + 2LHI (the feed-forward pair) + 2L^2H (scores = QK^T and
// probs x V, over all heads together); the pooler reads one token (H^2) and
// the classifier H*C.
std::int64_t BertMacsPerSample(const BertTinyShape& s, std::int64_t length, std::int64_t classes) {
  const std::int64_t h = s.hidden, l = length, i = s.intermediate;
  const std::int64_t per_layer = 4 * l * h * h + 2 * l * h * i + 2 * l * l * h;
  return s.layers * per_layer + h * h + h * classes;
}

TEST(ModelSummary, BertTinyAttentionProductsAndTotalMatchTheFormula) {
  constexpr std::int64_t kLength = 32, kClasses = 2, kBatch = 2;
  auto network =
      Build("bert", TokenSpec(kLength, 1000, kClasses), {{"config", std::string("bert-tiny")}});
  torch::Tensor ids = torch::randint(1, 1000, {kBatch, kLength}, torch::kLong);
  ids.slice(1, 20).fill_(0);  // padding does not change the work done
  network->train();
  const ModelSummary summary = SummarizeModel(*network, ids);

  const BertTinyShape shape;
  // bert-tiny with 1000 tokens, 512 positions, 2 token types.
  EXPECT_EQ(BertMacsPerSample(shape, kLength, kClasses), 13123840);
  EXPECT_EQ(summary.macs_per_sample, BertMacsPerSample(shape, kLength, kClasses)) << Table(summary);
  EXPECT_EQ(summary.output_shape, (std::vector<std::int64_t>{kBatch, kClasses}));

  // The two attention products per layer are functional (no module owns
  // them): matmul rows with the batch's L^2 H MACs each.
  std::vector<const LayerSummary*> functional = RowsNamed(summary, "(functional)");
  ASSERT_EQ(functional.size(), 2u * shape.layers) << Table(summary);
  for (const LayerSummary* row : functional) {
    EXPECT_EQ(row->operation, "matmul");
    EXPECT_GT(row->macs, 0);
    EXPECT_EQ(row->macs, kBatch * kLength * kLength * shape.hidden);
  }
  // scores [B, heads, L, L], then context [B, heads, L, H / heads].
  EXPECT_EQ(functional[0]->output_shape, (std::vector<std::int64_t>{kBatch, 2, kLength, kLength}));
  EXPECT_EQ(functional[1]->output_shape, (std::vector<std::int64_t>{kBatch, 2, kLength, 64}));

  // Dense layers: one row each, MACs from the weight shape.
  const auto query = RowsNamed(summary, "bert.encoder.layer.0.attention.self.query");
  ASSERT_EQ(query.size(), 1u) << Table(summary);
  EXPECT_EQ(query[0]->macs, kBatch * kLength * shape.hidden * shape.hidden);
  EXPECT_EQ(query[0]->output_shape, (std::vector<std::int64_t>{kBatch, kLength, shape.hidden}));
  const auto ffn = RowsNamed(summary, "bert.encoder.layer.1.intermediate.dense");
  ASSERT_EQ(ffn.size(), 1u);
  EXPECT_EQ(ffn[0]->macs, kBatch * kLength * shape.hidden * shape.intermediate);
  const auto pooler = RowsNamed(summary, "bert.pooler.dense");
  ASSERT_EQ(pooler.size(), 1u);
  EXPECT_EQ(pooler[0]->macs, kBatch * shape.hidden * shape.hidden);
  EXPECT_EQ(pooler[0]->output_shape, (std::vector<std::int64_t>{kBatch, shape.hidden}));
  const auto words = RowsNamed(summary, "bert.embeddings.word_embeddings");
  ASSERT_EQ(words.size(), 1u);
  EXPECT_EQ(words[0]->macs, 0);
  EXPECT_EQ(words[0]->parameters, 1000 * shape.hidden);
  ASSERT_FALSE(summary.layers.empty());
  EXPECT_EQ(summary.layers.back().name, "classifier");

  EXPECT_TRUE(summary.unused_modules.empty()) << Table(summary);
  std::int64_t row_parameters = 0;
  for (const auto& layer : summary.layers) row_parameters += layer.parameters;
  EXPECT_EQ(row_parameters, summary.parameters) << Table(summary);
  // bert-tiny learns its positions (only DistilBERT freezes sinusoidal ones).
  EXPECT_EQ(summary.trainable_parameters, summary.parameters);

  EXPECT_TRUE(network->is_training());
}

TEST(ModelSummary, BertMacsScaleWithTheSequenceAsTheFormulaSays) {
  auto network = Build("bert", TokenSpec(64, 1000, 3), {{"config", std::string("bert-tiny")}});
  for (std::int64_t length : {8, 64}) {
    const ModelSummary summary =
        SummarizeModel(*network, torch::randint(1, 1000, {1, length}, torch::kLong));
    EXPECT_EQ(summary.macs_per_sample, BertMacsPerSample(BertTinyShape{}, length, 3))
        << "length " << length << Table(summary);
  }
}

}  // namespace
}  // namespace carbonbench
