#include "store/results_store.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "unit/store/store_test_util.h"

namespace carbonbench {
namespace {

using store_testing::SampleEpoch;
using store_testing::SampleRegressionStart;
using store_testing::SampleStart;
using store_testing::SampleSummary;

class ResultsStoreTest : public store_testing::TempDirTest {
 protected:
  std::string StorePath() const { return PathIn("results.sqlite"); }

  // A finished run with two epochs, as a suite writes it.
  std::int64_t AddFinished(ResultsStore& store, const RunStart& start) {
    const std::int64_t id = store.BeginRun(start);
    store.AppendEpoch(id, SampleEpoch(1));
    store.AppendEpoch(id, SampleEpoch(2));
    store.FinishRun(id, SampleSummary());
    return id;
  }
};

void ExpectSameStart(const RunStart& a, const RunStart& b) {
  EXPECT_EQ(a.suite, b.suite);
  EXPECT_EQ(a.cell_name, b.cell_name);
  EXPECT_EQ(a.config_hash, b.config_hash);
  EXPECT_EQ(a.config_json, b.config_json);
  EXPECT_EQ(a.repetition, b.repetition);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.optimizations, b.optimizations);
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.task, b.task);
  EXPECT_EQ(EncodeRecord(a.environment), EncodeRecord(b.environment));
  EXPECT_EQ(EncodeRecord(a.meters), EncodeRecord(b.meters));
  EXPECT_EQ(a.region_requested, b.region_requested);
  EXPECT_EQ(a.region_used, b.region_used);
  EXPECT_EQ(a.intensity_g_per_kwh, b.intensity_g_per_kwh);
  EXPECT_EQ(a.intensity_source, b.intensity_source);
  EXPECT_EQ(a.pue, b.pue);
  EXPECT_EQ(EncodeRecord(a.carbon), EncodeRecord(b.carbon));
  EXPECT_EQ(EncodeRecord(a.idle), EncodeRecord(b.idle));
}

void ExpectSameSummary(const RunSummary& a, const RunSummary& b) {
  EXPECT_EQ(a.epochs_run, b.epochs_run);
  EXPECT_EQ(EncodeRecord(a.confusion), EncodeRecord(b.confusion));
  EXPECT_EQ(EncodeRecord(a.memory), EncodeRecord(b.memory));
  EXPECT_EQ(EncodeRecord(a.figures), EncodeRecord(b.figures));
  EXPECT_EQ(a.best_accuracy, b.best_accuracy);
  EXPECT_EQ(a.final_accuracy, b.final_accuracy);
  EXPECT_EQ(a.best_rmse, b.best_rmse);
  EXPECT_EQ(a.final_rmse, b.final_rmse);
  EXPECT_EQ(a.final_mae, b.final_mae);
  EXPECT_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.energy_wh, b.energy_wh);
  EXPECT_EQ(a.co2_g, b.co2_g);
  EXPECT_EQ(a.idle_energy_wh, b.idle_energy_wh);
  EXPECT_EQ(a.energy_band_wh, b.energy_band_wh);
  EXPECT_EQ(EncodeRecord(a.phases), EncodeRecord(b.phases));
  EXPECT_EQ(EncodeRecord(a.measurement), EncodeRecord(b.measurement));
  EXPECT_EQ(a.energy_provenance, b.energy_provenance);
  EXPECT_EQ(EncodeRecord(a.usage), EncodeRecord(b.usage));
  EXPECT_EQ(a.stop_reason, b.stop_reason);
  EXPECT_EQ(a.model_path, b.model_path);
  EXPECT_EQ(a.compute_dtype, b.compute_dtype);
  ASSERT_EQ(a.phases.size(), b.phases.size());
  for (std::size_t i = 0; i < a.phases.size(); ++i) {
    EXPECT_EQ(a.phases[i].phase, b.phases[i].phase);
    EXPECT_EQ(a.phases[i].component, b.phases[i].component);
    EXPECT_EQ(a.phases[i].energy_wh, b.phases[i].energy_wh);
    EXPECT_EQ(a.phases[i].provenance, b.phases[i].provenance);
    EXPECT_EQ(a.phases[i].meter, b.phases[i].meter);
    EXPECT_EQ(a.phases[i].co2_g, b.phases[i].co2_g);
  }
  EXPECT_EQ(a.warnings, b.warnings);
}

