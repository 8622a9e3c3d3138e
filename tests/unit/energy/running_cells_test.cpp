// The machine's register of running cells: which others overlapped a cell.
#include "energy/running_cells.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench {
namespace {

class RunningCellsTest : public test_support::TempDirTest {};

TEST_F(RunningCellsTest, ACellAloneOverlapsNone) {
  const RunningCellEntry cell((dir_ / "cells").string());
  EXPECT_EQ(cell.Overlapping(), 0);
}

TEST_F(RunningCellsTest, CellsRunningTogetherSeeEachOther) {
  const std::string folder = (dir_ / "cells").string();
  const RunningCellEntry first(folder);
  const RunningCellEntry second(folder);
  EXPECT_EQ(first.Overlapping(), 1);
  EXPECT_EQ(second.Overlapping(), 1);
}

TEST_F(RunningCellsTest, ACellThatCameAndWentMeanwhileCountsAndOneFromBeforeDoesNot) {
  const std::string folder = (dir_ / "cells").string();
  { const RunningCellEntry before(folder); }
  const RunningCellEntry long_cell(folder);
  EXPECT_EQ(long_cell.Overlapping(), 0);
  { const RunningCellEntry brief(folder); }
  EXPECT_EQ(long_cell.Overlapping(), 1);
}

TEST_F(RunningCellsTest, AKilledCellsEntryEndsWhenItWasLastWritten) {
  const std::string folder = (dir_ / "cells").string();
  std::filesystem::create_directories(folder);
  // Unlocked and never marked ended: its process died. Written long ago.
  std::ofstream(folder + "/host-1-1.cell") << "1000 0\n";
  std::filesystem::last_write_time(
      folder + "/host-1-1.cell",
      std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  const RunningCellEntry cell(folder);
  EXPECT_EQ(cell.Overlapping(), 0);
}

TEST_F(RunningCellsTest, AFifoInTheSharedFolderIsNoEntryAndDoesNotBlock) {
  const std::string folder = (dir_ / "cells").string();
  std::filesystem::create_directories(folder);
  ASSERT_EQ(mkfifo((folder + "/host-2-2.cell").c_str(), 0644), 0);
  const RunningCellEntry cell(folder);
  EXPECT_EQ(cell.Overlapping(), 0);
}

TEST_F(RunningCellsTest, AnUnwritableFolderMeansUnknownNotZero) {
  const RunningCellEntry cell("/proc/no-such-folder");
  EXPECT_EQ(cell.Overlapping(), std::nullopt);
}

TEST(OverlapWarning, OnlyWhenOthersRanAndAMachineWideMeterCountedThem) {
  EXPECT_FALSE(OverlapWarning(0, "rapl").has_value());
  EXPECT_FALSE(OverlapWarning(2, "").has_value());
  const auto warning = OverlapWarning(2, "rapl");
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("2 other cell(s) ran on this machine"), std::string::npos);
  EXPECT_NE(warning->find("--exclusive"), std::string::npos);
}

}  // namespace
}  // namespace carbonbench
