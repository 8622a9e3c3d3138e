// Model plugins: a factory that builds a fresh network for a dataset, and a
// description of that network's structure so optimizations need no
// model-specific code.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "carbonbench/dataset_spec.h"
#include "carbonbench/params.h"
#include "carbonbench/plugin.h"

namespace carbonbench {

// A layer whose output channels may be removed, and the layers whose inputs
// must shrink with it (structured pruning follows these edges).
struct PrunableLayer {
  std::string name;  // as in named_modules()
  std::vector<std::string> dependents;
};

struct ModelStructure {
  InputKind input_kind = InputKind::kImage;
  std::vector<std::string> repeated_blocks;  // candidates for checkpointing
  std::vector<PrunableLayer> prunable_layers;
};

// The root module every model builds. Children are registered the usual way
// (register_module); the host only needs forward() and structure().
class Network : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor input) = 0;
  virtual ModelStructure structure() const = 0;
};

class Model : public Plugin {
 public:
  virtual std::shared_ptr<Network> Build(const DatasetSpec& dataset,
                                         const Params& params) const = 0;
};

}  // namespace carbonbench
