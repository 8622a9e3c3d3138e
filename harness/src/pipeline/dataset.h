// In-memory datasets as tensors, ready for the training loop. Loading and
// normalising happen once, so each batch is a single index_select.
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "carbonbench/dataset_spec.h"

namespace carbonbench {

struct DatasetRequest {
  std::string name = "fashion_mnist";  // fashion_mnist | mnist
  std::string path;                    // "" = the standard place
  std::int64_t train_size = 0;         // 0 = all
  std::int64_t test_size = 0;          // 0 = all
  std::int64_t seed = 42;              // picks the subsets
};

struct TensorDataset {
  DatasetSpec spec;
  std::string source;  // the folder it was read from
  torch::Tensor train_inputs, train_targets;
  torch::Tensor test_inputs, test_targets;
};

// The dataset names LoadDataset knows.
const std::vector<std::string>& KnownDatasets();

// Throws std::runtime_error saying where it looked and how to get the data.
TensorDataset LoadDataset(const DatasetRequest& request);

}  // namespace carbonbench
