// A store written by the release of store schema version 6 (the dump in
// tests/fixtures/store_v6) opens in this release, and every field of every
// run reads back as it was stored: written again through the typed records,
// each column of each row comes out byte for byte as that release wrote it.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "store/results_store.h"
#include "store/store_schema.h"
#include "store_test_util.h"

namespace carbonbench {
namespace {

using store_testing::TempDirTest;

const std::string kFixture = std::string(CARBONBENCH_TEST_SOURCE_DIR) + "/fixtures/store_v6";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A cell's value as SQLite holds it, type included: "integer 3",
// "real 0.25", "text abc".
std::string Cell(const SQLite::Column& column) {
  if (column.isInteger()) return "integer " + std::to_string(column.getInt64());
  if (column.isFloat()) {
    std::ostringstream text;
    text.precision(17);
    text << column.getDouble();
    return "real " + text.str();
  }
  if (column.isNull()) return "null";
  return "text " + column.getString();
}

using Row = std::map<std::string, std::string>;

// Every row of `table` for runs of `suite`, by column, in the order given.
std::vector<Row> Rows(const std::string& path, const std::string& table, const std::string& order) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  const std::string runs = "(SELECT id, suite, cell_name FROM runs) AS r";
  const std::string sql =
      table == "runs" ? "SELECT * FROM runs ORDER BY suite, cell_name"
                      : "SELECT t.*, r.suite AS run_suite, r.cell_name AS run_cell FROM " + table +
                            " AS t JOIN " + runs + " ON t.run_id = r.id ORDER BY r.suite, " +
                            "r.cell_name, " + order;
  SQLite::Statement query(db, sql);
  std::vector<Row> rows;
  while (query.executeStep()) {
    Row& row = rows.emplace_back();
    for (int i = 0; i < query.getColumnCount(); ++i) {
      row[query.getColumnName(i)] = Cell(query.getColumn(i));
    }
  }
  return rows;
}

class StoreV6UpgradeTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    written_ = PathIn("v6.db");
    SQLite::Database db(written_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(ReadText(kFixture + "/results.sql"));
  }
  std::string written_;
};

TEST_F(StoreV6UpgradeTest, OpensInPlaceAndEveryFieldReadsBackAsStored) {
  const std::vector<Row> runs_before = Rows(written_, "runs", "");
  const std::vector<Row> epochs_before = Rows(written_, "epochs", "t.epoch");
  const std::vector<Row> inference_before = Rows(written_, "inference", "t.batch_size");
  ASSERT_EQ(runs_before.size(), 4u);

  // Opening upgrades the file in place to this release's version.
  std::map<std::string, std::vector<RunRow>> loaded;
  {
    ResultsStore store(written_);
    for (const std::string& suite : store.Suites()) loaded[suite] = store.LoadRuns(suite);
  }
  {
    SQLite::Database db(written_, SQLite::OPEN_READONLY);
    EXPECT_EQ(ReadStoreSchemaVersion(db), kStoreSchemaVersion);
  }
  EXPECT_EQ(Rows(written_, "runs", "").size(), 4u);
  ASSERT_EQ(loaded["fixture"].size(), 3u);
  ASSERT_EQ(loaded["train"].size(), 1u);

  // Written again, from the typed records alone, into a fresh store.
  const std::string rewritten = PathIn("rewritten.db");
  std::map<std::string, const RunRow*> by_cell;
  {
    ResultsStore store(rewritten);
    for (const auto& [suite, runs] : loaded) {
      for (const RunRow& run : runs) {
        by_cell[suite + "/" + run.start.cell_name] = &run;
        const std::int64_t id = store.BeginRun(run.start);
        for (const EpochRecord& epoch : run.epochs) store.AppendEpoch(id, epoch);
        if (run.status == "finished") {
          store.FinishRun(id, run.summary);
        } else {
          store.FailRun(id, run.failure_reason, run.summary);
        }
      }
    }
  }
  const std::vector<Row> runs_after = Rows(rewritten, "runs", "");
  ASSERT_EQ(runs_after.size(), runs_before.size());
  for (std::size_t i = 0; i < runs_before.size(); ++i) {
    const Row& before = runs_before[i];
    for (const auto& [column, value] : before) {
      if (column == "id" || column == "started_at" || column == "finished_at") continue;
      ASSERT_TRUE(runs_after[i].count(column)) << column;
      EXPECT_EQ(runs_after[i].at(column), value) << before.at("cell_name") << ": " << column;
    }
    // The times are the rewrite's; the loaded records kept the stored ones.
    const RunRow& run =
        *by_cell.at(before.at("suite").substr(5) + "/" + before.at("cell_name").substr(5));
    EXPECT_EQ("text " + run.started_at, before.at("started_at"));
    EXPECT_EQ("text " + run.finished_at, before.at("finished_at"));
    EXPECT_EQ("integer " + std::to_string(run.id), before.at("id"));
  }
  for (const auto& [table, order, before] :
       {std::make_tuple("epochs", "t.epoch", epochs_before),
        std::make_tuple("inference", "t.batch_size", inference_before)}) {
    const std::vector<Row> after = Rows(rewritten, table, order);
    ASSERT_EQ(after.size(), before.size()) << table;
    ASSERT_FALSE(before.empty()) << table;
    for (std::size_t i = 0; i < before.size(); ++i) {
      for (const auto& [column, value] : before[i]) {
        if (column == "run_id") continue;
        EXPECT_EQ(after[i].at(column), value) << table << " row " << i << ": " << column;
      }
    }
  }
}

