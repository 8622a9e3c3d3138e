#include "training/evaluate.h"

#include <algorithm>
#include <cmath>

#include <torch/types.h>
#include <torch/utils.h>

#include "carbonbench/model.h"
#include "carbonbench/optimization.h"
#include "pipeline/dataset.h"
#include "training/forward_scopes.h"
#include "training/memory_layout.h"

namespace carbonbench {

torch::Tensor Loss(const DatasetSpec& spec, const torch::Tensor& outputs,
                   const torch::Tensor& targets, at::Reduction::Reduction reduction,
                   double label_smoothing) {
  if (spec.task == TaskKind::kRegression) {
    return torch::mse_loss(outputs.reshape(targets.sizes()), targets, reduction);
  }
  return torch::cross_entropy_loss(outputs, targets, {}, reduction, -100, label_smoothing);
}

Evaluation Evaluate(Network& network, const TensorDataset& data,
                    const std::vector<std::shared_ptr<Optimization>>& optimizations,
                    TrainingContext& ctx, const EvaluationSettings& settings) {
  torch::NoGradGuard no_grad;
  network.eval();
  const std::int64_t count = data.test_inputs.size(0);
  const bool regression = data.spec.task == TaskKind::kRegression;
  torch::Tensor loss_sum = torch::zeros({}, torch::kFloat64);
  const std::int64_t classes = regression ? 0 : data.spec.num_classes;
  torch::Tensor confusion = torch::zeros({classes * classes}, torch::kLong);
  torch::Tensor squared_error_sum = torch::zeros({}, torch::kFloat64);
  torch::Tensor absolute_error_sum = torch::zeros({}, torch::kFloat64);
  for (std::int64_t begin = 0; begin < count; begin += settings.batch_size) {
    const std::int64_t end = std::min(count, begin + settings.batch_size);
    torch::Tensor inputs =
        InLayout(data.test_inputs.slice(0, begin, end).to(ctx.device), settings.channels_last);
    torch::Tensor targets = data.test_targets.slice(0, begin, end).to(ctx.device);
    torch::Tensor outputs;
    {
      ForwardScopes scopes(optimizations, ctx);
      outputs = network.forward(inputs);
    }
    outputs = outputs.to(torch::kFloat32);
    loss_sum +=
        Loss(data.spec, outputs, targets, at::Reduction::Sum).to(torch::kCPU, torch::kFloat64);
    if (regression) {
      // Errors in the target's own units (e.g. ppm), not standardised ones.
      torch::Tensor error =
          (outputs.reshape(targets.sizes()) - targets).to(torch::kFloat64) * data.target_stddev;
      squared_error_sum += error.square().sum().to(torch::kCPU);
      absolute_error_sum += error.abs().sum().to(torch::kCPU);
    } else {
      // One bincount per batch: the pair (true, predicted) as one index.
      const torch::Tensor pairs = targets.to(torch::kLong) * classes + outputs.argmax(1);
      confusion += torch::bincount(pairs.to(torch::kCPU), {}, classes * classes);
    }
  }
  Evaluation result;
  const auto n = static_cast<double>(count);
  const double values = n * static_cast<double>(regression ? data.spec.target_size : 1);
  result.loss = loss_sum.item<double>() / values;
  if (regression) {
    result.rmse = std::sqrt(squared_error_sum.item<double>() / values);
    result.mae = absolute_error_sum.item<double>() / values;
  } else {
    const torch::Tensor counts = confusion.contiguous();
    result.confusion.assign(counts.data_ptr<std::int64_t>(),
                            counts.data_ptr<std::int64_t>() + counts.numel());
    std::int64_t correct = 0;
    for (std::int64_t c = 0; c < classes; ++c) correct += result.confusion[c * classes + c];
    result.accuracy = static_cast<double>(correct) / n;
  }
  return result;
}

}  // namespace carbonbench
