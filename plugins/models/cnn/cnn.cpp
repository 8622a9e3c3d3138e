// A small CNN: two conv blocks and a classifier, sized from the dataset.
#include <stdexcept>

#include <torch/nn/functional.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "carbonbench/network_model.h"
#include "carbonbench/sdk.h"

namespace carbonbench::models {
namespace detail {

// conv 3x3 (same padding) -> batch norm (optional) -> ReLU -> 2x2 max-pool,
// computed with the pool before the ReLU.
class ConvBlockImpl : public torch::nn::Module {
 public:
  ConvBlockImpl(int64_t in_channels, int64_t out_channels, bool batch_norm)
      : conv(register_module(
            "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3)
                                          .padding(1)
                                          .bias(!batch_norm)))) {
    if (batch_norm) bn = register_module("bn", torch::nn::BatchNorm2d(out_channels));
  }

  torch::Tensor forward(torch::Tensor x) {
    x = conv->forward(x);
    if (bn) x = bn->forward(x);
    // Pooling first: ReLU and max commute, so this is the same function, and
    // ReLU's forward and backward then touch a quarter of the elements.
    return torch::relu(torch::max_pool2d(x, 2));
  }

  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(ConvBlock);

}  // namespace detail

class CnnImpl : public Network {
 public:
  CnnImpl(const DatasetSpec& dataset, const Params& params) {
    RequireDataset("cnn", dataset, InputKind::kImage, 3, TaskKind::kClassification,
                   "{channels, height, width}");
    const int64_t channels = params.GetInt("channels");
    const int64_t hidden = params.GetInt("hidden");
    const bool batch_norm = params.GetBool("batch_norm");
    const int64_t height = dataset.input_shape[1] / 4;  // two 2x2 pools
    const int64_t width = dataset.input_shape[2] / 4;
    if (height < 1 || width < 1) throw std::invalid_argument("cnn needs inputs of 4x4 or more");

    block1 =
        register_module("block1", detail::ConvBlock(dataset.input_shape[0], channels, batch_norm));
    block2 = register_module("block2", detail::ConvBlock(channels, 2 * channels, batch_norm));
    fc1 = register_module("fc1", QuantizableLinear(2 * channels * height * width, hidden));
    dropout = register_module("dropout", torch::nn::Dropout(params.GetFloat("dropout")));
    fc2 = register_module("fc2", QuantizableLinear(hidden, dataset.num_classes));
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = RunBlock(
        "block1", [block = block1.ptr()](torch::Tensor t) { return block->forward(t); }, x);
    x = RunBlock(
        "block2", [block = block2.ptr()](torch::Tensor t) { return block->forward(t); }, x);
    x = torch::relu(fc1->forward(x.flatten(1)));
    return fc2->forward(dropout->forward(x));
  }

  ModelStructure structure() const override {
    ModelStructure structure;
    structure.input_kind = InputKind::kImage;
    structure.repeated_blocks = {"block1", "block2"};
    structure.prunable_layers = {{"block1.conv", {"block1.bn", "block2.conv"}},
                                 {"block2.conv", {"block2.bn", "fc1"}},
                                 {"fc1", {"fc2"}}};
    return structure;
  }

  detail::ConvBlock block1{nullptr}, block2{nullptr};
  QuantizableLinear fc1{nullptr}, fc2{nullptr};
  torch::nn::Dropout dropout{nullptr};
};

class CnnModel : public NetworkModel<CnnImpl> {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {IntParam("channels", 32,
                     "output channels of the first conv block (the second has twice)", 1, 1024),
            IntParam("hidden", 128, "width of the hidden fully connected layer", 1, 65536),
            FloatParam("dropout", 0.25, "dropout before the output layer", 0.0, 0.95),
            BoolParam("batch_norm", true, "batch normalisation after each convolution")};
  }

  // Small and quick on a laptop CPU: what a suite that names no model trains.
  bool DefaultModel() const override { return true; }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(
    carbonbench::models::CnnModel, "cnn", "1.0.0",
    "Two conv blocks (conv-bn-relu-pool) and a two-layer classifier, sized from the dataset")
