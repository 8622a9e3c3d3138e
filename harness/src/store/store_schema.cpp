#include "store/store_schema.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <stdexcept>
#include <string>

#include "store/results_store.h"

namespace carbonbench {
namespace {

// Long enough for a `carbonbench report` reading while a suite writes an
// epoch (each write transaction is a handful of rows).
constexpr int kBusyTimeoutMs = 10000;

// Every run is one row, written as it goes: "running" at BeginRun, then
// "finished" or "failed" with its summary. The UNIQUE constraint holds the
// invariant BeginRun keeps: one stored attempt per cell repetition.
// AUTOINCREMENT so that ids are never reused after an attempt is deleted,
// which keeps "ordered by id" meaning "in the order they were started".
constexpr const char* kCreateTables = R"sql(
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
  task TEXT NOT NULL DEFAULT 'classification',
  environment_json TEXT NOT NULL,
  meters_json TEXT NOT NULL,
  region_requested TEXT NOT NULL,
  region_used TEXT NOT NULL,
  intensity_g_per_kwh REAL NOT NULL,
  intensity_source TEXT NOT NULL,
  pue REAL NOT NULL,
  carbon_json TEXT NOT NULL DEFAULT '{}',
  idle_json TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  failure_reason TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  epochs_run INTEGER NOT NULL DEFAULT 0,
  best_accuracy REAL NOT NULL DEFAULT 0,
  final_accuracy REAL NOT NULL DEFAULT 0,
  best_rmse REAL NOT NULL DEFAULT 0,
  final_rmse REAL NOT NULL DEFAULT 0,
  final_mae REAL NOT NULL DEFAULT 0,
  duration_s REAL NOT NULL DEFAULT 0,
  energy_wh REAL NOT NULL DEFAULT 0,
  co2_g REAL NOT NULL DEFAULT 0,
  idle_energy_wh REAL NOT NULL DEFAULT 0,
  energy_provenance TEXT NOT NULL DEFAULT '',
  usage_json TEXT NOT NULL DEFAULT '{}',
  stop_reason TEXT NOT NULL DEFAULT '',
  model_path TEXT NOT NULL DEFAULT '',
  compute_dtype TEXT NOT NULL DEFAULT '',
  phases_json TEXT NOT NULL DEFAULT '[]',
  warnings_json TEXT NOT NULL DEFAULT '[]',
  cold_start_s REAL NOT NULL DEFAULT 0,
  confusion_json TEXT NOT NULL DEFAULT '{}',
  memory_json TEXT NOT NULL DEFAULT '{}',
  figures_json TEXT NOT NULL DEFAULT '{}',
  UNIQUE (suite, config_hash, repetition)
);
CREATE INDEX IF NOT EXISTS runs_by_suite ON runs (suite, status);
CREATE TABLE IF NOT EXISTS epochs (
  run_id INTEGER NOT NULL REFERENCES runs (id),
  epoch INTEGER NOT NULL,
  train_loss REAL NOT NULL,
  test_loss REAL NOT NULL,
  test_accuracy REAL NOT NULL,
  test_rmse REAL NOT NULL DEFAULT 0,
  test_mae REAL NOT NULL DEFAULT 0,
  train_s REAL NOT NULL,
  eval_s REAL NOT NULL,
  data_s REAL NOT NULL,
  energy_wh REAL NOT NULL,
  co2_g REAL NOT NULL,
  energy_provenance TEXT NOT NULL,
  phase TEXT NOT NULL DEFAULT 'train',
  PRIMARY KEY (run_id, epoch)
);
CREATE TABLE IF NOT EXISTS inference (
  run_id INTEGER NOT NULL REFERENCES runs (id),
  batch_size INTEGER NOT NULL,
  iterations INTEGER NOT NULL,
  predictions INTEGER NOT NULL,
  mean_ms REAL NOT NULL,
  p50_ms REAL NOT NULL,
  p90_ms REAL NOT NULL,
  p99_ms REAL NOT NULL,
  throughput_per_s REAL NOT NULL,
  energy_wh REAL NOT NULL,
  co2_g REAL NOT NULL,
  energy_wh_per_1000 REAL NOT NULL,
  energy_provenance TEXT NOT NULL,
  PRIMARY KEY (run_id, batch_size)
);
)sql";

