#include "carbonbench/dataset_spec.h"

#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench {

void RequireDataset(const std::string& model, const DatasetSpec& dataset, InputKind input,
                    std::size_t input_rank, TaskKind task, const std::string& dimensions) {
  const std::string name = "dataset '" + dataset.name + "'";
  if (dataset.input_kind != input || dataset.input_shape.size() != input_rank) {
    const std::string wanted =
        dimensions.empty()
            ? "of " + std::to_string(input_rank) + " dimensions"
            : "shaped " + dimensions + " (" + std::to_string(input_rank) + " dimensions)";
    throw std::invalid_argument(
        fmt::format("{} needs {} inputs {} per sample; {} has {} inputs of {}: pick a dataset of "
                    "that kind, or a model for {} inputs",
                    model, InputKindName(input), wanted, name, InputKindName(dataset.input_kind),
                    dataset.input_shape.size(), InputKindName(dataset.input_kind)));
  }
  for (std::int64_t size : dataset.input_shape) {
    if (size < 1) {
      std::string shape;
      for (std::int64_t each : dataset.input_shape) {
        shape += (shape.empty() ? "" : "x") + std::to_string(each);
      }
      throw std::invalid_argument(fmt::format(
          "{}: {} has an empty input dimension (shape {} per sample)", model, name, shape));
    }
  }
  if (dataset.task != task) {
    throw std::invalid_argument(
        task == TaskKind::kRegression
            ? fmt::format("{} is a regressor: {} is a classification task; use a classifier", model,
                          name)
            : fmt::format("{} is a classifier: {} is a regression task; use a regressor", model,
                          name));
  }
  if (task == TaskKind::kClassification && dataset.num_classes < 2) {
    throw std::invalid_argument(
        fmt::format("{} is a classifier: {} needs 2 or more classes", model, name));
  }
  if (task == TaskKind::kRegression && dataset.target_size < 1) {
    throw std::invalid_argument(
        fmt::format("{}: {} needs 1 or more regression targets", model, name));
  }
  if (input == InputKind::kTokens && (dataset.vocab_size < 1 || dataset.pad_token_id < 0 ||
                                      dataset.pad_token_id >= dataset.vocab_size)) {
    throw std::invalid_argument(
        fmt::format("{}: {} has vocab_size {} and pad_token_id {}; the pad id must be a token of "
                    "the vocabulary",
                    model, name, dataset.vocab_size, dataset.pad_token_id));
  }
}

}  // namespace carbonbench
