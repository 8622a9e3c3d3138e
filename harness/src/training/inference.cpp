#include "training/inference.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "carbonbench/module_shapes.h"
#include "training/forward_scopes.h"
#include "training/memory_layout.h"
#include "training/torch_error.h"
#include "util/regular_file.h"

namespace carbonbench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Waits for queued device work, so a timed iteration ends when its batch is
// done (a no-op on a CPU).
void Synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

// A handful of distinct batches to cycle through: enough that no single
// batch's data sits in cache, few enough to prepare up front.
std::vector<torch::Tensor> Batches(const torch::Tensor& inputs, std::int64_t batch_size,
                                   const torch::Device& device, bool channels_last) {
  constexpr std::int64_t kMaxBatches = 8;
  const std::int64_t count = inputs.size(0);
  std::vector<torch::Tensor> batches;
  const std::int64_t distinct =
      std::max<std::int64_t>(1, std::min(kMaxBatches, count / batch_size));
  for (std::int64_t b = 0; b < distinct; ++b) {
    torch::Tensor index = (torch::arange(batch_size, torch::kLong) + b * batch_size) % count;
    batches.push_back(InLayout(inputs.index_select(0, index).to(device), channels_last));
  }
  return batches;
}

}  // namespace

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (rank - static_cast<double>(below)) * (values[above] - values[below]);
}

std::vector<InferenceRecord> MeasureInference(Network& network, const torch::Tensor& inputs,
                                              const InferenceSettings& settings,
                                              const InferenceEnergy& energy) {
  torch::NoGradGuard no_grad;
  network.eval();
  const torch::Device device(settings.device);
  if (settings.channels_last) ToChannelsLast(network);
  std::vector<InferenceRecord> records;
  for (const std::int64_t batch_size : settings.batch_sizes) {
    const std::vector<torch::Tensor> batches =
        Batches(inputs, batch_size, device, settings.channels_last);
    std::size_t next = 0;
    TrainingContext ctx;
    // Inference mode, as a C++ server runs: no autograd bookkeeping at all
    // (no version counters, no views tracked), which a batch-1 forward pass
    // of a small network notices. Only the outputs are inference tensors;
    // the network and batches stay ordinary tensors.
    c10::InferenceMode inference_mode;
    auto predict = [&] {
      torch::Tensor outputs;
      {
        ForwardScopes scopes(settings.optimizations, ctx);
        outputs = network.forward(batches[next]);
      }
      next = (next + 1) % batches.size();
      Synchronize(device);
      return outputs;
    };
    for (int i = 0; i < settings.warmup_iterations; ++i) predict();

    const double energy_before_wh = energy.energy_wh ? energy.energy_wh() : 0;
    const double co2_before_g = energy.co2_g ? energy.co2_g() : 0;
    const double band_before_wh = energy.band_wh ? energy.band_wh() : 0;
    std::vector<double> latencies_ms;
    const auto loop_start = Clock::now();
    while (static_cast<int>(latencies_ms.size()) < settings.min_iterations ||
           SecondsSince(loop_start) < settings.min_time_s) {
      const auto start = Clock::now();
      predict();
      latencies_ms.push_back(SecondsSince(start) * 1000.0);
    }
    const double loop_s = SecondsSince(loop_start);

    InferenceRecord record;
    record.batch_size = batch_size;
    record.iterations = static_cast<std::int64_t>(latencies_ms.size());
    record.predictions = record.iterations * batch_size;
    double total_ms = 0;
    for (double ms : latencies_ms) total_ms += ms;
    record.mean_ms = total_ms / static_cast<double>(latencies_ms.size());
    record.p50_ms = Percentile(latencies_ms, 50);
    record.p90_ms = Percentile(latencies_ms, 90);
    record.p99_ms = Percentile(latencies_ms, 99);
    record.throughput_per_s = static_cast<double>(record.predictions) / loop_s;
    record.energy_wh = (energy.energy_wh ? energy.energy_wh() : 0) - energy_before_wh;
    record.co2_g = (energy.co2_g ? energy.co2_g() : 0) - co2_before_g;
    record.energy_band_wh = (energy.band_wh ? energy.band_wh() : 0) - band_before_wh;
    record.energy_wh_per_1000 = record.energy_wh / static_cast<double>(record.predictions) * 1000.0;
    record.energy_provenance = energy.provenance;
    records.push_back(record);
  }
  return records;
}

void LoadNetworkWeights(Network& network, const std::string& path) {
  // A FIFO would block the loader and a device feed it forever.
  OpenRegularFile(path, "model file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    // Loading adopts the saved shapes (a pruned model's are smaller than a
    // fresh build's); the layers' options follow them.
    network.load(archive);
  } catch (const c10::Error& error) {
    throw std::runtime_error(
        fmt::format("model file {}: cannot be loaded ({}); the file is corrupt or truncated, or "
                    "not the weights this model's description beside it says: train the cell "
                    "again to save it anew",
                    path, TorchErrorText(error)));
  }
  SyncOptionsWithWeights(network);
}

ColdStart MeasureColdStart(const std::function<std::shared_ptr<Network>()>& load,
                           const torch::Tensor& inputs, const std::string& device) {
  torch::NoGradGuard no_grad;
  const auto start = Clock::now();
  ColdStart cold;
  cold.network = load();
  cold.network->to(torch::Device(device));
  cold.network->eval();
  cold.network->forward(inputs.slice(0, 0, 1).to(torch::Device(device)));
  Synchronize(torch::Device(device));
  cold.seconds = SecondsSince(start);
  return cold;
}

}  // namespace carbonbench
