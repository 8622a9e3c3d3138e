// A suite's cells are made on demand from their place in the matrix: each one
// must equal what expanding the whole matrix at once gives, in the same
// order, however often and in whatever order it is asked for.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "suites/matrix.h"
#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using detail::Combination;
using detail::MatrixAxis;
using detail::MatrixEntry;
using detail::MatrixSpec;
using detail::SettingMap;
using detail::SettingValue;
using testing_support::Load;

SettingValue Value(ParamValue value, int line) {
  return SettingValue{std::move(value), {line, 4}, {line, 2}};
}

MatrixAxis Axis(const std::string& key, std::vector<ParamValue> values) {
  MatrixAxis axis{key, {1, 2}, {}};
  for (auto& value : values) axis.values.push_back(Value(std::move(value), 1));
  return axis;
}

MatrixEntry Entry(int line, std::vector<std::pair<std::string, ParamValue>> values) {
  MatrixEntry entry{{line, 4}, {}};
  for (auto& [key, value] : values) entry.values[key] = Value(std::move(value), line);
  return entry;
}

std::string Text(const Combination& combination) {
  std::string text = std::to_string(combination.origin.line) + ":";
  for (const auto& [key, value] : combination.values)
    text += " " + key + "=" + FormatParamValue(value.value) + "@" + std::to_string(value.loc.line);
  return text;
}

std::vector<std::string> Eager(const MatrixSpec& matrix) {
  detail::ErrorList errors("m.yaml", true);
  std::vector<std::string> texts;
  for (const auto& combination : detail::ExpandMatrix(matrix, errors))
    texts.push_back(Text(combination));
  return texts;
}

std::vector<std::string> OnDemand(const MatrixSpec& matrix) {
  detail::ErrorList errors("m.yaml", true);
  const detail::MatrixCombinations combinations(matrix, errors);
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < combinations.size(); ++i) texts.push_back(Text(combinations.At(i)));
  return texts;
}

TEST(LazyCellsTest, CombinationsMadeOnDemandEqualTheExpandedOnes) {
  MatrixSpec matrix;
  matrix.present = true;
  matrix.loc = {1, 0};
  matrix.axes = {Axis("seed", {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}}),
                 Axis("lr", {0.1, 0.01}),
                 Axis("optimizer", {std::string("sgd"), std::string("adam")})};
  matrix.exclude = {Entry(5, {{"seed", std::int64_t{2}}, {"lr", 0.1}}),
                    Entry(6, {{"optimizer", std::string("adam")}, {"seed", std::int64_t{3}}})};
  matrix.include = {// Merges into every sgd combination, then is overwritten where seed is 1.
                    Entry(8, {{"optimizer", std::string("sgd")}, {"momentum", 0.5}}),
                    Entry(9, {{"seed", std::int64_t{1}}, {"momentum", 0.7}}),
                    // Fits none: a combination of its own.
                    Entry(10, {{"seed", std::int64_t{9}}, {"epochs", std::int64_t{2}}}),
                    Entry(11, {{"lr", 0.5}})};
  const std::vector<std::string> eager = Eager(matrix);
  ASSERT_EQ(eager.size(), 3u * 2 * 2 - 2 - 2 + 2);
  EXPECT_EQ(OnDemand(matrix), eager);

  MatrixSpec include_only;
  include_only.present = true;
  include_only.include = {Entry(3, {{"seed", std::int64_t{1}}}), Entry(4, {{"lr", 0.5}})};
  EXPECT_EQ(OnDemand(include_only), Eager(include_only));
  EXPECT_EQ(OnDemand(MatrixSpec{}), Eager(MatrixSpec{}));
}

const char kSuite[] =
    "suite: s\n"
    "matrix:\n"
    "  model: [cnn, mlp]\n"
    "  seed: [1, 2, 3]\n"
    "  optimizations: [none, early_stop]\n"
    "  early_stop.patience: [2, 5]\n"
    "  exclude:\n"
    "    - {model: mlp, seed: 3}\n"
    "  include:\n"
    "    - {model: mlp, mlp.hidden: 64}\n"
    "    - {model: cnn, seed: 7, lr: 0.5}\n";

TEST(LazyCellsTest, CellsAreTheSameWhicheverOrderTheyAreMadeIn) {
  const Suite suite = Load(kSuite);
  // 2 x 3 x 2 x 2 less the 4 excluded, the baselines' two patiences being one
  // cell (5 fewer), and one include of its own.
  ASSERT_EQ(suite.cells.size(), 24u - 4 - 5 + 1);
  std::vector<Cell> forward;
  for (const Cell& cell : suite.cells) forward.push_back(cell);
  for (std::size_t i = suite.cells.size(); i-- > 0;) {
    const Cell again = suite.cells.At(i);
    EXPECT_EQ(again.name, forward[i].name);
    EXPECT_EQ(again.settings, forward[i].settings);
    EXPECT_EQ(again.optimizations, forward[i].optimizations);
    EXPECT_EQ(again.config_json, forward[i].config_json);
    EXPECT_EQ(again.config_hash, forward[i].config_hash);
  }
  EXPECT_EQ(forward.front().name, "cnn/baseline/lr=0.001/seed=1");
  EXPECT_EQ(forward.back().name, "cnn/baseline/lr=0.5/seed=7");
  EXPECT_EQ(std::get<std::int64_t>(forward[9].Get("mlp.hidden")), 64);
  EXPECT_THROW(suite.cells.At(suite.cells.size()), std::out_of_range);
}

TEST(LazyCellsTest, ACopiedSuiteOutlivesTheCatalogItWasReadWith) {
  Suite copy;
  {
    const PluginCatalog catalog = testing_support::TestCatalog();
    copy = LoadSuiteText(kSuite, "quickstart.yaml", catalog);
  }
  EXPECT_EQ(copy.cells.At(1).name, "cnn/early_stop/early_stop.patience=2/lr=0.001/seed=1");
  EXPECT_EQ(std::get<std::int64_t>(copy.cells.At(1).Get("early_stop.patience")), 2);
}

}  // namespace
}  // namespace carbonbench
