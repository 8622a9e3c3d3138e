// A linear layer that an optimization can switch to int8 for inference.
// libtorch modules have no forward hooks, so a model that wants its linear
// layers quantized builds them as QuantizableLinear: it is a
// torch::nn::Linear (same options, parameter names and state_dict; found by
// module->as<torch::nn::Linear>()), whose forward runs `quantized_forward`
// once quantization has set it.
#pragma once

#include <functional>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace carbonbench {

class QuantizableLinearImpl : public torch::nn::LinearImpl {
 public:
  using torch::nn::LinearImpl::LinearImpl;

  // at::linear, as PyTorch's nn.Linear calls it, rather than LinearImpl's
  // forward: libtorch's C++ functional runs an input of more than two
  // dimensions (BERT's [batch, length, hidden]) as a matmul and a separate
  // bias add, where at::linear flattens it into one fused addmm; in BERT's
  // training step and inference that difference cost about a tenth of the time.
  torch::Tensor forward(const torch::Tensor& input) {
    return quantized_forward ? quantized_forward(input) : at::linear(input, weight, bias);
  }

  // Set by an optimization (int8 quantization for inference); empty runs the
  // layer in floating point.
  std::function<torch::Tensor(const torch::Tensor&)> quantized_forward;
};
TORCH_MODULE(QuantizableLinear);

}  // namespace carbonbench
