#include "runner/suite_runner.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "report/emissions_csv.h"
#include "report/markdown_report.h"
#include "runner/compared_regions.h"
#include "runner/cell_run.h"
#include "runner/console_reporter.h"
#include "runner/environment.h"
#include "store/results_store.h"

namespace carbonbench {
namespace {

// Google Benchmark parses its flags from argv: hand it ours.
void InitializeBenchmark(const std::vector<std::string>& args) {
  // Google Benchmark keeps pointers into argv (it prints argv[0] later).
  static std::vector<std::string> storage;
  storage = {"carbonbench"};
  storage.insert(storage.end(), args.begin(), args.end());
  static std::vector<char*> argv;
  argv.clear();
  for (auto& arg : storage) argv.push_back(arg.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (argc > 1) {
    throw std::runtime_error(fmt::format(
        "unknown option '{}': options after the suite are Google Benchmark's "
        "(--benchmark_filter, --benchmark_out, ...)", argv[1]));
  }
}

void Report(benchmark::State& state, const CellOutcome& outcome) {
  const RunSummary& summary = outcome.summary;
  state.SetIterationTime(summary.duration_s);
  if (outcome.task == kRegressionTask) {  // errors in the target's units
    state.counters["rmse"] = summary.final_rmse;
    state.counters["best_rmse"] = summary.best_rmse;
    state.counters["mae"] = summary.final_mae;
  } else {
    state.counters["accuracy_pct"] = 100.0 * summary.final_accuracy;
    state.counters["best_accuracy_pct"] = 100.0 * summary.best_accuracy;
  }
  state.counters["epochs"] = summary.epochs_run;
  state.counters["energy_wh"] = summary.energy_wh;
  state.counters["co2_g"] = summary.co2_g;
  std::string label = summary.energy_provenance;
  if (outcome.from_store) label += ", from store";
  state.SetLabel(label);
}

// A relative intensity CSV is read from the suite file's folder, as a user
// writing the suite next to the CSV expects.
std::string ResolveSuitePath(const Suite& suite, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  const std::filesystem::path folder = std::filesystem::path(suite.source).parent_path();
  const std::filesystem::path beside = folder / path;
  if (!folder.empty() && std::filesystem::exists(beside)) return beside.string();
  return path;
}

}  // namespace

CarbonRequest CarbonRequestFor(const Suite& suite) {
  CarbonRequest request;
  request.region = suite.carbon.region;
  request.pue = suite.carbon.pue;
  request.intensity_g_per_kwh = suite.carbon.intensity_g_per_kwh;
  request.hourly_csv = ResolveSuitePath(suite, suite.carbon.intensity_csv);
  return request;
}

int RunSuite(const Suite& suite, const PluginRegistry& registry, const RunOptions& options) {
  // An unknown region is a suite error: found before the store is touched.
  const std::string reference_data_dir = ReferenceDataDir();
  CarbonIntensity intensity;
  try {
    intensity = ResolveCarbon(CarbonRequestFor(suite), reference_data_dir);
  } catch (const std::runtime_error& e) {
    throw SuiteError({suite.source + ": carbon: " + e.what()});
  }
  // Checked now, so a misspelt region fails before hours of training.
  std::vector<ComparedRegion> compared;
  try {
    compared = ResolveComparedRegions(
        suite.carbon.compare_regions.empty() ? DefaultComparedRegions()
                                             : suite.carbon.compare_regions,
        reference_data_dir);
  } catch (const std::runtime_error& e) {
    throw SuiteError({suite.source + ": carbon." + e.what()});
  }
  ResultsStore store(options.store_path);
  SuiteRunContext context;
  context.suite = &suite;
  context.registry = &registry;
  context.store = &store;
  context.reference_data_dir = reference_data_dir;
  context.models_dir = options.models_dir;
  context.sampler_interval_ms =
      options.sampler_interval_ms > 0 ? options.sampler_interval_ms : suite.sampler.interval_ms;
  context.intensity = intensity;
  for (const auto& warning : context.intensity.warnings) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }

  InitializeBenchmark(options.benchmark_args);
  int failures = 0;
  std::map<std::string, int> repetitions_done;
  for (const Cell& cell : suite.cells) {
    auto* benchmark = benchmark::RegisterBenchmark(
        (suite.name + "/" + cell.name).c_str(),
        [&context, &cell, &failures, &repetitions_done, &options](benchmark::State& state) {
          const int repetition = repetitions_done[cell.config_hash]++;
          CellOutcome outcome;
          for (auto _ : state) {
            outcome = RunCell(context, cell, repetition, options.fresh);
            if (!outcome.finished) {
              ++failures;
              state.SkipWithError(outcome.failure_reason.c_str());
              break;
            }
            Report(state, outcome);
          }
        });
    benchmark->UseManualTime()->Iterations(1)->Repetitions(suite.repetitions)->Unit(
        benchmark::kSecond);
  }
  SuiteConsoleReporter console(fmt::format(
      "suite {} ({}): {} cell(s) x {} repetition(s); carbon intensity {:.1f} g/kWh ({}), PUE {:.2f}",
      suite.name, suite.source, suite.cells.size(), suite.repetitions, intensity.g_per_kwh,
      intensity.region_used, intensity.pue));
  benchmark::RunSpecifiedBenchmarks(&console);
  benchmark::ClearRegisteredBenchmarks();

  if (options.write_report) {
    try {
      ReportOptions report_options;
      report_options.compare_regions = compared;
      const std::string path =
          WriteMarkdownReport(store, suite.name, options.reports_dir, report_options);
      std::fprintf(stderr, "report: %s\n", path.c_str());
      const std::string csv = WriteEmissionsCsv(store, suite.name, options.reports_dir);
      std::fprintf(stderr, "CodeCarbon-format emissions: %s\n", csv.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "no report written: %s\n", e.what());
    }
  }
  if (failures > 0) {
    std::fprintf(stderr, "%d cell run(s) failed; their reasons are in the store and the report\n",
                 failures);
    return 1;
  }
  return 0;
}

}  // namespace carbonbench
