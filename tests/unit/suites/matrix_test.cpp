// Matrix expansion, checked against GitHub Actions' documented examples
// (settings stand in for their made-up keys).
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::CellNames;
using testing_support::Load;
using Strings = std::vector<std::string>;

std::string Str(const Cell& cell, const std::string& key) {
  return FormatParamValue(cell.Get(key));
}

TEST(MatrixTest, CrossProductKeepsAxisOrderFirstAxisOutermost) {
  const Suite suite = Load(R"(suite: m
matrix:
  optimizer: [sgd, adam]
  lr: [0.1, 0.01, 0.001]
)");
  EXPECT_EQ(
      CellNames(suite),
      (Strings{"cnn/baseline/lr=0.1/optimizer=sgd", "cnn/baseline/lr=0.01/optimizer=sgd",
               "cnn/baseline/lr=0.001/optimizer=sgd", "cnn/baseline/lr=0.1/optimizer=adam",
               "cnn/baseline/lr=0.01/optimizer=adam", "cnn/baseline/lr=0.001/optimizer=adam"}));
}

// GitHub: os [macos, windows] x version [12, 14, 16] x environment
// [staging, production], excluding {macos, 12, production} and
// {windows, 16}: 12 - 1 - 2 = 9 jobs.
TEST(MatrixTest, ExcludeRemovesEveryPartialMatch) {
  const Suite suite = Load(R"(suite: m
matrix:
  optimizer: [sgd, adam]
  epochs: [12, 14, 16]
  device: [cpu, cuda]
  exclude:
    - optimizer: sgd
      epochs: 12
      device: cuda
    - optimizer: adam
      epochs: 16
)");
  std::vector<std::string> rows;
  for (const auto& cell : suite.cells)
    rows.push_back(Str(cell, "optimizer") + " " + Str(cell, "epochs") + " " + Str(cell, "device"));
  EXPECT_EQ(rows, (Strings{"sgd 12 cpu", "sgd 14 cpu", "sgd 14 cuda", "sgd 16 cpu", "sgd 16 cuda",
                           "adam 12 cpu", "adam 12 cuda", "adam 14 cpu", "adam 14 cuda"}));
}

// GitHub's include example: fruit [apple, pear] x animal [cat, dog] with
// includes {color: green}, {color: pink, animal: cat},
// {fruit: apple, shape: circle}, {fruit: banana},
// {fruit: banana, animal: cat}. Here fruit = optimizer (banana = adamw),
// animal = device, color = seed, shape = batch_size.
TEST(MatrixTest, IncludeFollowsGitHubExample) {
  const Suite suite = Load(R"(suite: m
matrix:
  optimizer: [sgd, adam]
  device: [cpu, cuda]
  include:
    - seed: 1
    - seed: 2
      device: cpu
    - optimizer: sgd
      batch_size: 32
    - optimizer: adamw
    - optimizer: adamw
      device: cpu
)");
  std::vector<std::string> rows;
  for (const auto& cell : suite.cells)
    rows.push_back(Str(cell, "optimizer") + " " + Str(cell, "device") + " " + Str(cell, "seed") +
                   " " + Str(cell, "batch_size"));
  EXPECT_EQ(rows, (Strings{"sgd cpu 2 32",  // pink overwrote green
                           "sgd cuda 1 32",
                           "adam cpu 2 64",  // no shape: default 64
                           "adam cuda 1 64",
                           "adamw auto 42 64",    // new: defaults elsewhere
                           "adamw cpu 42 64"}));  // not merged into banana
  EXPECT_EQ(suite.cells[0].name, "cnn/baseline/batch_size=32/device=cpu/optimizer=sgd/seed=2");
}

TEST(MatrixTest, IncludeOnlyMatrixMakesOneCellPerEntry) {
  const Suite suite = Load(R"(suite: m
matrix:
  include:
    - lr: 0.1
    - epochs: 2
)");
  ASSERT_EQ(suite.cells.size(), 2u);
  EXPECT_EQ(std::get<double>(suite.cells[0].Get("lr")), 0.1);
  EXPECT_EQ(std::get<std::int64_t>(suite.cells[0].Get("epochs")), 5);
  EXPECT_EQ(std::get<double>(suite.cells[1].Get("lr")), 0.001);
  EXPECT_EQ(std::get<std::int64_t>(suite.cells[1].Get("epochs")), 2);
  EXPECT_EQ(CellNames(suite),
            (Strings{"cnn/baseline/epochs=5/lr=0.1", "cnn/baseline/epochs=2/lr=0.001"}));
}

TEST(MatrixTest, IncludeConflictingWithEveryCombinationIsAddedAsNewCell) {
  const Suite suite = Load(R"(suite: m
matrix:
  lr: [0.001, 0.01]
  include: [{lr: 0.1, model: mlp}]
)");
  EXPECT_EQ(CellNames(suite), (Strings{"cnn/baseline/lr=0.001", "cnn/baseline/lr=0.01",
                                       // lr says nothing among mlp cells: there is one.
                                       "mlp/baseline"}));
  EXPECT_EQ(std::get<std::int64_t>(suite.cells[2].Get("mlp.hidden")), 128);
  EXPECT_EQ(suite.cells[2].settings.count("cnn.channels"), 0u);
}

