#include "runner/plan.h"

#include <fmt/format.h>

namespace carbonbench {

nlohmann::json ProbeResult::ToJson() const {
  return {{"steps", steps},
          {"train_step_s", train_step_s},
          {"eval_batches", eval_batches},
          {"eval_batch_s", eval_batch_s},
          {"watts", watts},
          {"provenance", provenance},
          {"train_batches_per_epoch", train_batches_per_epoch},
          {"eval_batches_per_epoch", eval_batches_per_epoch},
          {"epochs", epochs},
          {"inference_s", inference_s}};
}

ProbeResult ProbeResult::FromJson(const nlohmann::json& json) {
  ProbeResult probe;
  probe.steps = json.at("steps").get<int>();
  probe.train_step_s = json.at("train_step_s").get<double>();
  probe.eval_batches = json.at("eval_batches").get<int>();
  probe.eval_batch_s = json.at("eval_batch_s").get<double>();
  probe.watts = json.at("watts").get<double>();
  probe.provenance = json.at("provenance").get<std::string>();
  probe.train_batches_per_epoch = json.at("train_batches_per_epoch").get<std::int64_t>();
  probe.eval_batches_per_epoch = json.at("eval_batches_per_epoch").get<std::int64_t>();
  probe.epochs = json.at("epochs").get<int>();
  probe.inference_s = json.at("inference_s").get<double>();
  return probe;
}

std::optional<CellPrediction> PredictFromRuns(const std::vector<RunRow>& finished_runs) {
  if (finished_runs.empty()) return std::nullopt;
  CellPrediction prediction;
  prediction.predicted = true;
  for (const RunRow& run : finished_runs) {
    prediction.duration_s += run.summary.duration_s;
    prediction.energy_wh += run.summary.energy_wh;
    prediction.co2_g += run.summary.co2_g;
  }
  const auto n = static_cast<double>(finished_runs.size());
  prediction.duration_s /= n;
  prediction.energy_wh /= n;
  prediction.co2_g /= n;
  prediction.provenance = finished_runs.back().summary.energy_provenance;
  prediction.basis = finished_runs.size() == 1
                         ? "1 stored run"
                         : fmt::format("mean of {} stored runs", finished_runs.size());
  return prediction;
}

CellPrediction PredictFromProbe(const ProbeResult& probe, double g_per_kwh) {
  CellPrediction prediction;
  prediction.predicted = true;
  const double epoch_s = static_cast<double>(probe.train_batches_per_epoch) * probe.train_step_s +
                         static_cast<double>(probe.eval_batches_per_epoch) * probe.eval_batch_s;
  prediction.duration_s = probe.epochs * epoch_s + probe.inference_s;
  prediction.energy_wh = probe.watts * prediction.duration_s / 3600.0;
  prediction.co2_g = prediction.energy_wh / 1000.0 * g_per_kwh;
  prediction.provenance = probe.provenance;
  prediction.basis = fmt::format("probe of {} training steps", probe.steps);
  return prediction;
}

SuitePlan TotalPlan(std::vector<CellPrediction> cells) {
  SuitePlan plan;
  plan.cells = std::move(cells);
  for (const CellPrediction& cell : plan.cells) {
    if (cell.repetitions_to_run == 0) continue;
    if (!cell.predicted) {
      ++plan.unpredicted;
      continue;
    }
    plan.duration_s += cell.RemainingDurationS();
    plan.energy_wh += cell.RemainingEnergyWh();
    plan.co2_g += cell.RemainingCo2G();
  }
  return plan;
}

std::string CheckBudget(const SuitePlan& plan, double max_energy_wh, double max_co2_g) {
  const std::string how =
      "raise the budget, run part of the suite (--benchmark_filter, --shard), or shorten it";
  if (max_energy_wh > 0 && plan.energy_wh > max_energy_wh) {
    return fmt::format(
        "not started: the suite is predicted to use {:.4g} Wh, above --max-energy-wh {:.4g} "
        "({}; `carbonbench plan` shows each cell)",
        plan.energy_wh, max_energy_wh, how);
  }
  if (max_co2_g > 0 && plan.co2_g > max_co2_g) {
    return fmt::format(
        "not started: the suite is predicted to emit {:.4g} g CO2, above --max-co2-g {:.4g} "
        "({}; `carbonbench plan` shows each cell)",
        plan.co2_g, max_co2_g, how);
  }
  if ((max_energy_wh > 0 || max_co2_g > 0) && plan.unpredicted > 0) {
    return fmt::format(
        "not started: {} cell(s) could not be predicted, so the budget cannot be checked "
        "(`carbonbench plan` says why)",
        plan.unpredicted);
  }
  return "";
}

}  // namespace carbonbench
