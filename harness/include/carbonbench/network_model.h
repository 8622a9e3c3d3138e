// The model plugin most models are: one network class, constructed from the
// dataset and the model's parameters.
#pragma once

#include <memory>

#include "carbonbench/model.h"

namespace carbonbench {

// Builds a `NetworkType`, whose constructor takes (const DatasetSpec&,
// const Params&). Derive from it and add the static Parameters().
template <class NetworkType>
class NetworkModel : public Model {
 public:
  std::shared_ptr<Network> Build(const DatasetSpec& dataset, const Params& params) const override {
    return std::make_shared<NetworkType>(dataset, params);
  }
};

}  // namespace carbonbench
