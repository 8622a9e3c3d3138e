// Keeps layers' options in step with their weights after the weights change
// shape: structured pruning shrinks tensors in place, and loading a pruned
// model's saved weights into a freshly built network adopts the saved shapes.
// A layer's forward reads its weights' shapes, but a depthwise conv's groups
// live only in its options, as do the sizes that printing and cloning use.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace carbonbench {
namespace detail {

template <typename ConvImpl>
void SyncConv(ConvImpl& conv) {
  const int64_t out_channels = conv.weight.size(0);
  auto& options = conv.options;
  // Depthwise (one group per channel) stays depthwise: its groups follow
  // its channels, which pruning removes from its inputs and outputs alike.
  if (options.groups() > 1 && options.groups() == options.in_channels()) {
    options.groups(out_channels);
    options.in_channels(out_channels);
  } else {
    options.in_channels(conv.weight.size(1) * options.groups());
  }
  options.out_channels(out_channels);
}

template <typename NormImpl>
void SyncNorm(NormImpl& norm) {
  if (norm.weight.defined()) {
    norm.options.num_features(norm.weight.size(0));
  } else if (norm.running_mean.defined()) {
    norm.options.num_features(norm.running_mean.size(0));
  }
}

}  // namespace detail

inline void SyncOptionsWithWeights(torch::nn::Module& root) {
  for (const auto& module : root.modules(/*include_self=*/true)) {
    if (auto* conv2d = module->as<torch::nn::Conv2d>()) {
      detail::SyncConv(*conv2d);
    } else if (auto* conv1d = module->as<torch::nn::Conv1d>()) {
      detail::SyncConv(*conv1d);
    } else if (auto* bn2d = module->as<torch::nn::BatchNorm2d>()) {
      detail::SyncNorm(*bn2d);
    } else if (auto* bn1d = module->as<torch::nn::BatchNorm1d>()) {
      detail::SyncNorm(*bn1d);
    } else if (auto* linear = module->as<torch::nn::Linear>()) {
      linear->options.in_features(linear->weight.size(1));
      linear->options.out_features(linear->weight.size(0));
    }
  }
}

}  // namespace carbonbench
