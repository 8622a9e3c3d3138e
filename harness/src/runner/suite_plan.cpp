#include "runner/suite_plan.h"

#include <map>

#include <fmt/format.h>

#include "runner/cell_run.h"
#include "runner/environment.h"
#include "runner/isolated_cell.h"

namespace carbonbench {
namespace {

// Finished runs of every suite in the store, by configuration.
std::map<std::string, std::vector<RunRow>> FinishedRunsByConfig(const ResultsStore& store) {
  std::map<std::string, std::vector<RunRow>> runs;
  for (const std::string& suite : store.Suites()) {
    for (RunRow& row : store.LoadRuns(suite)) {
      if (row.status == "finished") runs[row.start.config_hash].push_back(std::move(row));
    }
  }
  return runs;
}

// The probe in the cell's own process, so a cell that crashes cannot take
// the plan down with it.
CellPrediction Probe(SuiteRunContext& context, const PlanOptions& options, const Cell& cell) {
  CellRequest request = RequestFor(context, cell, 0);
  request.probe_steps = options.probe_steps;
  IsolatedCellSettings settings;
  settings.executable_path = options.executable_path;
  settings.plugin_dirs = options.plugin_dirs;
  settings.limits.timeout_s = options.probe_timeout_s;
  settings.limits.memory_mb = context.suite->limits.cell_memory_mb > 0
                                  ? context.suite->limits.cell_memory_mb
                                  : MachineMemoryMb() * 9 / 10;
  std::optional<ProbeResult> probe;
  ChildCallbacks callbacks;
  callbacks.on_event = [&probe](const std::string& line) {
    const nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object() && json.value("type", "") == "probe") {
      probe = ProbeResult::FromJson(json.at("probe"));
    }
  };
  std::vector<std::string> output;
  callbacks.on_stderr = [&output](const std::string& line) { output.push_back(line); };
  const ChildExit exit = RunChild(CellChildSpec(context, settings, cell, request), callbacks);
  if (probe && exit.Exited(kCellFinishedExit)) {
    return PredictFromProbe(*probe, context.intensity.g_per_kwh);
  }
  CellPrediction failed;
  failed.basis = "the probe failed: " + (exit.Exited(1) && !exit.stderr_tail.empty()
                                             ? exit.stderr_tail.back()
                                             : AbnormalEndReason(exit, settings.limits));
  return failed;
}

}  // namespace

SuitePlan PlanSuite(const Suite& suite, const PluginRegistry& registry, ResultsStore& store,
                    const PlanOptions& options,
                    const std::function<void(const std::string&)>& progress) {
  SuiteRunContext context =
      MakeSuiteRunContext(suite, registry, &store, options.models_dir, suite.sampler.interval_ms);

  const auto earlier = FinishedRunsByConfig(store);
  std::vector<CellPrediction> cells;
  for (const ShardCell& part :
       options.cells.value_or(WholeSuite(suite.cells.size(), suite.repetitions))) {
    const Cell& cell = suite.cells[part.position];
    const int to_plan = static_cast<int>(part.repetitions.size());
    int finished = 0;
    for (int repetition : part.repetitions) {
      if (!options.fresh && store.FindFinished(suite.name, cell.config_hash, repetition)) {
        ++finished;
      }
    }
    CellPrediction prediction;
    const auto stored = earlier.find(cell.config_hash);
    if (stored != earlier.end()) {
      prediction = *PredictFromRuns(stored->second);
    } else if (finished < to_plan && options.probe_steps > 0) {
      if (progress)
        progress(fmt::format("probing {} ({} steps)...", cell.name, options.probe_steps));
      prediction = Probe(context, options, cell);
    } else if (finished < to_plan) {
      prediction.basis = "no stored run, and probing is off";
    }
    prediction.cell_name = cell.name;
    prediction.config_hash = cell.config_hash;
    prediction.repetitions_finished = finished;
    prediction.repetitions_to_run = to_plan - finished;
    cells.push_back(std::move(prediction));
  }
  return TotalPlan(std::move(cells));
}

std::string FormatPlanDuration(double s) {
  if (s < 120) return fmt::format("{:.1f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

std::string FormatPlan(const Suite& suite, const SuitePlan& plan, double g_per_kwh) {
  std::string text = fmt::format(
      "plan for suite {} ({}): {} cell(s) x {} repetition(s), {:.1f} g CO2/kWh\n\n"
      "| cell | to run | time each | energy each (Wh) | CO2 each (g) | predicted from |\n"
      "|---|---|---|---|---|---|\n",
      suite.name, suite.source, plan.cells.size(), suite.repetitions, g_per_kwh);
  for (const CellPrediction& cell : plan.cells) {
    const std::string to_run =
        cell.repetitions_finished > 0
            ? fmt::format("{} ({} finished)", cell.repetitions_to_run, cell.repetitions_finished)
            : fmt::format("{}", cell.repetitions_to_run);
    if (cell.predicted) {
      text += fmt::format("| {} | {} | {} | {:.4g} | {:.4g} | {} ({}) |\n", cell.cell_name, to_run,
                          FormatPlanDuration(cell.duration_s), cell.energy_wh, cell.co2_g,
                          cell.basis, cell.provenance);
    } else {
      text += fmt::format("| {} | {} | ? | ? | ? | {} |\n", cell.cell_name, to_run, cell.basis);
    }
  }
  text += fmt::format("\ntotal still to run: {}, {:.4g} Wh, {:.4g} g CO2",
                      FormatPlanDuration(plan.duration_s), plan.energy_wh, plan.co2_g);
  if (plan.unpredicted > 0) {
    text += fmt::format(" (+ {} cell(s) that could not be predicted)", plan.unpredicted);
  }
  text +=
      "\nEnergy of a probe-based prediction is the full schedule at the probe's mean power; "
      "early stopping can only make a run cheaper.\n";
  return text;
}

}  // namespace carbonbench