void ExpectSameEpoch(const EpochRecord& a, const EpochRecord& b) {
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.train_loss, b.train_loss);
  EXPECT_EQ(a.test_loss, b.test_loss);
  EXPECT_EQ(a.test_accuracy, b.test_accuracy);
  EXPECT_EQ(a.test_rmse, b.test_rmse);
  EXPECT_EQ(a.test_mae, b.test_mae);
  EXPECT_EQ(a.train_s, b.train_s);
  EXPECT_EQ(a.eval_s, b.eval_s);
  EXPECT_EQ(a.data_s, b.data_s);
  EXPECT_EQ(a.energy_wh, b.energy_wh);
  EXPECT_EQ(a.co2_g, b.co2_g);
  EXPECT_EQ(a.energy_provenance, b.energy_provenance);
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.energy_band_wh, b.energy_band_wh);
}

bool IsIso8601Utc(const std::string& text) {
  static const std::regex kPattern(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  return std::regex_match(text, kPattern);
}

TEST_F(ResultsStoreTest, RoundTripKeepsEveryField) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart();
  const std::int64_t id = AddFinished(store, start);

  const auto runs = store.LoadRuns(start.suite);
  ASSERT_EQ(runs.size(), 1u);
  const RunRow& run = runs[0];
  EXPECT_EQ(run.id, id);
  EXPECT_EQ(run.status, "finished");
  EXPECT_EQ(run.failure_reason, "");
  EXPECT_TRUE(IsIso8601Utc(run.started_at)) << run.started_at;
  EXPECT_TRUE(IsIso8601Utc(run.finished_at)) << run.finished_at;
  EXPECT_LE(run.started_at, run.finished_at);
  ExpectSameStart(run.start, start);
  ExpectSameSummary(run.summary, SampleSummary());
  ASSERT_EQ(run.epochs.size(), 2u);
  ExpectSameEpoch(run.epochs[0], SampleEpoch(1));
  ExpectSameEpoch(run.epochs[1], SampleEpoch(2));
}

TEST_F(ResultsStoreTest, RoundTripKeepsBandsAndTheMeasurementRecord) {
  ResultsStore store(StorePath());
  const RunStart start = store_testing::SampleBandedStart();
  const std::int64_t id = store.BeginRun(start);
  store.AppendEpoch(id, store_testing::SampleBandedEpoch(1));
  store.FinishRun(id, store_testing::SampleBandedSummary());

  const auto runs = store.LoadRuns(start.suite);
  ASSERT_EQ(runs.size(), 1u);
  const RunRow& run = runs[0];
  ExpectSameStart(run.start, start);
  EXPECT_EQ(run.start.meters.at(0).band_relative, 0.35);
  EXPECT_TRUE(run.start.meters.at(0).calibration);
  const RunSummary want = store_testing::SampleBandedSummary();
  ExpectSameSummary(run.summary, want);
  EXPECT_EQ(run.summary.energy_band_wh, 0.1171875);
  EXPECT_EQ(run.summary.phases.at(0).band_wh, 0.105);
  ASSERT_EQ(run.summary.measurement.components.size(), 2u);
  EXPECT_EQ(run.summary.measurement.components[1].provenance, "not covered");
  EXPECT_EQ(run.summary.measurement.outside_load_mean, 0.41);
  ASSERT_EQ(run.summary.inference.size(), 1u);
  EXPECT_EQ(run.summary.inference[0].energy_band_wh, 0.0875);
  ASSERT_EQ(run.epochs.size(), 1u);
  ExpectSameEpoch(run.epochs[0], store_testing::SampleBandedEpoch(1));
}

