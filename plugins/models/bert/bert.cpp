// BERT and DistilBERT encoders with a sequence-classification head. Module
// names follow Hugging Face's, so named_parameters() gives the keys of their
// checkpoints ("bert.encoder.layer.0.attention.self.query.weight") and
// pretrained weights load by name.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/utils.h>

#include "bert_weights.h"
#include "carbonbench/sdk.h"

namespace carbonbench::models {
namespace detail {

// The most negative finite value of `type`: added to the scores of padded
// keys it drives their softmax weight to zero without producing inf - inf.
double LowestValue(torch::ScalarType type) {
  switch (type) {
    case torch::kHalf:
      return -65504.0;
    case torch::kBFloat16:
      return -3.3895313892515355e38;
    case torch::kDouble:
      return std::numeric_limits<double>::lowest();
    default:
      return std::numeric_limits<float>::lowest();
  }
}

// Multi-head scaled dot-product attention. q, k, v: [batch, length, hidden];
// padding: [batch, length], true where the key is padding.
torch::Tensor Attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& padding, int64_t head_size, double dropout,
                     bool training) {
  // The heads are counted from the projections, so heads pruned away (their
  // query, key and value rows removed) are simply not there.
  const int64_t batch = q.size(0), length = q.size(1), hidden = q.size(2);
  const int64_t heads = hidden / head_size;
  auto split = [&](const torch::Tensor& t) {
    return t.view({batch, length, heads, head_size}).transpose(1, 2);
  };
  torch::Tensor scores = torch::matmul(split(q), split(k).transpose(-2, -1)) /
                         std::sqrt(static_cast<double>(head_size));
  const torch::Tensor additive_mask =
      torch::zeros({batch, 1, 1, length}, scores.options())
          .masked_fill(padding.view({batch, 1, 1, length}), LowestValue(scores.scalar_type()));
  torch::Tensor probs = torch::softmax(scores + additive_mask, -1);
  probs = carbonbench::Dropout(probs, dropout, training);
  return torch::matmul(probs, split(v)).transpose(1, 2).reshape({batch, length, hidden});
}

torch::nn::LayerNorm MakeLayerNorm(const BertConfig& config) {
  return torch::nn::LayerNorm(
      torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps));
}

// DistilBERT's create_sinusoidal_embeddings: sin on even, cos on odd columns.
torch::Tensor SinusoidalPositions(int64_t positions, int64_t dim) {
  auto pos = torch::arange(positions, torch::kDouble).unsqueeze(1);
  auto j = torch::arange(dim, torch::kDouble);
  auto angles = pos / torch::pow(10000.0, 2.0 * torch::floor_divide(j, 2) / dim);
  auto table = torch::empty({positions, dim}, torch::kDouble);
  using torch::indexing::Slice;
  table.index_put_({Slice(), Slice(0, torch::indexing::None, 2)},
                   torch::sin(angles.index({Slice(), Slice(0, torch::indexing::None, 2)})));
  table.index_put_({Slice(), Slice(1, torch::indexing::None, 2)},
                   torch::cos(angles.index({Slice(), Slice(1, torch::indexing::None, 2)})));
  return table.to(torch::kFloat);
}

// Word + position (+ token type, BERT only) embeddings, LayerNorm, dropout.
class BertEmbeddingsImpl : public torch::nn::Module {
 public:
  BertEmbeddingsImpl(const BertConfig& config, int64_t pad_token_id)
      : dropout_(config.hidden_dropout) {
    word_embeddings = register_module(
        "word_embeddings",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.hidden_size)
                                 .padding_idx(pad_token_id)));
    position_embeddings = register_module(
        "position_embeddings", torch::nn::Embedding(config.max_positions, config.hidden_size));
    if (config.architecture == BertArchitecture::kBert) {
      token_type_embeddings =
          register_module("token_type_embeddings",
                          torch::nn::Embedding(config.type_vocab_size, config.hidden_size));
    }
    LayerNorm = register_module("LayerNorm", MakeLayerNorm(config));
  }

  torch::Tensor forward(const torch::Tensor& ids) {
    const auto positions = torch::arange(ids.size(1), ids.options());
    torch::Tensor x = word_embeddings->forward(ids) + position_embeddings->forward(positions);
    // Single-segment inputs: every token has type 0.
    if (token_type_embeddings) x = x + token_type_embeddings->weight[0];
    return carbonbench::Dropout(LayerNorm->forward(x), dropout_, is_training());
  }

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr},
      token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};  // NOLINT: Hugging Face's name

 private:
  double dropout_;
};
TORCH_MODULE(BertEmbeddings);

