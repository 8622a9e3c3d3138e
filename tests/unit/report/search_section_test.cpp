// The report of a suite with a hyperparameter search: its Search section
// from a study and trials stored as a search writes them, against reviewed
// copies, with its figures checked by hand; and the exports' search part.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/analysis/search_trials.h"
#include "report/export/exports.h"
#include "report/render/markdown_report.h"
#include "report/suite_report.h"
#include "store/results_store.h"
#include "unit/report/report_test_util.h"
#include "unit/store/store_test_util.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

using report_testing::ReadFile;
using report_testing::SampleRuns;
using report_testing::SectionLines;
using report_testing::StoreRuns;

using report_testing::ExpectMatchesGolden;

const char* const kSuite = "mnist_quick";

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// As the suite reader writes an objective (SearchCanonicalJson).
nlohmann::json Objective(const std::string& metric, bool maximize) {
  return {{"metric", metric}, {"direction", maximize ? "maximize" : "minimize"}};
}

// Settings as SearchSettings::canonical_json holds them: lr on a log
// scale, batch_size whole, the optimizations a choice.
std::string Settings(const nlohmann::json& objectives, const nlohmann::json& sampler,
                     const nlohmann::json& pruner) {
  return nlohmann::json{
      {"objectives", objectives},
      {"parameters",
       {{{"key", "lr"}, {"distribution", {{"type", "float"}, {"low", 1e-4}, {"high", 0.1}}}},
        {{"key", "batch_size"}, {"distribution", {{"type", "int"}, {"low", 32}, {"high", 128}}}},
        {{"key", "optimizations"},
         {"distribution", {{"type", "choice"}, {"labels", {"none", "mixed_precision"}}}}}}},
      {"sampler", sampler},
      {"pruner", pruner},
      {"trials", 20},
      {"seed", 7},
      {"max_energy_wh", 0}}
      .dump();
}

StudyRecord Study(const std::string& digest, const std::string& settings,
                  const std::string& created_at) {
  StudyRecord study;
  study.suite = kSuite;
  study.study = std::string(kSuite) + "-" + digest;
  study.settings_json = settings;
  study.optuna_version = "4.1.0";
  study.created_at = created_at;
  study.updated_at = created_at;
  return study;
}

TrialRecord Trial(const StudyRecord& study, int number, const std::string& state, double lr,
                  int batch_size, std::vector<double> values, int epochs_run, double energy_wh) {
  TrialRecord trial;
  trial.suite = kSuite;
  trial.study = study.study;
  trial.number = number;
  trial.state = state;
  trial.params_json =
      nlohmann::json{{"lr", lr}, {"batch_size", batch_size}, {"optimizations", "none"}}.dump();
  trial.values = std::move(values);
  trial.cell_name = "cnn/trial_" + std::to_string(number);
  trial.config_hash = "hash_trial_" + std::to_string(number);
  trial.run_id = 100 + number;
  trial.epochs_run = epochs_run;
  trial.planned_epochs = 3;
  trial.energy_wh = energy_wh;
  trial.co2_g = energy_wh * 0.475;
  trial.duration_s = energy_wh * 100;
  trial.energy_provenance = "estimated";
  return trial;
}

// A pruned trial's full schedule, projected from the epochs it ran.
TrialRecord Pruned(TrialRecord trial) {
  trial.state = kTrialPruned;
  trial.values.clear();
  trial.projected_energy_wh = trial.energy_wh / trial.epochs_run * trial.planned_epochs;
  trial.projected_co2_g = trial.co2_g / trial.epochs_run * trial.planned_epochs;
  trial.note = "pruned by the median pruner";
  return trial;
}

TrialRecord FromStore(TrialRecord trial) {
  trial.from_store = true;
  trial.energy_wh = 0;
  trial.co2_g = 0;
  trial.duration_s = 0;
  return trial;
}

