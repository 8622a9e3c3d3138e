// carbonbench::Dropout against torch::dropout on BERT-tiny's training shapes
// (batch 32, sequence 128, hidden 128, two heads): the attention
// probabilities and a hidden-state tensor, forward only, fp32 and bf16.
//
//   build/release/bench/dropout_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "carbonbench/dropout.h"
#include "runner/environment.h"

namespace carbonbench {
namespace {

torch::Tensor Input(int64_t shape, torch::ScalarType type) {
  torch::manual_seed(0);
  return shape == 0 ? torch::randn({32, 2, 128, 128}).to(type)  // attention probabilities
                    : torch::randn({32, 128, 128}).to(type);    // hidden states
}

void TorchDropout(benchmark::State& state, torch::ScalarType type) {
  ApplyThreadCount(0);
  const torch::Tensor x = Input(state.range(0), type);
  for (auto _ : state) benchmark::DoNotOptimize(torch::dropout(x, 0.1, /*train=*/true));
  state.SetItemsProcessed(state.iterations() * x.numel());
}

void CarbonbenchDropout(benchmark::State& state, torch::ScalarType type) {
  ApplyThreadCount(0);
  const torch::Tensor x = Input(state.range(0), type);
  for (auto _ : state) benchmark::DoNotOptimize(Dropout(x, 0.1, /*training=*/true));
  state.SetItemsProcessed(state.iterations() * x.numel());
}

BENCHMARK_CAPTURE(TorchDropout, fp32, torch::kFloat)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(CarbonbenchDropout, fp32, torch::kFloat)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TorchDropout, bf16, torch::kBFloat16)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(CarbonbenchDropout, bf16, torch::kBFloat16)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace carbonbench
