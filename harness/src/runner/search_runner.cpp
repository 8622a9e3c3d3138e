#include "runner/search_runner.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "process/stop_signal.h"
#include "report/analysis/number_format.h"
#include "report/analysis/search_trials.h"
#include "runner/environment.h"
#include "runner/isolated_cell.h"
#include "runner/progress_display.h"
#include "search/study_client.h"
#include "store/results_store.h"
#include "store/store_codec.h"
#include "store/store_lock.h"
#include "suites/config_hash.h"
#include "suites/settings_schema.h"
#include "util/command_line.h"

namespace carbonbench {
namespace {

// Search trials are one run each: repetition 0 of their cell.
constexpr int kTrialRepetition = 0;

const SearchObjective& FirstObjective(const Suite& suite) {
  return suite.search->objectives.front();
}

bool Prunes(const SearchSettings& search) {
  return search.pruner.name != "none" && search.objectives.size() == 1;
}

nlohmann::json ParamsJson(const std::map<std::string, ParamValue>& params) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : params) {
    std::visit([&json, &key = key](const auto& held) { json[key] = held; }, value);
  }
  return json;
}

// A finished run's figure for one objective; NaN when the run has none
// (accuracy of a regressor).
double ObjectiveValue(const std::string& metric, const RunSummary& summary,
                      const std::string& task) {
  const bool regression = task == kRegressionTask;
  if (metric == "accuracy") return regression ? NAN : 100.0 * summary.final_accuracy;
  if (metric == "rmse") return regression ? summary.final_rmse : NAN;
  if (metric == "energy_wh") return summary.energy_wh;
  if (metric == "co2_g") return summary.co2_g;
  if (metric == "time_s") return summary.duration_s;
  return NAN;
}

// The same objective after one epoch, as the pruner sees it.
double EpochValue(const std::string& metric, const CellEvent& epoch) {
  if (metric == "accuracy") return 100.0 * epoch.test_accuracy;
  if (metric == "rmse") return epoch.test_rmse;
  if (metric == "energy_wh") return epoch.energy_wh;
  if (metric == "co2_g") return epoch.co2_g;
  return epoch.elapsed_s;
}

std::string MetricText(const std::string& metric, double value) {
  if (metric == "accuracy") return fmt::format("accuracy {:.2f}%", value);
  if (metric == "rmse") return "RMSE " + report::Significant(value, 4);
  if (metric == "energy_wh") return report::Significant(value, 3) + " Wh";
  if (metric == "co2_g") return report::Significant(value, 3) + " g CO2";
  return report::Significant(value, 3) + " s";
}

// What the study has spent, over every trial the store holds for it: the
// figures its report shows (report/analysis/search_trials.h).
struct Spent {
  double energy_wh = 0;
  double co2_g = 0;
  double seconds = 0;
  int ended = 0;
  report::TrialCounts counts;
};

Spent SpentBy(const std::vector<TrialRecord>& trials) {
  Spent spent;
  spent.energy_wh = report::SpentEnergyWh(trials);
  spent.co2_g = report::SpentCo2G(trials);
  for (const TrialRecord& trial : trials) spent.seconds += trial.duration_s;
  spent.counts = report::CountTrials(trials);
  spent.ended = static_cast<int>(trials.size()) - spent.counts.running;
  return spent;
}

// Why the search stops before another trial; empty to go on.
std::string BudgetSpent(const SearchSettings& search, const Spent& spent) {
  if (spent.ended >= search.trials) return fmt::format("{} trials done", spent.ended);
  if (search.max_energy_wh > 0 && spent.energy_wh >= search.max_energy_wh) {
    return fmt::format("energy budget spent: {} of max_energy_wh {} Wh",
                       report::Significant(spent.energy_wh, 3),
                       report::Significant(search.max_energy_wh, 3));
  }
  if (search.max_co2_g > 0 && spent.co2_g >= search.max_co2_g) {
    return fmt::format("CO2 budget spent: {} of max_co2_g {} g",
                       report::Significant(spent.co2_g, 3),
                       report::Significant(search.max_co2_g, 3));
  }
  if (search.timeout_s > 0 && spent.seconds >= search.timeout_s) {
    return fmt::format("time budget spent: {} of timeout_s {} s",
                       report::Significant(spent.seconds, 3),
                       report::Significant(search.timeout_s, 3));
  }
  return "";
}

class SearchRun {
 public:
  SearchRun(const Suite& suite, SuiteRunContext& context, const IsolatedCellSettings& isolation,
            StudyClient& study, const std::string& study_name, ProgressDisplay& progress)
      : suite_(suite),
        search_(*suite.search),
        context_(context),
        store_(*context.store),
        isolation_(isolation),
        study_(study),
        study_name_(study_name),
        progress_(progress) {}

