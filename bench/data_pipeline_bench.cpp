// What each loader delivers: samples per second that BatchLoader hands the
// training loop for every kind of data the built-in models eat, the way
// Train() drives it (shuffled order, the trainer's batch size, background
// preparation only when the batch is augmented). Set against the models'
// own consumption (model_throughput_bench's samples_per_s for the same
// shapes), it says how much headroom the data path has: the loop waits for
// data only where a loader delivers less than its model trains on.
//
//   build/release/bench/data_pipeline_bench
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "pipeline/batch_loader.h"
#include "runner/environment.h"

namespace carbonbench {
namespace {

struct LoaderCase {
  std::vector<std::int64_t> sample_shape;
  bool tokens;
  bool augment;
  std::int64_t batch_size;
};

void DeliverOnePass(benchmark::State& state, const LoaderCase& c) {
  ApplyThreadCount(0);
  constexpr std::int64_t kSamples = 4096;
  std::vector<std::int64_t> shape{kSamples};
  shape.insert(shape.end(), c.sample_shape.begin(), c.sample_shape.end());
  const torch::Tensor inputs =
      c.tokens ? torch::randint(1, 4000, shape, torch::kLong) : torch::randn(shape);
  const torch::Tensor targets = torch::randint(0, 10, {kSamples}, torch::kLong);
  BatchLoaderSettings settings;
  settings.batch_size = c.batch_size;
  if (c.augment) {  // the CIFAR-10 recipe: 4-pixel padded crops and flips
    settings.augmentation.crop_padding_px = 4;
    settings.augmentation.horizontal_flip = true;
    settings.augmentation.fill.assign(static_cast<std::size_t>(c.sample_shape[0]), -1.9f);
  }
  settings.background = settings.augmentation.enabled();  // as Train() decides
  std::int64_t delivered = 0;
  for (auto _ : state) {
    BatchLoader loader(inputs, targets, torch::randperm(kSamples, torch::kLong), settings);
    while (std::optional<Batch> batch = loader.Next()) {
      delivered += batch->inputs.size(0);
      benchmark::DoNotOptimize(batch->inputs.data_ptr());
    }
  }
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
}

const bool registered = [] {
  const std::vector<std::pair<std::string, LoaderCase>> cases = {
      {"images/fashion_mnist", {{1, 28, 28}, false, false, 64}},
      {"images/cifar10", {{3, 32, 32}, false, false, 128}},
      {"images/cifar10_augmented", {{3, 32, 32}, false, true, 128}},
      {"tokens/fortunes", {{128}, true, false, 32}},
      {"series/co2", {{1, 52}, false, false, 16}},
  };
  for (const auto& [name, c] : cases) {
    benchmark::RegisterBenchmark(name.c_str(),
                                 [c = c](benchmark::State& state) { DeliverOnePass(state, c); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
}  // namespace carbonbench
