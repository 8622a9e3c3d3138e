// Model plugins: a factory that builds a fresh network for a dataset, and a
// description of that network's structure so optimizations need no
// model-specific code.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "carbonbench/dataset_spec.h"
#include "carbonbench/declarations.h"
#include "carbonbench/params.h"
#include "carbonbench/plugin.h"

namespace carbonbench {

// A layer whose output channels may be removed, and the layers whose inputs
// must shrink with it (structured pruning follows these edges).
struct PrunableLayer {
  std::string name;  // as in named_modules()
  std::vector<std::string> dependents;
  // Layers whose outputs go with this one's, entry for entry (an attention
  // head's key and value beside its query); their norms add to the ranking.
  std::vector<std::string> coupled;
  // Outputs are kept or removed in groups of this many (an attention head's
  // dimensions); 1: one channel at a time.
  std::int64_t group_size = 1;
};

struct ModelStructure {
  InputKind input_kind = InputKind::kImage;
  std::vector<std::string> repeated_blocks;  // candidates for checkpointing
  std::vector<PrunableLayer> prunable_layers;
};

// What executes a network, for reports that compare one architecture across
// runtimes. Empty fields mean the host's default: the model's own C++
// modules, named by the model.
struct NetworkRuntime {
  std::string runtime;       // "TorchScript"
  std::string architecture;  // "resnet18", as the exported file declares it
};

// The root module every model builds. Children are registered the usual way
// (register_module); the host only needs forward() and structure().
class Network : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor input) = 0;
  virtual ModelStructure structure() const = 0;
  virtual NetworkRuntime runtime() const { return {}; }

  using Block = std::function<torch::Tensor(torch::Tensor)>;
  using BlockRunner =
      std::function<torch::Tensor(const std::string& name, const Block& block, torch::Tensor)>;

  // Models run each block structure() declares as repeated through this, by
  // its declared name, so an optimization (checkpointing) can run it its own
  // way. `block` must capture by value: it may run again during backward.
  torch::Tensor RunBlock(const std::string& name, const Block& block, torch::Tensor input) const {
    return block_runner ? block_runner(name, block, std::move(input)) : block(std::move(input));
  }

  // Set by an optimization; empty runs every block as it is.
  BlockRunner block_runner;
};

class Model : public Plugin {
 public:
  virtual std::shared_ptr<Network> Build(const DatasetSpec& dataset,
                                         const Params& params) const = 0;
  // Whether suites that name no model train this one (one installed model
  // says so; the first loaded wins).
  virtual bool DefaultModel() const { return false; }
  // Where its token vocabulary comes from, if it brings one.
  virtual VocabularySource Vocabulary() const { return {}; }
  // Features it can never declare (a model loaded from a file has no
  // structure in code), so suites that pair it with an optimization needing
  // one are refused before any cell runs.
  virtual std::vector<MissingFeature> MissingFeatures() const { return {}; }
};

}  // namespace carbonbench
