// Carbon intensity of electricity by region, from CodeCarbon's reference
// tables (harness/data/codecarbon) and ISO 3166 codes (Debian's iso-codes).
#pragma once

#include <string>
#include <vector>

namespace carbonbench {

struct CarbonIntensity {
  std::string region_requested;  // as the user wrote it
  std::string region_used;       // ISO-3 code, or "WORLD"
  std::string region_name;       // "India"
  double g_per_kwh = 0;
  std::string source;  // "CodeCarbon global_energy_mix.json (Our World in Data 2022)"
  std::vector<std::string> warnings;  // e.g. subdivision fell back to country
};

// Accepts ISO-2 ("IN"), ISO-3 ("IND"), a subdivision ("IN-TN", falls back to
// its country with a warning) or "WORLD" (CodeCarbon's world average, 475),
// in any letter case. A known country without a row in global_energy_mix.json
// (e.g. Monaco) falls back to the world average with a warning.
// Throws std::runtime_error for an unknown code, suggesting close ones, and
// for unreadable tables.
//
// `reference_data_dir` is the folder that holds codecarbon/ (harness/data in
// the source tree, the same folder MeterContext::reference_data_dir names);
// the tables read are codecarbon/global_energy_mix.json and
// codecarbon/carbon_intensity_per_source.json under it. `iso_codes_dir` holds
// iso-codes' iso_3166-1.json and iso_3166-2.json.
CarbonIntensity LookUpCarbonIntensity(const std::string& region,
                                      const std::string& reference_data_dir,
                                      const std::string& iso_codes_dir =
                                          "/usr/share/iso-codes/json");

}  // namespace carbonbench
