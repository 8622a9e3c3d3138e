// A matrix is counted before it is expanded, and refused above the suite's
// cap (4096 unless `max_cells:` raises it) with the count and how to raise it.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "suites/matrix.h"
#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::ErrorsOf;
using testing_support::Load;
using Strings = std::vector<std::string>;

// An axis of `count` distinct seeds.
std::string SeedAxis(int count) {
  std::string values;
  for (int i = 0; i < count; ++i) values += (i ? ", " : "") + std::to_string(i);
  return "  seed: [" + values + "]\n";
}

std::string LrAxis(int count) {
  std::string values;
  for (int i = 1; i <= count; ++i) values += (i > 1 ? ", " : "") + std::to_string(i) + "e-4";
  return "  lr: [" + values + "]\n";
}

TEST(MaxCellsTest, AMatrixAboveTheDefaultCapIsRefusedBeforeExpansion) {
  // Five axes of twenty: 3.2 million cells, refused without building one.
  std::string suite = "suite: q\nmatrix:\n" + SeedAxis(20) + LrAxis(20);
  for (const char* key : {"epochs", "batch_size", "threads"}) {
    std::string values;
    for (int i = 1; i <= 20; ++i) values += (i > 1 ? ", " : "") + std::to_string(i);
    suite += std::string("  ") + key + ": [" + values + "]\n";
  }
  EXPECT_EQ(ErrorsOf(suite),
            Strings{"quickstart.yaml:2:1: the matrix makes up to 3200000 cells (20 x 20 x 20 x "
                    "20 x 20), above the cap of 4096; remove axis values, or raise the cap with a "
                    "top-level 'max_cells: N' (at most 1000000)"});
}

TEST(MaxCellsTest, TheCapCountsIncludeEntriesAndIsRaisedByMaxCells) {
  const std::string matrix =
      "matrix:\n" + SeedAxis(64) + LrAxis(64) + "  include: [{seed: 1000}, {seed: 1001}]\n";
  EXPECT_EQ(ErrorsOf("suite: q\n" + matrix),
            Strings{"quickstart.yaml:2:1: the matrix makes up to 4098 cells (64 x 64 + 2 include "
                    "entries), above the cap of 4096; remove axis values, or raise the cap with a "
                    "top-level 'max_cells: N' (at most 1000000)"});
  EXPECT_EQ(Load("suite: q\nmax_cells: 4098\n" + matrix).cells.size(), 4098u);
  EXPECT_EQ(Load("suite: q\nmatrix:\n" + SeedAxis(64) + LrAxis(64)).cells.size(), 4096u);
}

TEST(MaxCellsTest, MaxCellsIsRangeChecked) {
  EXPECT_EQ(ErrorsOf("suite: q\nmax_cells: 1000001\n"),
            Strings{"quickstart.yaml:2:12: max_cells = 1000001 is above its maximum 1000000"});
  EXPECT_EQ(ErrorsOf("suite: q\nmax_cells: [1]\n"),
            Strings{"quickstart.yaml:2:12: max_cells must be an integer from 1 to 1000000, e.g. "
                    "'max_cells: 10000'"});
}

TEST(MaxCellsTest, CountingSaturatesInsteadOfWrapping) {
  detail::MatrixSpec matrix;
  matrix.present = true;
  // 65,536^4 = 2^64 would wrap to 0 and pass any cap.
  for (int axis = 0; axis < 4; ++axis) {
    detail::MatrixAxis each{"axis" + std::to_string(axis), {}, {}};
    each.values.resize(65536);
    matrix.axes.push_back(each);
  }
  EXPECT_EQ(detail::CountCombinations(matrix), std::numeric_limits<std::uint64_t>::max());
  matrix.axes.pop_back();
  EXPECT_EQ(detail::CountCombinations(matrix), std::uint64_t{1} << 48);
  EXPECT_EQ(detail::CountCombinations(detail::MatrixSpec{}), 1u);
}

}  // namespace
}  // namespace carbonbench