// One objective (accuracy, maximized): three complete trials, one of them
// taken from the store, two pruned, one failed; an earlier study of the
// suite before it.
std::vector<TrialRecord> OneObjectiveTrials(const StudyRecord& study) {
  std::vector<TrialRecord> trials = {
      Trial(study, 0, kTrialComplete, 0.01, 64, {97.5}, 3, 1.2),
      Trial(study, 1, kTrialComplete, 0.001, 32, {95.1}, 3, 1.5),
      Pruned(Trial(study, 2, kTrialComplete, 0.1, 128, {}, 1, 0.4)),
      Trial(study, 3, kTrialFailed, 0.0005, 32, {}, 2, 0.9),
      FromStore(Trial(study, 4, kTrialComplete, 0.01, 64, {97.5}, 3, 1.2)),
      Pruned(Trial(study, 5, kTrialComplete, 0.05, 64, {}, 2, 0.9)),
      Trial(study, 6, kTrialComplete, 0.02, 64, {98.2}, 3, 1.1)};
  trials[3].note = "loss became NaN at epoch 2";
  return trials;
}

// Two objectives (accuracy up, energy down): trials 2, 0, 5 and 3 on the
// front; 1 and 6 dominated (by 0, and by 0 and 5); 4 failed.
std::vector<TrialRecord> TwoObjectiveTrials(const StudyRecord& study) {
  std::vector<TrialRecord> trials = {
      Trial(study, 0, kTrialComplete, 0.01, 64, {97.5, 1.2}, 3, 1.2),
      Trial(study, 1, kTrialComplete, 0.001, 32, {95.1, 1.5}, 3, 1.5),
      Trial(study, 2, kTrialComplete, 0.02, 128, {98.2, 2.0}, 3, 2.0),
      Trial(study, 3, kTrialComplete, 0.1, 128, {90.0, 0.5}, 3, 0.5),
      Trial(study, 4, kTrialFailed, 0.0005, 32, {}, 1, 0.3),
      Trial(study, 5, kTrialComplete, 0.005, 64, {96.0, 1.0}, 3, 1.0),
      Trial(study, 6, kTrialComplete, 0.003, 32, {94.0, 1.3}, 3, 1.3)};
  trials[4].note = "out of memory";
  return trials;
}

class SearchSectionTest : public store_testing::TempDirTest {
 protected:
  // Stores the sample runs, an earlier study and `study` with `trials`.
  std::string ReportWith(const StudyRecord& study, const std::vector<TrialRecord>& trials) {
    ResultsStore store((dir_ / "results.sqlite").string());
    StoreRuns(store, SampleRuns());
    store.SaveStudy(Study("0ld0ld0ld0ld",
                          Settings(nlohmann::json::array({Objective("accuracy", true)}), "random",
                                   {{"type", "none"}}),
                          "2024-04-01T09:00:00Z"));
    store.SaveStudy(study);
    for (const TrialRecord& trial : trials) store.SaveTrial(trial);
    return ReadFile(report::WriteMarkdownReport(store, kSuite, (dir_ / "reports").string(),
                                                report_testing::BuiltInOptions()));
  }

  StudyRecord OneObjectiveStudy() {
    StudyRecord study =
        Study("1a2b3c4d5e6f",
              Settings(nlohmann::json::array({Objective("accuracy", true)}), "tpe",
                       {{"type", "median"}, {"startup_trials", 5}, {"warmup_epochs", 0}}),
              "2024-05-01T09:00:00Z");
    study.importances_json = R"({"batch_size":0.25,"lr":0.6,"optimizations":0.15})";
    return study;
  }

  StudyRecord TwoObjectiveStudy() {
    StudyRecord study = Study("9f8e7d6c5b4a",
                              Settings(nlohmann::json::array({Objective("accuracy", true),
                                                              Objective("energy_wh", false)}),
                                       "nsga2", {{"type", "none"}}),
                              "2024-05-02T09:00:00Z");
    study.importances_note = "not computed: Optuna ranks parameters for one objective only";
    return study;
  }
};

TEST_F(SearchSectionTest, OneObjectiveMatchesTheReviewedSection) {
  const StudyRecord study = OneObjectiveStudy();
  const std::string report = ReportWith(study, OneObjectiveTrials(study));
  ExpectMatchesGolden("search_one_objective.md", Joined(SectionLines(report, "## Search")));
}

TEST_F(SearchSectionTest, TwoObjectivesMatchTheReviewedSection) {
  const StudyRecord study = TwoObjectiveStudy();
  const std::string report = ReportWith(study, TwoObjectiveTrials(study));
  ExpectMatchesGolden("search_two_objectives.md", Joined(SectionLines(report, "## Search")));
}

