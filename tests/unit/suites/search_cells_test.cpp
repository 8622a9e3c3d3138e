// A search's cells: a trial's cell is the suite's settings overlaid by the
// values Optuna chose, equal (same config hash) to the matrix cell with the
// same settings, and the search space's grid holds every choice and step.
#include "suites/search_cells.h"

#include <gtest/gtest.h>

#include "suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::CellNames;
using testing_support::ErrorsOf;
using testing_support::Load;

constexpr const char* kSearchSuite = R"(
suite: tuned
defaults: {model: cnn, epochs: 3, lr: 0.01}
search:
  parameters:
    lr: {float: [0.0001, 0.1], log: true}
    batch_size: {choice: [32, 64]}
    cnn.channels: {int: [8, 24], step: 8}
    optimizations: {choice: [[], [mixed_precision]]}
  objectives: [accuracy]
)";

TEST(TrialCell, OverlaysTheChosenValuesOnTheSuiteSettings) {
  const Suite suite = Load(kSearchSuite);
  ASSERT_TRUE(suite.search.has_value());
  const Cell cell = MakeTrialCell(suite, {{"lr", 0.003},
                                          {"batch_size", std::int64_t{64}},
                                          {"cnn.channels", std::int64_t{16}},
                                          {"optimizations", std::string("mixed_precision")}});
  EXPECT_EQ(std::get<double>(cell.Get("lr")), 0.003);
  EXPECT_EQ(std::get<std::int64_t>(cell.Get("batch_size")), 64);
  EXPECT_EQ(std::get<std::int64_t>(cell.Get("cnn.channels")), 16);
  EXPECT_EQ(std::get<std::int64_t>(cell.Get("epochs")), 3);
  EXPECT_EQ(cell.optimizations, std::vector<std::string>{"mixed_precision"});
  EXPECT_EQ(cell.name, "cnn/mixed_precision/lr=0.003/batch_size=64/cnn.channels=16");
}

TEST(TrialCell, HasTheConfigHashOfTheMatrixCellWithTheSameSettings) {
  const Suite searched = Load(kSearchSuite);
  const Cell trial = MakeTrialCell(searched, {{"lr", 0.01},
                                              {"batch_size", std::int64_t{32}},
                                              {"cnn.channels", std::int64_t{8}},
                                              {"optimizations", std::string("")}});
  const Suite matrix = Load(R"(
suite: tuned
defaults: {model: cnn, epochs: 3, lr: 0.01}
matrix:
  batch_size: [32]
  cnn.channels: [8]
)");
  ASSERT_EQ(matrix.cells.size(), 1u);
  EXPECT_EQ(trial.config_hash, matrix.cells.At(0).config_hash);
}

TEST(TrialCell, RefusesValuesTheSearchDoesNotHold) {
  const Suite suite = Load(kSearchSuite);
  const std::map<std::string, ParamValue> good = {{"lr", 0.01},
                                                  {"batch_size", std::int64_t{32}},
                                                  {"cnn.channels", std::int64_t{8}},
                                                  {"optimizations", std::string("")}};
  auto outside = good;
  outside["lr"] = 0.5;
  EXPECT_THROW(MakeTrialCell(suite, outside), std::invalid_argument);
  auto not_a_choice = good;
  not_a_choice["batch_size"] = std::int64_t{48};
  EXPECT_THROW(MakeTrialCell(suite, not_a_choice), std::invalid_argument);
  auto unknown = good;
  unknown["epochs"] = std::int64_t{5};
  EXPECT_THROW(MakeTrialCell(suite, unknown), std::invalid_argument);
  auto missing = good;
  missing.erase("lr");
  EXPECT_THROW(MakeTrialCell(suite, missing), std::invalid_argument);
}

TEST(SearchGrid, IsEveryChoiceAndIntStep) {
  const Suite suite = Load(R"(
suite: gridded
defaults: {model: cnn, epochs: 3}
search:
  parameters:
    batch_size: {choice: [32, 64]}
    cnn.channels: {int: [8, 24], step: 8}
  objectives: [accuracy]
)");
  EXPECT_TRUE(suite.grid_problem.empty()) << suite.grid_problem;
  EXPECT_EQ(CellNames(suite), (std::vector<std::string>{
                                  "cnn/baseline/batch_size=32/cnn.channels=8",
                                  "cnn/baseline/batch_size=32/cnn.channels=16",
                                  "cnn/baseline/batch_size=32/cnn.channels=24",
                                  "cnn/baseline/batch_size=64/cnn.channels=8",
                                  "cnn/baseline/batch_size=64/cnn.channels=16",
                                  "cnn/baseline/batch_size=64/cnn.channels=24",
                              }));
}

TEST(SearchGrid, AFloatRangeHasNone) {
  const Suite suite = Load(kSearchSuite);
  EXPECT_TRUE(suite.cells.empty());
  EXPECT_NE(suite.grid_problem.find("'lr' is a float range"), std::string::npos)
      << suite.grid_problem;
}

TEST(SearchGrid, AboveMaxCellsIsNotBuilt) {
  const Suite suite = Load(R"(
suite: huge
max_cells: 10
defaults: {model: cnn}
search:
  parameters:
    cnn.channels: {int: [1, 1000]}
  objectives: [accuracy]
)");
  EXPECT_TRUE(suite.cells.empty());
  EXPECT_NE(suite.grid_problem.find("more than 10 cells"), std::string::npos) << suite.grid_problem;
}

TEST(SearchSuite, WithoutADefaultModelIsAnError) {
  const auto errors = ErrorsOf(R"(
suite: bad
defaults: {model: nonesuch}
search:
  parameters:
    lr: {float: [0.001, 0.1]}
  objectives: [accuracy]
)");
  ASSERT_FALSE(errors.empty());
}

}  // namespace
}  // namespace carbonbench
