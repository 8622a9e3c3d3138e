#include "store/store_error.h"

#include <sqlite3.h>

#include <cerrno>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace carbonbench {
namespace {

TEST(StoreErrorMessage, AFullDiskNamesTheStoreTheCauseAndWhatToDo) {
  EXPECT_EQ(StoreErrorMessage("results/x.db", "storing an epoch", "database or disk is full",
                              SQLITE_FULL, 0),
            "store results/x.db: storing an epoch: database or disk is full (No space left on "
            "device); free space on its disk and run the same command again: the results "
            "finished so far are kept");
}

TEST(StoreErrorMessage, AReadOnlyStoreSaysWhatCannotBeWritten) {
  const std::string message =
      StoreErrorMessage("/ro/x.db", "opening it", "attempt to write a readonly database",
                        SQLITE_READONLY_DIRECTORY, 0);
  EXPECT_EQ(message.rfind("store /ro/x.db: opening it: attempt to write a readonly database; "
                          "the file or its folder cannot be written",
                          0),
            0u)
      << message;
}

TEST(StoreErrorMessage, AnIoErrorCarriesTheOsReason) {
  const std::string message =
      StoreErrorMessage("x.db", "storing an epoch", "disk I/O error", SQLITE_IOERR_WRITE, EIO);
  EXPECT_NE(message.find("disk I/O error (Input/output error); the disk reported an error"),
            std::string::npos)
      << message;
}

using StoreOpenError = store_testing::TempDirTest;

TEST_F(StoreOpenError, AFileThatIsNotAStoreIsNamedWithWhatToDo) {
  const std::string path = Write("notes.db", std::string(4096, 'x'));
  try {
    ResultsStore store(path);
    FAIL() << "a text file opened as a store";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()),
              "store " + path +
                  ": opening it: file is not a database; it is not a carbonbench results store "
                  "(not an SQLite file): check the --store path");
  }
}

TEST_F(StoreOpenError, AFolderThatCannotBeMadeIsNamedWithTheOsReason) {
  const std::string path = Write("plain_file", "x") + "/results.db";
  try {
    ResultsStore store(path);
    FAIL() << "a store was made under a regular file";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("store " + path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace carbonbench