TEST_F(SearchSectionTest, PruningSavedWhatThePrunedTrialsWouldHaveSpentMore) {
  const StudyRecord study = OneObjectiveStudy();
  const std::vector<TrialRecord> trials = OneObjectiveTrials(study);
  // Trial 2: 0.4 Wh in 1 of 3 epochs, 1.2 projected; trial 5: 0.9 Wh in 2
  // of 3, 1.35 projected. Saved: 0.8 + 0.45 Wh, times 0.475 g/Wh.
  EXPECT_NEAR(report::PruningSavedEnergyWh(trials), 1.25, 1e-12);
  EXPECT_NEAR(report::PruningSavedCo2G(trials), 1.25 * 0.475, 1e-12);
  // Everything spent, pruned and failed trials included, the reused one not.
  EXPECT_NEAR(report::SpentEnergyWh(trials), 6.0, 1e-12);
  const std::string report = ReportWith(study, trials);
  EXPECT_NE(report.find("Pruning saved 1.25 Wh and 0.594 g CO2 (estimated), projected, not "
                        "measured"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("The search spent 6.00 Wh and 2.85 g CO2 (estimated)"), std::string::npos)
      << report;
  EXPECT_NE(report.find("1 earlier study of this suite (an edited search block) is in the store"),
            std::string::npos);
  EXPECT_NE(report.find("Trial 6 (lr 0.02, batch_size 64, optimizations none): accuracy 98.2 %."),
            std::string::npos)
      << report;
}

TEST_F(SearchSectionTest, TheFrontHoldsTheTrialsNoOtherBeatsOnBoth) {
  const StudyRecord study = TwoObjectiveStudy();
  const report::SearchView view = report::MakeSearchView(study, TwoObjectiveTrials(study));
  ASSERT_EQ(view.goals.size(), 2u);
  EXPECT_TRUE(view.goals[0].maximize);
  EXPECT_FALSE(view.goals[1].maximize);
  EXPECT_EQ(view.sampler, "nsga2");
  std::vector<int> front;
  for (const std::size_t i : report::ParetoFront(view)) front.push_back(view.trials[i].number);
  EXPECT_EQ(front, (std::vector<int>{2, 0, 5, 3}));

  const std::vector<std::string> lines =
      SectionLines(ReportWith(study, TwoObjectiveTrials(study)), "## Search");
  const std::vector<std::string> table = report_testing::LinesFrom(lines, "### Pareto front");
  std::vector<std::string> rows;
  for (const std::string& line : table) {
    if (line.rfind("### Parameter", 0) == 0) break;
    if (line.rfind("|", 0) == 0 && line.find("---") == std::string::npos &&
        line.find("Trial") == std::string::npos) {
      rows.push_back(line.substr(1, line.find('|', 1) - 1));
    }
  }
  ASSERT_EQ(rows.size(), 4u) << Joined(table);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(std::stoi(rows[i]), front[i]);
  }
}

TEST_F(SearchSectionTest, TheBestSoFarCountsEveryTrialsEnergy) {
  const StudyRecord study = OneObjectiveStudy();
  const report::SearchView view = report::MakeSearchView(study, OneObjectiveTrials(study));
  const std::vector<report::ProgressPoint> points = report::BestSoFar(view);
  ASSERT_EQ(points.size(), 7u);
  EXPECT_DOUBLE_EQ(points[0].best, 97.5);
  EXPECT_NEAR(points[5].cumulative_energy_wh, 4.9, 1e-12);  // pruned and failed included
  EXPECT_DOUBLE_EQ(points[5].best, 97.5);
  EXPECT_DOUBLE_EQ(points[6].best, 98.2);
  EXPECT_NEAR(points[6].cumulative_energy_wh, 6.0, 1e-12);
}

TEST_F(SearchSectionTest, AReportWithoutAStudyHasNoSearchSection) {
  ResultsStore store((dir_ / "results.sqlite").string());
  StoreRuns(store, SampleRuns());
  const std::string report = ReadFile(report::WriteMarkdownReport(
      store, kSuite, (dir_ / "reports").string(), report_testing::BuiltInOptions()));
  EXPECT_EQ(report.find("## Search"), std::string::npos);
  EXPECT_EQ(report, report::RenderMarkdownReport(kSuite, store.LoadRuns(kSuite),
                                                 report_testing::BuiltInOptions()));
}

