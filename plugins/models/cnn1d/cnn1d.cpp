// A 1-D CNN regressor for windowed series: conv-bn-relu blocks over time, then
// a small MLP head to the targets.
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <torch/nn/functional.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "carbonbench/network_model.h"
#include "carbonbench/sdk.h"

namespace carbonbench::models {
namespace detail {
// conv (same padding, so the window length is kept) -> batch norm -> ReLU.
class ConvBlock1dImpl : public torch::nn::Module {
 public:
  ConvBlock1dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : conv(register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(
                                                           in_channels, out_channels, kernel_size)
                                                           .padding(torch::kSame)
                                                           .bias(false)))),
        bn(register_module("bn", torch::nn::BatchNorm1d(out_channels))) {}

  torch::Tensor forward(torch::Tensor x) { return torch::relu(bn->forward(conv->forward(x))); }

  torch::nn::Conv1d conv;
  torch::nn::BatchNorm1d bn;
};
TORCH_MODULE(ConvBlock1d);

}  // namespace detail

class Cnn1dImpl : public Network {
 public:
  Cnn1dImpl(const DatasetSpec& dataset, const Params& params) {
    RequireDataset("cnn1d", dataset, InputKind::kSeries, 2, TaskKind::kRegression);
    const int64_t channels = params.GetInt("channels");
    const int64_t num_blocks = params.GetInt("blocks");
    const int64_t kernel_size = params.GetInt("kernel_size");
    const int64_t hidden = params.GetInt("hidden");
    const int64_t window = dataset.input_shape[1];
    average_pool_ = params.GetString("pooling") == "avg";

    blocks = register_module("blocks", torch::nn::ModuleList());
    int64_t in_channels = dataset.input_shape[0];
    for (int64_t i = 0; i < num_blocks; ++i) {
      blocks->push_back(detail::ConvBlock1d(in_channels, channels, kernel_size));
      in_channels = channels;
    }
    // Flattening keeps where in the window a pattern is (a trend's end
    // matters for forecasting); averaging makes the head window-independent.
    const int64_t features = num_blocks == 0 ? in_channels * window
                             : average_pool_ ? channels
                                             : channels * window;
    fc1 = register_module("fc1", QuantizableLinear(features, hidden));
    dropout = register_module("dropout", torch::nn::Dropout(params.GetFloat("dropout")));
    fc2 = register_module("fc2", QuantizableLinear(hidden, dataset.target_size));
    block_names_ = structure().repeated_blocks;
  }

  torch::Tensor forward(torch::Tensor x) override {
    for (std::size_t i = 0; i < blocks->size(); ++i) {
      auto block = blocks->ptr<detail::ConvBlock1dImpl>(i);
      x = RunBlock(
          block_names_[i], [block](torch::Tensor t) { return block->forward(t); }, x);
    }
    x = average_pool_ && !blocks->is_empty() ? x.mean(/*dim=*/2) : x.flatten(1);
    x = torch::relu(fc1->forward(x));
    return fc2->forward(dropout->forward(x));
  }

  ModelStructure structure() const override {
    ModelStructure structure;
    structure.input_kind = InputKind::kSeries;
    const auto count = static_cast<int64_t>(blocks->size());
    for (int64_t i = 0; i < count; ++i) {
      const std::string name = fmt::format("blocks.{}", i);
      structure.repeated_blocks.push_back(name);
      const std::string next = i + 1 < count ? fmt::format("blocks.{}.conv", i + 1) : "fc1";
      structure.prunable_layers.push_back({name + ".conv", {name + ".bn", next}});
    }
    structure.prunable_layers.push_back({"fc1", {"fc2"}});
    return structure;
  }

  torch::nn::ModuleList blocks{nullptr};
  QuantizableLinear fc1{nullptr}, fc2{nullptr};
  torch::nn::Dropout dropout{nullptr};

 private:
  bool average_pool_ = false;
  std::vector<std::string> block_names_;  // "blocks.0", ..., as structure() declares them
};

class Cnn1dModel : public NetworkModel<Cnn1dImpl> {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {
        IntParam("channels", 32, "output channels of every conv block", 1, 4096),
        IntParam("blocks", 2, "number of conv-bn-relu blocks", 0, 64),
        IntParam("kernel_size", 3, "conv kernel length (same padding keeps the window)", 1, 1025),
        IntParam("hidden", 64, "width of the head's hidden layer", 1, 65536),
        FloatParam("dropout", 0.1, "dropout before the output layer", 0.0, 0.95),
        EnumParam("pooling", "flatten", {"flatten", "avg"},
                  "how the conv features reach the head: flatten (keeps positions) or avg "
                  "(global average over the window)")};
  }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(carbonbench::models::Cnn1dModel, "cnn1d", "1.0.0",
                           "1-D conv-bn-relu blocks over the window and a two-layer head "
                           "(series regression)")
