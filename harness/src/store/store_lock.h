// One writing run per store. Two `run`s of a suite on one store would each
// replace the other's running attempts, so a run holds an exclusive lock on
// a file beside the store ("<store>.lock") for as long as it writes; a
// second run refuses to start and names the process that holds it. The
// lock is an flock(2): the kernel releases it when the holder ends, however
// it ends, so a killed run never leaves a stale lock behind. Readers
// (`report`, `plan`) take no lock: WAL lets them read while a run writes.
#pragma once

#include <string>

namespace carbonbench {

// "<store_path>.lock".
std::string StoreLockPath(const std::string& store_path);

class StoreLock {
 public:
  // Takes the lock of the store at `store_path` (creating the lock file and
  // its folder), recording this process's id, start time and command line
  // in it. Throws std::runtime_error naming the store and the process that
  // holds the lock (its id, command line and since when), or the lock
  // file's path and the OS's reason when it cannot be made.
  explicit StoreLock(const std::string& store_path);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace carbonbench
