// The shape of a BERT-family encoder, from a named preset, plugin parameters
// or a Hugging Face config.json (bert_weights.h loads the weights).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
// Refuses a file over 16 MB and JSON nested beyond kJsonNestingLimit.
BertConfig ReadPretrainedConfig(const std::string& folder);
// The same from the text of config.json; `path` names it in messages.
BertConfig ParsePretrainedConfig(const std::string& path, std::string_view text);

}  // namespace carbonbench::models