TEST_F(SearchSectionTest, SettingsItCannotReadLeaveTheTrialsKeys) {
  StudyRecord study = OneObjectiveStudy();
  study.settings_json = "not json";
  const report::SearchView view = report::MakeSearchView(study, OneObjectiveTrials(study));
  EXPECT_EQ(view.parameter_keys, (std::vector<std::string>{"batch_size", "lr", "optimizations"}));
  ASSERT_EQ(view.goals.size(), 1u);
  EXPECT_EQ(view.goals[0].metric, "objective 1");
  report::ReportOptions options;
  options.search = view;
  const std::string text = report::RenderMarkdownReport(kSuite, SampleRuns(), options);
  EXPECT_NE(text.find("## Search"), std::string::npos);
}

TEST_F(SearchSectionTest, ExportsHoldTheTrials) {
  const StudyRecord study = OneObjectiveStudy();
  report::SearchView view = report::MakeSearchView(study, OneObjectiveTrials(study));
  const nlohmann::json json = nlohmann::json::parse(report::RunsJson(kSuite, SampleRuns(), &view));
  ASSERT_TRUE(json.contains("search"));
  EXPECT_EQ(json["search"]["study"], study.study);
  EXPECT_EQ(json["search"]["settings"]["sampler"], "tpe");
  ASSERT_EQ(json["search"]["trials"].size(), 7u);
  EXPECT_EQ(json["search"]["trials"][2]["state"], "pruned");
  EXPECT_DOUBLE_EQ(json["search"]["trials"][2]["projected_energy_wh"].get<double>(), 1.2);
  EXPECT_EQ(json["search"]["trials"][4]["from_store"], true);
  EXPECT_FALSE(nlohmann::json::parse(report::RunsJson(kSuite, SampleRuns())).contains("search"));

  const std::vector<std::string> csv = report_testing::Lines(report::SearchTrialsCsv(view));
  ASSERT_EQ(csv.size(), 8u);
  EXPECT_NE(csv[0].find(",value_accuracy,param_lr,param_batch_size,param_optimizations"),
            std::string::npos)
      << csv[0];
  EXPECT_EQ(csv[3].rfind(study.study + ",2,pruned,", 0), 0u) << csv[3];

  report::ReportOptions options;
  options.search = view;
  const std::vector<std::string> paths =
      report::WriteExports(kSuite, SampleRuns(), dir_.string(), options);
  EXPECT_EQ(paths.back(), (dir_ / "mnist_quick.search_trials.csv").string());
  EXPECT_EQ(report::WriteExports(kSuite, SampleRuns(), (dir_ / "plain").string(), {}).size(), 4u);
}

// With gnuplot, the section links its plots; without it, it says why not.
TEST_F(SearchSectionTest, TheSuiteReportDrawsOrExplainsTheSearchPlots) {
  ResultsStore store((dir_ / "results.sqlite").string());
  StoreRuns(store, SampleRuns());
  const StudyRecord study = TwoObjectiveStudy();
  store.SaveStudy(study);
  for (const TrialRecord& trial : TwoObjectiveTrials(study)) store.SaveTrial(trial);
  const fs::path reports = dir_ / "reports";
  const std::vector<std::string> paths =
      report::WriteSuiteReport(store, kSuite, reports.string(), report_testing::BuiltInOptions());
  const std::string text = ReadFile(paths.front());
  const std::vector<std::string> section = SectionLines(text, "## Search");
  const std::string joined = Joined(section);
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    EXPECT_TRUE(fs::exists(reports / "mnist_quick.plots" / "search_progress.svg"));
    EXPECT_TRUE(fs::exists(reports / "mnist_quick.plots" / "search_pareto.png"));
    EXPECT_NE(joined.find("](<mnist_quick.plots/search_pareto.svg>)"), std::string::npos) << joined;
    EXPECT_NE(joined.find("](<mnist_quick.plots/search_progress.svg>)"), std::string::npos);
  } else {
    EXPECT_NE(joined.find("plots not drawn"), std::string::npos) << joined;
  }
  EXPECT_TRUE(fs::exists(reports / "mnist_quick.search_trials.csv"));
}

}  // namespace
}  // namespace carbonbench
