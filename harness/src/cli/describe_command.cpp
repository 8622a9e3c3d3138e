// `carbonbench describe MODEL`: the architecture summary (layers, output
// shapes, parameters, multiply-accumulates per sample) of a model plugin built
// for a dataset, without reading the dataset or training anything.
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include "cli/commands.h"
#include "inspect/model_summary.h"
#include "pipeline/dataset.h"
#include "runner/cell_run.h"
#include "suites/suite.h"
#include "training/torch_error.h"

namespace carbonbench::cli {
namespace {

struct DescribeArguments {
  std::string model;
  std::string dataset = "fashion_mnist";
  std::vector<std::string> sets;  // key=value, as in suites
  std::vector<long long> input;   // overrides the dataset's sample shape
  long long classes = 0;          // overrides the dataset's class count
  long long batch = 1;
};

// The model and settings as a one-cell suite, so --set is typed and
// validated exactly as a suite value is (with the same messages).
Cell DescribedCell(const DescribeArguments& a, const PluginRegistry& registry) {
  YAML::Node suite;
  suite["suite"] = "describe";
  suite["dataset"]["name"] = a.dataset;
  suite["defaults"]["model"] = a.model;
  for (const auto& assignment : a.sets) {
    auto [key, value] = SplitAssignment(assignment, "PARAM=VALUE");
    // A bare parameter name means the model's own.
    if (key.find('.') == std::string::npos && key != "dataset") key = a.model + "." + key;
    suite["defaults"][key] = YAML::Load(value);
  }
  const Suite parsed = LoadSuiteText(YAML::Dump(suite), "describe arguments", registry.Catalog(),
                                     SuiteTextOrigin::kGeneratedText);
  return parsed.cells.at(0);
}

// The traced forward pass allocates the sample batch and every layer's
// output, which can be many times larger: 2^26 input values (256 MiB of
// float32; 3x4096x4096 is 50 M) is far above any real sample (3x224x224 is
// 150,528) and keeps the layers' outputs within a machine's memory.
constexpr long long kMaxSampleValues = 1LL << 26;

void CheckSampleSize(const DescribeArguments& a) {
  if (a.batch < 1) {
    throw std::runtime_error(fmt::format("--batch {} must be at least 1", a.batch));
  }
  long long values = a.batch;
  for (const long long size : a.input) {
    if (size < 1) {
      throw std::runtime_error(fmt::format("--input {}: every size must be at least 1, got {}",
                                           fmt::join(a.input, " "), size));
    }
    values = size > kMaxSampleValues / values ? kMaxSampleValues + 1 : values * size;
  }
  if (values > kMaxSampleValues) {
    throw std::runtime_error(fmt::format(
        "--input {} with --batch {} is more than {} values in one forward pass (the limit, 256 MiB "
        "of float32); describe the model at a smaller size: layers, parameters and MACs per "
        "sample follow the same rules",
        fmt::join(a.input, " "), a.batch, kMaxSampleValues));
  }
}

torch::Tensor SampleInput(const DatasetSpec& spec, std::int64_t batch) {
  std::vector<std::int64_t> shape{batch};
  shape.insert(shape.end(), spec.input_shape.begin(), spec.input_shape.end());
  if (spec.input_kind == InputKind::kTokens) {
    // Real token ids (not padding), so every position is attended to.
    return torch::randint(1, std::max<std::int64_t>(2, spec.vocab_size), shape, torch::kLong);
  }
  return torch::randn(shape);
}

void Describe(const DescribeArguments& a, const GlobalOptions& global) {
  CheckSampleSize(a);
  const PluginRegistry registry = LoadPlugins(global);
  const Cell cell = DescribedCell(a, registry);
  const LoadedPlugin* model_plugin = registry.Find(PluginKind::kModel, a.model);
  const Params params = ResolveParams(model_plugin->params, cell.PluginParams(a.model));
  DatasetSpec spec = NominalDatasetSpec(DatasetRequestFor(cell, params, model_plugin->vocabulary));
  if (!a.input.empty()) spec.input_shape.assign(a.input.begin(), a.input.end());
  if (a.classes > 0) spec.num_classes = a.classes;

  torch::manual_seed(0);
  auto model = registry.Create<Model>(PluginKind::kModel, a.model);
  std::shared_ptr<Network> network;
  try {
    network = model->Build(spec, params);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format(
        "{} cannot be built for dataset {} ({} inputs): {} (pick a dataset of the kind it "
        "takes with --dataset, e.g. cifar10, imdb or co2)",
        a.model, spec.name, InputKindName(spec.input_kind), e.what()));
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format("{} cannot be built for {} inputs {}: {}", a.model,
                                         InputKindName(spec.input_kind),
                                         fmt::join(spec.input_shape, "x"), TorchErrorText(e)));
  }
  ModelSummary summary;
  try {
    summary = SummarizeModel(*network, SampleInput(spec, a.batch));
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format(
        "{} cannot run a batch of {} {} inputs {}: {} (check --input against what the model "
        "takes)",
        a.model, a.batch, InputKindName(spec.input_kind), fmt::join(spec.input_shape, "x"),
        TorchErrorText(e)));
  }
  const std::string title = fmt::format(
      "{} for {} ({} inputs {}, {})", a.model, spec.name, InputKindName(spec.input_kind),
      fmt::join(spec.input_shape, "x"),
      spec.task == TaskKind::kRegression ? fmt::format("regression, {} output(s)", spec.target_size)
                                         : fmt::format("{} classes", spec.num_classes));
  std::fputs(FormatModelSummary(summary, title).c_str(), stdout);
}

}  // namespace

void AddDescribeCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "describe", "print a model's layers, output shapes, parameters and multiply-accumulates");
  auto a = std::make_shared<DescribeArguments>();
  command->add_option("model", a->model, "model plugin")->required();
  command->add_option("--dataset", a->dataset, "dataset the model is sized for")
      ->capture_default_str();
  command->add_option("--set", a->sets,
                      "a model parameter or dataset setting: key=value (e.g. stem=cifar, "
                      "dataset.max_length=256); repeatable");
  command->add_option("--input", a->input,
                      "sample shape instead of the dataset's, e.g. --input 3 224 224");
  command->add_option("--classes", a->classes, "class count instead of the dataset's");
  command->add_option("--batch", a->batch, "batch size of the traced forward pass")
      ->capture_default_str();
  command->callback([&global, a] { Describe(*a, global); });
}

}  // namespace carbonbench::cli
