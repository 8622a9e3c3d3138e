// The training loop the harness owns: seeded, deterministic for a seed and a
// thread count on CPU, with optimization hooks at the points DESIGN.md names.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "carbonbench/model.h"
#include "carbonbench/optimization.h"
#include "pipeline/dataset.h"
#include "records/run_records.h"
#include "training/learning_rate.h"

namespace carbonbench {

struct TrainingSettings {
  int epochs = 5;
  std::int64_t batch_size = 64;
  // The runner uses the training batch size unless a suite sets
  // eval_batch_size (why: training/evaluate.h).
  std::int64_t eval_batch_size = 64;
  double lr = 1e-3;
  std::string optimizer = "adam";  // sgd | adam | adamw
  double momentum = 0.9;           // sgd only
  double weight_decay = 0;
  bool nesterov = false;               // sgd with momentum only
  LearningRateSchedule schedule;       // its base_lr is taken from `lr`
  double label_smoothing = 0;          // classifiers only
  std::int64_t grad_accumulation = 1;  // batches per optimizer step
  std::int64_t seed = 42;              // shuffling (the runner seeds the weights)
  std::string device = "cpu";          // resolved: cpu | cuda
  // Conv weights and 4-D batches in channels-last (training/memory_layout.h).
  bool channels_last = true;
};

// How the loop reports to the runner (energy, store, progress).
struct TrainingObserver {
  std::function<void(const std::string& phase)> mark_phase;
  std::function<double()> energy_wh;  // cumulative, all phases
  std::function<void(const EpochRecord&)> on_epoch;
  std::function<void(const std::string&)> warn;
  std::function<double()> co2_g;  // cumulative, all phases
  // A figure an optimization measured (TrainingContext::record).
  std::function<void(const std::string& key, double value)> record;
  // Asked after each planned epoch that no stopping rule ended: a search's
  // pruner. Stopping here ends the training at once, with no optimize
  // phase or fine-tuning (TrainingOutcome::pruned).
  std::function<EpochDecision(const EpochMetrics&)> prune;
};

struct TrainingOutcome {
  int epochs_run = 0;
  double best_accuracy = 0;   // fraction
  double final_accuracy = 0;  // fraction
  double best_rmse = 0;       // regression, target units
  double final_rmse = 0;
  double final_mae = 0;
  // Classifiers: the last epoch's test predictions by true class (row) and
  // predicted class (column), num_classes x num_classes flattened.
  std::vector<std::int64_t> final_confusion;
  std::string stop_reason;
  std::string compute_dtype;  // as the optimizations left TrainingContext
  NetworkRuntime runtime;     // as the network declares it
  int finetune_epochs = 0;    // of epochs_run, those after the planned ones
  bool pruned = false;        // TrainingObserver::prune stopped it
};

// Trains `network` in place. Throws std::runtime_error when the loss stops
// being finite (diverged), naming the epoch.
// Batches of `batch_size` that cover `samples` once, the last one short:
// what an epoch runs, and what a probe scales from.
std::int64_t BatchCount(std::int64_t samples, std::int64_t batch_size);

TrainingOutcome Train(const std::shared_ptr<Network>& network, const TensorDataset& data,
                      const std::vector<std::shared_ptr<Optimization>>& optimizations,
                      const TrainingSettings& settings, const TrainingObserver& observer);

// Saves the weights (and buffers) as a TorchScript-free .pt archive.
void SaveNetwork(const std::shared_ptr<Network>& network, const std::string& path);

}  // namespace carbonbench
