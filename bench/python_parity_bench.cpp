// carbonbench's side of bench/compare_python.sh: the cases of
// bench/reference/torch_reference.py (same models, shapes, batch sizes,
// optimizer and dtype) through carbonbench's own loops: Train() for the
// training step, MeasureInference() for batch-1 latency and batch-64
// throughput. Run one case per process, so its peak memory is its own:
//
//   build/release/bench/python_parity_bench --benchmark_filter='^train/cnn/fp32$'
//
// Counters: samples_per_s, median_ms (one iteration), peak_rss_mb (the
// process's, as the Python reference reports it).
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_datasets.h"
#include "bench_plugins.h"
#include "carbonbench/sdk.h"
#include "pipeline/dataset.h"
#include "runner/environment.h"
#include "training/inference.h"
#include "training/memory_layout.h"
#include "training/trainer.h"

namespace carbonbench {
namespace {

using bench::ImageSpec;
using bench::Registry;
using bench::TokenSpec;

struct Case {
  const char* name;   // as torch_reference.py's --case
  const char* model;  // the plugin
  DatasetSpec spec;
  std::int64_t train_batch;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {{"cnn", "cnn", ImageSpec(1, 28), 64},
                                          {"resnet18", "resnet18", ImageSpec(3, 32), 128},
                                          {"mobilenet_v2", "mobilenet_v2", ImageSpec(3, 32), 128},
                                          {"bert_tiny", "bert", TokenSpec(128, 8000), 32}};
  return cases;
}

// Random inputs of the case's shape; ids from 1, so nothing is padding.
torch::Tensor Inputs(const Case& c, std::int64_t count) {
  std::vector<std::int64_t> shape{count};
  shape.insert(shape.end(), c.spec.input_shape.begin(), c.spec.input_shape.end());
  if (c.spec.input_kind == InputKind::kTokens) {
    return torch::randint(1, c.spec.vocab_size, shape, torch::kLong);
  }
  return torch::randn(shape);
}

std::shared_ptr<Network> BuildNetwork(const Case& c) {
  torch::manual_seed(0);
  const Params params = ResolveParams(Registry().Find(PluginKind::kModel, c.model)->params, {});
  return Registry().Create<Model>(PluginKind::kModel, c.model)->Build(c.spec, params);
}

std::vector<std::shared_ptr<Optimization>> Precision(bool bf16) {
  if (!bf16) return {};
  auto mixed = Registry().Create<Optimization>(PluginKind::kOptimization, "mixed_precision");
  mixed->Configure(
      ResolveParams(Registry().Find(PluginKind::kOptimization, "mixed_precision")->params, {}));
  return {mixed};
}

// BENCH_THREADS (bench/compare_python.sh passes its -t), else every core.
int Threads() {
  const char* threads = std::getenv("BENCH_THREADS");
  return ApplyThreadCount(threads ? std::atoi(threads) : 0);
}

// BENCH_CHANNELS_LAST=0 runs the image models in the default NCHW layout,
// as the Python reference does; carbonbench's default is channels-last.
bool ChannelsLast() {
  const char* layout = std::getenv("BENCH_CHANNELS_LAST");
  return layout == nullptr || std::string(layout) != "0";
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Each iteration is one epoch of 32 batches through Train(); the first epoch
// is warm-up.
void TrainCase(benchmark::State& state, const Case& c, bool bf16) {
  Threads();
  // Enough steps per Train() call that its per-call set-up (optimizer,
  // loader) weighs as little as in a real epoch.
  constexpr std::int64_t kBatches = 32;  // torch_reference.py's TRAIN_BATCHES: the same data held
  TensorDataset data;
  data.spec = c.spec;
  data.train_inputs = Inputs(c, kBatches * c.train_batch);
  data.train_targets =
      torch::randint(0, c.spec.num_classes, {kBatches * c.train_batch}, torch::kLong);
  data.test_inputs = data.train_inputs.slice(0, 0, 1);  // evaluation is not what is timed
  data.test_targets = data.train_targets.slice(0, 0, 1);
  auto network = BuildNetwork(c);
  const auto optimizations = Precision(bf16);
  TrainingSettings settings;
  settings.batch_size = c.train_batch;
  settings.lr = 1e-3;
  settings.optimizer = "adam";
  settings.channels_last = ChannelsLast();
  std::vector<double> epoch_s;
  TrainingObserver observer;
  observer.on_epoch = [&](const EpochRecord& record) { epoch_s.push_back(record.train_s); };
  settings.epochs = 1;
  Train(network, data, optimizations, settings, observer);  // warm-up
  epoch_s.clear();
  for (auto _ : state) {
    Train(network, data, optimizations, settings, observer);
    state.SetIterationTime(epoch_s.back());
  }
  double total_s = 0;
  for (double s : epoch_s) total_s += s;
  const double steps = static_cast<double>(kBatches * epoch_s.size());
  state.counters["samples_per_s"] = steps * static_cast<double>(c.train_batch) / total_s;
  std::vector<double> per_step_ms;
  for (double s : epoch_s) per_step_ms.push_back(s / kBatches * 1000.0);
  state.counters["median_ms"] = Percentile(per_step_ms, 50);
  state.counters["peak_rss_mb"] = PeakRssMb();
}

void InferCase(benchmark::State& state, const Case& c, bool bf16, std::int64_t batch) {
  Threads();
  auto network = BuildNetwork(c);
  const auto optimizations = Precision(bf16);
  if (bf16) {
    TrainingContext ctx;
    ctx.network = network;
    for (const auto& optimization : optimizations) optimization->OnModelBuilt(ctx);
  }
  InferenceSettings settings;
  settings.batch_sizes = {batch};
  settings.min_time_s = 2.0;
  settings.optimizations = optimizations;
  settings.channels_last = ChannelsLast();
  const torch::Tensor inputs = Inputs(c, 8 * batch);
  InferenceRecord record;
  for (auto _ : state) {
    record = MeasureInference(*network, inputs, settings, InferenceEnergy{}).front();
    state.SetIterationTime(static_cast<double>(record.iterations) * record.mean_ms / 1000.0);
  }
  state.counters["samples_per_s"] = record.throughput_per_s;
  state.counters["median_ms"] = record.p50_ms;
  state.counters["peak_rss_mb"] = PeakRssMb();
}

// The loop a user would write without carbonbench, with the same runtime
// settings (threads, allocator, channels-last): shuffle, gather each batch, zero_grad, forward,
// loss, backward, step. bench/harness_overhead.sh sets a full carbonbench cell's epoch against it.
void BareLoop(benchmark::State& state, const Case& c, std::int64_t samples) {
  Threads();
  const torch::Tensor inputs = Inputs(c, samples);
  const torch::Tensor targets = torch::randint(0, c.spec.num_classes, {samples}, torch::kLong);
  auto network = BuildNetwork(c);
  network->train();
  const bool channels_last = ChannelsLast();
  if (channels_last) ToChannelsLast(*network);
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-3));
  auto epoch = [&] {
    const torch::Tensor order = torch::randperm(samples, torch::kLong);
    for (std::int64_t begin = 0; begin < samples; begin += c.train_batch) {
      const torch::Tensor index = order.slice(0, begin, std::min(samples, begin + c.train_batch));
      optimizer.zero_grad();
      torch::cross_entropy_loss(
          network->forward(InLayout(inputs.index_select(0, index), channels_last)),
          targets.index_select(0, index))
          .backward();
      optimizer.step();
    }
  };
  epoch();  // warm-up
  for (auto _ : state) epoch();
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(samples) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["peak_rss_mb"] = PeakRssMb();
}

const bool registered = [] {
  // One epoch of the quickstart's cnn cell: 12,000 Fashion-MNIST-shaped images.
  benchmark::RegisterBenchmark("bare/cnn/fp32",
                               [](benchmark::State& s) { BareLoop(s, Cases().front(), 12000); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(2);

  for (const Case& c : Cases()) {
    for (const bool bf16 : {false, true}) {
      const std::string dtype = bf16 ? "bf16" : "fp32";
      benchmark::RegisterBenchmark(("train/" + std::string(c.name) + "/" + dtype).c_str(),
                                   [c, bf16](benchmark::State& s) { TrainCase(s, c, bf16); })
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
      for (const std::int64_t batch : {1, 64}) {
        benchmark::RegisterBenchmark(
            ("infer" + std::to_string(batch) + "/" + c.name + "/" + dtype).c_str(),
            [c, bf16, batch](benchmark::State& s) { InferCase(s, c, bf16, batch); })
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1);
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace carbonbench
