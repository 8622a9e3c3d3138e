#include "runner/suite_runner.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "plugins/declared_roles.h"
#include "process/malloc_library.h"
#include "process/stop_signal.h"
#include "report/analysis/number_format.h"
#include "report/export/emissions_csv.h"
#include "report/suite_report.h"
#include "runner/cell_run.h"
#include "runner/child_cpu_time.h"
#include "runner/compared_regions.h"
#include "runner/console_reporter.h"
#include "runner/environment.h"
#include "runner/isolated_cell.h"
#include "runner/progress_display.h"
#include "store/results_store.h"
#include "store/store_lock.h"
#include "util/command_line.h"

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
    throw std::runtime_error(
        fmt::format("unknown option '{}': options after the suite are Google Benchmark's "
                    "(--benchmark_filter, --benchmark_out, ...)",
                    argv[1]));
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
  const std::string band = report::BandText(summary.energy_wh, summary.energy_band_wh);
  if (!band.empty()) label += " " + band;  // "estimated ±47%"
  if (outcome.from_store) label += ", from store";
  state.SetLabel(label);
}

// The reporter Google Benchmark would make for --benchmark_out, but with
// the cells' own CPU time; none without --benchmark_out.
std::unique_ptr<benchmark::BenchmarkReporter> FileReporter(const RunOptions& options,
                                                           const ChildCpuTimes& cpu) {
  std::string out, format = "json";
  for (const std::string& arg : options.benchmark_args) {
    if (arg.rfind("--benchmark_out=", 0) == 0) out = arg.substr(16);
    if (arg.rfind("--benchmark_out_format=", 0) == 0) format = arg.substr(23);
  }
  if (out.empty()) return nullptr;
  if (format == "csv") return std::make_unique<WithChildCpuTime<benchmark::CSVReporter>>(&cpu);
  if (format == "console") {
    return std::make_unique<WithChildCpuTime<benchmark::ConsoleReporter>>(
        &cpu, benchmark::ConsoleReporter::OO_None);
  }
  return std::make_unique<WithChildCpuTime<benchmark::JSONReporter>>(&cpu);
}

struct SuiteTally {
  int total = 0;  // cell repetitions this run covers
  int started = 0;
  int failures = 0;
  int finished_now = 0;                         // repetitions this run trained to the end
  std::map<std::string, int> repetitions_done;  // by config hash
  ChildCpuTimes child_cpu;
};

