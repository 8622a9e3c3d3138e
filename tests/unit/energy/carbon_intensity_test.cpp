#include "energy/carbon_intensity.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "error_message.h"

namespace carbonbench {
namespace {

// The tables are CodeCarbon v3.3.0's snapshot (harness/data/codecarbon); the
// figures below are copied from it.
const std::string kDataDir = CARBONBENCH_SOURCE_DATA_DIR;

bool Contains(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

using test_support::ExpectErrorContaining;
using Path = std::vector<std::string>;

CarbonIntensity Resolve(const CarbonRequest& request) { return ResolveCarbon(request, kDataDir); }

CarbonRequest Region(const std::string& region) {
  CarbonRequest request;
  request.region = region;
  return request;
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
  EXPECT_EQ(france.year, 2023);
  EXPECT_EQ(france.country_iso_code, "FRA");
  EXPECT_EQ(france.country_name, "France");
  EXPECT_EQ(france.subdivision, "");
  EXPECT_EQ(france.cloud_provider, "");
  EXPECT_EQ(france.fallback_path, Path({"FR"}));
  EXPECT_DOUBLE_EQ(france.pue, 1.0);
  EXPECT_EQ(france.pue_source, "default (no data-centre overhead assumed)");
  EXPECT_EQ(france.hourly, nullptr);
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
  EXPECT_EQ(tamil_nadu.fallback_path, Path({"IN-TN", "IND"}));
  EXPECT_EQ(tamil_nadu.subdivision, "IN-TN");
  EXPECT_EQ(tamil_nadu.country_iso_code, "IND");
}

TEST(CarbonIntensityTest, World) {
  const CarbonIntensity world = LookUpCarbonIntensity("world", kDataDir);
  EXPECT_EQ(world.region_used, "WORLD");
  EXPECT_DOUBLE_EQ(world.g_per_kwh, 475);
  EXPECT_TRUE(Contains(world.source, "carbon_intensity_per_source.json")) << world.source;
  EXPECT_TRUE(world.warnings.empty());
  EXPECT_EQ(world.fallback_path, Path({"WORLD"}));
  EXPECT_EQ(world.country_iso_code, "");
  // The table cites a report, not the year of its figure.
  EXPECT_EQ(world.year, 0);
}

TEST(CarbonIntensityTest, CountryWithoutDataFallsBackToWorld) {
  const CarbonIntensity monaco = LookUpCarbonIntensity("MC", kDataDir);
  EXPECT_EQ(monaco.region_used, "WORLD");
  EXPECT_DOUBLE_EQ(monaco.g_per_kwh, 475);
  ASSERT_EQ(monaco.warnings.size(), 1u);
  EXPECT_TRUE(Contains(monaco.warnings[0], "Monaco (MCO) has no row")) << monaco.warnings[0];
  EXPECT_TRUE(Contains(monaco.warnings[0], "world average (475 g/kWh, IEA 2019)"))
      << monaco.warnings[0];
  EXPECT_EQ(monaco.fallback_path, Path({"MC", "WORLD"}));
  // Where the run was stays known even though the figure is the world's.
  EXPECT_EQ(monaco.country_iso_code, "MCO");
}

TEST(CarbonIntensityTest, UnknownCodeSuggestsCloseOne) {
  const std::string message = ErrorOf("FRX");
  EXPECT_TRUE(Contains(message, "unknown region 'FRX'")) << message;
  EXPECT_TRUE(Contains(message, "did you mean")) << message;
  EXPECT_TRUE(Contains(message, "alpha-2 like FR")) << message;
  // Every accepted form is named.
  for (const std::string form : {"US-CA", "SE3", "gcp:europe-west1", "WORLD"}) {
    EXPECT_TRUE(Contains(message, form)) << message;
  }
}

TEST(CarbonIntensityTest, CloseToANordicZoneSuggestsIt) {
  EXPECT_TRUE(Contains(ErrorOf("SE5"), "did you mean 'SE"));
}

TEST(CarbonIntensityTest, EmptyRegionIsRefused) {
  EXPECT_TRUE(Contains(ErrorOf("  "), "empty carbon region"));
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

// --- US states: eGRID in lbs CO2/MWh ---

TEST(CarbonIntensityTest, UsStateConvertsEgridPoundsPerMegawattHour) {
  const CarbonIntensity california = LookUpCarbonIntensity("US-CA", kDataDir);
  // usa_emissions.json: "california": 452.541 lbs/MWh.
  EXPECT_NEAR(california.g_per_kwh, 452.541 * 0.453592, 1e-9);
  EXPECT_NEAR(california.g_per_kwh, 205.269, 1e-3);
  EXPECT_EQ(california.region_used, "US-CA");
  EXPECT_EQ(california.region_name, "California");
  EXPECT_EQ(california.subdivision, "US-CA");
  EXPECT_EQ(california.country_iso_code, "USA");
  EXPECT_EQ(california.country_name, "United States");
  EXPECT_EQ(california.year, 2016);
  EXPECT_EQ(california.fallback_path, Path({"US-CA"}));
  EXPECT_TRUE(california.warnings.empty());
  EXPECT_TRUE(Contains(california.source, "usa_emissions.json")) << california.source;
  EXPECT_TRUE(Contains(california.source, "452.541 lbs CO2/MWh x 0.453592 = 205.269 g/kWh"))
      << california.source;
}

TEST(CarbonIntensityTest, UsDistrictInAnyCase) {
  // "district of columbia": 481.786 lbs/MWh.
  EXPECT_NEAR(LookUpCarbonIntensity("us-dc", kDataDir).g_per_kwh, 481.786 * 0.453592, 1e-9);
}

TEST(CarbonIntensityTest, UsTerritoryWithoutEgridRowFallsBackToUsa) {
  const CarbonIntensity puerto_rico = LookUpCarbonIntensity("US-PR", kDataDir);
  EXPECT_EQ(puerto_rico.region_used, "USA");
  EXPECT_DOUBLE_EQ(puerto_rico.g_per_kwh, 369.473);
  EXPECT_EQ(puerto_rico.fallback_path, Path({"US-PR", "USA"}));
  EXPECT_EQ(puerto_rico.subdivision, "US-PR");
  ASSERT_EQ(puerto_rico.warnings.size(), 1u);
  EXPECT_TRUE(Contains(puerto_rico.warnings[0],
                       "region US-PR (Puerto Rico): no row in CodeCarbon's usa_emissions.json"))
      << puerto_rico.warnings[0];
  EXPECT_TRUE(Contains(puerto_rico.warnings[0], "using United States's national intensity"))
      << puerto_rico.warnings[0];
}

TEST(CarbonIntensityTest, UsStateWithAlphaThreePrefixSuggestsAlphaTwo) {
  EXPECT_TRUE(Contains(ErrorOf("USA-CA"), "did you mean 'US-CA'?"));
}

TEST(CarbonIntensityTest, PlainUsStaysNational) {
  const CarbonIntensity usa = LookUpCarbonIntensity("US", kDataDir);
  EXPECT_EQ(usa.region_used, "USA");
  EXPECT_DOUBLE_EQ(usa.g_per_kwh, 369.473);
}

// --- Canadian provinces: generation mix, as CodeCarbon computes it ---

TEST(CarbonIntensityTest, CanadianProvinceFromItsGenerationMix) {
  const CarbonIntensity quebec = LookUpCarbonIntensity("CA-QC", kDataDir);
  // quebec: coal 0, petroleum 0.3, naturalGas 0.2 of total 100.01 (%), times
  // CodeCarbon's kg/kWh factors.
  const double expected = (0.3 * 0.8166885263 + 0.2 * 0.7438415916) / 100.01 * 1000;
  EXPECT_NEAR(quebec.g_per_kwh, expected, 1e-9);
  EXPECT_NEAR(quebec.g_per_kwh, 3.937, 1e-3);
  EXPECT_EQ(quebec.region_used, "CA-QC");
  EXPECT_EQ(quebec.region_name, "Quebec");
  EXPECT_EQ(quebec.country_iso_code, "CAN");
  EXPECT_EQ(quebec.year, 2023);
  EXPECT_TRUE(quebec.warnings.empty());
  EXPECT_TRUE(Contains(quebec.source, "canada_energy_mix.json")) << quebec.source;
}

TEST(CarbonIntensityTest, OntarioMatchesCodeCarbonsOwnTest) {
  // CodeCarbon's test_get_emissions_PRIVATE_INFRA_CANADA_WITH_REGION, per kWh.
  const double expected =
      (0.995725971 * 0.0 + 0.8166885263 * 0.1 + 0.7438415916 * 8.6) / 100.1 * 1000;
  EXPECT_NEAR(LookUpCarbonIntensity("ca-on", kDataDir).g_per_kwh, expected, 1e-9);
}

TEST(CarbonIntensityTest, BogusCanadianProvinceIsRefused) {
  EXPECT_TRUE(Contains(ErrorOf("CA-XX"), "not an ISO 3166-2 subdivision of Canada"));
}

// --- Nordic bidding zones ---

TEST(CarbonIntensityTest, NordicZone) {
  const CarbonIntensity zone = LookUpCarbonIntensity("se3", kDataDir);
  EXPECT_DOUBLE_EQ(zone.g_per_kwh, 18.0);
  EXPECT_EQ(zone.region_used, "SE3");
  EXPECT_EQ(zone.region_name, "Sweden Bidding Zone 3 (Southern Sweden)");
  EXPECT_EQ(zone.subdivision, "SE3");
  EXPECT_EQ(zone.country_iso_code, "SWE");
  EXPECT_EQ(zone.year, 2024);
  EXPECT_EQ(zone.fallback_path, Path({"SE3"}));
  EXPECT_TRUE(Contains(zone.source, "nordic_emissions.json")) << zone.source;
  EXPECT_EQ(LookUpCarbonIntensity("NO1", kDataDir).country_iso_code, "NOR");
}

TEST(CarbonIntensityTest, FiIsFinlandsBiddingZoneAndFinItsNationalFigure) {
  const CarbonIntensity zone = LookUpCarbonIntensity("FI", kDataDir);
  EXPECT_DOUBLE_EQ(zone.g_per_kwh, 72.0);
  EXPECT_EQ(zone.year, 2025);
  EXPECT_EQ(zone.region_used, "FI");
  EXPECT_EQ(zone.country_iso_code, "FIN");
  const CarbonIntensity country = LookUpCarbonIntensity("FIN", kDataDir);
  EXPECT_DOUBLE_EQ(country.g_per_kwh, 79.158);
  EXPECT_EQ(country.region_used, "FIN");
  EXPECT_EQ(country.year, 2023);
}

TEST(CarbonIntensityTest, DanishZoneWithoutRowFallsBackToDenmark) {
  const CarbonIntensity zone = LookUpCarbonIntensity("DK1", kDataDir);
  EXPECT_DOUBLE_EQ(zone.g_per_kwh, 151.65);
  EXPECT_EQ(zone.region_used, "DNK");
  EXPECT_EQ(zone.subdivision, "DK1");
  EXPECT_EQ(zone.fallback_path, Path({"DK1", "DNK"}));
  ASSERT_EQ(zone.warnings.size(), 1u);
  EXPECT_TRUE(Contains(zone.warnings[0],
                       "Denmark's bidding zone DK1 has no row in CodeCarbon's "
                       "nordic_emissions.json; using Denmark's national intensity "
                       "(151.65 g/kWh, Our World in Data 2023)"))
      << zone.warnings[0];
}

TEST(CarbonIntensityTest, ZoneWithCountryPrefixSuggestsTheBareZone) {
  const std::string message = ErrorOf("SE-SE3");
  EXPECT_TRUE(Contains(message, "did you mean 'SE3'?")) << message;
  EXPECT_TRUE(Contains(message, "without a country prefix")) << message;
}

// --- Cloud regions ---

TEST(CarbonIntensityTest, GcpRegionWithGooglesPue) {
  const CarbonIntensity region = LookUpCarbonIntensity("gcp:europe-west1", kDataDir);
  EXPECT_DOUBLE_EQ(region.g_per_kwh, 122);
  EXPECT_EQ(region.region_used, "gcp:europe-west1");
  EXPECT_EQ(region.cloud_provider, "gcp");
  EXPECT_EQ(region.cloud_region, "europe-west1");
  EXPECT_EQ(region.country_iso_code, "BEL");
  EXPECT_EQ(region.country_name, "Belgium");
  EXPECT_EQ(region.region_name, "Google Cloud Platform europe-west1 (St. Ghislain, Belgium)");
  EXPECT_EQ(region.fallback_path, Path({"gcp:europe-west1"}));
  EXPECT_EQ(region.year, 0);
  EXPECT_TRUE(Contains(region.source, "CodeCarbon cloud/impact.csv (gcp europe-west1"))
      << region.source;
  EXPECT_DOUBLE_EQ(region.pue, 1.10);
  EXPECT_EQ(region.pue_year, 2023);
  EXPECT_TRUE(Contains(region.pue_source, "Google 2024 Environmental Report")) << region.pue_source;
  EXPECT_TRUE(region.warnings.empty());
}

TEST(CarbonIntensityTest, AwsRegionInAnyCase) {
  const CarbonIntensity region = LookUpCarbonIntensity(" AWS:US-EAST-1 ", kDataDir);
  EXPECT_DOUBLE_EQ(region.g_per_kwh, 367.8);
  EXPECT_EQ(region.cloud_provider, "aws");
  EXPECT_EQ(region.cloud_region, "us-east-1");
  EXPECT_EQ(region.country_iso_code, "USA");
  EXPECT_TRUE(Contains(region.source, "cloud/impact_2023_with_aws_azure.csv")) << region.source;
  EXPECT_DOUBLE_EQ(region.pue, 1.15);
  EXPECT_EQ(region.pue_year, 2023);
  EXPECT_TRUE(region.warnings.empty());
}

TEST(CarbonIntensityTest, AzureRegion) {
  const CarbonIntensity region = LookUpCarbonIntensity("azure:westeurope", kDataDir);
  EXPECT_DOUBLE_EQ(region.g_per_kwh, 569);
  EXPECT_EQ(region.country_iso_code, "NLD");
  EXPECT_DOUBLE_EQ(region.pue, 1.18);
  EXPECT_EQ(region.pue_year, 0);  // the source does not say which year
}

TEST(CarbonIntensityTest, AwsRowWithWrongCountryCodeUsesTheCountryName) {
  const CarbonIntensity mumbai = LookUpCarbonIntensity("aws:ap-south-1", kDataDir);
  EXPECT_DOUBLE_EQ(mumbai.g_per_kwh, 920);
  EXPECT_EQ(mumbai.country_iso_code, "IND");
  EXPECT_EQ(mumbai.country_name, "India");
  ASSERT_EQ(mumbai.warnings.size(), 1u);
  EXPECT_TRUE(Contains(mumbai.warnings[0], "gives country code USA for a region in India"))
      << mumbai.warnings[0];
}

TEST(CarbonIntensityTest, GcpRegionCodeCarbonMisspells) {
  // cloud/impact.csv writes "me-cenrtal1".
  const CarbonIntensity doha = LookUpCarbonIntensity("gcp:me-central1", kDataDir);
  EXPECT_DOUBLE_EQ(doha.g_per_kwh, 575);
  EXPECT_EQ(doha.cloud_region, "me-central1");
  EXPECT_EQ(LookUpCarbonIntensity("gcp:me-cenrtal1", kDataDir).cloud_region, "me-central1");
}

TEST(CarbonIntensityTest, UnknownCloudRegionListsTheProvidersRegions) {
  const std::string message = ErrorOf("gcp:europe-west99");
  EXPECT_TRUE(Contains(message, "unknown region 'gcp:europe-west99'")) << message;
  EXPECT_TRUE(Contains(message, "did you mean 'gcp:europe-west9'?")) << message;
  EXPECT_TRUE(Contains(message, "known gcp regions: africa-south1, asia-east1")) << message;
}

TEST(CarbonIntensityTest, UnknownCloudProviderSuggestsItsCode) {
  const std::string message = ErrorOf("google:europe-west1");
  EXPECT_TRUE(Contains(message, "'google' is not a cloud provider")) << message;
  EXPECT_TRUE(Contains(message, "did you mean 'gcp'?")) << message;
  EXPECT_TRUE(Contains(ErrorOf("awz:us-east-1"), "did you mean 'aws'?"));
}

TEST(CarbonIntensityTest, CloudRegionWithoutProviderSuggestsIt) {
  EXPECT_TRUE(Contains(ErrorOf("europe-west1"), "did you mean 'gcp:europe-west1'?"));
}

// --- Override, PUE, hourly series ---

TEST(CarbonIntensityTest, ExplicitIntensityIsUsedAsIs) {
  CarbonRequest request = Region("IN-TN");
  request.intensity_g_per_kwh = 30;
  const CarbonIntensity result = Resolve(request);
  EXPECT_DOUBLE_EQ(result.g_per_kwh, 30);
  EXPECT_EQ(result.source, "carbon.intensity_g_per_kwh");
  EXPECT_EQ(result.year, 0);
  // The region still says where the run was; its fallback is not used, so
  // it warns about nothing.
  EXPECT_EQ(result.country_iso_code, "IND");
  EXPECT_TRUE(result.warnings.empty());
}

TEST(CarbonIntensityTest, ExplicitIntensityStillChecksTheRegion) {
  CarbonRequest request = Region("FRX");
  request.intensity_g_per_kwh = 30;
  ExpectErrorContaining([&] { Resolve(request); }, {"unknown region 'FRX'"});
}

TEST(CarbonIntensityTest, NegativeIntensityIsRefused) {
  CarbonRequest request;
  request.intensity_g_per_kwh = -1;
  ExpectErrorContaining([&] { Resolve(request); },
                        {"carbon.intensity_g_per_kwh is -1", "from 0 to 5000"});
}

TEST(CarbonIntensityTest, IntensityAboveTheCapIsRefused) {
  CarbonRequest request;
  request.intensity_g_per_kwh = 1e300;
  ExpectErrorContaining([&] { Resolve(request); },
                        {"carbon.intensity_g_per_kwh is 1e+300", "from 0 to 5000"});
}

TEST(CarbonIntensityTest, ExplicitPueWinsOverTheProviders) {
  CarbonRequest request = Region("gcp:europe-west1");
  request.pue = 1.3;
  const CarbonIntensity result = Resolve(request);
  EXPECT_DOUBLE_EQ(result.pue, 1.3);
  EXPECT_EQ(result.pue_source, "carbon.pue");
  EXPECT_EQ(result.pue_year, 0);
}

TEST(CarbonIntensityTest, PueBelowOneIsRefused) {
  CarbonRequest request;
  request.pue = 0.9;
  ExpectErrorContaining([&] { Resolve(request); }, {"carbon.pue is 0.9", "at least 1.0"});
}

// A reference-data folder with CodeCarbon's tables but no cloud_pue.csv.
TEST(CarbonIntensityTest, MissingCloudPueTableNamesTheFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "carbonbench_carbon_no_pue";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_directory_symlink(fs::path(kDataDir) / "codecarbon", dir / "codecarbon");
  ExpectErrorContaining([&] { ResolveCarbon(Region("aws:us-east-1"), dir.string()); },
                        {(dir / "cloud_pue.csv").string()});
  // Off the cloud the file is not needed.
  EXPECT_DOUBLE_EQ(ResolveCarbon(Region("FR"), dir.string()).pue, 1.0);
  fs::remove_all(dir);
}

TEST(CarbonIntensityTest, HourlyCsvCoversItsHoursAndTheStaticFigureTheRest) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "carbonbench_carbon_hourly.csv").string();
  {
    std::ofstream out(path);
    out << "timestamp,g_per_kwh\n2026-11-23T14:00:00Z,100\n2026-11-23T15:00:00Z,300\n";
  }
  CarbonRequest request = Region("FR");
  request.hourly_csv = path;
  const CarbonIntensity result = Resolve(request);
  ASSERT_NE(result.hourly, nullptr);
  EXPECT_EQ(result.hourly->size(), 2u);
  EXPECT_EQ(result.hourly->path(), path);
  const auto at = [](const std::string& text) { return *ParseIso8601Utc(text); };
  EXPECT_DOUBLE_EQ(result.GPerKwhAt(at("2026-11-23T14:30:00Z")), 100);
  EXPECT_DOUBLE_EQ(result.GPerKwhAt(at("2026-11-23T15:59:59Z")), 300);
  EXPECT_DOUBLE_EQ(result.GPerKwhAt(at("2026-11-23T16:00:00Z")), 56.039);
  EXPECT_DOUBLE_EQ(result.GPerKwhAt(at("2026-11-23T13:59:59Z")), 56.039);
  std::filesystem::remove(path);
}

TEST(CarbonIntensityTest, MalformedHourlyCsvIsRefused) {
  CarbonRequest request;
  request.hourly_csv = "/nonexistent/hourly.csv";
  ExpectErrorContaining([&] { Resolve(request); },
                        {"cannot open file /nonexistent/hourly.csv", "No such file"});
}
}  // namespace
}  // namespace carbonbench