// Each table's columns as pragma table_info gives them, in order.
std::vector<std::string> TableLayout(const std::string& path, const std::string& table) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db,
                          "SELECT name, type, \"notnull\", dflt_value, pk FROM "
                          "pragma_table_info(?) ORDER BY cid");
  query.bind(1, table);
  std::vector<std::string> columns;
  while (query.executeStep()) {
    std::string column;
    for (int i = 0; i < 5; ++i) column += Cell(query.getColumn(i)) + "; ";
    columns.push_back(column);
  }
  return columns;
}

// The tables made from the column descriptions are the ones that release
// made, column for column, but for one default: epochs.data_s, which that
// release gave only files it upgraded, is now the same in new files. The
// columns of versions 7, 8 and 11 follow, at the end, where upgrading an
// older file puts them.
TEST_F(StoreV6UpgradeTest, AFreshStoreHasTheTablesOfVersion6AndThenTheLaterColumns) {
  const std::string fresh = PathIn("fresh.db");
  { ResultsStore store(fresh); }
  const std::map<std::string, std::vector<std::string>> added_later = {
      {"runs",
       {"text energy_band_wh; text REAL; integer 1; text 0; integer 0; ",
        "text measurement_json; text TEXT; integer 1; text '{}'; integer 0; ",
        "text superseded_at; text TEXT; integer 1; text ''; integer 0; ",
        "text runtime; text TEXT; integer 1; text ''; integer 0; ",
        "text architecture; text TEXT; integer 1; text ''; integer 0; "}},
      {"epochs", {"text energy_band_wh; text REAL; integer 1; text 0; integer 0; "}},
      {"inference", {"text energy_band_wh; text REAL; integer 1; text 0; integer 0; "}},
  };
  for (const char* table : {"meta", "runs", "epochs", "inference"}) {
    std::vector<std::string> expected = TableLayout(written_, table);
    for (std::string& column : expected) {
      if (column == "text data_s; text REAL; integer 1; null; integer 0; ") {
        column = "text data_s; text REAL; integer 1; text 0; integer 0; ";
      }
    }
    if (added_later.count(table)) {
      for (const std::string& column : added_later.at(table)) expected.push_back(column);
    }
    EXPECT_EQ(TableLayout(fresh, table), expected) << table;
  }
  // Upgrading a version 6 file adds the same columns, at its end.
  { ResultsStore store(written_); }
  for (const auto& [table, added] : added_later) {
    const std::vector<std::string> upgraded = TableLayout(written_, table);
    ASSERT_GE(upgraded.size(), added.size()) << table;
    EXPECT_EQ(std::vector<std::string>(upgraded.end() - added.size(), upgraded.end()), added)
        << table;
  }
}

// Version 8 made the runs table again without the UNIQUE constraint that
// left no room for history: every row keeps its id, its epochs and its
// inference rows, ids are still never reused, and the upgraded file takes
// `run --fresh`'s history like a new one.
TEST_F(StoreV6UpgradeTest, TheRunsTableIsMadeAgainWithRoomForHistory) {
  const std::vector<Row> runs_before = Rows(written_, "runs", "");
  const std::vector<Row> epochs_before = Rows(written_, "epochs", "t.epoch");
  const std::vector<Row> inference_before = Rows(written_, "inference", "t.batch_size");
  std::int64_t sequence_before = 0;
  {
    SQLite::Database db(written_, SQLite::OPEN_READWRITE);
    // As if runs had been deleted after the last one: the sequence is ahead.
    db.exec("UPDATE sqlite_sequence SET seq = seq + 10 WHERE name = 'runs'");
    sequence_before =
        db.execAndGet("SELECT seq FROM sqlite_sequence WHERE name = 'runs'").getInt64();
  }
  RunRow first;
  {
    ResultsStore store(written_);
    first = store.LoadRuns("fixture").front();
  }
  // Every row as it was, the new column empty.
  const std::vector<Row> runs_after = Rows(written_, "runs", "");
  ASSERT_EQ(runs_after.size(), runs_before.size());
  for (std::size_t i = 0; i < runs_before.size(); ++i) {
    for (const auto& [column, value] : runs_before[i]) {
      EXPECT_EQ(runs_after[i].at(column), value) << column;
    }
    EXPECT_EQ(runs_after[i].at("superseded_at"), "text ");
  }
  // Their epochs and inference rows too (version 7's columns beside them).
  for (const auto& [table, order, before] :
       {std::make_tuple("epochs", "t.epoch", epochs_before),
        std::make_tuple("inference", "t.batch_size", inference_before)}) {
    const std::vector<Row> after = Rows(written_, table, order);
    ASSERT_EQ(after.size(), before.size()) << table;
    for (std::size_t i = 0; i < before.size(); ++i) {
      for (const auto& [column, value] : before[i]) {
        EXPECT_EQ(after[i].at(column), value) << table << " row " << i << ": " << column;
      }
    }
  }
  {
    SQLite::Database db(written_, SQLite::OPEN_READONLY);
    const std::string sql =
        db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'runs'").getString();
    EXPECT_EQ(sql.find("UNIQUE"), std::string::npos) << sql;
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM pragma_foreign_key_check").getInt(), 0);
    EXPECT_EQ(db.execAndGet("SELECT seq FROM sqlite_sequence WHERE name = 'runs'").getInt64(),
              sequence_before);
  }
  // --fresh on the upgraded file: a new run replaces the old one as it
  // finishes, and the old one becomes history.
  ResultsStore store(written_);
  const std::int64_t id = store.BeginRun(first.start);
  EXPECT_GT(id, sequence_before);
  store.FinishRun(id, first.summary);
  const auto history = store.LoadSupersededRuns("fixture");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].id, first.id);
  EXPECT_EQ(history[0].epochs.size(), first.epochs.size());
  EXPECT_EQ(history[0].summary.inference.size(), first.summary.inference.size());
  EXPECT_EQ(store.LoadRuns("fixture").size(), 3u);
}