// --- BERT encoder layer: attention.self, attention.output, intermediate, output.

class BertSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit BertSelfAttentionImpl(const BertConfig& config)
      : head_size_(config.hidden_size / config.num_heads), dropout_(config.attention_dropout) {
    query = register_module("query", QuantizableLinear(config.hidden_size, config.hidden_size));
    key = register_module("key", QuantizableLinear(config.hidden_size, config.hidden_size));
    value = register_module("value", QuantizableLinear(config.hidden_size, config.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padding) {
    return Attend(query->forward(x), key->forward(x), value->forward(x), padding, head_size_,
                  dropout_, is_training());
  }
  QuantizableLinear query{nullptr}, key{nullptr}, value{nullptr};

 private:
  int64_t head_size_;
  double dropout_;
};
TORCH_MODULE(BertSelfAttention);

// dense -> dropout -> LayerNorm(residual + .); BERT's "attention.output" and
// "output" modules have this one shape.
class BertResidualOutputImpl : public torch::nn::Module {
 public:
  BertResidualOutputImpl(const BertConfig& config, int64_t in_features)
      : dropout_(config.hidden_dropout) {
    dense = register_module("dense", QuantizableLinear(in_features, config.hidden_size));
    LayerNorm = register_module("LayerNorm", MakeLayerNorm(config));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual) {
    return LayerNorm->forward(carbonbench::Dropout(dense->forward(x), dropout_, is_training()) +
                              residual);
  }
  QuantizableLinear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};  // NOLINT: Hugging Face's name

 private:
  double dropout_;
};
TORCH_MODULE(BertResidualOutput);

class BertAttentionImpl : public torch::nn::Module {
 public:
  explicit BertAttentionImpl(const BertConfig& config)
      : self(register_module("self", BertSelfAttention(config))),
        output(register_module("output", BertResidualOutput(config, config.hidden_size))) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padding) {
    return output->forward(self->forward(x, padding), x);
  }
  BertSelfAttention self;
  BertResidualOutput output;
};
TORCH_MODULE(BertAttention);

class BertIntermediateImpl : public torch::nn::Module {
 public:
  explicit BertIntermediateImpl(const BertConfig& config)
      : dense(register_module("dense",
                              QuantizableLinear(config.hidden_size, config.intermediate_size))) {}
  torch::Tensor forward(const torch::Tensor& x) { return torch::gelu(dense->forward(x)); }
  QuantizableLinear dense;
};
TORCH_MODULE(BertIntermediate);

class BertLayerImpl : public torch::nn::Module {
 public:
  explicit BertLayerImpl(const BertConfig& config)
      : attention(register_module("attention", BertAttention(config))),
        intermediate(register_module("intermediate", BertIntermediate(config))),
        output(register_module("output", BertResidualOutput(config, config.intermediate_size))) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padding) {
    const torch::Tensor attended = attention->forward(x, padding);
    return output->forward(intermediate->forward(attended), attended);
  }
  BertAttention attention;
  BertIntermediate intermediate;
  BertResidualOutput output;
};
TORCH_MODULE(BertLayer);

// --- DistilBERT transformer block: attention, sa_layer_norm, ffn, output_layer_norm.

class DistilAttentionImpl : public torch::nn::Module {
 public:
  explicit DistilAttentionImpl(const BertConfig& config)
      : head_size_(config.hidden_size / config.num_heads), dropout_(config.attention_dropout) {
    const int64_t dim = config.hidden_size;
    q_lin = register_module("q_lin", QuantizableLinear(dim, dim));
    k_lin = register_module("k_lin", QuantizableLinear(dim, dim));
    v_lin = register_module("v_lin", QuantizableLinear(dim, dim));
    out_lin = register_module("out_lin", QuantizableLinear(dim, dim));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padding) {
    return out_lin->forward(Attend(q_lin->forward(x), k_lin->forward(x), v_lin->forward(x), padding,
                                   head_size_, dropout_, is_training()));
  }
  QuantizableLinear q_lin{nullptr}, k_lin{nullptr}, v_lin{nullptr}, out_lin{nullptr};

