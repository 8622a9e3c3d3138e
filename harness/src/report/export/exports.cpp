#include "report/export/exports.h"

#include <cmath>
#include <filesystem>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "records/record_json.h"
#include "report/analysis/class_metrics.h"
#include "report/analysis/leaderboard.h"
#include "report/analysis/report_cells.h"
#include "report/export/atomic_file.h"
#include "report/report_options.h"

namespace carbonbench::report {
namespace {

// Full precision, so a figure read back is the one stored.
std::string Number(double value) { return fmt::format("{}", value); }

// A spread needs two values: empty for a single run, as a reader must not
// take one run for a run-to-run spread of 0.
std::string Spread(const Stat& stat) { return stat.count >= 2 ? Number(stat.stddev) : ""; }

std::string Line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + CsvField(fields[i]);
  return line + "\n";
}

// A run's flat fields, typed, keyed by kRunColumns: the JSON export's and,
// formatted, the CSV's. A classifier has no RMSE and a regressor no
// accuracy: null, not 0.
nlohmann::json RunFields(const RunRow& run) {
  const RunStart& s = run.start;
  const RunSummary& r = run.summary;
  const bool regression = s.task == kRegressionTask;
  auto classifier_only = [regression](double v) {
    return regression ? nlohmann::json() : nlohmann::json(v);
  };
  auto regressor_only = [regression](double v) {
    return regression ? nlohmann::json(v) : nlohmann::json();
  };
  const auto matrix = ConfusionOf(r.confusion);
  return {
      {"run_id", run.id},
      {"suite", s.suite},
      {"cell", s.cell_name},
      {"config_hash", s.config_hash},
      {"repetition", s.repetition},
      {"seed", s.seed},
      {"model", s.model},
      {"optimizations", s.optimizations},
      {"dataset", s.dataset},
      {"task", s.task},
      {"status", run.status},
      {"failure_reason", run.failure_reason},
      {"started_at", run.started_at},
      {"finished_at", run.finished_at},
      {"epochs_run", r.epochs_run},
      {"best_accuracy_percent", classifier_only(r.best_accuracy * 100)},
      {"final_accuracy_percent", classifier_only(r.final_accuracy * 100)},
      {"best_rmse", regressor_only(r.best_rmse)},
      {"final_rmse", regressor_only(r.final_rmse)},
      {"final_mae", regressor_only(r.final_mae)},
      {"duration_s", r.duration_s},
      {"energy_wh", r.energy_wh},
      {"co2_g", r.co2_g},
      // The idle baseline's share: none when no baseline was taken.
      {"idle_energy_wh", s.idle.watts ? nlohmann::json(r.idle_energy_wh) : nlohmann::json()},
      {"energy_provenance", r.energy_provenance},
      {"compute_dtype", r.compute_dtype},
      // Unknown for runs from before they were recorded.
      {"runtime", r.runtime.empty() ? nlohmann::json() : nlohmann::json(r.runtime)},
      {"architecture", r.architecture.empty() ? nlohmann::json() : nlohmann::json(r.architecture)},
      {"region", s.region_used},
      {"intensity_g_per_kwh", s.intensity_g_per_kwh},
      {"pue", s.pue},
      // Loading the saved model for the inference phase: none without one.
      {"cold_start_s", r.inference.empty() ? nlohmann::json() : nlohmann::json(r.cold_start_s)},
      {"stop_reason", r.stop_reason},
      {"model_path", r.model_path},
      {"macro_f1_percent",
       matrix ? nlohmann::json(AveragesOf(*matrix).macro_f1 * 100) : nlohmann::json()},
      {"energy_band_wh", r.energy_band_wh}};
}

// A typed field as CSV text: null empty, numbers at full precision.
std::string CsvText(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  return Number(value.get<double>());
}

// An optional as JSON: null when unset.
template <class T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// The run's measurement record, every field present (null when unset), so
// a reader need not tell a missing key from an unknown figure.
nlohmann::json MeasurementJson(const MeasurementRecord& m) {
  nlohmann::json components = nlohmann::json::array();
  for (const ComponentMeasurement& c : m.components) {
    components.push_back({{"component", OrNull(c.component)},
                          {"meter", OrNull(c.meter)},
                          {"provenance", OrNull(c.provenance)},
                          {"method", OrNull(c.method)},
                          {"scope", OrNull(c.scope)},
                          {"band_relative", OrNull(c.band_relative)},
                          {"band_basis", OrNull(c.band_basis)},
                          {"calibration", OrNull(c.calibration)}});
  }
  return {{"components", std::move(components)},
          {"interval_target_ms", OrNull(m.interval_target_ms)},
          {"interval_mean_ms", OrNull(m.interval_mean_ms)},
          {"interval_max_gap_ms", OrNull(m.interval_max_gap_ms)},
          {"samples", OrNull(m.samples)},
          {"outside_load_mean", OrNull(m.outside_load_mean)},
          {"outside_load_max", OrNull(m.outside_load_max)},
          {"process_load_mean", OrNull(m.process_load_mean)},
          {"outside_load_warning", OrNull(m.outside_load_warning)}};
}

nlohmann::json ParsedOr(const std::string& text, nlohmann::json fallback) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_discarded() ? fallback : parsed;
}

