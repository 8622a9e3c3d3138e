// Optimization plugins hook into the training loop the harness owns. Hooks
// run in ascending Order(); every hook has a do-nothing default.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "carbonbench/declarations.h"
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

// Epochs to train after OnTrainingEnd, as their own "finetune" phase (e.g.
// after pruning), and their learning rate as a fraction of the base one: a
// network just pruned, with its optimizer's moments cleared, is thrown off
// what it learned by steps as large as training's first ones.
struct FineTuning {
  int epochs = 0;
  double lr_scale = 1.0;
};

class Optimization : public Plugin {
 public:
  // Called once per run with the resolved parameters, before any hook.
  virtual void Configure(const Params& params) { (void)params; }
  // Lower runs first: e.g. precision (10) before stopping rules (90).
  virtual int Order() const { return 50; }
  // Names of optimizations this one cannot be combined with.
  virtual std::vector<std::string> ConflictsWith() const { return {}; }
  // Why this optimization cannot run with this build or machine (e.g. the
  // torch build lacks its kernels); empty when it can. Suites that use it
  // are refused at validation with this reason.
  virtual std::string UnavailableReason() const { return ""; }
  // What its parameters mean to the host (targets, budgets, flags).
  virtual OptimizationDeclaration Declaration() const { return {}; }

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
  virtual EpochDecision OnEpochEnd(TrainingContext& ctx, const EpochMetrics& metrics) {
    (void)ctx;
    (void)metrics;
    return {};
  }
  // After the last training epoch (planned, or stopped early).
  virtual void OnTrainingEnd(TrainingContext& ctx) { (void)ctx; }

  // Fine-tuning after OnTrainingEnd; stopping rules do not end it.
  virtual FineTuning FineTuningAfterTraining() const { return {}; }

  // After fine-tuning: the network is final (e.g. quantize it). Set
  // ctx.network_changed when it changes, so the final figures are measured
  // on it.
  virtual void OnFinalNetwork(TrainingContext& ctx) { (void)ctx; }

  // The network as the inference phase serves it: rebuilt from the saved
  // weights (shapes as trained). Re-apply what the weights alone do not
  // carry, e.g. int8 quantization.
  virtual void PrepareForInference(Network& network, const torch::Device& device) {
    (void)network;
    (void)device;
  }
};

}  // namespace carbonbench
