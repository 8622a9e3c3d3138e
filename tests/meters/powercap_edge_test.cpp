// Powercap edge cases: empty trees, MMIO duplicates, ordering, missing
// ranges, failed and unparsable reads.
#include <unistd.h>

#include <gtest/gtest.h>

#include "fake_powercap.h"
#include "rapl/powercap.h"

namespace carbonbench::powercap {
namespace {

using meter_testing::FakePowercap;

TEST(Powercap, EmptyRootSaysNoZonesAndHowToLoadTheDriver) {
  FakePowercap tree;
  const Verdict verdict = Probe(tree.Root());
  EXPECT_FALSE(verdict.available);
  EXPECT_NE(verdict.reason.find(tree.Root() + " has no RAPL package zone (no intel-rapl zones"),
            std::string::npos)
      << verdict.reason;
  EXPECT_NE(verdict.reason.find("sudo modprobe intel_rapl_msr"), std::string::npos);
}

TEST(Powercap, MmioPackageIsTheSameCounterAndIsNotAddedTwice) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 1000000);
  tree.Zone("intel-rapl-mmio:0", "package-0", 1000000);
  const Verdict verdict = Probe(tree.Root());
  ASSERT_TRUE(verdict.available) << verdict.reason;
  ASSERT_EQ(verdict.packages.size(), 1u);
  EXPECT_EQ(verdict.packages[0].zone, "intel-rapl:0");
  EXPECT_NE(verdict.reason.find("intel-rapl-mmio:0 (the same counter through MMIO)"),
            std::string::npos)
      << verdict.reason;
}

TEST(Powercap, MmioPackageCountsWhenItIsTheOnlyInterface) {
  FakePowercap tree;
  tree.Zone("intel-rapl-mmio:0", "package-0", 1);
  const Verdict verdict = Probe(tree.Root());
  ASSERT_TRUE(verdict.available) << verdict.reason;
  EXPECT_EQ(verdict.packages.size(), 1u);
}

TEST(Powercap, ZonesSortByNumberNotText) {
  FakePowercap tree;
  for (int socket : {10, 2}) {
    tree.Zone("intel-rapl:" + std::to_string(socket), "package-" + std::to_string(socket), 1);
  }
  const std::vector<Domain> domains = DiscoverDomains(tree.Root());
  ASSERT_EQ(domains.size(), 2u);
  EXPECT_EQ(domains[0].zone, "intel-rapl:2");
  EXPECT_EQ(domains[1].zone, "intel-rapl:10");
}

TEST(Powercap, ZeroRangeCountsAsUnknown) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 900, 0);  // no max_energy_range_uj file
  const std::vector<Domain> domains = DiscoverDomains(tree.Root());
  ASSERT_EQ(domains.size(), 1u);
  EXPECT_FALSE(domains[0].max_range_uj.has_value());
  EnergyCounters counters(domains);
  counters.Start();
  tree.SetEnergy("intel-rapl:0", 100);  // went down without a known range: nothing counted
  EXPECT_DOUBLE_EQ(counters.ReadJoules(), 0.0);
  tree.SetEnergy("intel-rapl:0", 2000100);  // counting resumes from the new reading
  EXPECT_DOUBLE_EQ(counters.ReadJoules(), 2.0);
}

TEST(Powercap, AFailedReadAddsNothingAndTheNextReadCoversTheGap) {
  FakePowercap tree;
  const auto package = tree.Zone("intel-rapl:0", "package-0", 1000000);
  const Verdict verdict = Probe(tree.Root());
  ASSERT_TRUE(verdict.available);
  EnergyCounters counters(verdict.packages);
  counters.Start();
  std::filesystem::remove(package / "energy_uj");
  EXPECT_DOUBLE_EQ(counters.ReadJoules(), 0.0);
  tree.SetEnergy("intel-rapl:0", 4000000);
  EXPECT_DOUBLE_EQ(counters.ReadJoules(), 3.0);
}

TEST(Powercap, NonNumericCounterIsAReadErrorNamingTheFile) {
  FakePowercap tree;
  const auto package = tree.Zone("intel-rapl:0", "package-0", 1);
  std::ofstream(package / "energy_uj") << "n/a\n";
  const Verdict verdict = Probe(tree.Root());
  EXPECT_FALSE(verdict.available);
  EXPECT_NE(verdict.reason.find((package / "energy_uj").string() + " (not a number)"),
            std::string::npos)
      << verdict.reason;
}

}  // namespace
}  // namespace carbonbench::powercap
