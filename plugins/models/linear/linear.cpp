// The baseline every series model should beat: one linear map from the whole
// input window to the targets (an autoregressive model fitted by SGD).
#include <fmt/format.h>
#include <torch/nn/modules/linear.h>

#include <stdexcept>

#include "carbonbench/sdk.h"

namespace carbonbench::models {
namespace detail {
namespace {

// Refuses anything but windowed series
// regression, naming what the dataset is instead.
void CheckSeriesRegression(const char* model, const DatasetSpec& dataset) {
  if (dataset.input_kind != InputKind::kSeries || dataset.input_shape.size() != 2) {
    throw std::invalid_argument(fmt::format(
        "{} needs series inputs shaped {{channels, window}}; dataset '{}' has {} inputs: pick a "
        "series dataset or a model for {} inputs",
        model, dataset.name, InputKindName(dataset.input_kind), InputKindName(dataset.input_kind)));
  }
  if (dataset.task != TaskKind::kRegression) {
    throw std::invalid_argument(fmt::format(
        "{} is a regressor: dataset '{}' is a classification task; use a classifier model", model,
        dataset.name));
  }
  if (dataset.input_shape[0] < 1 || dataset.input_shape[1] < 1 || dataset.target_size < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: dataset '{}' has {} channels, a window of {} and {} targets; all must be 1 or more",
        model, dataset.name, dataset.input_shape[0], dataset.input_shape[1], dataset.target_size));
  }
}

}  // namespace
}  // namespace detail

class LinearImpl : public Network {
 public:
  LinearImpl(const DatasetSpec& dataset, const Params& params) {
    detail::CheckSeriesRegression("linear", dataset);
    fc = register_module(
        "fc",
        torch::nn::Linear(torch::nn::LinearOptions(dataset.input_shape[0] * dataset.input_shape[1],
                                                   dataset.target_size)
                              .bias(params.GetBool("bias"))));
  }

  torch::Tensor forward(torch::Tensor x) override { return fc->forward(x.flatten(1)); }

  ModelStructure structure() const override {
    ModelStructure structure;
    structure.input_kind = InputKind::kSeries;
    return structure;  // one layer: nothing repeats, and its outputs are the targets
  }

  torch::nn::Linear fc{nullptr};
};

class LinearModel : public Model {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {BoolParam("bias", true, "learn an intercept per target")};
  }

  std::shared_ptr<Network> Build(const DatasetSpec& dataset, const Params& params) const override {
    return std::make_shared<LinearImpl>(dataset, params);
  }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(carbonbench::models::LinearModel, "linear", "1.0.0",
                           "One linear layer from the flattened input window to the targets "
                           "(series regression baseline)")
