// Loading Hugging Face model.safetensors weights into a BERT-family network.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/utils.h>

#include "bert_weights.h"
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
