#include "store/store_schema.h"

#include <stdexcept>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/results_store.h"
#include "store/run_columns.h"

namespace carbonbench {
namespace {

constexpr const char* kCreateMeta = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
)sql";
// Per cell repetition, one current ended run (finished or failed) and one
// running attempt, which may stand beside it: a re-run replaces the finished
// run only when it finishes. History (superseded runs) stands beside both.
// Version 8's runs_current allowed one current row of either kind.
constexpr const char* kCreateIndexes =
    "DROP INDEX IF EXISTS runs_current;"
    "CREATE INDEX IF NOT EXISTS runs_by_suite ON runs (suite, status);"
    "CREATE UNIQUE INDEX IF NOT EXISTS runs_ended ON runs (suite, config_hash, repetition) "
    "WHERE superseded_at = '' AND status != 'running';"
    "CREATE UNIQUE INDEX IF NOT EXISTS runs_running ON runs (suite, config_hash, repetition) "
    "WHERE status = 'running';";

// A search's study and trials (records/search_records.h). Trials name
// their run by id without a foreign key: a trial taken from an earlier run
// points at that run, which `run --fresh` may later make history.
constexpr const char* kCreateSearchTables = R"sql(
CREATE TABLE IF NOT EXISTS search_studies (
  suite TEXT NOT NULL,
  study TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  optuna_version TEXT NOT NULL DEFAULT '',
  importances_json TEXT NOT NULL DEFAULT '{}',
  importances_note TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (suite, study)
);
CREATE TABLE IF NOT EXISTS search_trials (
  suite TEXT NOT NULL,
  study TEXT NOT NULL,
  number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
  params_json TEXT NOT NULL,
  values_json TEXT NOT NULL DEFAULT '[]',
  cell_name TEXT NOT NULL DEFAULT '',
  config_hash TEXT NOT NULL DEFAULT '',
  run_id INTEGER NOT NULL DEFAULT 0,
  from_store INTEGER NOT NULL DEFAULT 0,
  epochs_run INTEGER NOT NULL DEFAULT 0,
  planned_epochs INTEGER NOT NULL DEFAULT 0,
  energy_wh REAL NOT NULL DEFAULT 0,
  co2_g REAL NOT NULL DEFAULT 0,
  duration_s REAL NOT NULL DEFAULT 0,
  energy_provenance TEXT NOT NULL DEFAULT '',
  projected_energy_wh REAL NOT NULL DEFAULT 0,
  projected_co2_g REAL NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL DEFAULT '',
  ended_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (suite, study, number)
);
)sql";

template <class Record>
std::string CreateTableSql(const detail::TableSpec<Record>& table) {
  std::string sql = std::string("CREATE TABLE IF NOT EXISTS ") + table.name + " (\n";
  if (*table.leading) sql += std::string("  ") + table.leading + ",\n";
  for (const auto& column : table.columns) {
    sql += std::string("  ") + column.name + " " + column.definition + ",\n";
  }
  return sql + "  " + table.trailing + "\n);\n";
}

bool HasColumn(const SQLite::Database& db, const std::string& table, const std::string& column) {
  SQLite::Statement query(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  query.bind(1, table);
  query.bind(2, column);
  return query.executeStep();
}

// Upgrades an older file in place, keeping every row: each column added
// after the file's version is added where missing (tables just created have
// them all), and older rows read its default.
template <class Record>
void AddMissingColumns(SQLite::Database& db, const detail::TableSpec<Record>& table,
                       int version_on_disk) {
  for (const auto& column : table.columns) {
    if (column.since_version <= version_on_disk) continue;
    if (HasColumn(db, table.name, column.name)) continue;
    db.exec(std::string("ALTER TABLE ") + table.name + " ADD COLUMN " + column.name + " " +
            column.definition);
  }
}

// The UNIQUE constraint of files before version 8, or the status CHECK of
// files before version 10, which refuses 'pruned'.
bool RunsTableNeedsRebuilding(SQLite::Database& db) {
  SQLite::Statement sql(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'");
  if (!sql.executeStep()) return false;
  const std::string definition = sql.getColumn(0).getString();
  return definition.find("UNIQUE (suite, config_hash, repetition)") != std::string::npos ||
         definition.find("'pruned'") == std::string::npos;
}

// Rows of the child tables whose run is missing ("PRAGMA foreign_key_check").
int Orphans(SQLite::Database& db) {
  return db.execAndGet("SELECT COUNT(*) FROM pragma_foreign_key_check").getInt();
}

// Before version 8 a UNIQUE constraint allowed one run per cell repetition,
// history included; before version 10 the status CHECK had no 'pruned'.
// SQLite cannot drop or change a constraint, so the table is made
// again without it, as SQLite's documentation describes (a new table, every
// row copied with its id, the old one dropped, the new one renamed), with
// foreign keys off so the epochs and inference rows keep their runs. The
// id sequence carries over, so ids are still never reused.
void RebuildRunsTable(SQLite::Database& db) {
  if (!RunsTableNeedsRebuilding(db)) return;
  const int orphans_before = Orphans(db);
  const auto& table = detail::RunsTable();
  std::string create = CreateTableSql(table);
  const std::string from = "CREATE TABLE IF NOT EXISTS runs (";
  create.replace(0, from.size(), "CREATE TABLE runs_rebuilt (");
  db.exec(create);
  const std::string columns = detail::ColumnNames(table);
  db.exec("INSERT INTO runs_rebuilt (" + columns + ") SELECT " + columns + " FROM runs");
  const std::int64_t sequence =
      db.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'runs'")
          .getInt64();
  db.exec("DROP TABLE runs");
  db.exec("ALTER TABLE runs_rebuilt RENAME TO runs");
  SQLite::Statement keep(db, "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'runs'");
  keep.bind(1, sequence);
  keep.exec();
  if (Orphans(db) != orphans_before) {
    throw std::runtime_error(
        "upgrading the runs table would leave epochs or inference rows without their run; the "
        "file is left as it was: report this with the file");
  }
}

void CheckVersionIsReadable(int version, const std::string& path) {
  if (version > kStoreSchemaVersion) {
    throw std::runtime_error(fmt::format(
        "store {} has schema version {}; this carbonbench reads up to {}: upgrade carbonbench",
        path, version, kStoreSchemaVersion));
  }
}

void CreateTables(SQLite::Database& db, int version_on_disk) {
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  db.exec(kCreateMeta);
  db.exec(CreateTableSql(detail::RunsTable()));
  db.exec(CreateTableSql(detail::EpochsTable()));
  db.exec(CreateTableSql(detail::InferenceTable()));
  // Older files are upgraded inside this transaction: a failed upgrade
  // leaves the file as it was, still readable by the older carbonbench.
  AddMissingColumns(db, detail::RunsTable(), version_on_disk);
  AddMissingColumns(db, detail::EpochsTable(), version_on_disk);
  AddMissingColumns(db, detail::InferenceTable(), version_on_disk);
  RebuildRunsTable(db);  // files before version 10
  db.exec(kCreateSearchTables);
  db.exec(kCreateIndexes);
  if (version_on_disk < kStoreSchemaVersion) {
    SQLite::Statement upsert(db,
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
  SQLite::Statement query(db, "SELECT value FROM meta WHERE key = 'schema_version'");
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
  // Off while the tables are made or upgraded (an upgrade may make the runs
  // table again); SQLite ignores the pragma inside a transaction.
  db.exec("PRAGMA foreign_keys = OFF");
  CreateTables(db, version);
  db.exec("PRAGMA foreign_keys = ON");
}

}  // namespace carbonbench