// Every field of a trial; values null where not a finite number.
nlohmann::json TrialJson(const TrialRecord& t) {
  nlohmann::json values = nlohmann::json::array();
  for (const double value : t.values) {
    values.push_back(std::isfinite(value) ? nlohmann::json(value) : nlohmann::json());
  }
  return {{"number", t.number},
          {"state", t.state},
          {"params", ParsedOr(t.params_json, nlohmann::json::object())},
          {"values", std::move(values)},
          {"cell", t.cell_name},
          {"config_hash", t.config_hash},
          {"run_id", t.run_id},
          {"from_store", t.from_store},
          {"epochs_run", t.epochs_run},
          {"planned_epochs", t.planned_epochs},
          {"energy_wh", t.energy_wh},
          {"co2_g", t.co2_g},
          {"duration_s", t.duration_s},
          {"energy_provenance", t.energy_provenance},
          {"projected_energy_wh", t.projected_energy_wh},
          {"projected_co2_g", t.projected_co2_g},
          {"note", t.note},
          {"started_at", t.started_at},
          {"ended_at", t.ended_at}};
}

nlohmann::json SearchJson(const SearchView& search) {
  const StudyRecord& s = search.study;
  nlohmann::json trials = nlohmann::json::array();
  for (const TrialRecord& trial : search.trials) trials.push_back(TrialJson(trial));
  return {{"study", s.study},
          {"settings", ParsedOr(s.settings_json, nlohmann::json::object())},
          {"optuna_version", s.optuna_version},
          {"importances", ParsedOr(s.importances_json, nlohmann::json::object())},
          {"importances_note", s.importances_note},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at},
          {"earlier_studies", search.earlier_studies},
          // A projection from each pruned trial's epochs, not a measurement.
          {"pruning_saved_energy_wh_projected", PruningSavedEnergyWh(search.trials)},
          {"pruning_saved_co2_g_projected", PruningSavedCo2G(search.trials)},
          {"trials", std::move(trials)}};
}

}  // namespace

const std::vector<std::string> kSearchTrialColumns = {"study",
                                                      "number",
                                                      "state",
                                                      "cell",
                                                      "config_hash",
                                                      "run_id",
                                                      "from_store",
                                                      "epochs_run",
                                                      "planned_epochs",
                                                      "energy_wh",
                                                      "co2_g",
                                                      "duration_s",
                                                      "energy_provenance",
                                                      "projected_energy_wh",
                                                      "projected_co2_g",
                                                      "note",
                                                      "started_at",
                                                      "ended_at"};

std::string SearchTrialsCsv(const SearchView& search) {
  std::vector<std::string> header = kSearchTrialColumns;
  for (const SearchGoal& goal : search.goals) header.push_back("value_" + goal.metric);
  for (const std::string& key : search.parameter_keys) header.push_back("param_" + key);
  std::string text = Line(header);
  for (const TrialRecord& t : search.trials) {
    const nlohmann::json fields = TrialJson(t);
    std::vector<std::string> cells = {search.study.study};
    for (std::size_t i = 1; i < kSearchTrialColumns.size(); ++i) {
      const nlohmann::json& value = fields.at(kSearchTrialColumns[i]);
      cells.push_back(value.is_boolean() ? (value.get<bool>() ? "true" : "false") : CsvText(value));
    }
    for (std::size_t i = 0; i < search.goals.size(); ++i) {
      const bool has = i < t.values.size() && std::isfinite(t.values[i]);
      cells.push_back(has ? Number(t.values[i]) : "");
    }
    const nlohmann::json params = ParsedOr(t.params_json, nlohmann::json::object());
    for (const std::string& key : search.parameter_keys) {
      const auto it = params.find(key);
      cells.push_back(it == params.end() || it->is_null() ? ""
                      : it->is_string()                   ? it->get<std::string>()
                      : it->is_boolean()                  ? (it->get<bool>() ? "true" : "false")
                                                          : CsvText(*it));
    }
    text += Line(cells);
  }
  return text;
}

