// tiny_mlp: a complete model plugin built outside carbonbench's tree against
// the installed SDK. It is deliberately small, but it has every part a real
// model needs: declared parameters, a network sized from the dataset, named
// repeated blocks and prunable layers, and the registration macro.
//
// Only the narrow torch headers are included: <torch/torch.h> would pull in
// all of libtorch's headers and slow every rebuild of the plugin.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "carbonbench/sdk.h"

namespace tiny_mlp {
namespace detail {

// Linear -> ReLU -> dropout, the unit the network repeats. It is a module of
// its own (torchvision style: HiddenBlockImpl + TORCH_MODULE) so that each
// block has a name in named_modules(): structure() refers to layers by those
// names, and optimizations find them there.
class HiddenBlockImpl : public torch::nn::Module {
 public:
  HiddenBlockImpl(int64_t in_features, int64_t out_features, double dropout)
      : fc(register_module("fc", torch::nn::Linear(in_features, out_features))),
        dropout(register_module("dropout", torch::nn::Dropout(dropout))) {}

  torch::Tensor forward(torch::Tensor x) { return dropout->forward(torch::relu(fc->forward(x))); }

  torch::nn::Linear fc;
  torch::nn::Dropout dropout;
};
TORCH_MODULE(HiddenBlock);

}  // namespace detail

class TinyMlpImpl : public carbonbench::Network {
 public:
  TinyMlpImpl(const carbonbench::DatasetSpec& dataset, const carbonbench::Params& params) {
    // Refuse data this model cannot take by throwing std::invalid_argument
    // that says why and what to pick instead: `carbonbench describe` prints it
    // after the model and dataset names, and a run stores it as the cell's
    // failure reason (the suite's other cells go on).
    if (dataset.input_kind != carbonbench::InputKind::kImage || dataset.input_shape.size() != 3) {
      throw std::invalid_argument(
          "tiny_mlp needs image inputs shaped {channels, height, width}; dataset '" + dataset.name +
          "' has " + carbonbench::InputKindName(dataset.input_kind) +
          " inputs: pick an image dataset such as fashion_mnist or cifar10");
    }
    if (dataset.task != carbonbench::TaskKind::kClassification || dataset.num_classes < 2) {
      throw std::invalid_argument("tiny_mlp is a classifier: dataset '" + dataset.name +
                                  "' needs 2 or more classes");
    }
    // Every size comes from the dataset, so one plugin serves 1x28x28
    // Fashion-MNIST and 3x32x32 CIFAR alike.
    int64_t features = 1;
    for (int64_t dim : dataset.input_shape) features *= dim;
    const int64_t width = params.GetInt("width");
    const double dropout = params.GetFloat("dropout");
    for (int64_t i = 1; i <= params.GetInt("depth"); ++i) {
      // Every child goes through register_module: unregistered modules are
      // invisible to parameters(), to() and the optimizer, and never train.
      blocks_.push_back(register_module("block" + std::to_string(i),
                                        detail::HiddenBlock(features, width, dropout)));
      features = width;
    }
    head_ = register_module("head", torch::nn::Linear(width, dataset.num_classes));
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = x.flatten(1);  // {batch, C, H, W} -> {batch, C*H*W}
    for (auto& block : blocks_) x = block->forward(x);
    return head_->forward(x);  // logits; the host applies the loss
  }

  // What optimizations read instead of model-specific code. Names are as in
  // named_modules().
  carbonbench::ModelStructure structure() const override {
    carbonbench::ModelStructure structure;
    structure.input_kind = carbonbench::InputKind::kImage;
    const std::size_t count = blocks_.size();
    for (std::size_t i = 1; i <= count; ++i) {
      const std::string block = "block" + std::to_string(i);
      // Self-contained blocks run one after another: activation checkpointing
      // can recompute each in the backward pass instead of storing its
      // activations.
      structure.repeated_blocks.push_back(block);
      // Removing an output unit of this block's fc removes an input of the
      // next layer, so structured pruning must shrink that layer with it. The
      // head is not prunable: its outputs are the classes.
      const std::string next = i < count ? "block" + std::to_string(i + 1) + ".fc" : "head";
      structure.prunable_layers.push_back({block + ".fc", {next}});
    }
    return structure;
  }

 private:
  std::vector<detail::HiddenBlock> blocks_;
  torch::nn::Linear head_{nullptr};
};

class TinyMlp : public carbonbench::Model {
 public:
  // Declared parameters: the host validates suites and --set against these
  // (type, range) before anything runs, fills in defaults, and prints them
  // in `carbonbench list -v`.
  static std::vector<carbonbench::ParamSpec> Parameters() {
    return {carbonbench::IntParam("width", 64, "units in each hidden layer", 1, 4096),
            carbonbench::IntParam("depth", 2, "hidden layers (repeated blocks)", 1, 16),
            carbonbench::FloatParam("dropout", 0.1, "dropout after each hidden layer", 0.0, 0.9)};
  }

  // Called once per run: return a new network every time, never a cached
  // one, so each run starts from fresh weights.
  std::shared_ptr<carbonbench::Network> Build(const carbonbench::DatasetSpec& dataset,
                                              const carbonbench::Params& params) const override {
    return std::make_shared<TinyMlpImpl>(dataset, params);
  }
};

}  // namespace tiny_mlp

// The one exported entry point: name (what suites and --model use), plugin
// version, and the summary `carbonbench list` prints. It also records the SDK's
// ABI version and build tag, which the host checks before loading anything.
CARBONBENCH_REGISTER_MODEL(tiny_mlp::TinyMlp, "tiny_mlp", "0.2.0",
                           "an out-of-tree multilayer perceptron (example model plugin)")