// A repetition already finished is taken from the store (with --fresh it
// runs again, and its new run replaces the stored one only when it
// finishes); otherwise the suite's process chooses the meters (explaining
// each unavailable one once), takes the idle baseline before the first cell
// that runs, and hands the cell to a child process.
IsolatedCellOutcome RunRepetition(SuiteRunContext& context, const IsolatedCellSettings& isolation,
                                  const Cell& cell, int repetition, bool fresh,
                                  ProgressDisplay& progress, int position, int total) {
  ResultsStore& store = *context.store;
  const Suite& suite = *context.suite;
  IsolatedCellOutcome result;
  if (!fresh) {
    if (auto stored = store.FindFinished(suite.name, cell.config_hash, repetition)) {
      result.cell.finished = true;
      result.cell.from_store = true;
      result.cell.run_id = stored->id;
      result.cell.summary = stored->summary;
      result.cell.task = stored->start.task;
      return result;
    }
  }
  try {
    const int threads =
        ResolveThreadCount(static_cast<int>(std::get<std::int64_t>(cell.Get("threads"))));
    const MeterSelection meters = ChooseMeters(context, cell, threads);
    IdleBaselineFor(context, meters);
  } catch (const std::exception& e) {
    result.cell.failure_reason = e.what();
    const std::int64_t run_id = store.BeginRun(BasicRunStart(context, cell, repetition));
    store.FailRun(run_id, result.cell.failure_reason, RunSummary{});
    progress.Print(fmt::format("[{}] {} rep {} FAILED: {}", suite.name, cell.name, repetition + 1,
                               result.cell.failure_reason));
    return result;
  }
  progress.CellStarted(suite.name, cell.name, repetition, suite.repetitions, position, total);
  return RunCellInChild(context, isolation, cell, repetition, progress);
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

std::vector<report::ComparedRegion> ComparedRegionsFor(const Suite& suite) {
  try {
    return ResolveComparedRegions(suite.carbon.compare_regions.empty()
                                      ? DefaultComparedRegions()
                                      : suite.carbon.compare_regions,
                                  ReferenceDataDir());
  } catch (const std::runtime_error& e) {
    throw SuiteError({fmt::format("{}: carbon.{}", suite.source, e.what())});
  }
}

IsolatedCellSettings IsolationFor(const Suite& suite, const RunOptions& options) {
  IsolatedCellSettings isolation;
  isolation.executable_path = options.executable_path;
  isolation.plugin_dirs = options.plugin_dirs;
  isolation.tcmalloc_path = FindTcmalloc();
  isolation.limits.timeout_s =
      options.cell_timeout_s > 0 ? options.cell_timeout_s : suite.limits.cell_timeout_s;
  isolation.limits.memory_mb =
      options.cell_memory_mb > 0 ? options.cell_memory_mb : suite.limits.cell_memory_mb;
  if (isolation.limits.memory_mb <= 0) isolation.limits.memory_mb = MachineMemoryMb() * 9 / 10;
  return isolation;
}

namespace {

// Positions, not cells: each cell is made when it is registered and when it
// runs, so the suite's cells are never all held at once.
std::vector<ShardCell> CellsInShard(const Suite& suite, const RunOptions& options) {
  if (options.shard_count > 1) return options.shard_cells;
  return WholeSuite(suite.cells.size(), suite.repetitions);
}

// What a registered benchmark needs of the suite's run; it outlives them.
struct SuiteRun {
  SuiteRunContext& context;
  const RunOptions& options;
  const IsolatedCellSettings& isolation;
  ProgressDisplay& progress;
  SuiteTally& tally;
};

// One Google Benchmark iteration of a cell: one of the repetitions this
// shard runs, or none after --fail-fast saw a failure.
void RunCellBenchmark(SuiteRun& run, const Cell& cell, const std::vector<int>& repetitions,
                      const std::string& benchmark_name, benchmark::State& state) {
  SuiteTally& tally = run.tally;
  const int repetition =
      repetitions.at(static_cast<std::size_t>(tally.repetitions_done[cell.config_hash]++));
  ++tally.started;
  for (auto _ : state) {
    if (run.options.fail_fast && tally.failures > 0) {
      state.SkipWithError("not run: --fail-fast stopped the suite at the first failure");
      break;
    }
    if (StopRequested() != 0) {
      state.SkipWithError("not run: the suite was interrupted");
      break;
    }
    const IsolatedCellOutcome outcome =
        RunRepetition(run.context, run.isolation, cell, repetition, run.options.fresh, run.progress,
                      tally.started, tally.total);
    if (!outcome.cell.finished) {
      ++tally.failures;
      state.SkipWithError(outcome.cell.failure_reason.c_str());
      break;
    }
    if (!outcome.cell.from_store) {
      ++tally.finished_now;
      tally.child_cpu.Record(benchmark_name, repetition, outcome.cpu_s);
    }
    Report(state, outcome.cell);
  }
}

// Each cell is one benchmark, run once per repetition.
void RegisterCells(SuiteRun& run, const std::vector<ShardCell>& cells) {
  const Suite& suite = *run.context.suite;
  for (const ShardCell& part : cells) {
    const std::size_t position = part.position;
    const std::string benchmark_name = suite.name + "/" + suite.cells.At(position).name;
    auto* benchmark = benchmark::RegisterBenchmark(
        benchmark_name.c_str(), [&run, &suite, position, repetitions = part.repetitions,
                                 benchmark_name](benchmark::State& state) {
          RunCellBenchmark(run, suite.cells.At(position), repetitions, benchmark_name, state);
        });
    benchmark->UseManualTime()
        ->Iterations(1)
        ->Repetitions(static_cast<int>(part.repetitions.size()))
        // Milliseconds: compare.py prints times in the file's unit, and whole
        // seconds of a short cell would compare nothing.
        ->Unit(benchmark::kMillisecond);
  }
}

std::string SuiteHeadline(const Suite& suite, const RunOptions& options, std::size_t cells,
                          int runs, const CarbonIntensity& intensity, const ChildLimits& limits) {
  const std::string what =
      options.shard_count > 1
          ? fmt::format("{} run(s) of {} cell(s) (shard {}/{} of {} cells x {} repetition(s))",
                        runs, cells, options.shard_index, options.shard_count, suite.cells.size(),
                        suite.repetitions)
          : fmt::format("{} cell(s) x {} repetition(s)", cells, suite.repetitions);
  return fmt::format(
      "suite {} ({}): {}; carbon intensity {:.1f} g/kWh ({}), PUE {:.2f}; each cell in its own "
      "process, limits {:g} s and {} MB",
      suite.name, suite.source, what, intensity.g_per_kwh, intensity.region_used, intensity.pue,
      limits.timeout_s, limits.memory_mb);
}

}  // namespace

void WriteReport(const ResultsStore& store, const Suite& suite, const PluginRegistry& registry,
                 const RunOptions& options, const std::vector<report::ComparedRegion>& compared) {
  try {
    report::ReportOptions report_options;
    report_options.compare_regions = compared;
    report_options.roles = DeclaredRolesOf(registry.Catalog());
    const std::vector<std::string> paths =
        report::WriteSuiteReport(store, suite.name, options.reports_dir, report_options);
    std::fprintf(stderr, "report: %s\n", paths.front().c_str());
    std::fprintf(stderr,
                 "also written: %zu files beside it (plots, CodeCarbon's emissions.csv, "
                 "CSV and JSON exports)\n",
                 paths.size() - 1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "no report written: %s\n", e.what());
  }
}

namespace {

// What an interrupted suite kept, and how to go on.
std::string InterruptedLine(int signal, const SuiteTally& tally, const RunOptions& options) {
  std::string line = fmt::format(
      "interrupted ({}): stopped the running cell, whose attempt is stored as failed with the "
      "epochs it finished; {} keeps the {} cell repetition(s) this run finished and every result "
      "finished before it. Resume with the same command: {}",
      StopSignalName(signal), options.store_path, tally.finished_now, CommandLineOf(getpid()));
  if (options.fresh) {
    line += " (with --fresh every cell runs again; without it, the cells finished so far are kept)";
  }
  return line;
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

CarbonIntensity ResolveSuiteCarbon(const Suite& suite) {
  try {
    return ResolveCarbon(CarbonRequestFor(suite), ReferenceDataDir());
  } catch (const std::runtime_error& e) {
    throw SuiteError({fmt::format("{}: carbon: {}", suite.source, e.what())});
  }
}

std::string ModelsDirBeside(const std::string& store_path) {
  return (std::filesystem::path(store_path).parent_path() / "models").string();
}

SuiteRunContext MakeSuiteRunContext(const Suite& suite, const PluginRegistry& registry,
                                    ResultsStore* store, const std::string& models_dir,
                                    int sampler_interval_ms) {
  SuiteRunContext context;
  context.suite = &suite;
  context.registry = &registry;
  context.store = store;
  context.reference_data_dir = ReferenceDataDir();
  context.models_dir =
      models_dir.empty() && store != nullptr ? ModelsDirBeside(store->path()) : models_dir;
  context.sampler_interval_ms = sampler_interval_ms;
  context.intensity = ResolveSuiteCarbon(suite);
  return context;
}

SuiteRunSetup::SuiteRunSetup(const Suite& suite, const PluginRegistry& registry,
                             const RunOptions& options)
    : lock(options.store_path),
      store(options.store_path),
      context(MakeSuiteRunContext(suite, registry, &store, options.models_dir,
                                  options.sampler_interval_ms > 0 ? options.sampler_interval_ms
                                                                  : suite.sampler.interval_ms)),
      isolation(IsolationFor(suite, options)) {
  for (const auto& warning : context.intensity.warnings) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
}

int RunSuite(const Suite& suite, const PluginRegistry& registry, const RunOptions& options) {
  // Both are suite errors found before the store is touched.
  const std::vector<report::ComparedRegion> compared = ComparedRegionsFor(suite);
  const CarbonIntensity intensity = ResolveSuiteCarbon(suite);
  SuiteRunSetup setup(suite, registry, options);
  ResultsStore& store = setup.store;
  SuiteRunContext& context = setup.context;
  const IsolatedCellSettings& isolation = setup.isolation;
  const std::vector<ShardCell> cells = CellsInShard(suite, options);

  InitializeBenchmark(options.benchmark_args);
  ProgressDisplay progress(ProgressDisplay::ShouldBeLive());
  SuiteTally tally;
  for (const ShardCell& part : cells) tally.total += static_cast<int>(part.repetitions.size());
  SuiteRun run{context, options, isolation, progress, tally};
  RegisterCells(run, cells);
  SuiteConsoleReporter console(
      SuiteHeadline(suite, options, cells.size(), tally.total, intensity, isolation.limits),
      &tally.child_cpu);
  std::unique_ptr<benchmark::BenchmarkReporter> file = FileReporter(options, tally.child_cpu);
  benchmark::RunSpecifiedBenchmarks(&console, file.get());
  benchmark::ClearRegisteredBenchmarks();

  if (const int signal = StopRequested()) {
    progress.Print(InterruptedLine(signal, tally, options));
    return ExitCodeForStop(signal);
  }
  if (options.write_report) WriteReport(store, suite, registry, options, compared);
  if (tally.failures > 0) {
    std::fprintf(stderr, "%d cell run(s) failed; their reasons are in the store and the report\n",
                 tally.failures);
    return 1;
  }
  return 0;
}

}  // namespace carbonbench
