// The bert model plugin, loaded the way the host loads it: Hugging Face
// parameter names and counts, padding, pretrained safetensors checkpoints,
// and a short training run.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "carbonbench/safetensors.h"
#include "carbonbench/sdk.h"
#include "dataset_specs.h"
#include "plugins/plugin_registry.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using Named = std::vector<std::pair<std::string, torch::Tensor>>;
using test_support::TokenSpec;

const PluginRegistry& Registry() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    r.LoadFile(std::string(BUILD_PLUGIN_DIR) + "/libcarbonbench_model_bert.so");
    return r;
  }();
  return registry;
}

std::shared_ptr<Network> BuildBert(const DatasetSpec& spec,
                                   std::map<std::string, ParamValue> given = {}) {
  auto model = Registry().Create<Model>(PluginKind::kModel, "bert");
  return model->Build(spec,
                      ResolveParams(Registry().Find(PluginKind::kModel, "bert")->params, given));
}

// A custom BERT the size of the pretrained fixtures: 2 layers, 32 wide.
std::map<std::string, ParamValue> SmallCustom(int64_t intermediate = 64) {
  return {{"config", std::string("custom")},
          {"layers", int64_t{2}},
          {"hidden", int64_t{32}},
          {"heads", int64_t{2}},
          {"intermediate", intermediate}};
}

int64_t CountUnder(const torch::nn::Module& module, const std::string& prefix) {
  int64_t count = 0;
  for (const auto& item : module.named_parameters()) {
    if (item.key().rfind(prefix, 0) == 0) count += item.value().numel();
  }
  return count;
}

std::set<std::string> ParameterNames(const torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& item : module.named_parameters()) names.insert(item.key());
  return names;
}

std::set<std::string> ModuleNames(const torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& item : module.named_modules()) names.insert(item.key());
  return names;
}

// Runs `f` and returns the message of the exception it throws ("" if none).
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

