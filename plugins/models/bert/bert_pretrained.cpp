// Presets, Hugging Face config.json, and model.safetensors loading.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/utils.h>

#include "bert_config.h"
#include "carbonbench/safetensors.h"

namespace carbonbench::models {
namespace detail {
namespace {

namespace fs = std::filesystem;

std::string ShapeText(torch::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Reads config.json values with Hugging Face's defaults for absent keys.
class ConfigReader {
 public:
  ConfigReader(std::string path, nlohmann::json json)
      : path_(std::move(path)), json_(std::move(json)) {}

  int64_t Int(const char* key, int64_t fallback, int64_t min = 1) const {
    if (!json_.contains(key) || json_[key].is_null()) return fallback;
    const auto& value = json_[key];
    if (!value.is_number_integer() || value.get<int64_t>() < min) {
      Fail(key, "must be an integer >= " + std::to_string(min) + ", not " + value.dump());
    }
    return value.get<int64_t>();
  }
  double Float(const char* key, double fallback) const {
    if (!json_.contains(key) || json_[key].is_null()) return fallback;
    const auto& value = json_[key];
    if (!value.is_number()) Fail(key, "must be a number, not " + value.dump());
    return value.get<double>();
  }
  bool Bool(const char* key, bool fallback) const {
    if (!json_.contains(key) || json_[key].is_null()) return fallback;
    if (!json_[key].is_boolean()) Fail(key, "must be true or false, not " + json_[key].dump());
    return json_[key].get<bool>();
  }
  std::string String(const char* key, const std::string& fallback) const {
    if (!json_.contains(key) || json_[key].is_null()) return fallback;
    if (!json_[key].is_string()) Fail(key, "must be a string, not " + json_[key].dump());
    return json_[key].get<std::string>();
  }
  // Only these values are implemented; anything else would silently compute
  // a different network than the checkpoint was trained as.
  void Expect(const char* key, const std::string& fallback, const std::string& wanted) const {
    const std::string value = String(key, fallback);
    if (value != wanted) {
      Fail(key, "is \"" + value + "\"; only \"" + wanted + "\" is supported");
    }
  }
  [[noreturn]] void Fail(const std::string& key, const std::string& what) const {
    throw std::runtime_error(fmt::format("{}: '{}' {}", path_, key, what));
  }

 private:
  std::string path_;
  nlohmann::json json_;
};

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Candidate file keys for one of our parameter names, most specific first.
std::vector<std::string> KeyCandidates(const std::string& name, const std::string& prefix) {
  std::vector<std::string> bases = {name};
  if (name.rfind(prefix, 0) == 0) bases.push_back(name.substr(prefix.size()));
  std::vector<std::string> keys = bases;
  // Checkpoints written by old versions of Hugging Face (and the original
  // TensorFlow conversion) name LayerNorm parameters gamma and beta.
  for (const auto& base : bases) {
    const auto dot = base.rfind('.');
    if (dot == std::string::npos) continue;
    const std::string module = base.substr(0, dot), leaf = base.substr(dot + 1);
    const bool layer_norm = EndsWith(module, "LayerNorm") || EndsWith(module, "layer_norm");
    if (!layer_norm) continue;
    if (leaf == "weight") keys.push_back(module + ".gamma");
    if (leaf == "bias") keys.push_back(module + ".beta");
  }
  return keys;
}

// Fine-tuning starts from an encoder; the head (and a pooler that some
// checkpoints leave out) is trained from its fresh initialisation.
bool MayBeAbsent(const std::string& name, const std::string& prefix) {
  return name.rfind("classifier.", 0) == 0 || name.rfind("pre_classifier.", 0) == 0 ||
         name.rfind(prefix + "pooler.", 0) == 0;
}

}  // namespace
}  // namespace detail

const char* BertPrefix(BertArchitecture architecture) {
  return architecture == BertArchitecture::kBert ? "bert" : "distilbert";
}

BertConfig BertPreset(const std::string& name) {
  BertConfig config;
  if (name == "bert-base-uncased") return config;
  if (name == "distilbert-base-uncased") {
    config.architecture = BertArchitecture::kDistilBert;
    config.num_layers = 6;
    config.type_vocab_size = 0;
    config.classifier_dropout = 0.2;
    return config;
  }
  if (name == "bert-tiny") {  // google/bert_uncased_L-2_H-128_A-2
    config.num_layers = 2;
    config.hidden_size = 128;
    config.num_heads = 2;
    config.intermediate_size = 512;
    return config;
  }
  throw std::invalid_argument(fmt::format(
      "bert: unknown config '{}' (bert-base-uncased, distilbert-base-uncased, bert-tiny, custom)",
      name));
}

BertConfig ReadPretrainedConfig(const std::string& folder) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(folder)) {
    throw std::runtime_error(fmt::format("bert: pretrained folder '{}' does not exist", folder));
  }
  const std::string path = (fs::path(folder) / "config.json").string();
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error(
        fmt::format("bert: {} not found: a pretrained folder needs Hugging Face's config.json, "
                    "vocab.txt and model.safetensors",
                    path));
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& error) {
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", path, error.what()));
  }
  if (!json.is_object()) throw std::runtime_error(fmt::format("{}: not a JSON object", path));
  const detail::ConfigReader reader(path, json);

  BertConfig config;
  const std::string model_type = reader.String("model_type", "");
  if (model_type == "bert") {
    config.vocab_size = reader.Int("vocab_size", 30522);
    config.hidden_size = reader.Int("hidden_size", 768);
    config.num_layers = reader.Int("num_hidden_layers", 12);
    config.num_heads = reader.Int("num_attention_heads", 12);
    config.intermediate_size = reader.Int("intermediate_size", 3072);
    config.max_positions = reader.Int("max_position_embeddings", 512);
    config.type_vocab_size = reader.Int("type_vocab_size", 2);
    config.layer_norm_eps = reader.Float("layer_norm_eps", 1e-12);
    config.hidden_dropout = reader.Float("hidden_dropout_prob", 0.1);
    config.attention_dropout = reader.Float("attention_probs_dropout_prob", 0.1);
    config.classifier_dropout = reader.Float("classifier_dropout", config.hidden_dropout);
    reader.Expect("hidden_act", "gelu", "gelu");
    reader.Expect("position_embedding_type", "absolute", "absolute");
  } else if (model_type == "distilbert") {
    config.architecture = BertArchitecture::kDistilBert;
    config.vocab_size = reader.Int("vocab_size", 30522);
    config.hidden_size = reader.Int("dim", 768);
    config.num_layers = reader.Int("n_layers", 6);
    config.num_heads = reader.Int("n_heads", 12);
    config.intermediate_size = reader.Int("hidden_dim", 3072);
    config.max_positions = reader.Int("max_position_embeddings", 512);
    config.type_vocab_size = 0;
    config.layer_norm_eps = 1e-12;  // fixed in Hugging Face's DistilBERT
    config.hidden_dropout = reader.Float("dropout", 0.1);
    config.attention_dropout = reader.Float("attention_dropout", 0.1);
    config.classifier_dropout = reader.Float("seq_classif_dropout", 0.2);
    config.sinusoidal_positions = reader.Bool("sinusoidal_pos_embds", false);
    reader.Expect("activation", "gelu", "gelu");
  } else {
    reader.Fail(
        "model_type",
        "is \"" + model_type + "\"; the bert plugin reads \"bert\" and \"distilbert\" checkpoints");
  }
  if (config.hidden_size % config.num_heads != 0) {
    throw std::runtime_error(
        fmt::format("{}: hidden size {} is not a multiple of the {} attention heads", path,
                    config.hidden_size, config.num_heads));
  }
  return config;
}

