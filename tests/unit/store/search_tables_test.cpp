// Schema 10: a run a search pruned, kept as history when its configuration
// runs again; a store of version 9 upgraded in place with its runs; and a
// search's study and trials written and read back.
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "store/results_store.h"
#include "unit/store/store_test_util.h"

namespace carbonbench {
namespace {

using store_testing::SampleEpoch;
using store_testing::SampleStart;
using store_testing::SampleSummary;

class SearchTablesTest : public store_testing::TempDirTest {
 protected:
  std::string StorePath() const { return PathIn("results.sqlite"); }
};

TEST_F(SearchTablesTest, APrunedRunIsKeptOutOfFinishedButLoadedWithItsEnergy) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart();
  const std::int64_t id = store.BeginRun(start);
  store.AppendEpoch(id, SampleEpoch(1));
  RunSummary partial = SampleSummary();
  partial.epochs_run = 1;
  partial.energy_wh = 0.25;
  store.PruneRun(id, "pruned by the search's median pruner after epoch 1 of 5", partial);

  EXPECT_FALSE(store.FindFinished(start.suite, start.config_hash, start.repetition));
  const auto latest = store.LatestAttempt(start.suite, start.config_hash, start.repetition);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->status, "pruned");
  EXPECT_EQ(latest->failure_reason, "pruned by the search's median pruner after epoch 1 of 5");
  EXPECT_DOUBLE_EQ(latest->summary.energy_wh, 0.25);
  const auto runs = store.LoadRuns(start.suite);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "pruned");
  EXPECT_EQ(runs[0].epochs.size(), 1u);
}

TEST_F(SearchTablesTest, ARunOfThePrunedConfigurationKeepsThePrunedOneAsHistory) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart();
  const std::int64_t pruned = store.BeginRun(start);
  store.AppendEpoch(pruned, SampleEpoch(1));
  store.PruneRun(pruned, "pruned", SampleSummary());
  const std::int64_t again = store.BeginRun(start);
  store.AppendEpoch(again, SampleEpoch(1));
  store.FinishRun(again, SampleSummary());

  const auto finished = store.FindFinished(start.suite, start.config_hash, start.repetition);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->id, again);
  const auto history = store.LoadSupersededRuns(start.suite);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].id, pruned);
  EXPECT_EQ(history[0].status, "pruned");
  EXPECT_EQ(history[0].epochs.size(), 1u) << "the pruned run keeps its epochs";
}

TEST_F(SearchTablesTest, AVersion9StoreIsUpgradedKeepingItsRuns) {
  std::int64_t id = 0;
  {
    ResultsStore store(StorePath());
    id = store.BeginRun(SampleStart());
    store.AppendEpoch(id, SampleEpoch(1));
    store.FinishRun(id, SampleSummary());
  }
  {
    // Make it what version 9 wrote: the status CHECK without 'pruned', and
    // no search tables.
    SQLite::Database db(StorePath(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA writable_schema = ON");
    db.exec("UPDATE sqlite_master SET sql = replace(sql, \", 'pruned'\", '') WHERE name = 'runs'");
    db.exec("PRAGMA writable_schema = OFF");
    db.exec("DROP TABLE search_trials");
    db.exec("DROP TABLE search_studies");
    db.exec("UPDATE meta SET value = '9' WHERE key = 'schema_version'");
  }
  {
    SQLite::Database db(StorePath(), SQLite::OPEN_READONLY);
    const std::string sql =
        db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'runs'").getString();
    ASSERT_EQ(sql.find("'pruned'"), std::string::npos);
  }
  ResultsStore store(StorePath());
  const auto finished = store.FindFinished(SampleStart().suite, SampleStart().config_hash, 0);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->id, id);
  EXPECT_EQ(finished->epochs.size(), 1u);
  // A pruned run can now be stored, and so can a study.
  RunStart other = SampleStart();
  other.config_hash = "other";
  const std::int64_t pruned = store.BeginRun(other);
  EXPECT_NO_THROW(store.PruneRun(pruned, "pruned", SampleSummary()));
  StudyRecord study;
  study.suite = other.suite;
  study.study = "s-1";
  study.settings_json = "{}";
  EXPECT_NO_THROW(store.SaveStudy(study));
  SQLite::Database db(StorePath(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString(),
            std::to_string(kStoreSchemaVersion));
}

TEST_F(SearchTablesTest, StudiesAndTrialsRoundTrip) {
  ResultsStore store(StorePath());
  StudyRecord study;
  study.suite = "tuned";
  study.study = "tuned-0123abcd";
  study.settings_json = R"({"objectives":[{"metric":"rmse","maximize":false}]})";
  study.optuna_version = "3.1.0";
  store.SaveStudy(study);
  study.importances_json = R"({"lr":0.8})";
  store.SaveStudy(study);  // the same study, updated

  TrialRecord trial;
  trial.suite = "tuned";
  trial.study = study.study;
  trial.number = 3;
  trial.state = kTrialPruned;
  trial.params_json = R"({"lr":0.001})";
  trial.cell_name = "m/baseline/lr=0.001";
  trial.config_hash = "abc";
  trial.run_id = 7;
  trial.epochs_run = 2;
  trial.planned_epochs = 10;
  trial.energy_wh = 0.5;
  trial.co2_g = 0.1;
  trial.projected_energy_wh = 2.5;
  trial.projected_co2_g = 0.5;
  trial.note = "pruned";
  store.SaveTrial(trial);
  TrialRecord first = trial;
  first.number = 0;
  first.state = kTrialComplete;
  first.values = {1.5, 0.2};
  first.from_store = true;
  store.SaveTrial(first);
  trial.energy_wh = 0.75;  // saved again: replaces the row
  store.SaveTrial(trial);

  const auto studies = store.LoadStudies("tuned");
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0].importances_json, R"({"lr":0.8})");
  EXPECT_EQ(studies[0].optuna_version, "3.1.0");
  const auto trials = store.LoadTrials("tuned", study.study);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].number, 0);
  EXPECT_EQ(trials[0].values, (std::vector<double>{1.5, 0.2}));
  EXPECT_TRUE(trials[0].from_store);
  EXPECT_EQ(trials[1].number, 3);
  EXPECT_EQ(trials[1].state, "pruned");
  EXPECT_DOUBLE_EQ(trials[1].energy_wh, 0.75);
  EXPECT_DOUBLE_EQ(trials[1].projected_energy_wh, 2.5);
  EXPECT_EQ(trials[1].planned_epochs, 10);
  EXPECT_TRUE(store.LoadTrials("tuned", "another").empty());
  EXPECT_TRUE(store.LoadStudies("other").empty());
}

}  // namespace
}  // namespace carbonbench
