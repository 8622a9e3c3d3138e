// Loading Hugging Face weights into a BERT-family encoder.
#pragma once

#include <string>

#include <torch/nn/module.h>

#include "bert_config.h"

namespace carbonbench::models {

// Copies <folder>/model.safetensors into `network`'s parameters and buffers.
// Keys are accepted with or without the architecture prefix, and LayerNorm
// weight/bias also as the old gamma/beta. The classifier head and the BERT
// pooler may be absent (they keep their fresh initialisation); any other
// absent tensor, or a shape that differs, is an error.
void LoadPretrainedWeights(torch::nn::Module& network, const BertConfig& config,
                           const std::string& folder);

}  // namespace carbonbench::models
