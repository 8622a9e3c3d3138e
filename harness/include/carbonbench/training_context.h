// What the harness's training loop shares with optimization hooks.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include "carbonbench/dataset_spec.h"
#include "carbonbench/model.h"

namespace carbonbench {

// What evaluation on the test set found (TrainingContext::evaluate).
struct EvalFigures {
  double test_loss = 0;
  double test_accuracy = 0;  // fraction in [0, 1]; classifiers
  double test_rmse = 0;      // regressors, in the target's units
};

struct TrainingContext {
  torch::Device device = torch::kCPU;
  const DatasetSpec* dataset = nullptr;
  std::shared_ptr<Network> network;
  torch::optim::Optimizer* optimizer = nullptr;
  int epoch = 0;  // 1-based while training
  int planned_epochs = 0;
  // The arithmetic the forward pass runs in; an optimization that changes it
  // says so here (in OnModelBuilt) so every result records it.
  std::string compute_dtype = "fp32";
  // Records a warning that is printed and stored with the run.
  std::function<void(const std::string&)> warn;
  // Starts a phase ("prune", "finetune", ...): its energy, CO2 and peak
  // memory are stored apart from training's. The trainer marks its own.
  std::function<void(const std::string& phase)> mark_phase;
  // Stores a figure the optimization measured with the run, under a key
  // that names the optimization and unit ("pruning.params_after").
  std::function<void(const std::string& key, double value)> record;
  // Evaluates the network on the test set as each epoch does.
  std::function<EvalFigures()> evaluate;
  // Set by an optimization that changed the network after the last epoch
  // (e.g. quantized it): the trainer evaluates it again for the final figures.
  bool network_changed = false;
};

struct EpochMetrics {
  int epoch = 0;
  double train_loss = 0;
  double test_loss = 0;
  double test_accuracy = 0;  // fraction in [0, 1]; classifiers
  double test_rmse = 0;      // regressors, in the target's units
  double elapsed_s = 0;      // since training began, eval included
  double energy_wh = 0;      // cumulative, all components
  double co2_g = 0;          // cumulative
};

struct EpochDecision {
  bool stop = false;
  std::string reason;  // shown and stored when stop is true
};

}  // namespace carbonbench