class TempFolder {
 public:
  TempFolder() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("carbonbench_bert_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempFolder() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A Hugging Face-style folder: config.json, vocab.txt (one token a line) and
// model.safetensors holding `tensors`.
void WritePretrained(const TempFolder& folder, const std::string& config_json, int64_t vocab,
                     const Named& tensors) {
  std::ofstream(folder / "config.json") << config_json;
  std::ofstream vocab_file(folder / "vocab.txt");
  vocab_file << "[PAD]\n";
  for (int64_t i = 1; i < vocab; ++i) vocab_file << "tok" << i << "\n";
  WriteSafetensors(folder / "model.safetensors", tensors, {{"format", "pt"}});
}

std::string SmallBertConfigJson(int64_t vocab, int64_t intermediate = 64) {
  return R"({"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": )" +
         std::to_string(vocab) +
         R"(, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
            "intermediate_size": )" +
         std::to_string(intermediate) + R"(, "max_position_embeddings": 512,
            "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1})";
}

// The encoder of `network` (no pooler, no head) under its own names.
Named EncoderTensors(const torch::nn::Module& network) {
  Named tensors;
  for (const auto& item : network.named_parameters()) {
    const std::string& name = item.key();
    if (name.rfind("bert.pooler.", 0) == 0 || name.rfind("classifier.", 0) == 0) continue;
    tensors.emplace_back(name, item.value().detach().clone());
  }
  return tensors;
}

TEST(BertModel, BertBaseHasHuggingFaceNamesAndParameterCount) {
  auto network =
      BuildBert(TokenSpec(128, 30522, 2), {{"config", std::string("bert-base-uncased")}});
  // Hugging Face's BertModel (with pooler) for bert-base-uncased.
  EXPECT_EQ(CountUnder(*network, "bert."), 109482240);
  EXPECT_EQ(CountUnder(*network, "classifier."), 768 * 2 + 2);
  const auto names = ParameterNames(*network);
  for (const char* name :
       {"bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
        "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight",
        "bert.embeddings.LayerNorm.bias", "bert.encoder.layer.0.attention.self.query.weight",
        "bert.encoder.layer.0.attention.self.key.bias",
        "bert.encoder.layer.0.attention.self.value.weight",
        "bert.encoder.layer.0.attention.output.dense.weight",
        "bert.encoder.layer.0.attention.output.LayerNorm.bias",
        "bert.encoder.layer.11.intermediate.dense.weight",
        "bert.encoder.layer.11.output.dense.bias", "bert.encoder.layer.11.output.LayerNorm.weight",
        "bert.pooler.dense.weight", "classifier.weight", "classifier.bias"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  EXPECT_EQ(names.size(), 5u + 16u * 12u + 2u + 2u);

  const auto structure = network->structure();
  EXPECT_EQ(structure.input_kind, InputKind::kTokens);
  ASSERT_EQ(structure.repeated_blocks.size(), 12u);
  EXPECT_EQ(structure.repeated_blocks[3], "bert.encoder.layer.3");
  // The feed-forward layers, then the attention heads.
  ASSERT_EQ(structure.prunable_layers.size(), 24u);
  EXPECT_EQ(structure.prunable_layers[0].name, "bert.encoder.layer.0.intermediate.dense");
  EXPECT_EQ(structure.prunable_layers[0].dependents,
            std::vector<std::string>{"bert.encoder.layer.0.output.dense"});
  const PrunableLayer& heads = structure.prunable_layers[12];
  EXPECT_EQ(heads.name, "bert.encoder.layer.0.attention.self.query");
  EXPECT_EQ(heads.coupled, (std::vector<std::string>{"bert.encoder.layer.0.attention.self.key",
                                                     "bert.encoder.layer.0.attention.self.value"}));
  EXPECT_EQ(heads.dependents,
            std::vector<std::string>{"bert.encoder.layer.0.attention.output.dense"});
  EXPECT_EQ(heads.group_size, 64);
  const auto modules = ModuleNames(*network);
  for (const auto& block : structure.repeated_blocks) EXPECT_TRUE(modules.count(block)) << block;
  for (const auto& layer : structure.prunable_layers) {
    EXPECT_TRUE(modules.count(layer.name)) << layer.name;
    for (const auto& dependent : layer.dependents) EXPECT_TRUE(modules.count(dependent));
    for (const auto& coupled : layer.coupled) EXPECT_TRUE(modules.count(coupled));
  }

  // Hugging Face's initialisation: N(0, 0.02) weights, zero biases,
  // LayerNorm ones, a zero padding embedding.
  const auto params = network->named_parameters();
  const auto& query = params["bert.encoder.layer.0.attention.self.query.weight"];
  EXPECT_NEAR(query.std().item<double>(), 0.02, 0.001);
  EXPECT_EQ(params["bert.encoder.layer.0.attention.self.query.bias"].abs().max().item<float>(), 0);
  EXPECT_EQ(params["bert.embeddings.LayerNorm.weight"].min().item<float>(), 1.0f);
  EXPECT_EQ(params["bert.embeddings.word_embeddings.weight"][0].abs().max().item<float>(), 0);
  EXPECT_NEAR(params["bert.embeddings.word_embeddings.weight"].std().item<double>(), 0.02, 0.001);
}

TEST(BertModel, DistilBertHasHuggingFaceNamesAndParameterCount) {
  auto network =
      BuildBert(TokenSpec(64, 30522, 3), {{"config", std::string("distilbert-base-uncased")}});
  EXPECT_EQ(CountUnder(*network, "distilbert."), 66362880);
  EXPECT_EQ(CountUnder(*network, "pre_classifier."), 768 * 768 + 768);
  EXPECT_EQ(CountUnder(*network, "classifier."), 768 * 3 + 3);
  const auto names = ParameterNames(*network);
  for (const char* name : {"distilbert.embeddings.word_embeddings.weight",
                           "distilbert.embeddings.position_embeddings.weight",
                           "distilbert.embeddings.LayerNorm.weight",
                           "distilbert.transformer.layer.0.attention.q_lin.weight",
                           "distilbert.transformer.layer.0.attention.k_lin.bias",
                           "distilbert.transformer.layer.0.attention.v_lin.weight",
                           "distilbert.transformer.layer.0.attention.out_lin.weight",
                           "distilbert.transformer.layer.5.sa_layer_norm.weight",
                           "distilbert.transformer.layer.5.ffn.lin1.weight",
                           "distilbert.transformer.layer.5.ffn.lin2.bias",
                           "distilbert.transformer.layer.5.output_layer_norm.bias",
                           "pre_classifier.weight", "classifier.weight"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  for (const auto& name : names) {
    EXPECT_EQ(name.find("token_type"), std::string::npos) << name;
    EXPECT_EQ(name.find("pooler"), std::string::npos) << name;
  }
  const auto structure = network->structure();
  ASSERT_EQ(structure.repeated_blocks.size(), 6u);
  EXPECT_EQ(structure.repeated_blocks[5], "distilbert.transformer.layer.5");
  EXPECT_EQ(structure.prunable_layers[2].name, "distilbert.transformer.layer.2.ffn.lin1");
  EXPECT_EQ(structure.prunable_layers[2].dependents,
            std::vector<std::string>{"distilbert.transformer.layer.2.ffn.lin2"});

  network->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(network->forward(torch::randint(1, 30522, {2, 16}, torch::kLong)).sizes(),
            (std::vector<int64_t>{2, 3}));
}

TEST(BertModel, BertTinyClassifiesTokenBatches) {
  auto network = BuildBert(TokenSpec(32, 500, 4));  // bert-tiny is the default
  EXPECT_EQ(CountUnder(*network, "bert.encoder.layer.1."),
            4 * (128 * 128 + 128) + 2 * 256 + (128 * 512 + 512) + (512 * 128 + 128));
  EXPECT_EQ(network->structure().repeated_blocks.size(), 2u);
  const auto logits = network->forward(torch::randint(1, 500, {5, 32}, torch::kLong));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{5, 4}));
  EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
  // Shorter batches than max_length are fine; longer than the positions are not.
  EXPECT_EQ(network->forward(torch::randint(1, 500, {2, 7}, torch::kLong)).sizes(),
            (std::vector<int64_t>{2, 4}));
  const auto too_long = ErrorOf([&] { network->forward(torch::ones({1, 513}, torch::kLong)); });
  EXPECT_NE(too_long.find("513"), std::string::npos) << too_long;
  EXPECT_NE(too_long.find("512 positions"), std::string::npos) << too_long;
}

TEST(BertModel, CustomSizesApplyOnlyToCustom) {
  auto custom = BuildBert(TokenSpec(16, 100, 2), SmallCustom(48));
  EXPECT_EQ(custom->structure().repeated_blocks.size(), 2u);
  EXPECT_EQ(custom->named_parameters()["bert.encoder.layer.0.intermediate.dense.weight"].sizes(),
            (std::vector<int64_t>{48, 32}));
  auto preset = SmallCustom();
  preset["config"] = std::string("bert-tiny");
  auto tiny = BuildBert(TokenSpec(16, 100, 2), preset);
  EXPECT_EQ(tiny->named_parameters()["bert.encoder.layer.0.intermediate.dense.weight"].sizes(),
            (std::vector<int64_t>{512, 128}));
  auto odd = SmallCustom();
  odd["heads"] = int64_t{3};
  EXPECT_THROW(BuildBert(TokenSpec(16, 100, 2), odd), std::invalid_argument);
}

TEST(BertModel, RefusesOtherDatasetsAndTooLongSequences) {
  DatasetSpec image;
  image.input_shape = {1, 28, 28};
  image.num_classes = 10;
  EXPECT_THROW(BuildBert(image), std::invalid_argument);
  DatasetSpec regression = TokenSpec(16, 100, 0);
  regression.task = TaskKind::kRegression;
  EXPECT_THROW(BuildBert(regression), std::invalid_argument);
  EXPECT_THROW(BuildBert(TokenSpec(16, 100, 2, /*pad=*/100)), std::invalid_argument);
  const auto message = ErrorOf([] { BuildBert(TokenSpec(600, 100, 2)); });
  EXPECT_NE(message.find("max_length 600"), std::string::npos) << message;
}

TEST(BertModel, PaddingDoesNotChangeTheLogits) {
  for (const char* config : {"bert-tiny", "distilbert-base-uncased"}) {
    SCOPED_TRACE(config);
    const int64_t pad = 3;  // not 0, so the mask must follow the dataset's id
    auto params = SmallCustom();
    params["config"] = std::string(config);
    auto network = BuildBert(TokenSpec(24, 60, 3, pad), params);
    network->eval();
    torch::NoGradGuard no_grad;
    // Real tokens avoid the pad id.
    auto a = torch::randint(4, 60, {1, 10}, torch::kLong);
    auto b = torch::randint(4, 60, {1, 6}, torch::kLong);
    const auto alone_a = network->forward(a);
    const auto alone_b = network->forward(b);
    auto padded_a = torch::cat({a, torch::full({1, 14}, pad, torch::kLong)}, 1);
    auto padded_b = torch::cat({b, torch::full({1, 18}, pad, torch::kLong)}, 1);
    const auto batch = network->forward(torch::cat({padded_a, padded_b}, 0));
    EXPECT_TRUE(torch::allclose(batch[0], alone_a[0], 1e-4, 1e-5)) << batch[0] << alone_a[0];
    EXPECT_TRUE(torch::allclose(batch[1], alone_b[0], 1e-4, 1e-5)) << batch[1] << alone_b[0];
    // The mask is what makes this hold: the same tokens as real ids do change it.
    auto unmasked = torch::cat({a, torch::full({1, 14}, 5, torch::kLong)}, 1);
    EXPECT_FALSE(torch::allclose(network->forward(unmasked)[0], alone_a[0], 1e-4, 1e-5));
  }
}

TEST(BertModel, LoadsAPretrainedBertFolder) {
  const int64_t vocab = 40;
  auto source = BuildBert(TokenSpec(16, vocab, 2), SmallCustom());
  Named tensors;
  torch::Tensor half_stored;
  for (auto& [name, tensor] : EncoderTensors(*source)) {
    if (name == "bert.embeddings.LayerNorm.weight") {
      tensor.uniform_(0.5, 1.5);  // so a wrong key would show as ones
      tensors.emplace_back("bert.embeddings.LayerNorm.gamma", tensor);
    } else if (name == "bert.encoder.layer.1.intermediate.dense.weight") {
      half_stored = tensor;
      tensors.emplace_back(name, tensor.to(torch::kHalf));
    } else if (name == "bert.encoder.layer.0.output.dense.bias") {
      tensor.uniform_(-1, 1);  // a non-zero bias, stored without the prefix
      tensors.emplace_back("encoder.layer.0.output.dense.bias", tensor);
    } else {
      tensors.emplace_back(name, tensor);
    }
  }
  // Pretraining heads in the file are not ours to load.
  tensors.emplace_back("cls.predictions.bias", torch::ones({vocab}));
  tensors.emplace_back("cls.predictions.transform.dense.weight", torch::ones({32, 32}));
  TempFolder folder;
  WritePretrained(folder, SmallBertConfigJson(vocab), vocab, tensors);

  // The config parameter is ignored: config.json decides the architecture.
  auto loaded = BuildBert(TokenSpec(16, vocab, 2), {{"config", std::string("bert-base-uncased")},
                                                    {"pretrained", folder.str()}});
  auto params = loaded->named_parameters();
  EXPECT_EQ(params.size(), source->named_parameters().size());
  int64_t compared = 0;
  for (const auto& [stored_name, stored] : tensors) {
    if (stored_name.rfind("cls.", 0) == 0) continue;
    std::string name = stored_name;
    if (name == "bert.embeddings.LayerNorm.gamma") name = "bert.embeddings.LayerNorm.weight";
    if (name.rfind("bert.", 0) != 0) name = "bert." + name;
    ASSERT_TRUE(params.contains(name)) << name;
    const torch::Tensor expected = stored.to(torch::kFloat);
    EXPECT_EQ(params[name].scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::equal(params[name], expected)) << name;
    ++compared;
  }
  EXPECT_EQ(compared, 5 + 16 * 2);
  // The F16 tensor arrived rounded to half precision, not bit-identical.
  EXPECT_FALSE(torch::equal(params["bert.encoder.layer.1.intermediate.dense.weight"], half_stored));
  EXPECT_TRUE(torch::allclose(params["bert.encoder.layer.1.intermediate.dense.weight"], half_stored,
                              1e-3, 1e-5));
  // Pooler and head were absent: freshly initialised, not the source's.
  EXPECT_FALSE(
      torch::equal(params["classifier.weight"], source->named_parameters()["classifier.weight"]));
  EXPECT_NEAR(params["bert.pooler.dense.weight"].std().item<double>(), 0.02, 0.005);

  // A head of the right shape in the file is loaded too.
  tensors.emplace_back("classifier.weight", torch::full({2, 32}, 0.25f));
  tensors.emplace_back("classifier.bias", torch::full({2}, -1.0f));
  WriteSafetensors(folder / "model.safetensors", tensors);
  auto with_head = BuildBert(TokenSpec(16, vocab, 2), {{"pretrained", folder.str()}});
  EXPECT_EQ(with_head->named_parameters()["classifier.bias"][1].item<float>(), -1.0f);
}

TEST(BertModel, LoadsAPretrainedDistilBertFolderByHuggingFaceNames) {
  // Names written out here, independently of the plugin's modules.
  const int64_t vocab = 30, dim = 16, hidden_dim = 24, positions = 20;
  Named tensors;
  auto add = [&](const std::string& name, std::vector<int64_t> shape) {
    tensors.emplace_back(name, torch::randn(shape));
  };
  add("distilbert.embeddings.word_embeddings.weight", {vocab, dim});
  add("distilbert.embeddings.position_embeddings.weight", {positions, dim});
  add("distilbert.embeddings.LayerNorm.weight", {dim});
  add("distilbert.embeddings.LayerNorm.bias", {dim});
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "distilbert.transformer.layer." + std::to_string(layer) + ".";
    for (const char* lin : {"q_lin", "k_lin", "v_lin", "out_lin"}) {
      add(p + "attention." + lin + ".weight", {dim, dim});
      add(p + "attention." + lin + ".bias", {dim});
    }
    for (const char* norm : {"sa_layer_norm", "output_layer_norm"}) {
      add(p + norm + ".weight", {dim});
      add(p + norm + ".bias", {dim});
    }
    add(p + "ffn.lin1.weight", {hidden_dim, dim});
    add(p + "ffn.lin1.bias", {hidden_dim});
    add(p + "ffn.lin2.weight", {dim, hidden_dim});
    add(p + "ffn.lin2.bias", {dim});
  }
  tensors.emplace_back("vocab_projector.bias", torch::zeros({vocab}));  // MLM head: ignored
  TempFolder folder;
  WritePretrained(folder,
                  R"({"model_type": "distilbert", "vocab_size": 30, "dim": 16, "n_layers": 2,
                      "n_heads": 2, "hidden_dim": 24, "max_position_embeddings": 20,
                      "sinusoidal_pos_embds": false, "activation": "gelu"})",
                  vocab, tensors);
  auto network = BuildBert(TokenSpec(12, vocab, 2), {{"pretrained", folder.str()}});
  auto params = network->named_parameters();
  EXPECT_EQ(params.size(), tensors.size() - 1 + 4);  // + pre_classifier and classifier
  for (const auto& [name, tensor] : tensors) {
    if (name == "vocab_projector.bias") continue;
    ASSERT_TRUE(params.contains(name)) << name;
    EXPECT_TRUE(torch::equal(params[name], tensor)) << name;
  }
  EXPECT_EQ(network->forward(torch::randint(1, vocab, {3, 12}, torch::kLong)).sizes(),
            (std::vector<int64_t>{3, 2}));
  // max_length above the checkpoint's 20 positions is refused at build time.
  EXPECT_THROW(BuildBert(TokenSpec(21, vocab, 2), {{"pretrained", folder.str()}}),
               std::invalid_argument);
}

