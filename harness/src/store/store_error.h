// SQLite's own messages ("database or disk is full", "attempt to write a
// readonly database") name neither the store nor the OS's reason, nor what
// to do; these do.
#pragma once

#include <string>

namespace SQLite {
class Exception;
}
struct sqlite3;

namespace carbonbench {

// "store results.db: storing an epoch: database or disk is full (No space
// left on device); free space on its disk and run the same command again:
// the results finished so far are kept". `sqlite_code` is SQLite's
// (extended) result code; `os_errno` the OS error SQLite saw, 0 when none.
std::string StoreErrorMessage(const std::string& path, const std::string& doing,
                              const std::string& sqlite_message, int sqlite_code, int os_errno);

// The message above for an exception of SQLiteCpp on `db` (null when the
// file could not be opened).
std::string StoreErrorMessage(const std::string& path, const std::string& doing, sqlite3* db,
                              const SQLite::Exception& error);

}  // namespace carbonbench
