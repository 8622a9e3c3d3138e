// What energy sampling costs the training it measures: the time of one read
// of each meter, and training steps with the sampler running beside them
// (at the default 100 ms and at a tight 10 ms) against none.
//
//   build/release/bench/sampler_overhead_bench --benchmark_min_time=2
//
// The overhead of sampling at interval T is read_cost / T of one core; the
// TrainStep rows show it end to end.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_plugins.h"
#include "carbonbench/sdk.h"
#include "energy/energy_sampler.h"
#include "plugins/plugin_registry.h"
#include "runner/environment.h"
#include "suites/suite.h"

namespace carbonbench {
namespace {

using bench::Registry;

// A powercap tree like a two-socket server's, so the rapl meter's read
// path runs as on real hardware (tmpfs reads cost about what sysfs reads do).
struct TemporaryTree {
  std::string root;
  ~TemporaryTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  }
};

std::string FakePowercapTree() {
  static const TemporaryTree tree{[] {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("carbonbench_bench_powercap_" + std::to_string(getpid()));
    auto zone = [&](const std::string& path, const std::string& name) {
      std::filesystem::create_directories(dir / path);
      std::ofstream(dir / path / "name") << name << "\n";
      std::ofstream(dir / path / "energy_uj") << "123456789\n";
      std::ofstream(dir / path / "max_energy_range_uj") << "262143328850\n";
    };
    for (int socket : {0, 1}) {
      const std::string package = "intel-rapl:" + std::to_string(socket);
      zone(package, "package-" + std::to_string(socket));
      zone(package + "/" + package + ":0", "core");
      zone(package + "/" + package + ":1", "dram");
    }
    return dir.string();
  }()};
  return tree.root;
}

std::shared_ptr<Meter> ConfiguredMeter(const std::string& name,
                                       const std::map<std::string, ParamValue>& values) {
  auto meter = Registry().Create<Meter>(PluginKind::kMeter, name);
  meter->Configure(ResolveParams(Registry().Find(PluginKind::kMeter, name)->params, values),
                   MeterContext{ReferenceDataDir(), 1});
  const Availability availability = meter->Probe();
  if (!availability.available) throw std::runtime_error(name + ": " + availability.reason);
  return meter;
}

std::shared_ptr<Meter> BenchMeter(const std::string& name) {
  if (name == "rapl") return ConfiguredMeter(name, {{"powercap_root", FakePowercapTree()}});
  if (name == "constant") return ConfiguredMeter(name, {{"cpu_w", 65.0}});
  return ConfiguredMeter(name, {});
}

void MeterRead(benchmark::State& state, const std::string& name) {
  std::shared_ptr<Meter> meter;
  try {
    meter = BenchMeter(name);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
    return;
  }
  meter->Start();
  for (auto _ : state) benchmark::DoNotOptimize(meter->ReadJoules());
}

// The default meters available here, as a run would choose them.
std::vector<NamedMeter> DefaultMetersHere() {
  std::vector<NamedMeter> meters;
  for (const std::string& name : DefaultMeters(Registry().Catalog())) {
    try {
      meters.push_back({name, ConfiguredMeter(name, {})});
    } catch (const std::exception&) {
      // Not available on this machine (no RAPL, no GPU): a run skips it too.
    }
  }
  return meters;
}

// One reading of the sampler over the default meters here, as its thread
// takes one each interval: every meter read, the increments attributed, and
// whatever else a reading records. The clock moves a whole interval per
// reading, so each reading does all an interval's work.
void SamplerReading(benchmark::State& state) {
  SamplerSettings settings;
  settings.interval = std::chrono::milliseconds(100);
  auto clock = std::make_shared<WallClock::time_point>(WallClock::now());
  settings.now = [clock] { return *clock += std::chrono::milliseconds(100); };
  EnergySampler sampler(DefaultMetersHere(), settings);
  sampler.Start("train");
  for (auto _ : state) sampler.MarkPhase("train");
  sampler.Stop();
}

// A cnn training step on Fashion-MNIST-shaped batches, with the sampler
// reading the default meters every `interval_ms` (0: no sampler).
void TrainStep(benchmark::State& state) {
  ApplyThreadCount(0);
  DatasetSpec spec;
  spec.input_shape = {1, 28, 28};
  spec.num_classes = 10;
  torch::manual_seed(0);
  auto network =
      Registry()
          .Create<Model>(PluginKind::kModel, "cnn")
          ->Build(spec, ResolveParams(Registry().Find(PluginKind::kModel, "cnn")->params, {}));
  network->train();
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor inputs = torch::randn({64, 1, 28, 28});
  const torch::Tensor targets = torch::randint(0, 10, {64}, torch::kLong);

  std::unique_ptr<EnergySampler> sampler;
  if (state.range(0) > 0) {
    SamplerSettings settings;
    settings.interval = std::chrono::milliseconds(state.range(0));
    sampler = std::make_unique<EnergySampler>(DefaultMetersHere(), settings);
    sampler->Start("train");
  }
  for (auto _ : state) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::cross_entropy_loss(network->forward(inputs), targets);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
  if (sampler) sampler->Stop();
  state.SetItemsProcessed(state.iterations() * 64);
}

BENCHMARK_CAPTURE(MeterRead, cpu_estimate, std::string("cpu_estimate"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(MeterRead, ram_estimate, std::string("ram_estimate"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(MeterRead, rapl_two_sockets_fake_tree, std::string("rapl"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(MeterRead, constant, std::string("constant"))->Unit(benchmark::kMicrosecond);
BENCHMARK(SamplerReading)->Unit(benchmark::kMicrosecond);
BENCHMARK(TrainStep)
    ->Arg(0)
    ->Arg(100)
    ->Arg(10)
    ->ArgName("sampler_interval_ms")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace carbonbench
