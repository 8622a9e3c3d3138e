// The baseline every series model should beat: one linear map from the whole
// input window to the targets (an autoregressive model fitted by SGD).
#include <stdexcept>

#include <fmt/format.h>
#include <torch/nn/modules/linear.h>

#include "carbonbench/network_model.h"
#include "carbonbench/sdk.h"

namespace carbonbench::models {

class LinearImpl : public Network {
 public:
  LinearImpl(const DatasetSpec& dataset, const Params& params) {
    RequireDataset("linear", dataset, InputKind::kSeries, 2, TaskKind::kRegression);
    fc = register_module(
        "fc",
        QuantizableLinear(torch::nn::LinearOptions(dataset.input_shape[0] * dataset.input_shape[1],
                                                   dataset.target_size)
                              .bias(params.GetBool("bias"))));
  }

  torch::Tensor forward(torch::Tensor x) override { return fc->forward(x.flatten(1)); }

  ModelStructure structure() const override {
    ModelStructure structure;
    structure.input_kind = InputKind::kSeries;
    return structure;  // one layer: nothing repeats, and its outputs are the targets
  }

  QuantizableLinear fc{nullptr};
};

class LinearModel : public NetworkModel<LinearImpl> {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {BoolParam("bias", true, "learn an intercept per target")};
  }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(carbonbench::models::LinearModel, "linear", "1.0.0",
                           "One linear layer from the flattened input window to the targets "
                           "(series regression baseline)")