const std::vector<std::string> kRunColumns = {"run_id",
                                              "suite",
                                              "cell",
                                              "config_hash",
                                              "repetition",
                                              "seed",
                                              "model",
                                              "optimizations",
                                              "dataset",
                                              "task",
                                              "status",
                                              "failure_reason",
                                              "started_at",
                                              "finished_at",
                                              "epochs_run",
                                              "best_accuracy_percent",
                                              "final_accuracy_percent",
                                              "best_rmse",
                                              "final_rmse",
                                              "final_mae",
                                              "duration_s",
                                              "energy_wh",
                                              "co2_g",
                                              "idle_energy_wh",
                                              "energy_provenance",
                                              "compute_dtype",
                                              "runtime",
                                              "architecture",
                                              "region",
                                              "intensity_g_per_kwh",
                                              "pue",
                                              "cold_start_s",
                                              "stop_reason",
                                              "model_path",
                                              "macro_f1_percent",
                                              "energy_band_wh"};

const std::vector<std::string> kEpochColumns = {"run_id",
                                                "suite",
                                                "cell",
                                                "repetition",
                                                "epoch",
                                                "train_loss",
                                                "test_loss",
                                                "test_accuracy_percent",
                                                "test_rmse",
                                                "test_mae",
                                                "train_s",
                                                "eval_s",
                                                "data_s",
                                                "energy_wh",
                                                "cumulative_energy_wh",
                                                "co2_g",
                                                "energy_provenance",
                                                "energy_band_wh"};

const std::vector<std::string> kLeaderboardColumns = {"dataset",
                                                      "objective",
                                                      "target_accuracy_percent",
                                                      "rank",
                                                      "cell",
                                                      "config_hash",
                                                      "runs",
                                                      "final_accuracy_percent_mean",
                                                      "final_accuracy_percent_stddev",
                                                      "energy_wh_mean",
                                                      "energy_wh_stddev",
                                                      "co2_g_mean",
                                                      "co2_g_stddev",
                                                      "duration_s_mean",
                                                      "duration_s_stddev",
                                                      "accuracy_percent_per_kwh_mean",
                                                      "runs_reaching_target",
                                                      "epoch_to_target_mean",
                                                      "energy_wh_to_target_mean",
                                                      "co2_g_to_target_mean",
                                                      "duration_s_to_target_mean",
                                                      "energy_band_wh_mean",
                                                      "energy_band_wh_to_target_mean"};

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

std::string RunsCsv(const std::vector<RunRow>& runs) {
  std::string text = Line(kRunColumns);
  for (const RunRow& run : runs) {
    const nlohmann::json fields = RunFields(run);
    std::vector<std::string> cells;
    for (const std::string& column : kRunColumns) cells.push_back(CsvText(fields.at(column)));
    text += Line(cells);
  }
  return text;
}

std::string EpochsCsv(const std::vector<RunRow>& runs) {
  std::string text = Line(kEpochColumns);
  for (const RunRow& run : runs) {
    const bool regression = run.start.task == kRegressionTask;
    double cumulative = 0;
    for (const EpochRecord& e : run.epochs) {
      cumulative += e.energy_wh;
      text += Line(
          {std::to_string(run.id), run.start.suite, run.start.cell_name,
           std::to_string(run.start.repetition), std::to_string(e.epoch), Number(e.train_loss),
           Number(e.test_loss), regression ? "" : Number(e.test_accuracy * 100),
           regression ? Number(e.test_rmse) : "", regression ? Number(e.test_mae) : "",
           Number(e.train_s), Number(e.eval_s), Number(e.data_s), Number(e.energy_wh),
           Number(cumulative), Number(e.co2_g), e.energy_provenance, Number(e.energy_band_wh)});
    }
  }
  return text;
}

