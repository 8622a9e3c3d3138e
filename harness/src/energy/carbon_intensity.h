// The carbon intensity of the electricity a run draws, its data-centre
// overhead (PUE) and where both figures come from: CodeCarbon's reference
// tables (harness/data/codecarbon), the cloud providers' published PUE
// (harness/data/cloud_pue.csv), ISO 3166 codes (Debian's iso-codes), an
// explicit override, and optionally an hourly series (intensity_series.h).
//
// Region syntax, in any letter case, surrounding blanks ignored:
//   FR, FRA        ISO 3166-1 alpha-2 or alpha-3: the country's intensity from
//                  global_energy_mix.json (Our World in Data). A country
//                  without a row there (MC) falls back to the world average.
//   WORLD          CodeCarbon's world average (475 g/kWh, IEA 2019).
//   US-CA          a US state, district or territory (ISO 3166-2): eGRID via
//                  usa_emissions.json, converted from lbs CO2/MWh to g/kWh
//                  (x 0.453592). One the table lacks (US-PR) falls back to USA.
//   CA-QC          a Canadian province or territory: computed from
//                  canada_energy_mix.json's generation shares as CodeCarbon
//                  does (region_tables.h says how).
//   IN-TN          any other ISO 3166-2 subdivision: its country's figure,
//                  with a warning (no subdivision-level data).
//   SE3, NO1, FI   a Nordic bidding zone (SE1-4, NO1-5, FI) from
//                  nordic_emissions.json (ENTSO-E averages). DK1 and DK2 are
//                  zones the table lacks: they fall back to Denmark. Zones
//                  are written bare: SE-SE3 is refused with a hint.
//                  "FI" is both Finland's alpha-2 code and its (only) bidding
//                  zone; the zone wins, as CodeCarbon's region "FI" does,
//                  because its figure is the more specific and recent one
//                  (72 g/kWh for 2025 against OWID's 79.158 for 2023). Write
//                  FIN for the national OWID figure.
//   gcp:europe-west1, aws:us-east-1, azure:westeurope
//                  a cloud region: CodeCarbon's cloud tables (`impact`,
//                  gCO2e/kWh); the row's country becomes country_iso_code /
//                  country_name. AWS rows outside the US wrongly carry the
//                  code USA in that table, so the country is taken from the
//                  row's country name when ISO knows it.
// An unknown code throws std::runtime_error naming it, the accepted forms and
// a did-you-mean where one is close.
//
// Every fallback adds a sentence to `warnings` and the code it fell back to
// to `fallback_path`.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "energy/intensity_series.h"

namespace carbonbench {

struct CarbonRequest {
  std::string region = "WORLD";
  // Unset: the cloud provider's published PUE for a cloud region, else 1.0.
  // Must be >= 1.0.
  std::optional<double> pue;
  // Explicit intensity in gCO2e/kWh (0 to kMaxIntensityGPerKwh), used as is, source
  // "carbon.intensity_g_per_kwh". The region is still resolved (and checked)
  // for the country, the cloud provider and the PUE.
  std::optional<double> intensity_g_per_kwh;
  // Optional path of an hourly intensity CSV (format: intensity_series.h);
  // the hours it covers use its values, the others g_per_kwh, with a
  // warning (UncoveredWarning) on each run that had such hours.
  std::string hourly_csv;
};

struct CarbonIntensity {
  std::string region_requested;  // as the user wrote it
  // The code whose figure is used: an ISO-3 code ("FRA" also for a request
  // of "FR"), "WORLD", "US-CA", "CA-QC", "SE3" or "gcp:europe-west1".
  std::string region_used;
  std::string region_name;  // "India", "California", "Google Cloud Platform europe-west1 (...)"
  double g_per_kwh = 0;
  std::string source;  // "CodeCarbon global_energy_mix.json (Our World in Data 2023)"
  std::vector<std::string> warnings;  // e.g. subdivision fell back to country

  // Where the region is, whichever figure is used: a region that falls back
  // to the world average (MC) still names its country.
  std::string country_iso_code;  // ISO-3 ("USA") or "" (world)
  std::string country_name;
  std::string subdivision;     // "US-CA", "CA-QC", "IN-TN", "SE3"... or ""
  std::string cloud_provider;  // "gcp" | "aws" | "azure" | ""
  std::string cloud_region;    // "europe-west1" | ""
  int year = 0;                // year of the figure, 0 when the table gives none
  // Codes tried, in order, the last one used: the requested code (upper
  // case; a cloud region lower case), then each code fallen back to:
  // {"IN-TN", "IND"}, {"MC", "WORLD"}, {"US-CA"}, {"FR"}. Under an intensity
  // override it still records how the region was resolved.
  std::vector<std::string> fallback_path;

  double pue = 1.0;
  // "default (no data-centre overhead assumed)", "carbon.pue", or the
  // provider's published figure and where it was published.
  std::string pue_source;
  int pue_year = 0;  // year the published PUE describes; 0 when unknown or not published

  std::shared_ptr<const IntensitySeries> hourly;  // null when no CSV

  // The intensity at a moment: the hourly value covering it when there is
  // one, else g_per_kwh.
  double GPerKwhAt(std::chrono::system_clock::time_point when) const;

  // The hourly series' silence over [from, to) said in a sentence: the
  // uncovered spans (the first few), what the series does cover and the
  // figure charged instead. Nullopt without a series or where it covers all.
  std::optional<std::string> UncoveredWarning(std::chrono::system_clock::time_point from,
                                              std::chrono::system_clock::time_point to) const;
};

inline constexpr const char* kDefaultPueSource = "default (no data-centre overhead assumed)";
inline constexpr const char* kIntensityOverrideSource = "carbon.intensity_g_per_kwh";
inline constexpr const char* kPueOverrideSource = "carbon.pue";

// `reference_data_dir` is the folder that holds codecarbon/ and
// cloud_pue.csv (harness/data in the source tree, the folder
// MeterContext::reference_data_dir names); `iso_codes_dir` holds iso-codes'
// iso_3166-1.json and iso_3166-2.json. Throws std::runtime_error for an
// unknown region, a PUE below 1, a negative intensity, an unreadable table
// or a malformed hourly CSV.
CarbonIntensity ResolveCarbon(const CarbonRequest& request, const std::string& reference_data_dir,
                              const std::string& iso_codes_dir = "/usr/share/iso-codes/json");

// ResolveCarbon with only the region set.
CarbonIntensity LookUpCarbonIntensity(
    const std::string& region, const std::string& reference_data_dir,
    const std::string& iso_codes_dir = "/usr/share/iso-codes/json");

}  // namespace carbonbench
