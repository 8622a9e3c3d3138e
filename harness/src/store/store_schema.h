// The store's on-disk layout: pragmas, tables and the schema version check.
// Kept apart from ResultsStore so the layout can be read in one place.
#pragma once

#include <string>

namespace SQLite {
class Database;
}

namespace carbonbench {

// How long a connection waits for another's lock before failing: long
// enough for a `carbonbench report` reading while a suite writes an epoch
// (each write transaction is a handful of rows).
inline constexpr int kBusyTimeoutMs = 10000;

// Applies the connection settings (busy timeout, WAL, synchronous), refuses
// a file written by a newer carbonbench, and creates whatever tables are
// missing. `path` only names the file in error messages.
void PrepareStoreSchema(SQLite::Database& db, const std::string& path);

// The schema version recorded in the file, or 0 for a file that has none
// yet (new or not a carbonbench store).
int ReadStoreSchemaVersion(const SQLite::Database& db);

}  // namespace carbonbench
