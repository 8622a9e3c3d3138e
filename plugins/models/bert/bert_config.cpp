// Presets and Hugging Face config.json: no torch here, so the reading is
// tested and fuzzed without it.
#include "bert_config.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "carbonbench/json_nesting.h"
#include "carbonbench/regular_file.h"

namespace carbonbench::models {
namespace detail {
namespace {

// Far above any real config.json (a few kB), far below memory trouble.
constexpr std::int64_t kMaxConfigBytes = std::int64_t{16} << 20;

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
  std::string text;
  try {
    text = ReadRegularFile(path, "config.json", detail::kMaxConfigBytes);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(
        fmt::format("bert: {} (a pretrained folder holds Hugging Face's config.json, vocab.txt and "
                    "model.safetensors)",
                    error.what()));
  }
  return ParsePretrainedConfig(path, text);
}

BertConfig ParsePretrainedConfig(const std::string& path, std::string_view text) {
  if (const auto line = LineNestedDeeperThan(text, kJsonNestingLimit)) {
    throw std::runtime_error(
        fmt::format("{}:{}: JSON nested more than {} levels deep; a Hugging Face config.json nests "
                    "two or three: is it the right file?",
                    path, *line, kJsonNestingLimit));
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {  // parse_error, or out_of_range for 1e999
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", path, error.what()));
  }
  if (!json.is_object()) throw std::runtime_error(fmt::format("{}: not a JSON object", path));
  const detail::ConfigReader reader(path, std::move(json));

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

}  // namespace carbonbench::models