  // Ends what a killed search left: a trial whose cell finished is told
  // from the store; one cut short is queued to run again.
  std::deque<StudyTrial> Reconcile() {
    std::map<int, TrialRecord> stored;
    for (TrialRecord& trial : Trials()) stored.emplace(trial.number, std::move(trial));
    std::deque<StudyTrial> rerun;
    for (const StudyTrial& trial : study_.trials_at_open()) {
      if (trial.state != "RUNNING") continue;
      const auto it = stored.find(trial.number);
      if (it != stored.end() && it->second.state != kTrialRunning) {
        Tell(it->second);  // stored before Optuna was told
        continue;
      }
      rerun.push_back(trial);
    }
    return rerun;
  }

  void Run(std::deque<StudyTrial> queued) {
    while (StopRequested() == 0) {
      const std::string reason = BudgetSpent(search_, SpentBy(Trials()));
      if (!reason.empty()) {
        stopped_because_ = reason;
        break;
      }
      StudyTrial trial;
      if (!queued.empty()) {
        trial = queued.front();
        queued.pop_front();
      } else {
        trial = Timed([&] { return study_.Ask(); });
      }
      RunTrial(trial);
    }
  }

  const std::string& stopped_because() const { return stopped_because_; }
  double optuna_s() const { return optuna_s_; }
  double trials_s() const { return trials_s_; }
  std::vector<TrialRecord> Trials() const { return store_.LoadTrials(suite_.name, study_name_); }

 private:
  void RunTrial(const StudyTrial& asked) {
    std::map<std::string, ParamValue> params = asked.params;
    for (auto& [key, value] : params)
      if (auto* real = std::get_if<double>(&value)) *real = RoundForTrial(*real);
    TrialRecord record;
    record.suite = suite_.name;
    record.study = study_name_;
    record.number = asked.number;
    record.params_json = ParamsJson(params).dump();
    record.started_at = NowIso8601Utc();
    Cell cell;
    try {
      cell = MakeTrialCell(suite_, params);
    } catch (const std::exception& e) {
      record.state = kTrialFailed;
      record.note = e.what();
      return End(record, {});
    }
    // What the cell ran with: a parameter of a plugin it does not run (a
    // width drawn for a model the trial did not choose) is left out.
    std::map<std::string, ParamValue> ran;
    for (const auto& [key, value] : params)
      if (key == detail::kOptimizationsKey || cell.settings.count(key) > 0) ran.emplace(key, value);
    record.params_json = ParamsJson(ran).dump();
    record.cell_name = cell.name;
    record.config_hash = cell.config_hash;
    record.planned_epochs = static_cast<int>(std::get<std::int64_t>(cell.Get("epochs")));
    store_.SaveTrial(record);

    if (auto finished = store_.FindFinished(suite_.name, cell.config_hash, kTrialRepetition)) {
      record.from_store = true;
      record.run_id = finished->id;
      record.epochs_run = finished->summary.epochs_run;
      return End(record, Values(finished->summary, finished->start.task, &record));
    }
    progress_.CellStarted(suite_.name, fmt::format("trial {} {}", asked.number, cell.name),
                          kTrialRepetition, 1, asked.number + 1, search_.trials);
    TrialChildOptions options;
    options.values = params;
    if (Prunes(search_))
      options.verdict = [&](const CellEvent& epoch) { return Verdict(asked.number, epoch); };
    const auto started = std::chrono::steady_clock::now();
    const IsolatedCellOutcome outcome =
        RunCellInChild(context_, isolation_, cell, kTrialRepetition, progress_, &options);
    trials_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // Interrupted: the trial stays running in the store and the study, and
    // the same command runs it again.
    if (StopRequested() != 0) return;
    const RunSummary& summary = outcome.cell.summary;
    record.run_id = outcome.cell.run_id;
    record.epochs_run = summary.epochs_run;
    record.energy_wh = summary.energy_wh;
    record.co2_g = summary.co2_g;
    record.duration_s = summary.duration_s;
    record.energy_provenance = summary.energy_provenance;
    if (outcome.cell.pruned) {
      record.state = kTrialPruned;
      record.note = outcome.cell.failure_reason;
      // Training's energy per epoch, over the epochs the schedule had
      // left: a projection of what the full trial would have cost.
      if (record.epochs_run > 0) {
        const double scale = static_cast<double>(record.planned_epochs) / record.epochs_run;
        record.projected_energy_wh = record.energy_wh * scale;
        record.projected_co2_g = record.co2_g * scale;
      }
      return End(record, {});
    }
    if (!outcome.cell.finished) {
      record.state = kTrialFailed;
      record.note = outcome.cell.failure_reason;
      return End(record, {});
    }
    return End(record, Values(summary, outcome.cell.task, &record));
  }