TEST_F(ResultsStoreTest, RoundTripKeepsTheTaskAndRegressionFigures) {
  ResultsStore store(StorePath());
  const RunStart start = SampleRegressionStart();
  ASSERT_EQ(start.task, "regression");
  AddFinished(store, start);
  // A classification run beside it keeps its own task.
  AddFinished(store, SampleStart(start.suite, "classification_cell", 0));

  const auto runs = store.LoadRuns(start.suite);
  ASSERT_EQ(runs.size(), 2u);
  ExpectSameStart(runs[0].start, start);
  EXPECT_EQ(runs[0].summary.best_rmse, 0.71);
  EXPECT_EQ(runs[0].summary.final_rmse, 0.75);
  EXPECT_EQ(runs[0].summary.final_mae, 0.5625);
  ASSERT_EQ(runs[0].epochs.size(), 2u);
  EXPECT_EQ(runs[0].epochs[0].test_rmse, 1.5);
  EXPECT_EQ(runs[0].epochs[0].test_mae, 1.25);
  EXPECT_EQ(runs[0].epochs[1].test_rmse, 0.75);
  EXPECT_EQ(runs[0].epochs[1].test_mae, 0.625);
  EXPECT_EQ(runs[1].start.task, "classification");
}

TEST_F(ResultsStoreTest, RunStartDefaultsToClassification) {
  ResultsStore store(StorePath());
  RunStart start = SampleStart();
  start.task = RunStart{}.task;
  AddFinished(store, start);
  EXPECT_EQ(store.LoadRuns(start.suite)[0].start.task, "classification");
}

TEST_F(ResultsStoreTest, BeginRunRefusesAnUnknownTask) {
  ResultsStore store(StorePath());
  RunStart start = SampleStart();
  start.task = "regresion";
  try {
    store.BeginRun(start);
    FAIL() << "an unknown task was stored";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()),
              "cell 'cnn/mixed_precision' has task 'regresion'; the store "
              "knows 'classification' and 'regression'");
  }
  EXPECT_TRUE(store.LoadRuns(start.suite).empty());
}

TEST_F(ResultsStoreTest, FindFinishedFindsOnlyFinishedRuns) {
  ResultsStore store(StorePath());
  const RunStart running = SampleStart("s", "running_cell", 0);
  const RunStart failed = SampleStart("s", "failed_cell", 0);
  const RunStart finished = SampleStart("s", "finished_cell", 0);
  store.BeginRun(running);
  store.FailRun(store.BeginRun(failed), "out of memory", RunSummary{});
  const std::int64_t id = AddFinished(store, finished);

  EXPECT_FALSE(store.FindFinished("s", "running_cell", 0));
  EXPECT_FALSE(store.FindFinished("s", "failed_cell", 0));
  EXPECT_FALSE(store.FindFinished("s", "finished_cell", 1));
  EXPECT_FALSE(store.FindFinished("other", "finished_cell", 0));
  const auto found = store.FindFinished("s", "finished_cell", 0);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->epochs.size(), 2u);
  ExpectSameSummary(found->summary, SampleSummary());
}

TEST_F(ResultsStoreTest, BeginRunReplacesAnUnfinishedAttempt) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart();
  const std::int64_t killed = store.BeginRun(start);
  store.AppendEpoch(killed, SampleEpoch(1));

  const std::int64_t retry = store.BeginRun(start);
  EXPECT_GT(retry, killed);
  // The killed attempt's epoch is gone: the retry may write epoch 1 again.
  store.AppendEpoch(retry, SampleEpoch(1));
  store.FinishRun(retry, SampleSummary());

  const auto runs = store.LoadRuns(start.suite);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, retry);
  EXPECT_EQ(runs[0].epochs.size(), 1u);
}

