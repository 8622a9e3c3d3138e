#include "pipeline/dataset.h"

#include <filesystem>
#include <stdexcept>

#include <torch/torch.h>

#include "data/idx.h"
#include "util/text.h"

namespace carbonbench {
namespace {

struct IdxDatasetInfo {
  const char* name;
  const char* default_dir;
  float mean;  // of the training pixels in [0, 1], for normalisation
  float stddev;
  std::vector<std::string> class_names;
};

const std::vector<IdxDatasetInfo>& IdxDatasets() {
  static const std::vector<IdxDatasetInfo> datasets = {
      {"fashion_mnist", "/usr/share/datasets/fashion-mnist", 0.2860f, 0.3530f,
       {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
        "Bag", "Ankle boot"}},
      {"mnist", "/usr/share/datasets/mnist", 0.1307f, 0.3081f,
       {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
  };
  return datasets;
}

// A seeded random subset (all rows, shuffled, when size is 0 or too large).
std::pair<torch::Tensor, torch::Tensor> Subset(torch::Tensor inputs, torch::Tensor targets,
                                               std::int64_t size, std::int64_t seed) {
  const std::int64_t count = inputs.size(0);
  if (size <= 0 || size >= count) return {inputs, targets};
  auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
  torch::Tensor order = torch::randperm(count, generator, torch::kLong).slice(0, 0, size);
  return {inputs.index_select(0, order), targets.index_select(0, order)};
}

std::pair<torch::Tensor, torch::Tensor> ToTensors(const IdxSplit& split, float mean,
                                                  float stddev) {
  const auto& dims = split.images.dims;
  torch::Tensor pixels =
      torch::from_blob(const_cast<std::uint8_t*>(split.images.data.data()),
                       {dims[0], 1, dims[1], dims[2]}, torch::kUInt8)
          .to(torch::kFloat32)
          .div_(255.0f)
          .sub_(mean)
          .div_(stddev);
  torch::Tensor labels =
      torch::from_blob(const_cast<std::uint8_t*>(split.labels.data()),
                       {static_cast<std::int64_t>(split.labels.size())}, torch::kUInt8)
          .to(torch::kLong);
  return {pixels, labels};
}

}  // namespace

const std::vector<std::string>& KnownDatasets() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& info : IdxDatasets()) out.push_back(info.name);
    return out;
  }();
  return names;
}

TensorDataset LoadDataset(const DatasetRequest& request) {
  const IdxDatasetInfo* info = nullptr;
  for (const auto& candidate : IdxDatasets()) {
    if (request.name == candidate.name) info = &candidate;
  }
  if (info == nullptr) {
    throw std::runtime_error("unknown dataset '" + request.name + "'" +
                             DidYouMean(request.name, KnownDatasets()) +
                             " (known: " + JoinStrings(KnownDatasets(), ", ") + ")");
  }
  const std::string dir = request.path.empty() ? info->default_dir : request.path;
  const int num_classes = static_cast<int>(info->class_names.size());
  const IdxSplit train = ReadIdxSplit(dir, /*train=*/true, num_classes);
  const IdxSplit test = ReadIdxSplit(dir, /*train=*/false, num_classes);

  TensorDataset dataset;
  dataset.source = dir;
  dataset.spec.name = request.name;
  dataset.spec.input_shape = {1, train.images.dims[1], train.images.dims[2]};
  dataset.spec.input_kind = InputKind::kImage;
  dataset.spec.task = TaskKind::kClassification;
  dataset.spec.num_classes = num_classes;
  dataset.spec.class_names = info->class_names;

  auto [train_inputs, train_targets] = ToTensors(train, info->mean, info->stddev);
  auto [test_inputs, test_targets] = ToTensors(test, info->mean, info->stddev);
  std::tie(dataset.train_inputs, dataset.train_targets) =
      Subset(train_inputs, train_targets, request.train_size, request.seed);
  // A different stream for the test subset, so the two are independent.
  std::tie(dataset.test_inputs, dataset.test_targets) =
      Subset(test_inputs, test_targets, request.test_size, request.seed + 1);
  return dataset;
}

}  // namespace carbonbench