TEST(BertModel, PretrainedShapeMismatchNamesTheTensorAndBothShapes) {
  const int64_t vocab = 40;
  // Weights of a network with intermediate 48, config.json saying 64.
  auto source = BuildBert(TokenSpec(16, vocab, 2), SmallCustom(48));
  TempFolder folder;
  WritePretrained(folder, SmallBertConfigJson(vocab, 64), vocab, EncoderTensors(*source));
  const auto message = ErrorOf([&] {
    BuildBert(TokenSpec(16, vocab, 2), {{"pretrained", folder.str()}});
  });
  EXPECT_NE(message.find("bert.encoder.layer.0.intermediate.dense.weight"), std::string::npos)
      << message;
  EXPECT_NE(message.find("[48, 32]"), std::string::npos) << message;
  EXPECT_NE(message.find("[64, 32]"), std::string::npos) << message;
}

TEST(BertModel, PretrainedVocabularyMustMatchTheDataset) {
  const int64_t vocab = 40;
  auto source = BuildBert(TokenSpec(16, vocab, 2), SmallCustom());
  TempFolder folder;
  WritePretrained(folder, SmallBertConfigJson(vocab), vocab, EncoderTensors(*source));
  const auto message = ErrorOf([&] {
    BuildBert(TokenSpec(16, 55, 2), {{"pretrained", folder.str()}});
  });
  EXPECT_NE(message.find("vocab_size 40"), std::string::npos) << message;
  EXPECT_NE(message.find("55"), std::string::npos) << message;
  EXPECT_NE(message.find(folder.str() + "/vocab.txt"), std::string::npos) << message;
}