TEST_F(ResultsStoreTest, BeginRunReplacesAFailedAttempt) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart();
  const std::int64_t failed = store.BeginRun(start);
  store.AppendEpoch(failed, SampleEpoch(1));
  store.FailRun(failed, "loss became NaN", RunSummary{});

  const std::int64_t retry = AddFinished(store, start);
  const auto runs = store.LoadRuns(start.suite);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, retry);
  EXPECT_EQ(runs[0].status, "finished");
}

TEST_F(ResultsStoreTest, RunningAttemptsAreTheRunsUnderWayOrCutShort) {
  ResultsStore store(StorePath());
  AddFinished(store, SampleStart("s", "done", 0));
  store.BeginRun(SampleStart("s", "cut", 1));  // its process was killed
  const std::int64_t failed = store.BeginRun(SampleStart("s", "failed", 0));
  store.FailRun(failed, "crashed", RunSummary{});
  store.BeginRun(SampleStart("other", "cut", 0));
  EXPECT_EQ(store.RunningAttempts("s"), (std::vector<std::pair<std::string, int>>{{"cut", 1}}));
  EXPECT_TRUE(store.RunningAttempts("none").empty());
}

TEST_F(ResultsStoreTest, AnInterruptedReRunLeavesTheFinishedRunCurrent) {
  const RunStart start = SampleStart("s", "again", 0);
  std::int64_t finished = 0;
  {
    ResultsStore store(StorePath());
    finished = AddFinished(store, start);
    // `run --fresh`, killed after one epoch of the new run.
    const std::int64_t rerun = store.BeginRun(start);
    store.AppendEpoch(rerun, SampleEpoch(1));
  }
  ResultsStore store(StorePath());
  const auto found = store.FindFinished("s", "again", 0);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, finished);
  EXPECT_EQ(found->epochs.size(), 2u);
  ExpectSameSummary(found->summary, SampleSummary());
  ASSERT_EQ(store.LoadRuns("s").size(), 1u);
  EXPECT_TRUE(store.LoadSupersededRuns("s").empty());

  // The next re-run replaces the killed attempt, then the finished run.
  const std::int64_t again = store.BeginRun(start);
  store.AppendEpoch(again, SampleEpoch(1));
  EXPECT_EQ(store.FindFinished("s", "again", 0)->id, finished);
  store.FinishRun(again, SampleSummary());
  EXPECT_EQ(store.FindFinished("s", "again", 0)->id, again);
  const auto runs = store.LoadRuns("s");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].epochs.size(), 1u);
  const auto history = store.LoadSupersededRuns("s");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].id, finished);
  EXPECT_FALSE(history[0].superseded_at.empty());
  EXPECT_EQ(history[0].epochs.size(), 2u);
  ExpectSameSummary(history[0].summary, SampleSummary());
}

TEST_F(ResultsStoreTest, AFinishedReRunReplacesOnlyItsOwnRepetition) {
  ResultsStore store(StorePath());
  const std::int64_t first = AddFinished(store, SampleStart("s", "again", 0));
  const std::int64_t second = AddFinished(store, SampleStart("s", "again", 1));
  const std::int64_t other = AddFinished(store, SampleStart("other_suite", "again", 0));

  const std::int64_t rerun = AddFinished(store, SampleStart("s", "again", 0));
  EXPECT_EQ(store.FindFinished("s", "again", 0)->id, rerun);
  EXPECT_EQ(store.FindFinished("s", "again", 1)->id, second);
  EXPECT_EQ(store.FindFinished("other_suite", "again", 0)->id, other);
  const auto history = store.LoadSupersededRuns("s");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].id, first);
  // A later re-run adds to the history.
  AddFinished(store, SampleStart("s", "again", 0));
  EXPECT_EQ(store.LoadSupersededRuns("s").size(), 2u);
  EXPECT_EQ(store.LoadRuns("s").size(), 2u);
  EXPECT_TRUE(store.LoadSupersededRuns("other_suite").empty());
}

