#include "carbonbench/dataset_spec.h"

#include <stdexcept>

namespace carbonbench {

void RequireDataset(const std::string& model, const DatasetSpec& dataset, InputKind input,
                    std::size_t input_rank, TaskKind task, const std::string& dimensions) {
  const std::string name = "dataset '" + dataset.name + "'";
  if (dataset.input_kind != input || dataset.input_shape.size() != input_rank) {
    const std::string wanted =
        dimensions.empty()
            ? "of " + std::to_string(input_rank) + " dimensions"
            : "shaped " + dimensions + " (" + std::to_string(input_rank) + " dimensions)";
    throw std::invalid_argument(model + " needs " + InputKindName(input) + " inputs " + wanted +
                                " per sample; " + name + " has " +
                                InputKindName(dataset.input_kind) + " inputs of " +
                                std::to_string(dataset.input_shape.size()) +
                                ": pick a dataset of that kind, or a model for " +
                                InputKindName(dataset.input_kind) + " inputs");
  }
  for (std::int64_t size : dataset.input_shape) {
    if (size < 1) {
      std::string shape;
      for (std::int64_t each : dataset.input_shape) {
        shape += (shape.empty() ? "" : "x") + std::to_string(each);
      }
      throw std::invalid_argument(model + ": " + name + " has an empty input dimension (shape " +
                                  shape + " per sample)");
    }
  }
  if (dataset.task != task) {
    throw std::invalid_argument(
        task == TaskKind::kRegression
            ? model + " is a regressor: " + name + " is a classification task; use a classifier"
            : model + " is a classifier: " + name + " is a regression task; use a regressor");
  }
  if (task == TaskKind::kClassification && dataset.num_classes < 2) {
    throw std::invalid_argument(model + " is a classifier: " + name + " needs 2 or more classes");
  }
  if (task == TaskKind::kRegression && dataset.target_size < 1) {
    throw std::invalid_argument(model + ": " + name + " needs 1 or more regression targets");
  }
  if (input == InputKind::kTokens && (dataset.vocab_size < 1 || dataset.pad_token_id < 0 ||
                                      dataset.pad_token_id >= dataset.vocab_size)) {
    throw std::invalid_argument(model + ": " + name + " has vocab_size " +
                                std::to_string(dataset.vocab_size) + " and pad_token_id " +
                                std::to_string(dataset.pad_token_id) +
                                "; the pad id must be a token of the vocabulary");
  }
}

}  // namespace carbonbench
