#include "energy/carbon_intensity.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace carbonbench {
namespace {

// The tables are CodeCarbon v3.3.0's snapshot (harness/data/codecarbon); the
// figures below are copied from it.
const std::string kDataDir = CARBONBENCH_SOURCE_DATA_DIR;

bool Contains(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

std::string ErrorOf(const std::string& region) {
  try {
    LookUpCarbonIntensity(region, kDataDir);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected '" << region << "' to be refused";
  return "";
}

TEST(CarbonIntensityTest, AlphaTwoCode) {
  const CarbonIntensity france = LookUpCarbonIntensity("FR", kDataDir);
  EXPECT_EQ(france.region_requested, "FR");
  EXPECT_EQ(france.region_used, "FRA");
  EXPECT_EQ(france.region_name, "France");
  EXPECT_DOUBLE_EQ(france.g_per_kwh, 56.039);
  EXPECT_EQ(france.source, "CodeCarbon global_energy_mix.json (Our World in Data 2023)");
  EXPECT_TRUE(france.warnings.empty());
}

TEST(CarbonIntensityTest, AlphaThreeCodeAndAnyCase) {
  for (const std::string region : {"FRA", "fr", "Fra", " fr "}) {
    const CarbonIntensity france = LookUpCarbonIntensity(region, kDataDir);
    EXPECT_EQ(france.region_used, "FRA") << region;
    EXPECT_DOUBLE_EQ(france.g_per_kwh, 56.039) << region;
    EXPECT_EQ(france.region_requested, region);
  }
}

TEST(CarbonIntensityTest, UsesIsoCommonName) {
  EXPECT_EQ(LookUpCarbonIntensity("KR", kDataDir).region_name, "South Korea");
}

TEST(CarbonIntensityTest, SubdivisionFallsBackToCountryWithWarning) {
  const CarbonIntensity tamil_nadu = LookUpCarbonIntensity("in-tn", kDataDir);
  EXPECT_EQ(tamil_nadu.region_used, "IND");
  EXPECT_EQ(tamil_nadu.region_name, "India");
  EXPECT_DOUBLE_EQ(tamil_nadu.g_per_kwh, 713.441);
  ASSERT_EQ(tamil_nadu.warnings.size(), 1u);
  const std::string& warning = tamil_nadu.warnings[0];
  // iso-codes spells it "Tamil Nādu".
  EXPECT_TRUE(Contains(warning, "region IN-TN (Tamil N")) << warning;
  EXPECT_TRUE(Contains(warning,
                       "no subdivision-level data; using India's national intensity "
                       "(713.441 g/kWh, Our World in Data 2023)"))
      << warning;
}

TEST(CarbonIntensityTest, World) {
  const CarbonIntensity world = LookUpCarbonIntensity("world", kDataDir);
  EXPECT_EQ(world.region_used, "WORLD");
  EXPECT_DOUBLE_EQ(world.g_per_kwh, 475);
  EXPECT_TRUE(Contains(world.source, "carbon_intensity_per_source.json")) << world.source;
  EXPECT_TRUE(world.warnings.empty());
}

TEST(CarbonIntensityTest, CountryWithoutDataFallsBackToWorld) {
  const CarbonIntensity monaco = LookUpCarbonIntensity("MC", kDataDir);
  EXPECT_EQ(monaco.region_used, "WORLD");
  EXPECT_DOUBLE_EQ(monaco.g_per_kwh, 475);
  ASSERT_EQ(monaco.warnings.size(), 1u);
  EXPECT_TRUE(Contains(monaco.warnings[0], "Monaco (MCO) has no row")) << monaco.warnings[0];
  EXPECT_TRUE(Contains(monaco.warnings[0], "world average (475 g/kWh, IEA 2019)"))
      << monaco.warnings[0];
}

TEST(CarbonIntensityTest, UnknownCodeSuggestsCloseOne) {
  const std::string message = ErrorOf("FRX");
  EXPECT_TRUE(Contains(message, "unknown region 'FRX'")) << message;
  EXPECT_TRUE(Contains(message, "did you mean")) << message;
  EXPECT_TRUE(Contains(message, "alpha-2 like FR")) << message;
}

TEST(CarbonIntensityTest, CountryNameSuggestsItsCode) {
  const std::string message = ErrorOf("France");
  EXPECT_TRUE(Contains(message, "did you mean 'FR' for France?")) << message;
}

TEST(CarbonIntensityTest, UkSuggestsGb) {
  EXPECT_TRUE(Contains(ErrorOf("UK"), "did you mean 'GB'?"));
}

TEST(CarbonIntensityTest, BogusSubdivisionIsRefused) {
  const std::string message = ErrorOf("IN-ZZ");
  EXPECT_TRUE(Contains(message, "unknown region 'IN-ZZ'")) << message;
  EXPECT_TRUE(Contains(message, "not an ISO 3166-2 subdivision of India")) << message;
  EXPECT_TRUE(Contains(message, "use IN for India's national intensity")) << message;
}

TEST(CarbonIntensityTest, SubdivisionWithAlphaThreePrefixSuggestsAlphaTwo) {
  EXPECT_TRUE(Contains(ErrorOf("IND-TN"), "did you mean 'IN-TN'?"));
}

TEST(CarbonIntensityTest, SubdivisionOfUnknownCountryIsRefused) {
  const std::string message = ErrorOf("QQ-TN");
  EXPECT_TRUE(Contains(message, "QQ is not an ISO 3166-1 country code")) << message;
}

TEST(CarbonIntensityTest, MissingTablesNameTheFile) {
  try {
    LookUpCarbonIntensity("FR", "/nonexistent");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_TRUE(Contains(error.what(), "/nonexistent/codecarbon/global_energy_mix.json"))
        << error.what();
  }
}

}  // namespace
}  // namespace carbonbench
