// Training throughput of every built-in model through the real training
// loop (Train(): batch loader, optimizer, hooks), fp32 against bf16
// autocast, with the share of each epoch spent waiting for data. Inputs are
// synthetic tensors shaped like each model's quickstart data; CIFAR-shaped
// images go through the background augmentation path.
//
//   build/release/bench/model_throughput_bench --benchmark_min_time=0
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_datasets.h"
#include "bench_plugins.h"
#include "carbonbench/sdk.h"
#include "pipeline/dataset.h"
#include "plugins/plugin_registry.h"
#include "runner/environment.h"
#include "training/trainer.h"

namespace carbonbench {
namespace {

using bench::ImageSpec;
using bench::Registry;
using bench::TokenSpec;

struct Workload {
  const char* model;
  std::vector<std::pair<std::string, ParamValue>> params;
  DatasetSpec spec;
  std::int64_t samples;
  bool augment;
  int epochs;  // figures are the last epoch's: the first pays one-off set-up
};

TensorDataset Synthetic(const Workload& w) {
  TensorDataset data;
  data.spec = w.spec;
  std::vector<std::int64_t> shape{w.samples};
  shape.insert(shape.end(), w.spec.input_shape.begin(), w.spec.input_shape.end());
  if (w.spec.input_kind == InputKind::kTokens) {
    data.train_inputs = torch::randint(1, w.spec.vocab_size, shape, torch::kLong);
  } else {
    data.train_inputs = torch::randn(shape);
  }
  if (w.spec.task == TaskKind::kRegression) {
    data.train_targets = torch::randn({w.samples, 1});
  } else {
    data.train_targets = torch::randint(0, w.spec.num_classes, {w.samples}, torch::kLong);
  }
  // A minimal test split: the benchmark times the training epoch.
  data.test_inputs = data.train_inputs.slice(0, 0, 8);
  data.test_targets = data.train_targets.slice(0, 0, 8);
  if (w.augment) {
    data.augmentation.crop_padding_px = 4;
    data.augmentation.horizontal_flip = true;
    data.augmentation.fill.assign(static_cast<std::size_t>(w.spec.input_shape[0]), -1.9f);
  }
  return data;
}

DatasetSpec Series() {
  DatasetSpec spec;
  spec.input_kind = InputKind::kSeries;
  spec.task = TaskKind::kRegression;
  spec.input_shape = {1, 52};
  return spec;
}

void TrainOneEpoch(benchmark::State& state, const Workload& w, bool bf16) {
  ApplyThreadCount(0);
  const TensorDataset data = Synthetic(w);
  std::map<std::string, ParamValue> given(w.params.begin(), w.params.end());
  const Params params = ResolveParams(Registry().Find(PluginKind::kModel, w.model)->params, given);
  std::vector<std::shared_ptr<Optimization>> optimizations;
  if (bf16) {
    auto mixed = Registry().Create<Optimization>(PluginKind::kOptimization, "mixed_precision");
    mixed->Configure(
        ResolveParams(Registry().Find(PluginKind::kOptimization, "mixed_precision")->params, {}));
    optimizations.push_back(mixed);
  }
  TrainingSettings settings;
  settings.epochs = w.epochs;
  settings.batch_size = w.spec.input_kind == InputKind::kTokens ? 32 : 64;
  double train_s = 0, data_s = 0;
  TrainingObserver observer;
  observer.on_epoch = [&](const EpochRecord& record) {
    if (record.epoch != w.epochs) return;
    train_s += record.train_s;
    data_s += record.data_s;
  };
  for (auto _ : state) {
    torch::manual_seed(0);
    auto network = Registry().Create<Model>(PluginKind::kModel, w.model)->Build(w.spec, params);
    Train(network, data, optimizations, settings, observer);
  }
  const double samples = static_cast<double>(w.samples * state.iterations());  // last epochs
  state.counters["samples_per_s"] = samples / train_s;
  state.counters["data_wait_pct"] = 100.0 * data_s / train_s;
}

const std::vector<std::pair<std::string, Workload>>& Workloads() {
  static const std::vector<std::pair<std::string, Workload>> workloads = {
      {"cnn/fashion_mnist", {"cnn", {}, ImageSpec(1, 28), 2048, false, 2}},
      {"resnet18/fashion_mnist", {"resnet18", {}, ImageSpec(1, 28), 256, false, 2}},
      {"resnet18/cifar10_augmented", {"resnet18", {}, ImageSpec(3, 32), 256, true, 2}},
      {"mobilenet_v2/fashion_mnist", {"mobilenet_v2", {}, ImageSpec(1, 28), 256, false, 2}},
      {"mobilenet_v2/cifar10_augmented", {"mobilenet_v2", {}, ImageSpec(3, 32), 256, true, 2}},
      {"bert_tiny/fortunes",
       {"bert", {{"config", std::string("bert-tiny")}}, TokenSpec(64, 4000), 1024, false, 2}},
      {"linear/co2", {"linear", {}, Series(), 2048, false, 20}},
      {"cnn1d/co2", {"cnn1d", {}, Series(), 2048, false, 5}},
  };
  return workloads;
}

const bool registered = [] {
  for (const auto& [name, workload] : Workloads()) {
    for (bool bf16 : {false, true}) {
      benchmark::RegisterBenchmark(
          (name + (bf16 ? "/bf16" : "/fp32")).c_str(),
          [w = workload, bf16](benchmark::State& state) { TrainOneEpoch(state, w, bf16); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1)
          ->UseRealTime();
    }
  }
  return true;
}();

}  // namespace
}  // namespace carbonbench
