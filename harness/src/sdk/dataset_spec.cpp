#include "carbonbench/dataset_spec.h"

#include <stdexcept>

namespace carbonbench {

void RequireDataset(const std::string& model, const DatasetSpec& dataset, InputKind input,
                    std::size_t input_rank, TaskKind task) {
  const std::string name = "dataset '" + dataset.name + "'";
  if (dataset.input_kind != input || dataset.input_shape.size() != input_rank) {
    throw std::invalid_argument(
        model + " needs " + InputKindName(input) + " inputs of " + std::to_string(input_rank) +
        " dimensions per sample; " + name + " has " + InputKindName(dataset.input_kind) +
        " inputs of " + std::to_string(dataset.input_shape.size()) +
        ": pick a dataset of that kind, or a model for " + InputKindName(dataset.input_kind) +
        " inputs");
  }
  for (std::int64_t size : dataset.input_shape) {
    if (size < 1) throw std::invalid_argument(model + ": " + name + " has an empty input dimension");
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
}

}  // namespace carbonbench