 private:
  int64_t head_size_;
  double dropout_;
};
TORCH_MODULE(DistilAttention);

class DistilFfnImpl : public torch::nn::Module {
 public:
  explicit DistilFfnImpl(const BertConfig& config) : dropout_(config.hidden_dropout) {
    lin1 = register_module("lin1", QuantizableLinear(config.hidden_size, config.intermediate_size));
    lin2 = register_module("lin2", QuantizableLinear(config.intermediate_size, config.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return carbonbench::Dropout(lin2->forward(torch::gelu(lin1->forward(x))), dropout_,
                                is_training());
  }
  QuantizableLinear lin1{nullptr}, lin2{nullptr};

 private:
  double dropout_;
};
TORCH_MODULE(DistilFfn);

class DistilBlockImpl : public torch::nn::Module {
 public:
  explicit DistilBlockImpl(const BertConfig& config)
      : attention(register_module("attention", DistilAttention(config))),
        sa_layer_norm(register_module("sa_layer_norm", MakeLayerNorm(config))),
        ffn(register_module("ffn", DistilFfn(config))),
        output_layer_norm(register_module("output_layer_norm", MakeLayerNorm(config))) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padding) {
    const torch::Tensor attended = sa_layer_norm->forward(attention->forward(x, padding) + x);
    return output_layer_norm->forward(ffn->forward(attended) + attended);
  }
  DistilAttention attention;
  torch::nn::LayerNorm sa_layer_norm;
  DistilFfn ffn;
  torch::nn::LayerNorm output_layer_norm;
};
TORCH_MODULE(DistilBlock);

// A module with one child list: BERT's "encoder" and DistilBERT's
// "transformer" both hold their blocks as "layer".
class LayerStackImpl : public torch::nn::Module {
 public:
  LayerStackImpl() : layer(register_module("layer", torch::nn::ModuleList())) {}
  torch::nn::ModuleList layer;
};
TORCH_MODULE(LayerStack);

// BERT's pooler: tanh(dense(hidden state of the first token)).
class BertPoolerImpl : public torch::nn::Module {
 public:
  explicit BertPoolerImpl(const BertConfig& config)
      : dense(register_module("dense", QuantizableLinear(config.hidden_size, config.hidden_size))) {
  }
  torch::Tensor forward(const torch::Tensor& hidden) {
    using torch::indexing::Slice;
    return torch::tanh(dense->forward(hidden.index({Slice(), 0})));
  }
  QuantizableLinear dense;
};
TORCH_MODULE(BertPooler);

// "bert" / "distilbert": embeddings, the layer stack, and BERT's pooler.
class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(const BertConfig& config, int64_t pad_token_id) : architecture_(config.architecture) {
    embeddings = register_module("embeddings", BertEmbeddings(config, pad_token_id));
    const bool bert = architecture_ == BertArchitecture::kBert;
    stack = register_module(bert ? "encoder" : "transformer", LayerStack());
    for (int64_t i = 0; i < config.num_layers; ++i) {
      if (bert) {
        stack->layer->push_back(BertLayer(config));
      } else {
        stack->layer->push_back(DistilBlock(config));
      }
    }
    if (bert) pooler = register_module("pooler", BertPooler(config));
  }

  // [batch, length, hidden]: the last layer's hidden states. Each layer
  // runs through `network`, under the name `block_names` gives it.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& padding,
                        const Network& network, const std::vector<std::string>& block_names) {
    torch::Tensor x = embeddings->forward(ids);
    for (std::size_t i = 0; i < stack->layer->size(); ++i) {
      Network::Block block;
      if (architecture_ == BertArchitecture::kBert) {
        block = [layer = stack->layer->ptr<BertLayerImpl>(i), padding](torch::Tensor t) {
          return layer->forward(t, padding);
        };
      } else {
        block = [layer = stack->layer->ptr<DistilBlockImpl>(i), padding](torch::Tensor t) {
          return layer->forward(t, padding);
        };
      }
      x = network.RunBlock(block_names[i], block, x);
    }
    return x;
  }

  BertEmbeddings embeddings{nullptr};
  LayerStack stack{nullptr};
  BertPooler pooler{nullptr};  // BERT only

 private:
  BertArchitecture architecture_;
};
TORCH_MODULE(Encoder);

}  // namespace detail