TEST(MatrixTest, OptimizationAxisAcceptsListsNoneAndPlusStrings) {
  const Suite suite = Load(R"(suite: m
matrix:
  optimizations: [[], [mixed_precision], early_stop, "mixed_precision+early_stop"]
)");
  ASSERT_EQ(suite.cells.size(), 4u);
  EXPECT_TRUE(suite.cells[0].optimizations.empty());
  EXPECT_EQ(suite.cells[3].optimizations, (Strings{"mixed_precision", "early_stop"}));
  EXPECT_EQ(CellNames(suite), (Strings{"cnn/baseline", "cnn/mixed_precision", "cnn/early_stop",
                                       "cnn/mixed_precision+early_stop"}));
  EXPECT_TRUE(Load("suite: m\nmatrix: {optimizations: [none]}\n").cells[0].optimizations.empty());
}

TEST(MatrixTest, ExcludeMatchesOptimizationLists) {
  const Suite suite = Load(R"(suite: m
matrix:
  optimizations: [[], [mixed_precision], [early_stop], [mixed_precision, early_stop]]
  lr: [0.001, 0.01]
  exclude: [{lr: 0.01, optimizations: [early_stop]}]
  include: [{lr: 0.1, model: cnn}]
)");
  EXPECT_EQ(CellNames(suite),
            (Strings{"cnn/baseline/lr=0.001", "cnn/baseline/lr=0.01",
                     "cnn/mixed_precision/lr=0.001", "cnn/mixed_precision/lr=0.01",
                     "cnn/early_stop/lr=0.001", "cnn/mixed_precision+early_stop/lr=0.001",
                     "cnn/mixed_precision+early_stop/lr=0.01", "cnn/baseline/lr=0.1"}));
}

// A baseline crossed with early_stop.patience would run the same thing
// twice; the parameter only belongs to cells that run early_stop.
TEST(MatrixTest, ParametersOfUnusedPluginsDoNotSplitCells) {
  const Suite suite = Load(R"(suite: m
matrix:
  optimizations: [[], [early_stop]]
  early_stop.patience: [2, 4]
)");
  EXPECT_EQ(CellNames(suite), (Strings{"cnn/baseline", "cnn/early_stop/early_stop.patience=2",
                                       "cnn/early_stop/early_stop.patience=4"}));
  EXPECT_EQ(suite.cells[0].settings.count("early_stop.patience"), 0u);
}

TEST(MatrixTest, NestedAxisEqualsDottedAxis) {
  const Suite nested = Load(R"(suite: m
defaults: {optimizations: [early_stop]}
matrix:
  early_stop: {patience: [2, 4]}
)");
  const Suite dotted = Load(R"(suite: m
defaults: {optimizations: [early_stop]}
matrix:
  early_stop.patience: [2, 4]
)");
  ASSERT_EQ(nested.cells.size(), 2u);
  ASSERT_EQ(dotted.cells.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(nested.cells[i].name, dotted.cells[i].name);
    EXPECT_EQ(nested.cells[i].config_hash, dotted.cells[i].config_hash);
  }
}

// The format's reference example, end to end.
TEST(MatrixTest, ReferenceExampleExpandsAsDocumented) {
  const Suite suite = Load(R"(suite: quickstart
description: "CNN on Fashion-MNIST with and without optimizations"
dataset: fashion_mnist
defaults:
  model: cnn
  epochs: 5
  lr: 0.001
  early_stop: {patience: 2}
  mixed_precision.dtype: bf16
matrix:
  optimizations: [[], [mixed_precision], [early_stop], [mixed_precision, early_stop]]
  lr: [0.001, 0.01]
  early_stop.patience: [2, 4]
  exclude: [{lr: 0.01, optimizations: [early_stop]}]
  include: [{lr: 0.1, model: cnn}]
repetitions: 1
carbon: {region: FR, pue: 1.2}
meters: [cpu_estimate]
)");
  const std::string p = "early_stop.patience=";
  EXPECT_EQ(CellNames(suite),
            (Strings{"cnn/baseline/lr=0.001", "cnn/baseline/lr=0.01",
                     "cnn/mixed_precision/lr=0.001", "cnn/mixed_precision/lr=0.01",
                     "cnn/early_stop/" + p + "2/lr=0.001", "cnn/early_stop/" + p + "4/lr=0.001",
                     "cnn/mixed_precision+early_stop/" + p + "2/lr=0.001",
                     "cnn/mixed_precision+early_stop/" + p + "4/lr=0.001",
                     "cnn/mixed_precision+early_stop/" + p + "2/lr=0.01",
                     "cnn/mixed_precision+early_stop/" + p + "4/lr=0.01", "cnn/baseline/lr=0.1"}));
  EXPECT_EQ(std::get<std::string>(suite.cells[2].Get("mixed_precision.dtype")), "bf16");
  EXPECT_EQ(suite.carbon.region, "FR");
  EXPECT_EQ(suite.carbon.pue, 1.2);
  // Every cell is distinct, so every hash is.
  std::set<std::string> hashes;
  for (const auto& cell : suite.cells) hashes.insert(cell.config_hash);
  EXPECT_EQ(hashes.size(), suite.cells.size());
}

}  // namespace
}  // namespace carbonbench
