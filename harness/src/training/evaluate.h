// Evaluation on a dataset's test split: the one path training's epochs, a
// saved model's `carbonbench infer` and the runner's figures all go through,
// so a model scores the same wherever it is scored.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Reduction.h>
#include <torch/types.h>

namespace carbonbench {

class Network;
class Optimization;
struct DatasetSpec;
struct TensorDataset;
struct TrainingContext;

struct Evaluation {
  double loss = 0;
  double accuracy = 0;  // classification, a fraction
  double rmse = 0;      // regression, in the target's units
  double mae = 0;
  // Classification: counts by true class (row) and predicted class
  // (column), flattened row by row.
  std::vector<std::int64_t> confusion;
};

struct EvaluationSettings {
  // Training's batch size unless a suite sets eval_batch_size: on CPU,
  // batches far larger than training's run slower per sample, not faster.
  // At 1,024, ResNet-18 ran 2.4x and MobileNetV2 20x slower per sample than
  // at 64 (activations past the cache and the allocator's thresholds).
  std::int64_t batch_size = 64;
  // Conv weights and 4-D batches in channels-last (training/memory_layout.h).
  bool channels_last = true;
};

// The network in eval mode, without gradients, each forward pass inside the
// optimizations' forward scopes (e.g. bf16 autocast), as in training. The
// network stays in eval mode.
Evaluation Evaluate(Network& network, const TensorDataset& data,
                    const std::vector<std::shared_ptr<Optimization>>& optimizations,
                    TrainingContext& ctx, const EvaluationSettings& settings);

// The loss training minimises and evaluation reports: cross-entropy on
// logits for classifiers, the mean squared error on standardised targets for
// regressors. Label smoothing shapes training only: evaluation passes 0, so
// test losses stay comparable between cells.
torch::Tensor Loss(const DatasetSpec& spec, const torch::Tensor& outputs,
                   const torch::Tensor& targets,
                   at::Reduction::Reduction reduction = at::Reduction::Mean,
                   double label_smoothing = 0);

}  // namespace carbonbench