  // The objectives of a finished run; fails the record when one has none.
  std::vector<double> Values(const RunSummary& summary, const std::string& task,
                             TrialRecord* record) {
    std::vector<double> values;
    for (const SearchObjective& objective : search_.objectives) {
      const double value = ObjectiveValue(objective.metric, summary, task);
      if (!std::isfinite(value)) {
        record->state = kTrialFailed;
        record->note =
            fmt::format("the run has no finite {} ({} model): {}", objective.metric, task,
                        objective.metric == "accuracy" || objective.metric == "rmse"
                            ? "use accuracy for classifiers and rmse for regressors"
                            : "its figures are not finite");
        return {};
      }
      values.push_back(value);
    }
    record->state = kTrialComplete;
    return values;
  }

  // Whether the pruner stops the trial after this epoch.
  std::string Verdict(int number, const CellEvent& epoch) {
    const std::string& metric = FirstObjective(suite_).metric;
    const double value = EpochValue(metric, epoch);
    if (!std::isfinite(value) ||
        !Timed([&] { return study_.ReportAndShouldPrune(number, epoch.epoch, value); })) {
      return "continue";
    }
    return fmt::format("prune pruned by the search's {} pruner after epoch {} of {} ({})",
                       search_.pruner.name, epoch.epoch, epoch.epochs, MetricText(metric, value));
  }

  // Stores the trial's end, then tells Optuna: a search killed between the
  // two finds the store ahead and tells Optuna what it says (Reconcile).
  void End(TrialRecord& record, const std::vector<double>& values) {
    record.values = values;
    record.ended_at = NowIso8601Utc();
    store_.SaveTrial(record);
    Tell(record);
    progress_.Print(TrialLine(record));
  }

  void Tell(const TrialRecord& record) {
    Timed([&] {
      if (record.state == kTrialComplete) {
        study_.TellComplete(record.number, record.values);
      } else if (record.state == kTrialPruned) {
        study_.TellPruned(record.number);
      } else {
        study_.TellFailed(record.number);
      }
      return 0;
    });
  }

  // Runs a call to Optuna, adding its time to what the search spent
  // waiting on Optuna: the driver's share of the trials' wall time.
  template <class Call>
  auto Timed(Call call) -> decltype(call()) {
    const auto start = std::chrono::steady_clock::now();
    auto result = call();
    optuna_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

  std::string TrialLine(const TrialRecord& record) const {
    std::string line =
        fmt::format("[{}] trial {} {}: ", suite_.name, record.number,
                    record.cell_name.empty() ? record.params_json : record.cell_name);
    if (record.state == kTrialComplete) {
      std::vector<std::string> parts;
      for (std::size_t i = 0; i < record.values.size(); ++i)
        parts.push_back(MetricText(search_.objectives[i].metric, record.values[i]));
      line += JoinParts(parts);
      if (record.from_store) return line + " (taken from the store: this configuration ran before)";
    } else if (record.state == kTrialPruned) {
      line += fmt::format("{}; projected full schedule {} Wh (a projection)", record.note,
                          report::Significant(record.projected_energy_wh, 3));
    } else {
      line += "FAILED: " + record.note;
    }
    return line + fmt::format(", {} Wh {}, {} s", report::Significant(record.energy_wh, 3),
                              record.energy_provenance, report::Significant(record.duration_s, 3));
  }

  static std::string JoinParts(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) text += (text.empty() ? "" : ", ") + part;
    return text;
  }

  const Suite& suite_;
  const SearchSettings& search_;
  SuiteRunContext& context_;
  ResultsStore& store_;
  const IsolatedCellSettings& isolation_;
  StudyClient& study_;
  const std::string study_name_;
  ProgressDisplay& progress_;
  std::string stopped_because_;
  double optuna_s_ = 0;  // waiting on Optuna between and during this run's trials
  double trials_s_ = 0;  // wall time of this run's trials
};

// The search's own cost, and what pruning saved (a projection).
std::string CostLine(const Suite& suite, const std::vector<TrialRecord>& trials) {
  const Spent spent = SpentBy(trials);
  std::string line = fmt::format(
      "search {}: {} trial(s), {} complete, {} pruned; spent {} Wh and {} g CO2 in {} s",
      suite.name, trials.size(), spent.counts.complete, spent.counts.pruned,
      report::Significant(spent.energy_wh, 3), report::Significant(spent.co2_g, 3),
      report::Significant(spent.seconds, 3));
  if (spent.counts.pruned > 0) {
    line += fmt::format("; pruning saved about {} Wh (projected from the pruned trials' epochs)",
                        report::Significant(report::PruningSavedEnergyWh(trials), 3));
  }
  return line;
}