void LoadPretrainedWeights(torch::nn::Module& network, const BertConfig& config,
                           const std::string& folder) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(folder) / "model.safetensors").string();
  if (!fs::exists(path)) {
    throw std::runtime_error(fmt::format(
        "bert: {} not found: only safetensors weights are read (convert a pytorch_model.bin with "
        "transformers' save_pretrained(..., safe_serialization=True))",
        path));
  }
  const SafetensorsFile file = SafetensorsFile::Open(path);
  const std::string prefix = std::string(BertPrefix(config.architecture)) + ".";

  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& item : network.named_parameters(/*recurse=*/true)) {
    targets.emplace_back(item.key(), item.value());
  }
  for (const auto& item : network.named_buffers(/*recurse=*/true)) {
    targets.emplace_back(item.key(), item.value());
  }

  torch::NoGradGuard no_grad;
  std::vector<std::string> missing;
  for (auto& [name, target] : targets) {
    std::string key;
    for (const auto& candidate : detail::KeyCandidates(name, prefix)) {
      if (file.Contains(candidate)) {
        key = candidate;
        break;
      }
    }
    if (key.empty()) {
      if (!detail::MayBeAbsent(name, prefix)) missing.push_back(name);
      continue;
    }
    const SafetensorsEntry& entry = *file.Find(key);
    if (torch::IntArrayRef(entry.shape) != target.sizes()) {
      throw std::runtime_error(fmt::format(
          "bert: {}: tensor '{}' has shape {} but the model's '{}' is {}{}", path, key,
          detail::ShapeText(entry.shape), name, detail::ShapeText(target.sizes()),
          detail::MayBeAbsent(name, prefix)
              ? " (a head trained for another number of classes: remove it from the file to "
                "train a fresh one)"
              : ""));
    }
    if (!c10::isFloatingType(entry.scalar_type)) {
      throw std::runtime_error(
          fmt::format("bert: {}: tensor '{}' is {}; weights must be F32, F16, BF16 or F64", path,
                      key, entry.dtype));
    }
    target.copy_(file.Load(key).to(target.scalar_type()));
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 5) list += " and " + std::to_string(missing.size() - 5) + " more";
    throw std::runtime_error(fmt::format(
        "bert: {} lacks {} encoder tensor(s): {} (is it a {} checkpoint matching config.json?)",
        path, missing.size(), list, BertPrefix(config.architecture)));
  }
}

}  // namespace carbonbench::models
