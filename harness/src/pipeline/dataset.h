// In-memory datasets as tensors, ready for the training loop. Loading and
// normalising happen once, so each batch is a single index_select.
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "carbonbench/dataset_spec.h"
#include "pipeline/batch_loader.h"

namespace carbonbench {

// Which data, and how to prepare it. Settings that do not apply to the
// named dataset's kind are ignored.
struct DatasetRequest {
  std::string name = "fashion_mnist";  // see KnownDatasets()
  std::string path;                    // folder or file; "" = the standard place
  std::int64_t train_size = 0;         // 0 = all
  std::int64_t test_size = 0;          // 0 = all
  std::int64_t seed = 42;              // picks the subsets and splits
  double test_fraction = 0.2;          // where the data has no test split
  // Images.
  bool augment = false;  // random crop + horizontal flip on training batches
  std::int64_t crop_padding_px = 4;
  bool normalize = true;  // per-channel standardisation
  // Text.
  std::int64_t max_length = 128;   // tokens per sample, [CLS] and [SEP] included
  std::string vocab_path;          // a vocab.txt; "" = build one from the training split
  std::int64_t vocab_size = 8000;  // the most a built vocabulary holds
  std::string categories;          // fortunes: comma-separated category files
  // Time series.
  std::int64_t window = 52;
  std::int64_t horizon = 1;
  std::string value_column;  // "" = the second column
};

struct TensorDataset {
  DatasetSpec spec;
  std::string source;  // the folder it was read from
  torch::Tensor train_inputs, train_targets;
  torch::Tensor test_inputs, test_targets;
  // Regression targets are stored standardised; errors are reported in the
  // original units by undoing it.
  double target_mean = 0;
  double target_stddev = 1;
  // Image inputs: the per-channel mean and standard deviation of pixels in
  // [0, 1] they were standardised with (empty when they were not), so a
  // new image is prepared as the training images were.
  std::vector<float> pixel_mean;
  std::vector<float> pixel_stddev;
  ImageAugmentation augmentation;  // applied to training batches
  std::vector<std::string> notes;  // facts a user should see (missing values filled, ...)
  // Token inputs: the WordPiece vocabulary the texts were encoded with, one
  // token per id (saved with a trained model when it was built here).
  std::vector<std::string> vocabulary;
  bool vocabulary_built = false;
};

// The dataset names LoadDataset knows.
const std::vector<std::string>& KnownDatasets();

// Throws std::runtime_error saying where it looked and how to get the data.
TensorDataset LoadDataset(const DatasetRequest& request);

// The spec LoadDataset would give, without reading the data where the format
// fixes it (a token dataset's vocabulary size is read from vocab_path when
// set, else it is the most a built one may hold). For `describe`.
DatasetSpec NominalDatasetSpec(const DatasetRequest& request);

}  // namespace carbonbench
