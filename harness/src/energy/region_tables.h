// Grid carbon intensity from CodeCarbon's private-infrastructure tables
// (harness/data/codecarbon): per country, per US state, per Canadian
// province, per Nordic bidding zone, and the world average.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace carbonbench::detail {

// One figure from one table and where it comes from.
struct Figure {
  double g_per_kwh = 0;
  int year = 0;        // 0 when the table gives none
  std::string name;    // the table's own name for the area, or ""
  std::string source;  // the full sentence for CarbonIntensity::source
  std::string origin;  // short, quoted in warnings: "Our World in Data 2023"

  // "56.039 g/kWh, Our World in Data 2023".
  std::string Quoted() const;
};

// carbon_intensity_per_source.json's world_average (475, IEA 2019),
// CodeCarbon's last fallback. Throws when the table is unreadable.
Figure WorldAverage(const std::string& reference_data_dir);

// global_energy_mix.json's carbon_intensity for an ISO-3 code; nullopt when
// the table has no usable row (Monaco).
std::optional<Figure> CountryFigure(const std::string& reference_data_dir,
                                    const std::string& alpha3);

// usa_emissions.json (eGRID) for a two-letter state code ("CA"). The table
// is in lbs CO2/MWh; the figure is converted to g/kWh (x 0.453592), and the
// conversion is written in `source`. nullopt for a code the table lacks (PR).
std::optional<Figure> UsStateFigure(const std::string& reference_data_dir,
                                    const std::string& state);

// canada_energy_mix.json for a two-letter province or territory code ("QC").
// The table holds generation shares, not intensities; the intensity is
// computed as CodeCarbon's Emissions._region_energy_mix_to_emissions_rate
// does (v3.3.0): the coal, petroleum and natural-gas shares of the total,
// times CodeCarbon's factors for them (995.725971, 816.6885263 and
// 743.8415916 g/kWh); every other source counts as zero. nullopt for an
// unknown code or a row without a positive total.
std::optional<Figure> CanadianProvinceFigure(const std::string& reference_data_dir,
                                             const std::string& province);

// The Nordic electricity bidding zones (ENTSO-E): SE1-SE4, NO1-NO5, DK1,
// DK2 and FI (Finland is a single zone).
struct NordicZone {
  std::string code;            // "SE3"
  std::string country_alpha2;  // "SE"
};
const std::vector<NordicZone>& NordicBiddingZones();
// The zone with this upper-case code, or null.
const NordicZone* FindNordicZone(const std::string& code);

// nordic_emissions.json's emission_factor for a zone; nullopt for a zone the
// table lacks (CodeCarbon v3.3.0 has no DK1 or DK2).
std::optional<Figure> NordicZoneFigure(const std::string& reference_data_dir,
                                       const std::string& zone);

}  // namespace carbonbench::detail
