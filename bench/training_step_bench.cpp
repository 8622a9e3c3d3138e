// Step time of the cnn on Fashion-MNIST-shaped batches, fp32 against bf16
// autocast, and the cost of assembling a batch, which the training loop
// keeps to a small share of the step.
//
//   build/release/bench/training_step_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_plugins.h"
#include "carbonbench/sdk.h"
#include "plugins/plugin_registry.h"
#include "runner/environment.h"

namespace carbonbench {
namespace {

constexpr int64_t kBatch = 64;
constexpr int64_t kExamples = 12000;

using bench::Registry;

std::shared_ptr<Network> FreshCnn() {
  DatasetSpec spec;
  spec.input_shape = {1, 28, 28};
  spec.num_classes = 10;
  auto model = Registry().Create<Model>(PluginKind::kModel, "cnn");
  torch::manual_seed(0);
  return model->Build(spec, ResolveParams(Registry().Find(PluginKind::kModel, "cnn")->params, {}));
}

void TrainStep(benchmark::State& state, bool bf16) {
  ApplyThreadCount(0);
  auto network = FreshCnn();
  network->train();
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-3));
  std::shared_ptr<Optimization> mixed;
  TrainingContext ctx;
  ctx.network = network;
  if (bf16) {
    mixed = Registry().Create<Optimization>(PluginKind::kOptimization, "mixed_precision");
    mixed->Configure(
        ResolveParams(Registry().Find(PluginKind::kOptimization, "mixed_precision")->params, {}));
    mixed->OnModelBuilt(ctx);
  }
  torch::Tensor inputs = torch::randn({kBatch, 1, 28, 28});
  torch::Tensor targets = torch::randint(0, 10, {kBatch}, torch::kLong);
  for (auto _ : state) {
    optimizer.zero_grad();
    torch::Tensor logits;
    {
      auto scope = mixed ? mixed->EnterForward(ctx) : nullptr;
      logits = network->forward(inputs);
    }
    torch::Tensor loss = torch::cross_entropy_loss(logits.to(torch::kFloat32), targets);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// What the loop does per batch: pick shuffled rows of the in-memory tensor.
void BatchAssembly(benchmark::State& state) {
  torch::Tensor all = torch::randn({kExamples, 1, 28, 28});
  torch::Tensor labels = torch::randint(0, 10, {kExamples}, torch::kLong);
  torch::Tensor order = torch::randperm(kExamples, torch::kLong);
  int64_t begin = 0;
  for (auto _ : state) {
    torch::Tensor indices = order.slice(0, begin, begin + kBatch);
    benchmark::DoNotOptimize(all.index_select(0, indices));
    benchmark::DoNotOptimize(labels.index_select(0, indices));
    begin = (begin + kBatch) % (kExamples - kBatch);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

BENCHMARK_CAPTURE(TrainStep, cnn_fp32, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TrainStep, cnn_bf16_autocast, true)->Unit(benchmark::kMillisecond);
BENCHMARK(BatchAssembly)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace carbonbench