TEST_F(ResultsStoreTest, AFailedReRunIsHistoryAndTheFinishedRunStaysCurrent) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart("s", "again", 0);
  const std::int64_t finished = AddFinished(store, start);
  const std::int64_t rerun = store.BeginRun(start);
  store.AppendEpoch(rerun, SampleEpoch(1));
  store.FailRun(rerun, "loss became NaN", RunSummary{});

  EXPECT_EQ(store.FindFinished("s", "again", 0)->id, finished);
  const auto runs = store.LoadRuns("s");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, finished);
  const auto history = store.LoadSupersededRuns("s");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].id, rerun);
  EXPECT_EQ(history[0].failure_reason, "loss became NaN");
  // How the re-run went is what the runner reports for it.
  const auto latest = store.LatestAttempt("s", "again", 0);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, rerun);
  EXPECT_EQ(latest->status, "failed");
}

TEST_F(ResultsStoreTest, AnUnfinishedReRunEndsAsHistoryToo) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart("s", "again", 0);
  const std::int64_t finished = AddFinished(store, start);
  const std::int64_t rerun = store.BeginRun(start);
  store.AppendEpoch(rerun, SampleEpoch(1));
  // Its process was killed: the suite's process ends the attempt for it.
  EXPECT_EQ(store.FailUnfinishedAttempt(start, "crashed: SIGSEGV", 3.0), rerun);
  EXPECT_EQ(store.FindFinished("s", "again", 0)->id, finished);
  EXPECT_EQ(store.LatestAttempt("s", "again", 0)->epochs.size(), 1u);
}

TEST_F(ResultsStoreTest, FailedRunIsStoredWithItsReasonAndPartialFigures) {
  ResultsStore store(StorePath());
  const RunStart start = SampleStart();
  const std::int64_t id = store.BeginRun(start);
  store.AppendEpoch(id, SampleEpoch(1));
  RunSummary partial;
  partial.epochs_run = 1;
  partial.duration_s = 12.5;
  partial.energy_wh = 0.125;
  partial.energy_provenance = "estimated";
  store.FailRun(id, "loss became NaN at epoch 2", partial);

  const auto runs = store.LoadRuns(start.suite);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "failed");
  EXPECT_EQ(runs[0].failure_reason, "loss became NaN at epoch 2");
  EXPECT_TRUE(IsIso8601Utc(runs[0].finished_at));
  ExpectSameSummary(runs[0].summary, partial);
  EXPECT_EQ(runs[0].epochs.size(), 1u);
}

TEST_F(ResultsStoreTest, OnlyRunningRunsTakeEpochsAndEndings) {
  ResultsStore store(StorePath());
  const std::int64_t id = AddFinished(store, SampleStart());
  EXPECT_THROW(store.AppendEpoch(id, SampleEpoch(3)), std::runtime_error);
  EXPECT_THROW(store.FinishRun(id, SampleSummary()), std::runtime_error);
  EXPECT_THROW(store.FailRun(id, "late", SampleSummary()), std::runtime_error);
  EXPECT_THROW(store.FinishRun(id + 100, SampleSummary()), std::runtime_error);
  EXPECT_EQ(store.LoadRuns(SampleStart().suite)[0].status, "finished");
}

TEST_F(ResultsStoreTest, LoadRunsLeavesOutRunningRowsAndOrdersById) {
  ResultsStore store(StorePath());
  const std::int64_t first = AddFinished(store, SampleStart("s", "b", 0));
  store.BeginRun(SampleStart("s", "running", 0));
  const std::int64_t second = store.BeginRun(SampleStart("s", "a", 0));
  store.FailRun(second, "crashed", RunSummary{});
  const std::int64_t third = AddFinished(store, SampleStart("s", "c", 0));
  AddFinished(store, SampleStart("t", "a", 0));

  const auto runs = store.LoadRuns("s");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].id, first);
  EXPECT_EQ(runs[1].id, second);
  EXPECT_EQ(runs[2].id, third);
  EXPECT_TRUE(store.LoadRuns("nonexistent").empty());
  EXPECT_EQ(store.Suites(), (std::vector<std::string>{"s", "t"}));
}