class BertNetworkImpl : public Network {
 public:
  BertNetworkImpl(const BertConfig& config, const DatasetSpec& dataset)
      : config_(config), pad_token_id_(dataset.pad_token_id) {
    const bool bert = config.architecture == BertArchitecture::kBert;
    prefix_ = BertPrefix(config.architecture);
    block_names_ = structure().repeated_blocks;
    encoder = register_module(prefix_, detail::Encoder(config, dataset.pad_token_id));
    if (!bert) {
      pre_classifier = register_module("pre_classifier",
                                       QuantizableLinear(config.hidden_size, config.hidden_size));
    }
    classifier =
        register_module("classifier", QuantizableLinear(config.hidden_size, dataset.num_classes));
    InitWeights();
    if (config.sinusoidal_positions) {
      torch::NoGradGuard no_grad;
      auto& positions = encoder->embeddings->position_embeddings->weight;
      positions.copy_(detail::SinusoidalPositions(config.max_positions, config.hidden_size));
      positions.set_requires_grad(false);
    }
  }

  torch::Tensor forward(torch::Tensor ids) override {
    if (ids.dim() != 2) {
      throw std::invalid_argument(fmt::format(
          "bert expects token ids shaped [batch, length], got {} dimensions", ids.dim()));
    }
    if (ids.size(1) > config_.max_positions) {
      throw std::invalid_argument(
          fmt::format("bert: sequences of {} tokens are longer than the {} positions the model "
                      "has: truncate them (the dataset's max_length)",
                      ids.size(1), config_.max_positions));
    }
    ids = ids.to(torch::kLong);
    const torch::Tensor padding = ids.eq(pad_token_id_);
    const torch::Tensor hidden = encoder->forward(ids, padding, *this, block_names_);
    torch::Tensor pooled;
    double dropout = config_.classifier_dropout;
    if (config_.architecture == BertArchitecture::kBert) {
      pooled = encoder->pooler->forward(hidden);
    } else {
      using torch::indexing::Slice;
      pooled = torch::relu(pre_classifier->forward(hidden.index({Slice(), 0})));
    }
    return classifier->forward(carbonbench::Dropout(pooled, dropout, is_training()));
  }

  ModelStructure structure() const override {
    ModelStructure structure;
    structure.input_kind = InputKind::kTokens;
    const bool bert = config_.architecture == BertArchitecture::kBert;
    for (int64_t i = 0; i < config_.num_layers; ++i) {
      const std::string block =
          prefix_ + (bert ? ".encoder.layer." : ".transformer.layer.") + std::to_string(i);
      structure.repeated_blocks.push_back(block);
      if (bert) {
        structure.prunable_layers.push_back(
            {block + ".intermediate.dense", {block + ".output.dense"}});
      } else {
        structure.prunable_layers.push_back({block + ".ffn.lin1", {block + ".ffn.lin2"}});
      }
    }
    // Attention heads: a head is its rows of query, key and value, kept or
    // removed together, and its columns of the output projection.
    const int64_t head_size = config_.hidden_size / config_.num_heads;
    for (const std::string& block : structure.repeated_blocks) {
      if (bert) {
        structure.prunable_layers.push_back(
            {block + ".attention.self.query",
             {block + ".attention.output.dense"},
             {block + ".attention.self.key", block + ".attention.self.value"},
             head_size});
      } else {
        structure.prunable_layers.push_back(
            {block + ".attention.q_lin",
             {block + ".attention.out_lin"},
             {block + ".attention.k_lin", block + ".attention.v_lin"},
             head_size});
      }
    }
    return structure;
  }

  detail::Encoder encoder{nullptr};
  QuantizableLinear pre_classifier{nullptr}, classifier{nullptr};