TEST(BertModel, PretrainedFolderMissingEncoderTensorsListsThem) {
  const int64_t vocab = 40;
  auto source = BuildBert(TokenSpec(16, vocab, 2), SmallCustom());
  Named tensors;
  for (auto& [name, tensor] : EncoderTensors(*source)) {
    if (name.rfind("bert.encoder.layer.1.", 0) != 0) tensors.emplace_back(name, tensor);
  }
  TempFolder folder;
  WritePretrained(folder, SmallBertConfigJson(vocab), vocab, tensors);
  const auto message = ErrorOf([&] {
    BuildBert(TokenSpec(16, vocab, 2), {{"pretrained", folder.str()}});
  });
  EXPECT_NE(message.find("lacks 16 encoder tensor(s)"), std::string::npos) << message;
  EXPECT_NE(message.find("bert.encoder.layer.1.attention.self.query.weight"), std::string::npos)
      << message;
  EXPECT_NE(message.find("and 11 more"), std::string::npos) << message;

  fs::remove(folder / "model.safetensors");
  const auto absent = ErrorOf([&] {
    BuildBert(TokenSpec(16, vocab, 2), {{"pretrained", folder.str()}});
  });
  EXPECT_NE(absent.find("model.safetensors not found"), std::string::npos) << absent;
}