nlohmann::json RunJson(const RunRow& run) {
  nlohmann::json item = RunFields(run);
  if (const auto matrix = ConfusionOf(run.summary.confusion)) {
    item["confusion"] = {{"classes", matrix->classes}, {"matrix", matrix->counts}};
  }
  item["settings"] = ParsedOr(run.start.config_json, nlohmann::json::object())
                         .value("settings", nlohmann::json::object());
  item["environment"] = ToJson(run.start.environment);
  item["meters"] = ToJson(run.start.meters);
  item["carbon"] = ToJson(run.start.carbon);
  item["phases"] = nlohmann::json::array();
  for (const PhaseEnergy& p : run.summary.phases) {
    item["phases"].push_back({{"phase", p.phase},
                              {"component", p.component},
                              {"energy_wh", p.energy_wh},
                              {"co2_g", p.co2_g},
                              {"provenance", p.provenance},
                              {"meter", p.meter},
                              {"band_wh", p.band_wh}});
  }
  item["epochs"] = nlohmann::json::array();
  // As in epochs.csv: a classifier has no RMSE and a regressor no accuracy.
  const bool regression = run.start.task == kRegressionTask;
  auto classifier_only = [regression](double v) {
    return regression ? nlohmann::json() : nlohmann::json(v);
  };
  auto regressor_only = [regression](double v) {
    return regression ? nlohmann::json(v) : nlohmann::json();
  };
  for (const EpochRecord& e : run.epochs) {
    item["epochs"].push_back({{"epoch", e.epoch},
                              {"train_loss", e.train_loss},
                              {"test_loss", e.test_loss},
                              {"test_accuracy_percent", classifier_only(e.test_accuracy * 100)},
                              {"test_rmse", regressor_only(e.test_rmse)},
                              {"test_mae", regressor_only(e.test_mae)},
                              {"train_s", e.train_s},
                              {"eval_s", e.eval_s},
                              {"data_s", e.data_s},
                              {"energy_wh", e.energy_wh},
                              {"co2_g", e.co2_g},
                              {"energy_provenance", e.energy_provenance},
                              {"energy_band_wh", e.energy_band_wh}});
  }
  item["inference"] = nlohmann::json::array();
  for (const InferenceRecord& i : run.summary.inference) {
    item["inference"].push_back({{"batch_size", i.batch_size},
                                 {"iterations", i.iterations},
                                 {"p50_ms", i.p50_ms},
                                 {"p90_ms", i.p90_ms},
                                 {"p99_ms", i.p99_ms},
                                 {"throughput_per_s", i.throughput_per_s},
                                 {"energy_wh_per_1000", i.energy_wh_per_1000},
                                 {"energy_wh", i.energy_wh},
                                 {"energy_band_wh", i.energy_band_wh},
                                 {"energy_provenance", i.energy_provenance}});
  }
  item["measurement"] = MeasurementJson(run.summary.measurement);
  item["warnings"] = run.summary.warnings;
  return item;
}

std::string RunsJson(const std::string& suite, const std::vector<RunRow>& runs,
                     const SearchView* search) {
  nlohmann::json all = nlohmann::json::array();
  for (const RunRow& run : runs) all.push_back(RunJson(run));
  nlohmann::json document{
      {"format", "carbonbench runs"}, {"version", 1}, {"suite", suite}, {"runs", std::move(all)}};
  if (search) document["search"] = SearchJson(*search);
  return document.dump(2) + "\n";
}

std::string LeaderboardCsv(const std::vector<RunRow>& runs, const ReportOptions& options) {
  const std::vector<CellRuns> cells = GroupCells(runs);
  const Objective objective = ReportObjective(options);
  std::string text = Line(kLeaderboardColumns);
  for (const Leaderboard& board :
       BuildLeaderboards(cells, objective, ReportTarget(options), options.roles)) {
    int rank = 0;
    for (const CellStanding& s : board.ranked) {
      const bool reached = s.runs_reaching > 0;
      text += Line({board.dataset,
                    options.objective,
                    Number(board.target_accuracy_percent),
                    s.score ? std::to_string(++rank) : "",
                    s.cell->name,
                    s.cell->config_hash,
                    std::to_string(s.runs),
                    Number(s.final_accuracy.mean),
                    Spread(s.final_accuracy),
                    Number(s.energy_wh.mean),
                    Spread(s.energy_wh),
                    Number(s.co2_g.mean),
                    Spread(s.co2_g),
                    Number(s.duration_s.mean),
                    Spread(s.duration_s),
                    s.accuracy_per_kwh.count ? Number(s.accuracy_per_kwh.mean) : "",
                    std::to_string(s.runs_reaching),
                    reached ? Number(s.reach_epoch.mean) : "",
                    reached ? Number(s.reach_energy_wh.mean) : "",
                    reached ? Number(s.reach_co2_g.mean) : "",
                    reached ? Number(s.reach_s.mean) : "",
                    Number(s.energy_band_wh.mean),
                    reached ? Number(s.reach_energy_band_wh.mean) : ""});
    }
  }
  return text;
}

std::vector<std::string> WriteExports(const std::string& suite, const std::vector<RunRow>& runs,
                                      const std::string& dir, const ReportOptions& options) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path base = std::filesystem::path(dir) / suite;
  std::vector<std::pair<std::string, std::string>> files = {
      {base.string() + ".runs.csv", RunsCsv(runs)},
      {base.string() + ".epochs.csv", EpochsCsv(runs)},
      {base.string() + ".runs.json",
       RunsJson(suite, runs, options.search ? &*options.search : nullptr)},
      {base.string() + ".leaderboard.csv", LeaderboardCsv(runs, options)}};
  if (options.search) {
    files.push_back({base.string() + ".search_trials.csv", SearchTrialsCsv(*options.search)});
  }
  std::vector<std::string> paths;
  for (const auto& [path, text] : files) {
    WriteFileAtomically(path, text);
    paths.push_back(path);
  }
  return paths;
}

}  // namespace carbonbench::report
