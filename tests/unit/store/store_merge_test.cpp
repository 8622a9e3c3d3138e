// Merging stores: every finished run and its epochs carried over, finished
// beating failed, duplicates collapsed, conflicts reported, inputs untouched.
#include "store/store_merge.h"

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "store_test_util.h"

namespace carbonbench {
namespace {

using store_testing::SampleEpoch;
using store_testing::SampleStart;
using store_testing::SampleSummary;

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class StoreMerge : public store_testing::TempDirTest {
 protected:
  std::int64_t Finished(ResultsStore& store, const RunStart& start, double energy_wh,
                        int epochs = 2) {
    const std::int64_t id = store.BeginRun(start);
    for (int e = 1; e <= epochs; ++e) store.AppendEpoch(id, SampleEpoch(e));
    RunSummary summary = SampleSummary();
    summary.energy_wh = energy_wh;
    store.FinishRun(id, summary);
    return id;
  }
  void Failed(ResultsStore& store, const RunStart& start, const std::string& reason) {
    store.FailRun(store.BeginRun(start), reason, RunSummary{});
  }
};

TEST_F(StoreMerge, CarriesEveryRunWithItsEpochsFromEachInput) {
  const std::string a = PathIn("a.db"), b = PathIn("b.db"), out = PathIn("all.db");
  {
    ResultsStore store(a);
    Finished(store, SampleStart("s", "h1"), 1.5, 3);
    Finished(store, SampleStart("s", "h2"), 2.5);
  }
  {
    ResultsStore store(b);
    Finished(store, SampleStart("s", "h3"), 3.5);
    Finished(store, SampleStart("other", "h1"), 4.5);
  }
  const MergeSummary summary = MergeStores({a, b}, out);
  EXPECT_EQ(summary.runs_written, 4);
  EXPECT_TRUE(summary.conflicts.empty());
  ASSERT_EQ(summary.inputs.size(), 2u);
  EXPECT_EQ(summary.inputs[0].runs_taken, 2);
  EXPECT_EQ(summary.inputs[1].runs_taken, 2);

  ResultsStore merged(out);
  const auto runs = merged.LoadRuns("s");
  ASSERT_EQ(runs.size(), 3u);
  std::map<std::string, const RunRow*> by_hash;
  for (const RunRow& run : runs) by_hash[run.start.config_hash] = &run;
  EXPECT_DOUBLE_EQ(by_hash.at("h1")->summary.energy_wh, 1.5);
  EXPECT_EQ(by_hash.at("h1")->epochs.size(), 3u);
  EXPECT_DOUBLE_EQ(by_hash.at("h1")->epochs[2].test_accuracy, SampleEpoch(3).test_accuracy);
  EXPECT_EQ(by_hash.at("h1")->start.seed, SampleStart().seed);
  EXPECT_EQ(EncodeRecord(by_hash.at("h1")->start.idle), EncodeRecord(SampleStart().idle));
  EXPECT_DOUBLE_EQ(by_hash.at("h3")->summary.energy_wh, 3.5);
  EXPECT_EQ(merged.LoadRuns("other").size(), 1u);
}

TEST_F(StoreMerge, RefusesASuiteNameThatWouldLeadOutOfTheReportsFolder) {
  const std::string a = PathIn("a.db"), b = PathIn("b.db"), out = PathIn("all.db");
  {
    ResultsStore store(a);
    Finished(store, SampleStart("s", "h1"), 1.5);
  }
  std::int64_t id = 0;
  {
    ResultsStore store(b);
    id = Finished(store, SampleStart("../../outside", "h2"), 2.5);
  }
  try {
    MergeStores({a, b}, out);
    FAIL() << "a suite named by a path was merged";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what())
                  .rfind(b + ": run " + std::to_string(id) +
                             " has suite name '../../outside', which may "
                             "only use letters, digits",
                         0),
              0u)
        << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(StoreMerge, FinishedBeatsFailedAndDuplicatesCollapse) {
  const std::string a = PathIn("a.db"), b = PathIn("b.db"), out = PathIn("all.db");
  {
    ResultsStore store(a);
    Failed(store, SampleStart("s", "h1"), "crashed");
    Finished(store, SampleStart("s", "h2"), 2.0);
  }
  std::filesystem::copy_file(a, PathIn("copy.db"));
  {
    ResultsStore store(b);
    Finished(store, SampleStart("s", "h1"), 1.0);
  }
  const MergeSummary summary = MergeStores({a, b, PathIn("copy.db")}, out);
  EXPECT_TRUE(summary.conflicts.empty());
  EXPECT_EQ(summary.runs_written, 2);
  EXPECT_EQ(summary.inputs[0].superseded, 1);  // its failed h1
  EXPECT_EQ(summary.inputs[2].duplicates, 1);  // the copy's h2
  const auto runs = ResultsStore(out).LoadRuns("s");
  ASSERT_EQ(runs.size(), 2u);
  for (const RunRow& run : runs) EXPECT_EQ(run.status, "finished") << run.start.config_hash;
}

TEST_F(StoreMerge, TwoDifferentFinishedRunsAreAConflictAndTheFirstInputWins) {
  const std::string a = PathIn("a.db"), b = PathIn("b.db"), out = PathIn("all.db");
  {
    ResultsStore store(a);
    Finished(store, SampleStart("s", "h1"), 1.0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // another started_at
  {
    ResultsStore store(b);
    Finished(store, SampleStart("s", "h1"), 9.0);
  }
  const MergeSummary summary = MergeStores({a, b}, out);
  ASSERT_EQ(summary.conflicts.size(), 1u);
  EXPECT_EQ(summary.conflicts[0].suite, "s");
  EXPECT_EQ(summary.conflicts[0].cell_name, "cnn/mixed_precision");
  EXPECT_EQ(summary.conflicts[0].kept_file, a);
  EXPECT_EQ(summary.conflicts[0].dropped_file, b);
  EXPECT_NE(summary.conflicts[0].kept_started_at, summary.conflicts[0].dropped_started_at);
  const auto runs = ResultsStore(out).LoadRuns("s");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_DOUBLE_EQ(runs[0].summary.energy_wh, 1.0);
}

TEST_F(StoreMerge, RunningRowsAreSkippedAndInputsAreLeftByteForByte) {
  const std::string a = PathIn("a.db"), out = PathIn("all.db");
  {
    ResultsStore store(a);
    Finished(store, SampleStart("s", "h1"), 1.0);
    store.AppendEpoch(store.BeginRun(SampleStart("s", "h2")), SampleEpoch(1));  // killed
  }
  const std::string before = Bytes(a);
  const MergeSummary summary = MergeStores({a}, out);
  EXPECT_EQ(summary.inputs[0].unfinished, 1);
  EXPECT_EQ(summary.runs_written, 1);
  EXPECT_EQ(Bytes(a), before);
  EXPECT_FALSE(std::filesystem::exists(out + "-wal"));  // one self-contained file
}

TEST_F(StoreMerge, RefusesAnExistingOutputAnInputAsOutputANewerStoreAndAStranger) {
  const std::string a = PathIn("a.db");
  {
    ResultsStore store(a);
    Finished(store, SampleStart("s", "h1"), 1.0);
  }
  auto message = [](const std::function<void()>& merge) {
    try {
      merge();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { MergeStores({a}, a); }).find("already exists"), std::string::npos);
  EXPECT_NE(message([&] {
              MergeStores({PathIn("none.db")}, PathIn("o.db"));
            }).find("none.db: no such store"),
            std::string::npos);
  { std::ofstream(PathIn("text.db")) << "hello"; }
  EXPECT_NE(message([&] {
              MergeStores({PathIn("text.db")}, PathIn("o.db"));
            }).find("not a carbonbench store"),
            std::string::npos);
  std::filesystem::copy_file(a, PathIn("newer.db"));
  {
    SQLite::Database db(PathIn("newer.db"), SQLite::OPEN_READWRITE);
    db.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  }
  const std::string newer = message([&] { MergeStores({a, PathIn("newer.db")}, PathIn("o.db")); });
  EXPECT_NE(newer.find("has store schema version 99; this carbonbench reads up to " +
                       std::to_string(kStoreSchemaVersion)),
            std::string::npos)
      << newer;
  EXPECT_FALSE(std::filesystem::exists(PathIn("o.db")));  // nothing written
}

TEST_F(StoreMerge, AnOlderInputWithoutNewerColumnsMergesWithTheirDefaults) {
  const std::string old = PathIn("old.db");
  {
    SQLite::Database db(old, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema_version', '1');"
        "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, suite TEXT, cell_name TEXT,"
        " config_hash TEXT, config_json TEXT, repetition INTEGER, seed INTEGER, model TEXT,"
        " optimizations TEXT, dataset TEXT, environment_json TEXT, meters_json TEXT,"
        " region_requested TEXT, region_used TEXT, intensity_g_per_kwh REAL,"
        " intensity_source TEXT, pue REAL, status TEXT, failure_reason TEXT, started_at TEXT,"
        " finished_at TEXT, epochs_run INTEGER, energy_wh REAL, co2_g REAL);"
        "INSERT INTO runs VALUES (1, 's', 'cnn/baseline', 'h9', '{}', 0, 1, 'cnn', '', 'mnist',"
        " '{}', '[]', 'FR', 'FRA', 56, 'src', 1.0, 'finished', '', '2026-01-01T00:00:00Z',"
        " '2026-01-01T00:01:00Z', 3, 0.25, 0.014);"
        "CREATE TABLE epochs (run_id INTEGER, epoch INTEGER, train_loss REAL, test_loss REAL,"
        " test_accuracy REAL, train_s REAL, eval_s REAL, energy_wh REAL, co2_g REAL,"
        " energy_provenance TEXT);"
        "INSERT INTO epochs VALUES (1, 1, 0.5, 0.6, 0.8, 1.0, 0.1, 0.1, 0.005, 'estimated');");
  }
  const std::string before = Bytes(old);
  const MergeSummary summary = MergeStores({old}, PathIn("all.db"));
  EXPECT_EQ(summary.runs_written, 1);
  EXPECT_EQ(Bytes(old), before);  // not upgraded in place
  const auto runs = ResultsStore(PathIn("all.db")).LoadRuns("s");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].start.task, kClassificationTask);  // the newer column's default
  EXPECT_DOUBLE_EQ(runs[0].summary.energy_wh, 0.25);
  ASSERT_EQ(runs[0].epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(runs[0].epochs[0].test_accuracy, 0.8);
  EXPECT_EQ(runs[0].epochs[0].data_s, 0.0);
}

}  // namespace
}  // namespace carbonbench

namespace carbonbench {
namespace {

TEST_F(StoreMerge, CarriesBandsAndTheMeasurementRecord) {
  const std::string a = PathIn("a.db");
  {
    ResultsStore store(a);
    const std::int64_t id = store.BeginRun(store_testing::SampleBandedStart("s", "h1"));
    store.AppendEpoch(id, store_testing::SampleBandedEpoch(1));
    store.FinishRun(id, store_testing::SampleBandedSummary());
  }
  ASSERT_EQ(MergeStores({a}, PathIn("all.db")).runs_written, 1);
  const auto merged = ResultsStore(PathIn("all.db")).LoadRuns("s");
  ASSERT_EQ(merged.size(), 1u);
  const RunRow& run = merged[0];
  const RunSummary want = store_testing::SampleBandedSummary();
  EXPECT_EQ(EncodeRecord(run.start.meters),
            EncodeRecord(store_testing::SampleBandedStart("s", "h1").meters));
  EXPECT_EQ(run.summary.energy_band_wh, want.energy_band_wh);
  EXPECT_EQ(EncodeRecord(run.summary.phases), EncodeRecord(want.phases));
  EXPECT_EQ(EncodeRecord(run.summary.measurement), EncodeRecord(want.measurement));
  ASSERT_EQ(run.summary.inference.size(), 1u);
  EXPECT_EQ(run.summary.inference[0].energy_band_wh, want.inference[0].energy_band_wh);
  ASSERT_EQ(run.epochs.size(), 1u);
  EXPECT_EQ(run.epochs[0].energy_band_wh, store_testing::SampleBandedEpoch(1).energy_band_wh);
}

TEST_F(StoreMerge, InferenceRowsRoundTripAreForgottenWithTheirRunAndAreMerged) {
  const std::string a = PathIn("a.db");
  RunSummary summary = SampleSummary();
  summary.cold_start_s = 0.125;
  for (std::int64_t batch : {1, 64}) {
    InferenceRecord record;
    record.batch_size = batch;
    record.iterations = 100 / batch + 10;
    record.predictions = record.iterations * batch;
    record.mean_ms = 1.5 * batch;
    record.p50_ms = 1.4 * batch;
    record.p90_ms = 1.8 * batch;
    record.p99_ms = 2.5 * batch;
    record.throughput_per_s = 700.0 * batch;
    record.energy_wh = 0.01 * batch;
    record.co2_g = 0.002 * batch;
    record.energy_wh_per_1000 = record.energy_wh / record.predictions * 1000;
    record.energy_provenance = "estimated";
    summary.inference.push_back(record);
  }
  {
    ResultsStore store(a);
    store.FinishRun(store.BeginRun(SampleStart("s", "h1")), summary);
    store.FinishRun(store.BeginRun(SampleStart("s", "h2")), summary);
  }
  store_testing::MarkSuperseded(a, "s", "h2");
  auto check = [&summary](const RunRow& run) {
    EXPECT_DOUBLE_EQ(run.summary.cold_start_s, 0.125);
    ASSERT_EQ(run.summary.inference.size(), 2u);
    for (int i = 0; i < 2; ++i) {
      const InferenceRecord& got = run.summary.inference[i];
      const InferenceRecord& want = summary.inference[i];
      EXPECT_EQ(got.batch_size, want.batch_size);
      EXPECT_EQ(got.iterations, want.iterations);
      EXPECT_EQ(got.predictions, want.predictions);
      EXPECT_DOUBLE_EQ(got.p99_ms, want.p99_ms);
      EXPECT_DOUBLE_EQ(got.throughput_per_s, want.throughput_per_s);
      EXPECT_DOUBLE_EQ(got.energy_wh_per_1000, want.energy_wh_per_1000);
      EXPECT_EQ(got.energy_provenance, "estimated");
    }
  };
  const auto runs = ResultsStore(a).LoadRuns("s");
  ASSERT_EQ(runs.size(), 1u);
  check(runs[0]);
  {
    SQLite::Database db(a, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM inference").getInt(), 4);  // h2's as history
  }
  // The merge carries the history along, as history.
  ASSERT_EQ(MergeStores({a}, PathIn("all.db")).runs_written, 2);
  const auto merged = ResultsStore(PathIn("all.db")).LoadRuns("s");
  ASSERT_EQ(merged.size(), 1u);
  check(merged[0]);
  const auto history = ResultsStore(PathIn("all.db")).LoadSupersededRuns("s");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].start.config_hash, "h2");
  EXPECT_FALSE(history[0].superseded_at.empty());
  check(history[0]);
}

}  // namespace
}  // namespace carbonbench

