// An out-of-tree model plugin: a two-layer perceptron.
#include <torch/nn/modules/linear.h>

#include "carbonbench/sdk.h"

class TinyMlpImpl : public carbonbench::Network {
 public:
  TinyMlpImpl(const carbonbench::DatasetSpec& data, const carbonbench::Params& params) {
    int64_t inputs = 1;
    for (int64_t dim : data.input_shape) inputs *= dim;
    fc1 = register_module("fc1", torch::nn::Linear(inputs, params.GetInt("width")));
    fc2 = register_module("fc2", torch::nn::Linear(params.GetInt("width"), data.num_classes));
  }

  torch::Tensor forward(torch::Tensor x) override {
    return fc2->forward(torch::relu(fc1->forward(x.flatten(1))));
  }

  carbonbench::ModelStructure structure() const override {
    carbonbench::ModelStructure structure;
    structure.prunable_layers = {{"fc1", {"fc2"}}};
    return structure;
  }

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};

class TinyMlp : public carbonbench::Model {
 public:
  static std::vector<carbonbench::ParamSpec> Parameters() {
    return {carbonbench::IntParam("width", 64, "hidden width", 1, 4096)};
  }
  std::shared_ptr<carbonbench::Network> Build(const carbonbench::DatasetSpec& data,
                                              const carbonbench::Params& params) const override {
    return std::make_shared<TinyMlpImpl>(data, params);
  }
};

CARBONBENCH_REGISTER_MODEL(TinyMlp, "tiny_mlp", "0.1.0", "an out-of-tree two-layer perceptron")
