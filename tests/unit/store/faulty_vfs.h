// A full disk on demand: an SQLite VFS over the default one whose writes,
// truncations and syncs fail from the Nth on, as they do once a disk fills
// (SQLITE_FULL, or the I/O error of a sync), until it is told that space
// was freed. Registered as the default VFS while a FaultyVfsScope lives, so
// the store under test uses it unchanged.
#pragma once

#include <sqlite3.h>

#include <cerrno>
#include <cstring>

namespace carbonbench::store_testing {

class FaultyVfs {
 public:
  // Every write step from the `step`th on (counted from 1) fails; 0: none.
  static void FailFromStep(int step) {
    fail_from_ = step;
    steps_ = 0;
  }
  static int StepsSeen() { return steps_; }
  static bool Failed() { return fail_from_ > 0 && steps_ >= fail_from_; }

  static void Register() {
    base_ = sqlite3_vfs_find(nullptr);
    vfs_ = *base_;
    vfs_.zName = "carbonbench_faulty";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
    vfs_.pNext = nullptr;
    vfs_.xOpen = Open;
    sqlite3_vfs_register(&vfs_, 1);
  }
  static void Unregister() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(base_, 1);
  }

 private:
  struct File {
    sqlite3_file header;  // its pMethods are ours
    sqlite3_file* real;   // the base VFS's file, right after this struct
  };

  static sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<File*>(file)->real; }

  // True when this write step is to fail.
  static bool NextStepFails() {
    ++steps_;
    return Failed();
  }

  static int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags,
                  int* out_flags) {
    File* faulty = reinterpret_cast<File*>(file);
    faulty->real = reinterpret_cast<sqlite3_file*>(faulty + 1);
    faulty->header.pMethods = nullptr;
    const int rc = base_->xOpen(base_, name, faulty->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    methods_ = *faulty->real->pMethods;
    methods_.xClose = Close;
    methods_.xWrite = Write;
    methods_.xTruncate = Truncate;
    methods_.xSync = Sync;
    methods_.xRead = Read;
    methods_.xFileSize = FileSize;
    methods_.xLock = Lock;
    methods_.xUnlock = Unlock;
    methods_.xCheckReservedLock = CheckReservedLock;
    methods_.xFileControl = FileControl;
    methods_.xSectorSize = SectorSize;
    methods_.xDeviceCharacteristics = DeviceCharacteristics;
    methods_.xShmMap = ShmMap;
    methods_.xShmLock = ShmLock;
    methods_.xShmBarrier = ShmBarrier;
    methods_.xShmUnmap = ShmUnmap;
    methods_.xFetch = Fetch;
    methods_.xUnfetch = Unfetch;
    faulty->header.pMethods = &methods_;
    return SQLITE_OK;
  }
  static int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
  static int Write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    if (NextStepFails()) {
      errno = ENOSPC;
      return SQLITE_FULL;
    }
    return Real(f)->pMethods->xWrite(Real(f), data, amount, offset);
  }
  static int Truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (NextStepFails()) return SQLITE_IOERR_TRUNCATE;
    return Real(f)->pMethods->xTruncate(Real(f), size);
  }
  static int Sync(sqlite3_file* f, int flags) {
    if (NextStepFails()) return SQLITE_IOERR_FSYNC;
    return Real(f)->pMethods->xSync(Real(f), flags);
  }
  static int Read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
    return Real(f)->pMethods->xRead(Real(f), data, amount, offset);
  }
  static int FileSize(sqlite3_file* f, sqlite3_int64* size) {
    return Real(f)->pMethods->xFileSize(Real(f), size);
  }
  static int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
  static int Unlock(sqlite3_file* f, int level) {
    return Real(f)->pMethods->xUnlock(Real(f), level);
  }
  static int CheckReservedLock(sqlite3_file* f, int* out) {
    return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
  }
  static int FileControl(sqlite3_file* f, int op, void* arg) {
    return Real(f)->pMethods->xFileControl(Real(f), op, arg);
  }
  static int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
  static int DeviceCharacteristics(sqlite3_file* f) {
    return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
  }
  static int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
  }
  static int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
    return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
  }
  static void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
  static int ShmUnmap(sqlite3_file* f, int delete_flag) {
    return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
  }
  static int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
  }
  static int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* data) {
    return Real(f)->pMethods->xUnfetch(Real(f), offset, data);
  }

  static inline sqlite3_vfs* base_ = nullptr;
  static inline sqlite3_vfs vfs_{};
  static inline sqlite3_io_methods methods_{};
  static inline int fail_from_ = 0;
  static inline int steps_ = 0;
};

// The faulty VFS as the default for as long as it lives.
struct FaultyVfsScope {
  FaultyVfsScope() {
    FaultyVfs::FailFromStep(0);
    FaultyVfs::Register();
  }
  ~FaultyVfsScope() {
    FaultyVfs::FailFromStep(0);
    FaultyVfs::Unregister();
  }
};

}  // namespace carbonbench::store_testing