TEST_F(ResultsStoreTest, RefusesANewerSchemaVersionWithoutTouchingIt) {
  const std::string path = StorePath();
  { ResultsStore store(path); }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("UPDATE meta SET value = '" + std::to_string(kStoreSchemaVersion + 1) +
            "' WHERE key = 'schema_version'");
  }
  try {
    ResultsStore store(path);
    FAIL() << "a newer schema version was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()),
              "store " + path + " has schema version " + std::to_string(kStoreSchemaVersion + 1) +
                  "; this carbonbench reads up to " + std::to_string(kStoreSchemaVersion) +
                  ": upgrade carbonbench");
  }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString(),
            std::to_string(kStoreSchemaVersion + 1));
}

// The layout carbonbench wrote as schema version 1, copied verbatim from
// store_schema.cpp before version 2, so the upgrade is tested on a real one.
constexpr const char* kVersion1Tables = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  suite TEXT NOT NULL,
  cell_name TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  config_json TEXT NOT NULL,
  repetition INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  model TEXT NOT NULL,
  optimizations TEXT NOT NULL,
  dataset TEXT NOT NULL,
  environment_json TEXT NOT NULL,
  meters_json TEXT NOT NULL,
  region_requested TEXT NOT NULL,
  region_used TEXT NOT NULL,
  intensity_g_per_kwh REAL NOT NULL,
  intensity_source TEXT NOT NULL,
  pue REAL NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  failure_reason TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  epochs_run INTEGER NOT NULL DEFAULT 0,
  best_accuracy REAL NOT NULL DEFAULT 0,
  final_accuracy REAL NOT NULL DEFAULT 0,
  duration_s REAL NOT NULL DEFAULT 0,
  energy_wh REAL NOT NULL DEFAULT 0,
  co2_g REAL NOT NULL DEFAULT 0,
  energy_provenance TEXT NOT NULL DEFAULT '',
  stop_reason TEXT NOT NULL DEFAULT '',
  model_path TEXT NOT NULL DEFAULT '',
  compute_dtype TEXT NOT NULL DEFAULT '',
  phases_json TEXT NOT NULL DEFAULT '[]',
  warnings_json TEXT NOT NULL DEFAULT '[]',
  UNIQUE (suite, config_hash, repetition)
);
CREATE INDEX IF NOT EXISTS runs_by_suite ON runs (suite, status);
CREATE TABLE IF NOT EXISTS epochs (
  run_id INTEGER NOT NULL REFERENCES runs (id),
  epoch INTEGER NOT NULL,
  train_loss REAL NOT NULL,
  test_loss REAL NOT NULL,
  test_accuracy REAL NOT NULL,
  train_s REAL NOT NULL,
  eval_s REAL NOT NULL,
  data_s REAL NOT NULL,
  energy_wh REAL NOT NULL,
  co2_g REAL NOT NULL,
  energy_provenance TEXT NOT NULL,
  PRIMARY KEY (run_id, epoch)
);
)sql";

// A version-1 file with one finished classification run of two epochs.
void WriteVersion1Store(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(kVersion1Tables);
  db.exec("INSERT INTO meta (key, value) VALUES ('schema_version', '1')");
  db.exec(
      "INSERT INTO runs (suite, cell_name, config_hash, config_json, "
      "repetition, seed, model, optimizations, dataset, environment_json, "
      "meters_json, region_requested, region_used, intensity_g_per_kwh, "
      "intensity_source, pue, status, started_at, finished_at, epochs_run, "
      "best_accuracy, final_accuracy, duration_s, energy_wh, co2_g, "
      "energy_provenance, stop_reason, model_path, compute_dtype) VALUES "
      "('old_suite', 'cnn/baseline', 'h1', '{}', 0, 7, 'cnn', '', 'mnist', "
      "'{}', '[]', 'WORLD', 'WORLD', 475, 'test', 1.0, 'finished', "
      "'2024-05-01T10:00:00Z', '2024-05-01T10:01:00Z', 2, 0.98, 0.97, 60.5, "
      "1.25, 0.59375, 'estimated', 'completed 2 epochs', 'm.pt', 'fp32')");
  for (int epoch = 1; epoch <= 2; ++epoch) {
    db.exec(
        "INSERT INTO epochs (run_id, epoch, train_loss, test_loss, "
        "test_accuracy, train_s, eval_s, data_s, energy_wh, co2_g, "
        "energy_provenance) VALUES (1, " +
        std::to_string(epoch) + ", 0.5, 0.25, 0.96, 25, 5, 1, 0.625, 0.296875, 'estimated')");
  }
}