// What version 2 added to version 1's tables. Each column has a default, so
// a version-1 row reads as a classification run with no regression figures.
struct AddedColumn {
  const char* table;
  const char* name;
  const char* definition;
};
constexpr AddedColumn kAddedInVersion2[] = {
    // Columns that version 1 gained during its life: its early files lack them.
    {"runs", "compute_dtype", "TEXT NOT NULL DEFAULT ''"},
    {"epochs", "data_s", "REAL NOT NULL DEFAULT 0"},
    {"runs", "task", "TEXT NOT NULL DEFAULT 'classification'"},
    {"runs", "best_rmse", "REAL NOT NULL DEFAULT 0"},
    {"runs", "final_rmse", "REAL NOT NULL DEFAULT 0"},
    {"runs", "final_mae", "REAL NOT NULL DEFAULT 0"},
    {"epochs", "test_rmse", "REAL NOT NULL DEFAULT 0"},
    {"epochs", "test_mae", "REAL NOT NULL DEFAULT 0"},
};
// Version 3: a version-2 row reads as a run without these details.
constexpr AddedColumn kAddedInVersion3[] = {
    {"runs", "carbon_json", "TEXT NOT NULL DEFAULT '{}'"},
    {"runs", "idle_json", "TEXT NOT NULL DEFAULT '{}'"},
    {"runs", "idle_energy_wh", "REAL NOT NULL DEFAULT 0"},
    {"runs", "usage_json", "TEXT NOT NULL DEFAULT '{}'"},
};
// Version 4: the inference table is created by kCreateTables; a version-3
// row reads as a run whose inference phase did not run.
constexpr AddedColumn kAddedInVersion4[] = {
    {"runs", "cold_start_s", "REAL NOT NULL DEFAULT 0"},
};
// Version 5: a version-4 row reads as a run without a confusion matrix.
constexpr AddedColumn kAddedInVersion5[] = {
    {"runs", "confusion_json", "TEXT NOT NULL DEFAULT '{}'"},
};
// Version 6: a version-5 row reads as a run without peak memory or
// optimization figures, whose epochs were all planned training epochs.
constexpr AddedColumn kAddedInVersion6[] = {
    {"runs", "memory_json", "TEXT NOT NULL DEFAULT '{}'"},
    {"runs", "figures_json", "TEXT NOT NULL DEFAULT '{}'"},
    {"epochs", "phase", "TEXT NOT NULL DEFAULT 'train'"},
};

bool HasColumn(const SQLite::Database& db, const std::string& table,
               const std::string& column) {
  SQLite::Statement query(db,
                          "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  query.bind(1, table);
  query.bind(2, column);
  return query.executeStep();
}

// Upgrades an older file in place, keeping every row. A column is added
// only where missing: tables that kCreateTables has just made have them all.
template <std::size_t N>
void AddMissingColumns(SQLite::Database& db, const AddedColumn (&columns)[N]) {
  for (const AddedColumn& column : columns) {
    if (HasColumn(db, column.table, column.name)) continue;
    db.exec(std::string("ALTER TABLE ") + column.table + " ADD COLUMN " +
            column.name + " " + column.definition);
  }
}

void CheckVersionIsReadable(int version, const std::string& path) {
  if (version > kStoreSchemaVersion) {
    throw std::runtime_error(
        "store " + path + " has schema version " + std::to_string(version) +
        "; this carbonbench reads up to " +
        std::to_string(kStoreSchemaVersion) + ": upgrade carbonbench");
  }
}

void CreateTables(SQLite::Database& db, int version_on_disk) {
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  db.exec(kCreateTables);
  // Older files are upgraded inside this transaction: a failed upgrade
  // leaves the file as it was, still readable by the older carbonbench.
  if (version_on_disk < 2) AddMissingColumns(db, kAddedInVersion2);
  if (version_on_disk < 3) AddMissingColumns(db, kAddedInVersion3);
  if (version_on_disk < 4) AddMissingColumns(db, kAddedInVersion4);
  if (version_on_disk < 5) AddMissingColumns(db, kAddedInVersion5);
  if (version_on_disk < 6) AddMissingColumns(db, kAddedInVersion6);
  if (version_on_disk < kStoreSchemaVersion) {
    SQLite::Statement upsert(
        db,
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, std::to_string(kStoreSchemaVersion));
    upsert.exec();
  }
  transaction.commit();
}

}  // namespace

int ReadStoreSchemaVersion(const SQLite::Database& db) {
  if (!db.tableExists("meta")) return 0;
  SQLite::Statement query(
      db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!query.executeStep()) return 0;
  return std::stoi(query.getColumn(0).getString());
}

void PrepareStoreSchema(SQLite::Database& db, const std::string& path) {
  db.setBusyTimeout(kBusyTimeoutMs);
  // Check before anything writes to the file: a newer carbonbench's store
  // must be left exactly as it was.
  const int version = ReadStoreSchemaVersion(db);
  CheckVersionIsReadable(version, path);
  // WAL lets a report read while a suite writes. synchronous=FULL syncs the
  // WAL at every commit, so a committed epoch survives even a power loss,
  // not just a killed process; commits are per epoch, so the cost is nil.
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  CreateTables(db, version);
}

}  // namespace carbonbench
