// Optimization plugins hook into the training loop the harness owns. Hooks
// run in ascending Order(); every hook has a do-nothing default.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "carbonbench/params.h"
#include "carbonbench/plugin.h"
#include "carbonbench/training_context.h"

namespace carbonbench {

// Held for the duration of one forward pass (training and evaluation);
// destroying it leaves the scope (e.g. turns autocast off again).
class ForwardScope {
 public:
  virtual ~ForwardScope() = default;
};

class Optimization : public Plugin {
 public:
  // Called once per run with the resolved parameters, before any hook.
  virtual void Configure(const Params& params) { (void)params; }
  // Lower runs first: e.g. precision (10) before stopping rules (90).
  virtual int Order() const { return 50; }
  // Names of optimizations this one cannot be combined with.
  virtual std::vector<std::string> ConflictsWith() const { return {}; }

  virtual void OnModelBuilt(TrainingContext& ctx) { (void)ctx; }
  virtual std::unique_ptr<ForwardScope> EnterForward(TrainingContext& ctx) {
    (void)ctx;
    return nullptr;
  }
  virtual torch::Tensor ScaleLoss(TrainingContext& ctx, torch::Tensor loss) {
    (void)ctx;
    return loss;
  }
  // After backward, before the step. Return false to skip this step (e.g.
  // gradients overflowed under loss scaling).
  virtual bool BeforeOptimizerStep(TrainingContext& ctx) {
    (void)ctx;
    return true;
  }
  virtual void AfterOptimizerStep(TrainingContext& ctx) { (void)ctx; }
  virtual EpochDecision OnEpochEnd(TrainingContext& ctx,
                                   const EpochMetrics& metrics) {
    (void)ctx;
    (void)metrics;
    return {};
  }
  virtual void OnTrainingEnd(TrainingContext& ctx) { (void)ctx; }
};

}  // namespace carbonbench