TEST_F(ResultsStoreTest, UpgradesAVersion1FileKeepingItsRows) {
  const std::string path = StorePath();
  WriteVersion1Store(path);
  {
    ResultsStore store(path);
    const auto runs = store.LoadRuns("old_suite");
    ASSERT_EQ(runs.size(), 1u);
    const RunRow& run = runs[0];
    EXPECT_EQ(run.status, "finished");
    EXPECT_EQ(run.start.cell_name, "cnn/baseline");
    EXPECT_EQ(run.start.seed, 7);
    EXPECT_EQ(run.start.task, "classification");
    EXPECT_EQ(run.summary.final_accuracy, 0.97);
    EXPECT_EQ(run.summary.duration_s, 60.5);
    EXPECT_EQ(run.summary.energy_wh, 1.25);
    EXPECT_EQ(run.summary.best_rmse, 0);
    EXPECT_EQ(run.summary.final_rmse, 0);
    EXPECT_EQ(run.summary.final_mae, 0);
    EXPECT_EQ(run.summary.cold_start_s, 0);                // version 4: no inference phase then
    EXPECT_EQ(EncodeRecord(run.summary.confusion), "{}");  // version 5: no confusion matrix then
    EXPECT_EQ(EncodeRecord(run.summary.memory), "{}");     // version 6: no peak memory then
    EXPECT_EQ(EncodeRecord(run.summary.figures), "{}");
    EXPECT_TRUE(run.summary.inference.empty());
    ASSERT_EQ(run.epochs.size(), 2u);
    EXPECT_EQ(run.epochs[1].epoch, 2);
    EXPECT_EQ(run.epochs[1].test_accuracy, 0.96);
    EXPECT_EQ(run.epochs[1].energy_wh, 0.625);
    EXPECT_EQ(run.epochs[1].test_rmse, 0);
    EXPECT_EQ(run.epochs[1].phase, "train");
    EXPECT_EQ(EncodeRecord(run.start.carbon), "{}");
    EXPECT_EQ(run.summary.idle_energy_wh, 0);
    EXPECT_EQ(EncodeRecord(run.summary.usage), "{}");
    // The old run still counts as done, so a resumed suite skips it.
    EXPECT_TRUE(store.FindFinished("old_suite", "h1", 0));
    // The upgraded file takes regression runs.
    AddFinished(store, SampleRegressionStart());
  }
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString(),
              std::to_string(kStoreSchemaVersion));
  }
  // Opening the upgraded file again changes nothing.
  ResultsStore reopened(path);
  EXPECT_EQ(reopened.LoadRuns("old_suite").size(), 1u);
  const auto regression = reopened.LoadRuns(SampleRegressionStart().suite);
  ASSERT_EQ(regression.size(), 1u);
  ExpectSameStart(regression[0].start, SampleRegressionStart());
  ExpectSameSummary(regression[0].summary, SampleSummary());
  ExpectSameEpoch(regression[0].epochs[0], SampleEpoch(1));
}