 private:
  // Hugging Face's _init_weights: N(0, 0.02) weights, zero biases, LayerNorm
  // ones/zeros, a zero padding embedding.
  void InitWeights() {
    torch::NoGradGuard no_grad;
    constexpr double kInitStd = 0.02;
    for (const auto& module : modules(/*include_self=*/false)) {
      if (auto* linear = module->as<torch::nn::LinearImpl>()) {
        torch::nn::init::normal_(linear->weight, 0.0, kInitStd);
        if (linear->bias.defined()) linear->bias.zero_();
      } else if (auto* embedding = module->as<torch::nn::EmbeddingImpl>()) {
        torch::nn::init::normal_(embedding->weight, 0.0, kInitStd);
        if (const auto& pad = embedding->options.padding_idx()) embedding->weight[*pad].zero_();
      } else if (auto* norm = module->as<torch::nn::LayerNormImpl>()) {
        norm->weight.fill_(1.0);
        norm->bias.zero_();
      }
    }
  }

  BertConfig config_;
  int64_t pad_token_id_;
  std::string prefix_;
  std::vector<std::string> block_names_;  // as structure() declares them
};

class BertModel : public Model {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {
        EnumParam("config", "bert-tiny",
                  {"bert-base-uncased", "distilbert-base-uncased", "bert-tiny", "custom"},
                  "architecture: bert-base-uncased (12 layers, 768 wide), distilbert-base-uncased "
                  "(6 layers, 768), bert-tiny (2 layers, 128), or custom (sized by layers, hidden, "
                  "heads, intermediate); ignored when pretrained is set (its config.json decides)"),
        IntParam("layers", 4, "encoder layers; used only when config is custom", 1, 48),
        IntParam("hidden", 256, "hidden size, a multiple of heads; used only when config is custom",
                 2, 8192),
        IntParam("heads", 4, "attention heads; used only when config is custom", 1, 128),
        IntParam("intermediate", 1024, "feed-forward width; used only when config is custom", 1,
                 65536),
        StringParam("pretrained", "",
                    "local folder with Hugging Face config.json, vocab.txt and model.safetensors "
                    "to fine-tune from (architecture and weights come from it; the dataset must "
                    "be tokenised with its vocab.txt); empty trains from scratch"),
    };
  }

  // Pretrained weights fix the token ids: their folder's vocab.txt.
  VocabularySource Vocabulary() const override { return {"pretrained", "vocab.txt"}; }

  std::shared_ptr<Network> Build(const DatasetSpec& dataset, const Params& params) const override {
    RequireDataset("bert", dataset, InputKind::kTokens, 1, TaskKind::kClassification,
                   "{max_length}");

    const std::string& pretrained = params.GetString("pretrained");
    BertConfig config;
    if (!pretrained.empty()) {
      config = ReadPretrainedConfig(pretrained);
      if (config.vocab_size != dataset.vocab_size) {
        throw std::invalid_argument(fmt::format(
            "bert: {}/config.json has vocab_size {} but dataset '{}' has {} tokens: the dataset "
            "must be tokenised with {}/vocab.txt",
            pretrained, config.vocab_size, dataset.name, dataset.vocab_size, pretrained));
      }
    } else {
      const std::string& name = params.GetString("config");
      if (name == "custom") {
        config.num_layers = params.GetInt("layers");
        config.hidden_size = params.GetInt("hidden");
        config.num_heads = params.GetInt("heads");
        config.intermediate_size = params.GetInt("intermediate");
        if (config.hidden_size % config.num_heads != 0) {
          throw std::invalid_argument(
              fmt::format("bert: hidden ({}) must be a multiple of heads ({})", config.hidden_size,
                          config.num_heads));
        }
      } else {
        config = BertPreset(name);
      }
      config.vocab_size = dataset.vocab_size;
    }
    if (dataset.input_shape[0] > config.max_positions) {
      throw std::invalid_argument(
          fmt::format("bert: dataset '{}' has max_length {} but the model has {} positions: lower "
                      "the dataset's max_length",
                      dataset.name, dataset.input_shape[0], config.max_positions));
    }

    auto network = std::make_shared<BertNetworkImpl>(config, dataset);
    if (!pretrained.empty()) LoadPretrainedWeights(*network, config, pretrained);
    return network;
  }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(carbonbench::models::BertModel, "bert", "1.0.0",
                           "BERT / DistilBERT encoder with a classification head, from scratch or "
                           "fine-tuned from a local Hugging Face safetensors checkpoint")
