// `carbonbench infer --model-file PATH --dataset D`: the inference phase of
// a saved model alone (cold start, latency percentiles per batch size,
// throughput, energy per 1,000 predictions), on the test split of D.
#include <cstdio>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/commands.h"
#include "runner/cell_run.h"
#include "runner/environment.h"
#include "runner/saved_model.h"
#include "store/results_store.h"
#include "suites/suite.h"

namespace carbonbench::cli {
namespace {

struct InferArguments {
  std::string model_file;
  std::string dataset;
  std::string dataset_path;
  std::vector<std::int64_t> batch_sizes = {1, 64};
  double min_time_s = 0.5;
  int warmup = 3;
  int threads = 0;
  std::vector<std::string> meters;
  std::string region = "WORLD";
  std::vector<std::string> sets;  // dataset.test_size=500, ...
  std::string json_path;
};

// A one-cell suite with the saved model's plugin, the data and the meters,
// so the settings are checked as in any suite.
Suite InferSuite(const InferArguments& a, const SavedModelInfo& saved,
                 const PluginRegistry& registry) {
  YAML::Node suite;
  suite["suite"] = "infer";
  suite["dataset"]["name"] = a.dataset.empty() ? saved.dataset : a.dataset;
  if (!a.dataset_path.empty()) suite["dataset"]["path"] = a.dataset_path;
  suite["defaults"]["model"] = saved.model;
  suite["defaults"]["threads"] = a.threads;
  if (!saved.vocab_path.empty()) suite["defaults"]["dataset.vocab"] = saved.vocab_path;
  for (const auto& assignment : a.sets) {
    const auto [key, value] = SplitAssignment(assignment, "dataset.test_size=1000");
    suite["defaults"][key] = YAML::Load(value);
  }
  if (!a.meters.empty()) suite["meters"] = a.meters;
  suite["carbon"]["region"] = a.region;
  suite["inference"]["batch_sizes"] = a.batch_sizes;
  suite["inference"]["min_time_s"] = a.min_time_s;
  suite["inference"]["warmup_iterations"] = a.warmup;
  return LoadSuiteText(YAML::Dump(suite), "infer arguments", registry.Catalog(),
                       SuiteTextOrigin::kGeneratedText);
}

nlohmann::json OutcomeJson(const InferArguments& a, const InferOutcome& outcome,
                           const CarbonIntensity& carbon) {
  nlohmann::json records = nlohmann::json::array();
  for (const InferenceRecord& r : outcome.records) {
    records.push_back({{"batch_size", r.batch_size},
                       {"iterations", r.iterations},
                       {"predictions", r.predictions},
                       {"mean_ms", r.mean_ms},
                       {"p50_ms", r.p50_ms},
                       {"p90_ms", r.p90_ms},
                       {"p99_ms", r.p99_ms},
                       {"throughput_per_s", r.throughput_per_s},
                       {"energy_wh", r.energy_wh},
                       {"co2_g", r.co2_g},
                       {"energy_wh_per_1000", r.energy_wh_per_1000},
                       {"energy_provenance", r.energy_provenance}});
  }
  return {{"model_file", a.model_file},
          {"model", outcome.model},
          {"cold_start_s", outcome.cold_start_s},
          {"quality", outcome.quality},
          {"region", carbon.region_used},
          {"intensity_g_per_kwh", carbon.g_per_kwh},
          {"inference", records}};
}

void Infer(const InferArguments& a, GlobalOptions& global) {
  const SavedModelInfo saved = ReadSavedModelInfo(a.model_file);
  PluginRegistry registry = LoadPlugins(global);
  const Suite suite = InferSuite(a, saved, registry);
  SuiteRunContext context =
      MakeSuiteRunContext(suite, registry, /*store=*/nullptr, "", suite.sampler.interval_ms);
  const InferOutcome outcome = InferSavedModel(context, suite.cells.at(0), a.model_file);

  std::printf("%s (%s), %s; cold start (load + first prediction) %.3f s\n", a.model_file.c_str(),
              outcome.model.c_str(), outcome.quality.c_str(), outcome.cold_start_s);
  std::printf(
      "| batch | p50 (ms) | p90 (ms) | p99 (ms) | throughput (/s) | Wh per 1,000 | "
      "g CO2 per 1,000 |\n|---|---|---|---|---|---|---|\n");
  for (const InferenceRecord& r : outcome.records) {
    const double co2_per_1000 = r.co2_g / static_cast<double>(r.predictions) * 1000.0;
    std::printf("| %lld | %.3g | %.3g | %.3g | %.4g | %.3g | %.3g |\n",
                static_cast<long long>(r.batch_size), r.p50_ms, r.p90_ms, r.p99_ms,
                r.throughput_per_s, r.energy_wh_per_1000, co2_per_1000);
  }
  std::printf("energy: %s; carbon intensity %.1f g/kWh (%s)\n", outcome.provenance.c_str(),
              context.intensity.g_per_kwh, context.intensity.region_used.c_str());
  if (!a.json_path.empty()) {
    std::ofstream(a.json_path) << OutcomeJson(a, outcome, context.intensity).dump(2) << "\n";
  }
}

}  // namespace

void AddInferCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "infer",
      "measure a saved model's inference: cold start, latency p50/p90/p99 per batch "
      "size, throughput and energy per 1,000 predictions");
  auto a = std::make_shared<InferArguments>();
  command->add_option("--model-file", a->model_file, "a model saved by a run (.pt)")->required();
  command->add_option("--dataset", a->dataset,
                      "dataset to predict on (its test split; default: the one it was "
                      "trained on)");
  command->add_option("--dataset-path", a->dataset_path, "folder to read the dataset from");
  command->add_option("--batch-sizes", a->batch_sizes, "batch sizes to measure")
      ->delimiter(',')
      ->capture_default_str();
  command->add_option("--min-time-s", a->min_time_s, "minimum timed seconds per batch size")
      ->capture_default_str();
  command->add_option("--warmup", a->warmup, "untimed iterations first")->capture_default_str();
  command->add_option("--threads", a->threads, "torch threads (0: all cores)");
  command->add_option("--meters", a->meters, "meters to try, in order")->delimiter(',');
  command->add_option("--region", a->region, "region for CO2")->capture_default_str();
  command->add_option("--set", a->sets, "dataset setting, e.g. dataset.test_size=1000");
  command->add_option("--json", a->json_path, "also write the figures as JSON here");
  command->callback([&global, a] { Infer(*a, global); });
}

}  // namespace carbonbench::cli
