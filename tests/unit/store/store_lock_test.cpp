#include "store/store_lock.h"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace carbonbench {
namespace {

using StoreLockTest = store_testing::TempDirTest;

TEST_F(StoreLockTest, ASecondWriterIsRefusedNamingTheFirst) {
  const std::string store = (dir_ / "results.db").string();
  StoreLock first(store);
  try {
    StoreLock second(store);
    FAIL() << "two writers held the lock of one store";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("store " + store + " is being written by process " +
                           std::to_string(getpid()) + " ("),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("store_tests"), std::string::npos) << message;  // its command
    EXPECT_NE(message.find("running since 20"), std::string::npos) << message;
    EXPECT_NE(message.find("another --store"), std::string::npos) << message;
  }
}

TEST_F(StoreLockTest, TheLockIsFreeOnceItsHolderLetsGo) {
  const std::string store = (dir_ / "sub" / "results.db").string();
  { StoreLock first(store); }
  EXPECT_NO_THROW(StoreLock second(store));
  EXPECT_TRUE(std::filesystem::exists(StoreLockPath(store)));
}

TEST_F(StoreLockTest, ALockFileThatCannotBeMadeIsNamedWithItsCause) {
  // A file where the store's folder should be: open(2) fails as it would
  // in a read-only folder, for root too.
  const std::string store =
      (std::filesystem::path(Write("plain_file", "x")) / "results.db").string();
  try {
    StoreLock lock(store);
    FAIL() << "a lock file was made under a regular file";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("store " + store + ": cannot open its lock file " +
                           StoreLockPath(store) + ": Not a directory"),
              std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace carbonbench