std::string BestLine(const Suite& suite, const std::vector<TrialRecord>& trials) {
  const SearchObjective& objective = suite.search->objectives.front();
  const TrialRecord* best = nullptr;
  for (const TrialRecord& trial : trials) {
    if (trial.state != kTrialComplete || trial.values.empty()) continue;
    const bool better = !best || (objective.maximize ? trial.values[0] > best->values[0]
                                                     : trial.values[0] < best->values[0]);
    if (better) best = &trial;
  }
  if (!best) return "no trial completed";
  return fmt::format("best {}: trial {} {} ({})",
                     suite.search->objectives.size() > 1 ? "by the first objective" : "trial",
                     best->number, best->cell_name, MetricText(objective.metric, best->values[0]));
}

// What makes a study: the search block without its trial count and
// budgets, so raising `trials` or a budget continues the same study.
std::string StudyIdentity(const SearchSettings& search) {
  nlohmann::json json = nlohmann::json::parse(search.canonical_json, nullptr, false);
  if (!json.is_object()) return search.canonical_json;
  for (const char* key : {"trials", "max_energy_wh", "max_co2_g", "timeout_s"}) json.erase(key);
  return json.dump();
}

}  // namespace

std::string StudyName(const Suite& suite) {
  return suite.name + "-" + detail::Fnv1a64Hex(StudyIdentity(*suite.search)).substr(0, 8);
}

std::string StudyJournalPath(const std::string& store_path, const std::string& suite) {
  return store_path + ".search/" + suite + ".journal";
}

double RoundForTrial(double value) {
  if (!std::isfinite(value) || value == 0) return value;
  return std::stod(fmt::format("{:.4g}", value));
}

int RunSearch(const Suite& suite, const PluginRegistry& registry, const RunOptions& options) {
  const std::vector<report::ComparedRegion> compared = ComparedRegionsFor(suite);
  SuiteRunSetup setup(suite, registry, options);
  ResultsStore& store = setup.store;
  SuiteRunContext& context = setup.context;

  StudyOptions study_options;
  study_options.driver_path = OptunaDriverPath(ReferenceDataDir());
  study_options.journal_path = StudyJournalPath(options.store_path, suite.name);
  study_options.study_name = StudyName(suite);
  std::filesystem::create_directories(
      std::filesystem::path(study_options.journal_path).parent_path());
  StudyClient study(study_options, *suite.search);
  StudyRecord study_record;
  study_record.suite = suite.name;
  study_record.study = study_options.study_name;
  study_record.settings_json = suite.search->canonical_json;
  study_record.optuna_version = study.optuna_version();
  for (const StudyRecord& earlier : store.LoadStudies(suite.name))
    if (earlier.study == study_record.study) study_record = earlier;
  study_record.optuna_version = study.optuna_version();
  store.SaveStudy(study_record);

  std::fprintf(stderr,
               "search %s (%s): study %s in %s, Optuna %s, sampler %s, pruner %s, up to %d "
               "trials; carbon intensity %.1f g/kWh (%s); each trial in its own process\n",
               suite.name.c_str(), suite.source.c_str(), study_options.study_name.c_str(),
               study_options.journal_path.c_str(), study.optuna_version().c_str(),
               suite.search->sampler.c_str(),
               Prunes(*suite.search) ? suite.search->pruner.name.c_str() : "none",
               suite.search->trials, context.intensity.g_per_kwh,
               context.intensity.region_used.c_str());
  ProgressDisplay progress(ProgressDisplay::ShouldBeLive());
  SearchRun run(suite, context, setup.isolation, study, study_options.study_name, progress);
  run.Run(run.Reconcile());

  if (const int signal = StopRequested()) {
    progress.Print(fmt::format(
        "interrupted ({}): the trial in flight is stored as failed with the epochs it finished; "
        "{} and {} keep every trial that ended. Resume with the same command: {}",
        StopSignalName(signal), options.store_path, study_options.journal_path,
        CommandLineOf(getpid())));
    return ExitCodeForStop(signal);
  }
  const StudyClient::Importances importances = study.ComputeImportances();
  study_record.importances_json = nlohmann::json(importances.by_parameter).dump();
  study_record.importances_note = importances.unavailable_reason;
  store.SaveStudy(study_record);

  const std::vector<TrialRecord> trials = run.Trials();
  std::fprintf(stderr, "search %s ended: %s\n%s\n%s\n", suite.name.c_str(),
               run.stopped_because().c_str(), CostLine(suite, trials).c_str(),
               BestLine(suite, trials).c_str());
  if (run.trials_s() > 0) {
    std::fprintf(stderr, "Optuna's share: %.1f ms of the %.1f s this run's trials took (%.2f%%)\n",
                 1000 * run.optuna_s(), run.trials_s(), 100 * run.optuna_s() / run.trials_s());
  }
  if (options.write_report) WriteReport(store, suite, registry, options, compared);
  return SpentBy(trials).counts.complete > 0 ? 0 : 1;
}

}  // namespace carbonbench