// Runs stored before bands and measurement records read as having none: a
// band of 0 everywhere and an empty record, not invented figures.
TEST_F(StoreV6UpgradeTest, RunsFromVersion6HaveNoBandAndNoMeasurementRecord) {
  ResultsStore store(written_);
  for (const std::string& suite : store.Suites()) {
    for (const RunRow& run : store.LoadRuns(suite)) {
      EXPECT_EQ(run.summary.energy_band_wh, 0.0) << run.start.cell_name;
      EXPECT_TRUE(run.summary.measurement.components.empty());
      EXPECT_FALSE(run.summary.measurement.samples);
      EXPECT_FALSE(run.summary.measurement.outside_load_mean);
      EXPECT_EQ(EncodeRecord(run.summary.measurement), "{}");
      for (const PhaseEnergy& phase : run.summary.phases) EXPECT_EQ(phase.band_wh, 0.0);
      for (const EpochRecord& epoch : run.epochs) EXPECT_EQ(epoch.energy_band_wh, 0.0);
      for (const InferenceRecord& row : run.summary.inference) EXPECT_EQ(row.energy_band_wh, 0.0);
      for (const MeterRecord& meter : run.start.meters) {
        EXPECT_FALSE(meter.band_relative);
        EXPECT_FALSE(meter.calibration);
      }
    }
  }
}

// The details the v6 release wrote decode into their typed fields.
TEST_F(StoreV6UpgradeTest, DetailsReadAsTypedFields) {
  ResultsStore store(written_);
  const std::vector<RunRow> runs = store.LoadRuns("fixture");
  ASSERT_EQ(runs.size(), 3u);
  const RunRow& pruned = runs[1];
  EXPECT_EQ(pruned.start.cell_name, "cnn/pruning");
  EXPECT_EQ(pruned.start.environment.threads, 1);
  EXPECT_EQ(pruned.start.environment.channels_last, true);
  EXPECT_TRUE(pruned.start.environment.extra.empty());
  ASSERT_EQ(pruned.start.meters.size(), 2u);
  EXPECT_EQ(pruned.start.meters[0].name, "constant");
  EXPECT_EQ(pruned.start.meters[0].components->at("cpu"), "estimated");
  EXPECT_EQ(pruned.start.carbon.country_iso_code, "SWE");
  EXPECT_EQ(pruned.start.carbon.compare_regions, std::vector<std::string>{"FR"});
  EXPECT_NEAR(pruned.start.idle.watts->at("cpu"), 50.0, 1.0);
  EXPECT_EQ(pruned.start.idle.meters->at("cpu"), "constant");
  EXPECT_TRUE(pruned.summary.usage.ram_total_gb.has_value());
  EXPECT_EQ(pruned.summary.confusion.classes.size(), 10u);
  EXPECT_EQ(pruned.summary.confusion.matrix.size(), 10u);
  EXPECT_TRUE(pruned.summary.memory.phases.count("train"));
  EXPECT_TRUE(pruned.summary.memory.phases.at("train").peak_rss_mb.has_value());
  EXPECT_TRUE(pruned.summary.memory.method.has_value());
  EXPECT_EQ(pruned.summary.figures.measures.at("pruning.sparsity"), 0.5);
  EXPECT_EQ(pruned.summary.figures.counts.at("model.parameters_before"), 1686);
  EXPECT_EQ(runs[2].status, "failed");
  EXPECT_TRUE(runs[2].summary.confusion.classes.empty());
}

}  // namespace
}  // namespace carbonbench