namespace carbonbench {
namespace {

using StoreFailure = StoreMerge;

TEST_F(StoreFailure, AnAttemptWhoseProcessDiedKeepsItsEpochsAndTheirEnergy) {
  ResultsStore store(PathIn("r.db"));
  const std::int64_t id = store.BeginRun(SampleStart("s", "h1"));
  store.AppendEpoch(id, SampleEpoch(1));
  store.AppendEpoch(id, SampleEpoch(2));
  EXPECT_EQ(store.FailUnfinishedAttempt(SampleStart("s", "h1"), "crashed: SIGSEGV", 12.5), id);
  // One that never began gets its failed row all the same.
  store.FailUnfinishedAttempt(SampleStart("s", "h2"), "crashed: SIGABRT", 1.0);
  const auto runs = store.LoadRuns("s");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].status, "failed");
  EXPECT_EQ(runs[0].failure_reason, "crashed: SIGSEGV");
  EXPECT_EQ(runs[0].epochs.size(), 2u);
  EXPECT_EQ(runs[0].summary.epochs_run, 2);
  EXPECT_DOUBLE_EQ(runs[0].summary.duration_s, 12.5);
  EXPECT_DOUBLE_EQ(runs[0].summary.energy_wh, SampleEpoch(1).energy_wh + SampleEpoch(2).energy_wh);
  EXPECT_DOUBLE_EQ(runs[0].summary.co2_g, SampleEpoch(1).co2_g + SampleEpoch(2).co2_g);
  EXPECT_NE(runs[0].summary.energy_provenance.find("the one in flight is lost"), std::string::npos);
  EXPECT_EQ(runs[1].status, "failed");
  EXPECT_TRUE(runs[1].epochs.empty());
  EXPECT_EQ(runs[1].summary.energy_wh, 0);
  EXPECT_EQ(runs[1].summary.energy_provenance.rfind("absent", 0), 0u);
}

}  // namespace
}  // namespace carbonbench