TEST(BertModel, PretrainedConfigJsonIsValidated) {
  TempFolder folder;
  std::ofstream(folder / "config.json") << R"({"model_type": "roberta", "vocab_size": 40})";
  const auto message = ErrorOf([&] {
    BuildBert(TokenSpec(16, 40, 2), {{"pretrained", folder.str()}});
  });
  EXPECT_NE(message.find("model_type"), std::string::npos) << message;
  EXPECT_NE(message.find("roberta"), std::string::npos) << message;
  std::ofstream(folder / "config.json") << R"({"model_type": "bert", "hidden_act": "relu"})";
  EXPECT_NE(ErrorOf([&] {
              BuildBert(TokenSpec(16, 30522, 2), {{"pretrained", folder.str()}});
            }).find("hidden_act"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] {
              BuildBert(TokenSpec(16, 40, 2), {{"pretrained", folder / "nope"}});
            }).find("does not exist"),
            std::string::npos);
}

TEST(BertModel, TrainingLowersTheLossOnAFixedBatch) {
  torch::manual_seed(7);
  const int64_t vocab = 50, length = 16, batch = 8;
  auto network = BuildBert(TokenSpec(length, vocab, 2));
  auto ids = torch::randint(1, vocab, {batch, length}, torch::kLong);
  ids.index_put_({torch::indexing::Slice(0, 4), torch::indexing::Slice(10, torch::indexing::None)},
                 0);  // some padded rows
  const auto labels = torch::tensor({0, 1, 0, 1, 1, 0, 1, 0}, torch::kLong);
  auto eval_loss = [&] {
    network->eval();
    torch::NoGradGuard no_grad;
    const float loss = torch::cross_entropy_loss(network->forward(ids), labels).item<float>();
    network->train();
    return loss;
  };
  const float before = eval_loss();
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-3));
  for (int step = 0; step < 30; ++step) {
    optimizer.zero_grad();
    const auto loss = torch::cross_entropy_loss(network->forward(ids), labels);
    loss.backward();
    optimizer.step();
  }
  const float after = eval_loss();
  EXPECT_LT(after, before * 0.5f) << "before " << before << ", after " << after;
}

}  // namespace
}  // namespace carbonbench
