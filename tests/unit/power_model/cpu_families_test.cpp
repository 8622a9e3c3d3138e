#include "power_model/cpu_families.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace carbonbench::power_model {
namespace {

const std::string kFixture =
    std::string(CARBONBENCH_TEST_SOURCE_DIR) + "/fixtures/cpu_families.csv";

TEST(CpuFamiliesTest, ReadsTheFixture) {
  const std::vector<CpuFamilyRow> rows = ReadCpuFamiliesCsv(kFixture);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[3].vendor_id, "AuthenticAMD");
  EXPECT_EQ(rows[3].cpu_family, 26);
  EXPECT_EQ(rows[3].microarchitecture, "Zen 5");
  EXPECT_DOUBLE_EQ(rows[3].watts_per_thread, 2.4);
  EXPECT_EQ(rows[3].cpus, 8);
}

TEST(CpuFamiliesTest, ColumnsInAnyOrder) {
  const std::vector<CpuFamilyRow> rows = ParseCpuFamiliesCsv(
      "cpus,watts_per_thread,microarchitecture,model_max,model_min,cpu_family,vendor_id\n"
      "3,5.5,Skylake,85,85,6,GenuineIntel\n",
      "t.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].vendor_id, "GenuineIntel");
  EXPECT_DOUBLE_EQ(rows[0].watts_per_thread, 5.5);
}

TEST(CpuFamiliesTest, BadCellNamesLineAndColumn) {
  try {
    ParseCpuFamiliesCsv(
        "vendor_id,cpu_family,model_min,model_max,microarchitecture,watts_per_thread,cpus\n"
        "AuthenticAMD,25,1,1,Zen 3,lots,20\n",
        "fam.csv");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("fam.csv line 2 column 6 (watts_per_thread)"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(ParseCpuFamiliesCsv("vendor_id,cpu_family\n", "fam.csv"), std::runtime_error);
}

class ResolveFamilyTest : public ::testing::Test {
 protected:
  std::vector<CpuFamilyRow> rows_ = ReadCpuFamiliesCsv(kFixture);
};

TEST_F(ResolveFamilyTest, ModelWithinARange) {
  const FamilyMatch match = ResolveFamily(rows_, "AuthenticAMD", 26, 2);  // this sandbox
  EXPECT_EQ(match.kind, FamilyMatchKind::kModelRange);
  EXPECT_EQ(match.row.microarchitecture, "Zen 5");
}

TEST_F(ResolveFamilyTest, SameFamilyOtherModelTakesTheRowWithMostCpus) {
  const FamilyMatch match = ResolveFamily(rows_, "AuthenticAMD", 25, 80);
  EXPECT_EQ(match.kind, FamilyMatchKind::kSameFamily);
  EXPECT_EQ(match.row.microarchitecture, "Zen 3");  // 20 CPUs against Zen 4's 9
}

TEST_F(ResolveFamilyTest, NearestFamilyOfTheVendor) {
  const FamilyMatch match = ResolveFamily(rows_, "AuthenticAMD", 27, 0);
  EXPECT_EQ(match.kind, FamilyMatchKind::kNearestFamily);
  EXPECT_EQ(match.row.microarchitecture, "Zen 5");
  EXPECT_EQ(ResolveFamily(rows_, "AuthenticAMD", 22, 0).row.microarchitecture, "Zen 2");
}

TEST_F(ResolveFamilyTest, UnknownFamilyTakesTheVendorsBestKnownRow) {
  const FamilyMatch match = ResolveFamily(rows_, "GenuineIntel", -1, -1);
  EXPECT_EQ(match.kind, FamilyMatchKind::kNearestFamily);
  EXPECT_EQ(match.row.microarchitecture, "Cascade Lake");
}

TEST_F(ResolveFamilyTest, OtherVendorFindsNothing) {
  EXPECT_EQ(ResolveFamily(rows_, "HygonGenuine", 24, 0).kind, FamilyMatchKind::kNone);
  EXPECT_EQ(ResolveFamily(rows_, "", 6, 85).kind, FamilyMatchKind::kNone);
}

}  // namespace
}  // namespace carbonbench::power_model
