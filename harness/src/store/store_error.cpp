#include "store/store_error.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>

#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>

namespace carbonbench {
namespace {

// What the user can do about each kind of failure.
std::string Advice(int primary_code) {
  switch (primary_code) {
    case SQLITE_FULL:
      return "free space on its disk and run the same command again: the results finished so "
             "far are kept";
    case SQLITE_READONLY:
      return "the file or its folder cannot be written (check their permissions and that the "
             "disk is not mounted read-only), or pass --store with a path that can";
    case SQLITE_CANTOPEN:
      return "check that its folder exists and may be written, or pass --store with another path";
    case SQLITE_NOTADB:
      return "it is not a carbonbench results store (not an SQLite file): check the --store path";
    case SQLITE_CORRUPT:
      return "the file is damaged: keep a copy of it, and recover what it holds with `sqlite3 "
             "FILE .recover`, or pass --store with another path";
    case SQLITE_IOERR:
      return "the disk reported an error: check it (dmesg) and run the same command again";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process holds the file: wait for it to end";
    default:
      return "";
  }
}

}  // namespace

std::string StoreErrorMessage(const std::string& path, const std::string& doing,
                              const std::string& sqlite_message, int sqlite_code, int os_errno) {
  const int primary = sqlite_code & 0xff;
  // SQLite reports a full disk as SQLITE_FULL without keeping the errno.
  if (os_errno == 0 && primary == SQLITE_FULL) os_errno = ENOSPC;
  std::string message = fmt::format("store {}: {}: {}", path, doing, sqlite_message);
  if (os_errno != 0) message += fmt::format(" ({})", std::strerror(os_errno));
  const std::string advice = Advice(primary);
  if (!advice.empty()) message += "; " + advice;
  return message;
}

std::string StoreErrorMessage(const std::string& path, const std::string& doing, sqlite3* db,
                              const SQLite::Exception& error) {
  const int code =
      error.getExtendedErrorCode() > 0 ? error.getExtendedErrorCode() : error.getErrorCode();
  // SQLite keeps the OS's errno only for I/O and open failures; for others
  // it may be stale. Without a connection, the failed open's errno is still
  // this thread's.
  const int primary = code & 0xff;
  int os_errno = 0;
  if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) {
    os_errno = db != nullptr ? sqlite3_system_errno(db) : errno;
  }
  return StoreErrorMessage(path, doing, error.what(), code, os_errno);
}

}  // namespace carbonbench
