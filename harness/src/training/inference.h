// The inference phase: how fast and how costly the trained model serves
// predictions. Measured as Google Benchmark measures: warm-up iterations,
// then timed iterations until both a minimum time and a minimum count are
// reached, each iteration one batch; latency percentiles over iterations.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "carbonbench/model.h"
#include "carbonbench/optimization.h"
#include "records/run_records.h"

namespace carbonbench {

struct InferenceSettings {
  std::vector<std::int64_t> batch_sizes = {1, 64};
  int warmup_iterations = 3;
  double min_time_s = 0.5;
  int min_iterations = 10;
  std::string device = "cpu";
  // Conv weights and 4-D batches in channels-last (training/memory_layout.h).
  bool channels_last = true;
  // Their forward scopes are held around each forward pass, as in training
  // (e.g. bf16 autocast for a mixed-precision cell).
  std::vector<std::shared_ptr<Optimization>> optimizations;
};

// Cumulative readings of the run's sampler (each call takes a reading).
struct InferenceEnergy {
  std::function<double()> energy_wh;
  std::function<double()> co2_g;
  std::string provenance;
  std::function<double()> band_wh;  // ± Wh of energy_wh() so far; unset: none known
};

// The p-th percentile (0..100) by linear interpolation between the closest
// ranks (numpy's default); 0 for no values.
double Percentile(std::vector<double> values, double p);

// One record per batch size, in the order given. `inputs` is the test split;
// batches cycle through it (repeating it when it is smaller than a batch).
std::vector<InferenceRecord> MeasureInference(Network& network, const torch::Tensor& inputs,
                                              const InferenceSettings& settings,
                                              const InferenceEnergy& energy);

// Loads weights saved by SaveNetwork into a freshly built network.
void LoadNetworkWeights(Network& network, const std::string& path);

// Cold start: `load` builds the network and loads its weights, then one
// prediction of batch size 1 is made; the network and the seconds it took.
struct ColdStart {
  std::shared_ptr<Network> network;
  double seconds = 0;
};
ColdStart MeasureColdStart(const std::function<std::shared_ptr<Network>()>& load,
                           const torch::Tensor& inputs, const std::string& device);

}  // namespace carbonbench
