// Channels-last layout for image networks. libtorch's oneDNN convolutions
// run faster on NHWC than on the default NCHW layout (docs/performance.md,
// "Runtime defaults", has the figures and the command that measures them).
// Once the conv weights and the input batch are channels-last, every activation
// after them is too; tensors of other ranks are left as they are, so token
// and sequence models are untouched.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

namespace carbonbench {

// Converts the module's 4-D parameters (conv weights) to channels-last in
// place, keeping them the same tensors (optimizers keep tracking them).
void ToChannelsLast(torch::nn::Module& network);

// A 4-D batch in channels-last when `channels_last`; anything else as given.
torch::Tensor InLayout(const torch::Tensor& batch, bool channels_last);

}  // namespace carbonbench
