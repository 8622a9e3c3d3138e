// The shape of a BERT-family encoder, from a named preset, plugin parameters
// or a Hugging Face config.json, and loading Hugging Face weights into it.
#pragma once

#include <cstdint>
#include <string>

#include <torch/nn/module.h>

namespace carbonbench::models {

enum class BertArchitecture { kBert, kDistilBert };

// Defaults are bert-base-uncased's (Hugging Face's BertConfig defaults).
struct BertConfig {
  BertArchitecture architecture = BertArchitecture::kBert;
  std::int64_t vocab_size = 30522;
  std::int64_t hidden_size = 768;
  std::int64_t num_layers = 12;
  std::int64_t num_heads = 12;
  std::int64_t intermediate_size = 3072;
  std::int64_t max_positions = 512;
  std::int64_t type_vocab_size = 2;  // BERT only; DistilBERT has no token types
  double layer_norm_eps = 1e-12;
  double hidden_dropout = 0.1;
  double attention_dropout = 0.1;
  double classifier_dropout = 0.1;    // DistilBERT's seq_classif_dropout is 0.2
  bool sinusoidal_positions = false;  // DistilBERT's sinusoidal_pos_embds
};

// "bert-base-uncased", "distilbert-base-uncased", "bert-tiny"; throws
// std::invalid_argument for another name.
BertConfig BertPreset(const std::string& name);

// The prefix of encoder parameter names: "bert" or "distilbert".
const char* BertPrefix(BertArchitecture architecture);

// Reads <folder>/config.json (Hugging Face format, model_type "bert" or
// "distilbert"); absent keys take Hugging Face's defaults. Throws
// std::runtime_error naming the file and key for anything unusable.
BertConfig ReadPretrainedConfig(const std::string& folder);

// Copies <folder>/model.safetensors into `network`'s parameters and buffers.
// Keys are accepted with or without the architecture prefix, and LayerNorm
// weight/bias also as the old gamma/beta. The classifier head and the BERT
// pooler may be absent (they keep their fresh initialisation); any other
// absent tensor, or a shape that differs, is an error.
void LoadPretrainedWeights(torch::nn::Module& network, const BertConfig& config,
                           const std::string& folder);

}  // namespace carbonbench::models
