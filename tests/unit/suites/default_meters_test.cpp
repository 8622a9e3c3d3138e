// A suite without a 'meters' list uses the meters that declare themselves on
// by default, in their declared order: the host names none of them.
#include <algorithm>

#include <gtest/gtest.h>

#include "suite_test_support.h"
#include "suites/suite.h"

namespace carbonbench {
namespace {

using Strings = std::vector<std::string>;

PluginCatalogEntry MeterEntry(const std::string& name, bool default_on, int rank) {
  PluginCatalogEntry entry;
  entry.name = name;
  entry.kind = PluginKind::kMeter;
  entry.meter_traits = {default_on, rank, MeterScope::kMachine};
  return entry;
}

TEST(DefaultMeters, EveryMeterOnByDefaultByRankThenName) {
  const PluginCatalog catalog = {
      MeterEntry("estimate", true, 30),
      MeterEntry("wall_plug", false, 0),
      MeterEntry("counter_b", true, 10),
      MeterEntry("counter_a", true, 10),
      MeterEntry("gpu", true, 20),
      // Not a meter: its traits are never read.
      {"cnn", PluginKind::kModel, {}, {}, "", {}, false, {true, 0, MeterScope::kMachine}}};
  EXPECT_EQ(DefaultMeters(catalog), (Strings{"counter_a", "counter_b", "gpu", "estimate"}));
}

TEST(DefaultMeters, OrderDoesNotDependOnTheCatalogsOrder) {
  PluginCatalog catalog = {MeterEntry("a", true, 2), MeterEntry("b", true, 1),
                           MeterEntry("c", true, 3)};
  const Strings expected = {"b", "a", "c"};
  EXPECT_EQ(DefaultMeters(catalog), expected);
  std::reverse(catalog.begin(), catalog.end());
  EXPECT_EQ(DefaultMeters(catalog), expected);
}

TEST(DefaultMeters, ASuiteWithoutMetersUsesThemAndHashesThemAsIfListed) {
  const PluginCatalog catalog = {
      {"mlp", PluginKind::kModel, {}, {}},
      MeterEntry("estimate", true, 30),
      MeterEntry("counter", true, 10),
      MeterEntry("wall_plug", false, 0),
  };
  const Suite implicit = LoadSuiteText("suite: q\ndefaults: {model: mlp}\n", "q.yaml", catalog);
  EXPECT_EQ(implicit.meters, (Strings{"counter", "estimate"}));
  const Suite listed = LoadSuiteText(
      "suite: q\ndefaults: {model: mlp}\nmeters: [counter, estimate]\n", "q.yaml", catalog);
  ASSERT_EQ(implicit.cells.size(), 1u);
  ASSERT_EQ(listed.cells.size(), 1u);
  EXPECT_EQ(implicit.cells[0].config_hash, listed.cells[0].config_hash);
}

}  // namespace
}  // namespace carbonbench
