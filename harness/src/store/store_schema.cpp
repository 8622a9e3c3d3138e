#include "store/store_schema.h"

#include <stdexcept>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/results_store.h"
#include "store/run_columns.h"

namespace carbonbench {
namespace {

// Long enough for a `carbonbench report` reading while a suite writes an
// epoch (each write transaction is a handful of rows).
constexpr int kBusyTimeoutMs = 10000;

constexpr const char* kCreateMeta = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
)sql";
constexpr const char* kCreateIndexes =
    "CREATE INDEX IF NOT EXISTS runs_by_suite ON runs (suite, status);";

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
  db.exec(kCreateIndexes);
  db.exec(CreateTableSql(detail::EpochsTable()));
  db.exec(CreateTableSql(detail::InferenceTable()));
  // Older files are upgraded inside this transaction: a failed upgrade
  // leaves the file as it was, still readable by the older carbonbench.
  AddMissingColumns(db, detail::RunsTable(), version_on_disk);
  AddMissingColumns(db, detail::EpochsTable(), version_on_disk);
  AddMissingColumns(db, detail::InferenceTable(), version_on_disk);
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
  db.exec("PRAGMA foreign_keys = ON");
  CreateTables(db, version);
}

}  // namespace carbonbench