TEST_F(ResultsStoreTest, ReopeningAFileKeepsItsData) {
  const std::string path = StorePath();
  std::int64_t id = 0;
  {
    ResultsStore store(path);
    id = AddFinished(store, SampleStart());
  }
  ResultsStore reopened(path);
  const auto found = reopened.FindFinished(SampleStart().suite, SampleStart().config_hash, 0);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, id);
  ExpectSameStart(found->start, SampleStart());
  // Ids keep growing across sessions, so "ordered by id" stays meaningful.
  EXPECT_GT(reopened.BeginRun(SampleStart()), id);
}

TEST_F(ResultsStoreTest, RecordsSchemaVersionAndUsesWal) {
  const std::string path = StorePath();
  { ResultsStore store(path); }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString(),
            std::to_string(kStoreSchemaVersion));
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST_F(ResultsStoreTest, ReadersIgnoreColumnsTheyDoNotKnow) {
  const std::string path = StorePath();
  {
    ResultsStore store(path);
    AddFinished(store, SampleStart());
  }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("ALTER TABLE runs ADD COLUMN gpu_model TEXT DEFAULT 'x'");
    db.exec("ALTER TABLE epochs ADD COLUMN lr REAL DEFAULT 0.1");
  }
  ResultsStore store(path);
  const auto runs = store.LoadRuns(SampleStart().suite);
  ASSERT_EQ(runs.size(), 1u);
  ExpectSameSummary(runs[0].summary, SampleSummary());
  ExpectSameEpoch(runs[0].epochs[1], SampleEpoch(2));
}

TEST_F(ResultsStoreTest, CreatesMissingParentFolders) {
  const std::string path = PathIn("a/b/c/results.sqlite");
  ResultsStore store(path);
  EXPECT_EQ(store.path(), path);
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(ResultsStoreTest, NamesTheFileWhenItIsNotAStore) {
  const std::string path = PathIn("not_a_store.sqlite");
  {
    std::ofstream out(path);
    out << "this is not a SQLite database, just text long enough to matter";
  }
  try {
    ResultsStore store(path);
    FAIL() << "a text file was accepted as a store";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

// `serve` reads a store a suite may be writing: read-only, never upgrading
// or changing it, seeing running rows and each commit as it lands.
TEST_F(ResultsStoreTest, ReadOnlyAccessSeesRunningRowsAndCommitsAndWritesNothing) {
  ResultsStore writer(StorePath());
  const std::int64_t finished = AddFinished(writer, SampleStart());
  ResultsStore reader(StorePath(), StoreAccess::kReadOnly);
  const std::int64_t version = reader.DataVersion();
  EXPECT_TRUE(reader.LoadRunningRuns("mnist_quick").empty());

  const std::int64_t running = writer.BeginRun(SampleStart("mnist_quick", "abc123", 1));
  writer.AppendEpoch(running, SampleEpoch(1));
  EXPECT_NE(reader.DataVersion(), version);
  const std::vector<RunRow> live = reader.LoadRunningRuns("mnist_quick");
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, running);
  EXPECT_EQ(live[0].epochs.size(), 1u);
  ASSERT_TRUE(reader.LoadRun(finished).has_value());
  EXPECT_EQ(reader.LoadRun(finished)->status, "finished");
  EXPECT_FALSE(reader.LoadRun(12345).has_value());
  EXPECT_THROW(reader.BeginRun(SampleStart("other")), std::runtime_error);
}

TEST_F(ResultsStoreTest, ReadOnlyAccessRefusesAMissingFileOrAnOlderSchemaNamingTheFix) {
  try {
    ResultsStore reader(PathIn("none.db"), StoreAccess::kReadOnly);
    FAIL() << "a missing store was opened";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("no such file"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(PathIn("none.db")));
  { ResultsStore create(StorePath()); }
  {
    SQLite::Database db(StorePath(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE meta SET value = '9' WHERE key = 'schema_version'");
  }
  try {
    ResultsStore reader(StorePath(), StoreAccess::kReadOnly);
    FAIL() << "an older schema was opened read-only";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("schema version 9"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("carbonbench report"), std::string::npos);
  }
}

}  // namespace
}  // namespace carbonbench
