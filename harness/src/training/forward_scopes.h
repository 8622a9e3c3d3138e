// Every optimization's forward scope (e.g. autocast) for one forward pass,
// left in reverse order: training, evaluation and the inference phase all
// run their forward passes inside one.
#pragma once

#include <memory>
#include <vector>

#include "carbonbench/optimization.h"

namespace carbonbench {

class ForwardScopes {
 public:
  ForwardScopes(const std::vector<std::shared_ptr<Optimization>>& optimizations,
                TrainingContext& ctx) {
    for (const auto& optimization : optimizations) {
      if (auto scope = optimization->EnterForward(ctx)) scopes_.push_back(std::move(scope));
    }
  }
  ~ForwardScopes() {
    while (!scopes_.empty()) scopes_.pop_back();
  }
  ForwardScopes(const ForwardScopes&) = delete;
  ForwardScopes& operator=(const ForwardScopes&) = delete;

 private:
  std::vector<std::unique_ptr<ForwardScope>> scopes_;
};

}  // namespace carbonbench
