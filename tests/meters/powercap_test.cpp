// RAPL over fake powercap trees: which domains count, wrap-around, and the
// reasons given when nothing can be read.
#include "rapl/powercap.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "fake_powercap.h"

namespace carbonbench::powercap {
namespace {

using meter_testing::FakePowercap;

// Two sockets with core and DRAM subzones, and a psys zone, flat as in
// /sys/class/powercap.
void TwoSockets(FakePowercap& tree) {
  tree.Zone("intel-rapl:0", "package-0", 1000000);
  tree.Zone("intel-rapl:0:0", "core", 500000);
  tree.Zone("intel-rapl:0:1", "dram", 200000);
  tree.Zone("intel-rapl:1", "package-1", 3000000);
  tree.Zone("intel-rapl:1:0", "dram", 100000);
  tree.Zone("intel-rapl:2", "psys", 9000000);
}

TEST(Powercap, ClassifiesDomainsByName) {
  EXPECT_EQ(ClassifyDomain("package-0"), DomainKind::kPackage);
  EXPECT_EQ(ClassifyDomain("dram"), DomainKind::kDram);
  EXPECT_EQ(ClassifyDomain("core"), DomainKind::kCore);
  EXPECT_EQ(ClassifyDomain("uncore"), DomainKind::kUncore);
  EXPECT_EQ(ClassifyDomain("psys"), DomainKind::kPsys);
  EXPECT_EQ(ClassifyDomain("gpu"), DomainKind::kOther);
}

TEST(Powercap, WrapAroundAddsTheRestOfTheRangeAndTheNewReading) {
  EXPECT_EQ(WrapAwareDeltaUj(100, 350, 1000), 250u);
  EXPECT_EQ(WrapAwareDeltaUj(900, 50, 1000), 150u);        // 100 to the top, then 50
  EXPECT_EQ(WrapAwareDeltaUj(900, 50, std::nullopt), 0u);  // unknown range: no guess
  EXPECT_EQ(WrapAwareDeltaUj(262143328000ULL, 1000, 262143328850ULL), 1850u);
}

TEST(Powercap, SeveralPackagesCountWithoutCoreUncoreOrPsys) {
  FakePowercap tree;
  TwoSockets(tree);
  const Verdict verdict = Probe(tree.Root());
  ASSERT_TRUE(verdict.available) << verdict.reason;
  ASSERT_EQ(verdict.packages.size(), 2u);
  EXPECT_EQ(verdict.packages[0].name, "package-0");
  EXPECT_EQ(verdict.packages[1].name, "package-1");
  EXPECT_EQ(verdict.drams.size(), 2u);
  EXPECT_NE(verdict.reason.find("2 package(s) (package-0, package-1) and 2 DRAM domain(s)"),
            std::string::npos)
      << verdict.reason;

  EnergyCounters packages(verdict.packages), drams(verdict.drams);
  packages.Start();
  drams.Start();
  tree.SetEnergy("intel-rapl:0", 3000000);    // +2 J
  tree.SetEnergy("intel-rapl:1", 4500000);    // +1.5 J
  tree.SetEnergy("intel-rapl:0:0", 2500000);  // core: inside package-0, not added
  tree.SetEnergy("intel-rapl:2", 99000000);   // psys: overlaps everything, not added
  tree.SetEnergy("intel-rapl:0:1", 700000);   // dram +0.5 J
  EXPECT_DOUBLE_EQ(packages.ReadJoules(), 3.5);
  EXPECT_DOUBLE_EQ(drams.ReadJoules(), 0.5);
}

TEST(Powercap, CountersFollowAWrapAcrossReads) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 999000000, 1000000000);
  const Verdict verdict = Probe(tree.Root());
  ASSERT_TRUE(verdict.available);
  EnergyCounters counters(verdict.packages);
  counters.Start();
  tree.SetEnergy("intel-rapl:0", 500000);  // wrapped: 1 J to the top, 0.5 J after
  EXPECT_DOUBLE_EQ(counters.ReadJoules(), 1.5);
  tree.SetEnergy("intel-rapl:0", 2500000);
  EXPECT_DOUBLE_EQ(counters.ReadJoules(), 3.5);
}

TEST(Powercap, NestedLayoutIsReadTooAndEachZoneOnce) {
  FakePowercap tree;
  tree.Zone("intel-rapl/intel-rapl:0", "package-0", 1);
  tree.Zone("intel-rapl/intel-rapl:0/intel-rapl:0:0", "dram", 1);
  tree.Zone("intel-rapl:0", "package-0", 1);  // the same zone, also flat
  const std::vector<Domain> domains = DiscoverDomains(tree.Root());
  ASSERT_EQ(domains.size(), 2u);
  EXPECT_EQ(domains[0].zone, "intel-rapl:0");
  EXPECT_EQ(domains[1].zone, "intel-rapl:0:0");
  EXPECT_EQ(domains[1].kind, DomainKind::kDram);
}

TEST(Powercap, MissingRootSaysThereIsNoPowercapAndWhatEstimatesInstead) {
  const Verdict verdict = Probe("/nonexistent/powercap");
  EXPECT_FALSE(verdict.available);
  EXPECT_EQ(verdict.reason,
            "no /nonexistent/powercap: this system exposes no powercap interface (not Linux, "
            "or a VM or container without RAPL); cpu_estimate and ram_estimate estimate "
            "instead");
}

TEST(Powercap, NoPackageZoneSaysHowToLoadRapl) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "psys", 1);
  const Verdict verdict = Probe(tree.Root());
  EXPECT_FALSE(verdict.available);
  EXPECT_NE(verdict.reason.find("has no RAPL package zone"), std::string::npos);
  EXPECT_NE(verdict.reason.find("sudo modprobe intel_rapl_msr"), std::string::npos)
      << verdict.reason;
}

TEST(Powercap, NoDramDomainMeansNoRamFigure) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 1);
  tree.Zone("intel-rapl:0:0", "core", 1);
  const Verdict verdict = Probe(tree.Root());
  ASSERT_TRUE(verdict.available);
  EXPECT_TRUE(verdict.drams.empty());
}

TEST(Powercap, UnreadableCounterNamesTheFileAndTheFix) {
  FakePowercap tree;
  const auto package = tree.Zone("intel-rapl:0", "package-0", 1);
  std::filesystem::permissions(package / "energy_uj", std::filesystem::perms::none);
  if (access((package / "energy_uj").c_str(), R_OK) == 0) {
    GTEST_SKIP() << "running as root: file modes do not stop reads here";
  }
  const Verdict verdict = Probe(tree.Root());
  EXPECT_FALSE(verdict.available);
  EXPECT_NE(verdict.reason.find("RAPL is present but energy_uj cannot be read (Permission "
                                "denied): since Linux 5.10 it is readable only by root"),
            std::string::npos)
      << verdict.reason;
  EXPECT_NE(verdict.reason.find("sudo chmod o+r " + (package / "energy_uj").string()),
            std::string::npos)
      << verdict.reason;
}

}  // namespace
}  // namespace carbonbench::powercap
