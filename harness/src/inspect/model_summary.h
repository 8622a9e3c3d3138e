// What `carbonbench describe` prints: a network's layers in the order its
// forward pass runs them, their output shapes, parameters and
// multiply-accumulates, found by watching the operators one forward pass
// dispatches (so any model plugin is described without help from it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "carbonbench/model.h"

namespace carbonbench {

struct LayerSummary {
  std::string name;                        // module path as in named_modules(), or "(functional)"
  std::string operation;                   // the operator it ran, e.g. "conv2d", "linear", "matmul"
  std::vector<std::int64_t> output_shape;  // batch dimension included
  std::int64_t parameters = 0;             // the module's own, counted once
  std::int64_t macs = 0;                   // multiply-accumulates, whole batch
};

struct ModelSummary {
  std::vector<LayerSummary> layers;
  std::vector<std::int64_t> input_shape;
  std::vector<std::int64_t> output_shape;
  std::int64_t parameters = 0;
  std::int64_t trainable_parameters = 0;
  std::int64_t parameter_bytes = 0;
  std::int64_t macs_per_sample = 0;         // convolutions, linear layers and matrix products
  std::vector<std::string> unused_modules;  // modules with parameters the pass never ran
};

// Runs one forward pass of `input` (batch included) in eval mode without
// gradients, then restores the network's training flag.
ModelSummary SummarizeModel(Network& network, const torch::Tensor& input);

// A fixed-width table and totals, in the style of torchinfo.
std::string FormatModelSummary(const ModelSummary& summary, const std::string& title);

}  // namespace carbonbench
